// One way to open a company's metric session, for the server (once per
// request, on first use) and for every CLI: the company's compiled catalogue
// (cached by catalogue version), the metric SQL routed to a caught-up read
// replica or the primary, and the shared result cache when there is one. The
// versions come with the viewer — read with the API key, or with the company
// row in a CLI — so a write committed since is a new cache key, never a stale hit.
import type { Viewer } from "./auth/viewer.js";
import type { Database } from "./db/database.js";
import { metricSql } from "./db/read-routing.js";
import type { Catalog } from "./metrics/registry.js";
import { CatalogCache } from "./metrics/catalog-cache.js";
import { createMetricSession, type MetricSession } from "./metrics/engine.js";
import { loadCompanyPlugins } from "./metrics/plugin-store.js";
import type { FormulaRun } from "./metrics/formula-pool.js";
import type { ResultCache } from "./metrics/result-cache.js";

/** What a session needs to know about its caller: the company and the versions read with the credential. */
export type SessionViewer = Pick<Viewer, "companyId" | "timeZone" | "catalogVersion" | "dataVersion">;

export interface MetricScope {
  session: MetricSession;
  timeZone: string;
  /** Per-request memo: resolved periods, and one scorecard computation per (framework, version, period) for every subject. */
  memo: Map<string, unknown>;
}

export interface SessionOptions {
  /** Companies whose compiled catalogue stays in memory (LRU). */
  catalogCacheSize?: number;
  /** Metric statement results shared across sessions; null = none (a CLI runs one session). */
  results?: ResultCache | null;
}

export interface OpenSessionOptions {
  /** Replaces the company's saved catalogue (the plugin CLI evaluates a plugin file that is not saved). */
  catalog?: Catalog;
  /** The caller's formula budget and deadline (the server: per request); default: the pool's default budget, no deadline. */
  formulaRun?: FormulaRun;
}

export interface Sessions {
  readonly catalogs: CatalogCache;
  readonly results: ResultCache | null;
  /** The caller's metric session. */
  openSession(viewer: SessionViewer, options?: OpenSessionOptions): Promise<MetricScope>;
}

export function createSessions(db: Database, options: SessionOptions = {}): Sessions {
  const catalogs = new CatalogCache((companyId) => loadCompanyPlugins(db, companyId), { max: options.catalogCacheSize ?? 1000 });
  const results = options.results ?? null;
  return {
    catalogs,
    results,
    async openSession(viewer, override) {
      const catalog = override?.catalog ?? (await catalogs.get(viewer.companyId, viewer.catalogVersion));
      return {
        timeZone: viewer.timeZone,
        memo: new Map(),
        session: createMetricSession({
          // The read replica when it has replayed the caller's data version, else the primary (src/db/read-routing.ts).
          sql: metricSql(db, viewer.companyId, viewer.dataVersion),
          companyId: viewer.companyId,
          catalog,
          formulaRun: override?.formulaRun,
          // An overridden catalogue is not the company's: its results must not be cached under the company's versions.
          results:
            results && !override?.catalog
              ? { cache: results, scope: { companyId: viewer.companyId, catalogVersion: viewer.catalogVersion, dataVersion: viewer.dataVersion } }
              : undefined,
        }),
      };
    },
  };
}

/** A CLI's viewer: the company row's own versions, read when the CLI looked the company up. */
export function companyViewer(company: { id: string; timeZone: string; catalogVersion: number; dataVersion: number }): SessionViewer {
  return { companyId: company.id, timeZone: company.timeZone, catalogVersion: company.catalogVersion, dataVersion: company.dataVersion };
}
