// Which plugin definition each KPI item of a framework version scores with.
// Built-ins ship with the code. A company plugin is the version the published
// framework pinned (metric_plugins keeps every version, so an update never
// reaches a past scorecard); a draft uses the catalogue's current version. A
// plugin that is disabled, or gone, is not an error: the item has no data and
// the framework's missing-data policy applies, with the reason on the item.
import { LRUCache } from "lru-cache";
import type { Database } from "../db/database.js";
import type { SubjectLevel } from "../metrics/catalog.js";
import { registerPlugin, type Catalog, type RegisteredPlugin } from "../metrics/registry.js";
import { kpisOf } from "./framework-schema.js";
import type { VersionedFramework } from "./framework-store.js";

export type PluginResolution = { plugin: RegisteredPlugin } | { missing: string };

// Stored plugin versions never change: compiled once per process (company, key, version).
const compiled = new LRUCache<string, RegisteredPlugin>({ max: 2000 });

export async function resolveFrameworkPlugins(
  db: Database,
  companyId: string,
  catalog: Catalog,
  fw: VersionedFramework,
): Promise<Map<string, PluginResolution>> {
  const level = fw.framework.level as SubjectLevel;
  const kpis = kpisOf(fw.framework);
  const out = new Map<string, PluginResolution>();
  const own = kpis.filter((k) => !catalog.get(k)?.builtIn);
  const rows = own.length
    ? await db.prisma.metricPlugin.findMany({ where: { companyId, key: { in: own } }, select: { key: true, version: true, enabled: true, document: true } })
    : [];
  for (const kpi of kpis) {
    const current = catalog.get(kpi);
    let found: RegisteredPlugin | undefined;
    if (current?.builtIn) found = current;
    else {
      const versions = rows.filter((r) => r.key === kpi);
      if (versions.length === 0) {
        out.set(kpi, { missing: `plugin "${kpi}" no longer exists` });
        continue;
      }
      // enabled is set on every version of a key at once (plugin-store.ts).
      if (!versions.some((r) => r.enabled)) {
        out.set(kpi, { missing: `plugin "${kpi}" is disabled` });
        continue;
      }
      const pinned = fw.pins[kpi];
      if (fw.status === "PUBLISHED" && pinned !== undefined) {
        const row = versions.find((r) => r.version === pinned);
        if (!row) {
          out.set(kpi, { missing: `plugin "${kpi}" version ${pinned} (pinned by framework version ${fw.version}) no longer exists` });
          continue;
        }
        const cacheKey = `${companyId}|${kpi}|${pinned}`;
        found = compiled.get(cacheKey);
        if (!found) compiled.set(cacheKey, (found = registerPlugin(row.document, { builtIn: false, version: pinned })));
      } else {
        found = current;
        if (!found) {
          out.set(kpi, { missing: `plugin "${kpi}" is not in the catalogue` });
          continue;
        }
      }
    }
    if (!found.plugin.subjects.includes(level)) {
      out.set(kpi, { missing: `plugin "${kpi}" version ${found.version} is not defined for a ${level}` });
      continue;
    }
    out.set(kpi, { plugin: found });
  }
  return out;
}
