// Process-wide cache of metric statement results: the aggregate rows one
// compiled statement (src/metrics/compile.ts) returned, keyed by
//
//   company id + catalogue version + data version + SQL text + JSON of its parameters.
//
// Why this level is safe:
// - the statement is the whole question: the company, every measure (source,
//   aggregate, filters), every window as absolute instants (periods such as
//   "this month" are resolved to dates before SQL; nothing in a statement reads
//   the clock) and every subject id are in its text or its parameters;
// - the answer depends only on the company's rows, and every write of them
//   bumps companies.data_version in the same transaction (data-version.ts). A
//   request reads that version with its key, so it never looks up an entry
//   computed before the last committed write. This holds across processes.
//   Entries of older versions can never be asked for again, so the first lookup
//   at a company's newer version drops them: a company importing all day keeps
//   one version's entries, not a growing pile that crowds out other companies'.
//
// Identical misses in flight share one promise (one statement, however many
// requests ask at once). Errors are not cached. Rows are frozen and shared by
// every reader: callers must not modify them.
import { LRUCache } from "lru-cache";
import { noteCacheLookup } from "../telemetry/request-context.js";

type Row = Record<string, unknown>;

export interface ResultCacheOptions {
  /** Most statements kept (default 10,000). */
  maxEntries?: number;
  /** Approximate bytes kept, keys and rows together (default 64 MiB). One entry may use at most a quarter. */
  maxBytes?: number;
}

/** Who asks: the entry is valid for this company at these versions only. */
export interface ResultScope {
  companyId: string;
  catalogVersion: number;
  dataVersion: number;
}

export interface ResultCacheStats {
  hits: number;
  misses: number;
  /** Lookups that joined a statement already running for another request. */
  shared: number;
  entries: number;
  /** Approximate bytes held. */
  bytes: number;
}

export const DEFAULT_RESULT_CACHE: Required<ResultCacheOptions> = { maxEntries: 10_000, maxBytes: 64 * 1024 * 1024 };

/** Rough heap size of a result: the first row's size × the row count, plus the array. */
function sizeOf(rows: readonly Row[], key: string): number {
  let row = 64;
  const first = rows[0];
  if (first) {
    for (const k in first) {
      const v = first[k];
      row += 16 + (typeof v === "string" ? 16 + v.length * 2 : 8);
    }
  }
  return 64 + key.length + rows.length * (row + 8);
}

export class ResultCache {
  private readonly entries: LRUCache<string, readonly Row[]>;
  private readonly inflight = new Map<string, Promise<readonly Row[]>>();
  /** Per company: the newest versions seen and the keys held for them. */
  private readonly companies = new Map<string, { catalogVersion: number; dataVersion: number; keys: Set<string> }>();
  private hits = 0;
  private misses = 0;
  private shared = 0;

  constructor(options: ResultCacheOptions = {}) {
    const maxEntries = options.maxEntries ?? DEFAULT_RESULT_CACHE.maxEntries;
    const maxBytes = options.maxBytes ?? DEFAULT_RESULT_CACHE.maxBytes;
    if (!(maxEntries >= 1) || !(maxBytes >= 1024)) throw new Error("result cache: maxEntries ≥ 1 and maxBytes ≥ 1024");
    this.entries = new LRUCache<string, readonly Row[]>({
      max: maxEntries,
      maxSize: maxBytes,
      maxEntrySize: Math.floor(maxBytes / 4),
      sizeCalculation: (rows, key) => sizeOf(rows, key),
      // Evicted (LRU or dropped as stale): forget the key in its company's index.
      dispose: (_rows, key) => this.companies.get(key.slice(0, key.indexOf("|")))?.keys.delete(key),
    });
  }

  /**
   * Whether entries for `scope` may be kept: true at the company's newest versions (dropping
   * every entry of older ones when these are newer), false for a request that read its
   * versions before a write another request has already seen.
   */
  private current(scope: ResultScope): boolean {
    const seen = this.companies.get(scope.companyId);
    if (!seen) {
      this.companies.set(scope.companyId, { catalogVersion: scope.catalogVersion, dataVersion: scope.dataVersion, keys: new Set() });
      return true;
    }
    if (seen.catalogVersion === scope.catalogVersion && seen.dataVersion === scope.dataVersion) return true;
    if (scope.catalogVersion < seen.catalogVersion || scope.dataVersion < seen.dataVersion) return false;
    for (const key of [...seen.keys]) this.entries.delete(key);
    seen.keys.clear();
    seen.catalogVersion = scope.catalogVersion;
    seen.dataVersion = scope.dataVersion;
    return true;
  }

  static key(scope: ResultScope, sql: string, params: readonly unknown[]): string {
    // The versions are integers and the company id a UUID: "|" cannot occur in them.
    return `${scope.companyId}|${scope.catalogVersion}|${scope.dataVersion}|${JSON.stringify(params)}|${sql}`;
  }

  /**
   * The rows of `sql` with `params` for this scope: from the cache, from the same
   * statement already running, or by calling `execute` (whose rows are then kept).
   */
  rows(scope: ResultScope, sql: string, params: readonly unknown[], execute: () => Promise<readonly Row[]>): Promise<readonly Row[]> {
    const key = ResultCache.key(scope, sql, params);
    this.current(scope);
    const hit = this.entries.get(key);
    if (hit) {
      this.hits++;
      noteCacheLookup(true);
      return Promise.resolve(hit);
    }
    const running = this.inflight.get(key);
    if (running) {
      this.shared++;
      // No statement of its own: a hit for the request's access log and /metrics.
      noteCacheLookup(true);
      return running;
    }
    this.misses++;
    noteCacheLookup(false);
    // Started on the next microtask, so the in-flight entry exists before it can settle.
    const p = Promise.resolve()
      .then(execute)
      .then((rows) => {
        for (const r of rows) Object.freeze(r);
        Object.freeze(rows);
        // Still the company's newest versions (a write may have been seen meanwhile)?
        if (this.current(scope)) {
          this.entries.set(key, rows);
          if (this.entries.has(key)) this.companies.get(scope.companyId)!.keys.add(key);
        }
        return rows;
      });
    this.inflight.set(key, p);
    const done = () => {
      if (this.inflight.get(key) === p) this.inflight.delete(key);
    };
    p.then(done, done);
    return p;
  }

  stats(): ResultCacheStats {
    return { hits: this.hits, misses: this.misses, shared: this.shared, entries: this.entries.size, bytes: this.entries.calculatedSize };
  }

  clear(): void {
    this.entries.clear();
    this.companies.clear();
  }
}
