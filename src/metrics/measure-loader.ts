// Per-request batching of measure values. Every (measure, window, subject)
// asked for while a request resolves is collected; at dispatch the loads are
// grouped by (source, level, time field, breakdown) and each group becomes ONE
// SQL statement over all its windows and subjects. The statement count
// therefore follows the number of sources asked for, never the number of
// teams, members, customers or periods. With a result cache (result-cache.ts)
// a statement another request already ran at the same data version is not run
// again: its rows come from the cache.
//
// A dashboard makes tens of thousands of loads per request, so this file
// avoids per-load string building: keys are memoised on the (shared) measure
// and window objects, and results are found through nested maps.
import DataLoader from "dataloader";
import type { SqlDriver } from "../db/driver.js";
import type { Dimension, SourceName, SubjectLevel } from "./catalog.js";
import { compileGroup, emptyValue, timeModeOf, type StatementGroup } from "./compile.js";
import type { Measure } from "./plugin-schema.js";
import { windowKey, type Window } from "./period.js";
import type { ResultCache, ResultScope } from "./result-cache.js";

export interface MeasureLoad {
  level: SubjectLevel;
  /** null for the company level, or with `allPeers`. */
  subjectId: string | null;
  measure: Measure;
  window: Window;
  dimension?: Dimension;
  /** Load every subject of the level (peer comparison); the result maps subject → value. */
  allPeers?: boolean;
}

/** Value of one measure; by subject id (allPeers) and/or by dimension value (breakdowns). */
export type MeasureResult = number | null | Map<string, number | null>;

const measureKeys = new WeakMap<Measure, { key: string; group: string }>();
const windowKeys = new WeakMap<Window, string>();

function keysOf(m: Measure) {
  let k = measureKeys.get(m);
  if (!k) {
    // offset is already applied to the window; it must not split groups.
    const { offset: _offset, ...rest } = m;
    // Trailing windows overlap from one period to the next: their own statement, so the
    // calendar periods of the other measures keep the single range scan (width_bucket).
    // A cohort or a nested aggregate is a statement shape of its own.
    const shape = `${m.window ? "trailing" : ""}|${m.per ?? ""}|${m.cohort ? JSON.stringify(m.cohort) : ""}`;
    k = { key: JSON.stringify(rest), group: `${m.source}|${timeModeOf(m)}|${shape}` };
    measureKeys.set(m, k);
  }
  return k;
}

function keyOfWindow(w: Window): string {
  let k = windowKeys.get(w);
  if (k === undefined) windowKeys.set(w, (k = windowKey(w)));
  return k;
}

export interface MeasureLoaderOptions {
  sql: Pick<SqlDriver, "query">;
  companyId: string;
  /** Statement results shared across requests (result-cache.ts), for the request's versions. */
  results?: MetricResultCache;
}

export interface MetricResultCache {
  cache: ResultCache;
  /** The versions the request read with its key; companyId must be the session's. */
  scope: ResultScope;
}

type Row = Record<string, unknown>;

async function runGroup(options: MeasureLoaderOptions, loads: MeasureLoad[], out: MeasureResult[], positions: number[]) {
  const { sql, companyId, results } = options;
  const first = loads[0]!;
  const measures = new Map<string, { measure: Measure; index: number }>();
  const windows = new Map<string, { window: Window; index: number }>();
  const subjects = new Set<string>();
  let all = false;
  for (const l of loads) {
    const mk = keysOf(l.measure).key;
    if (!measures.has(mk)) measures.set(mk, { measure: l.measure, index: measures.size });
    const wk = keyOfWindow(l.window);
    if (!windows.has(wk)) windows.set(wk, { window: l.window, index: windows.size });
    if (l.allPeers) all = true;
    else if (l.subjectId) subjects.add(l.subjectId);
  }
  const group: StatementGroup = {
    source: first.measure.source as SourceName,
    level: first.level,
    timeMode: timeModeOf(first.measure),
    dimension: first.dimension,
    measures: [...measures.values()].map((m) => m.measure),
    windows: [...windows.values()].map((w) => w.window),
    subjects: first.level === "company" || all ? null : [...subjects],
  };
  const compiled = compileGroup(companyId, group);
  const rows = results
    ? await results.cache.rows(results.scope, compiled.sql, compiled.params, () => sql.query<Row>(compiled.sql, compiled.params))
    : await sql.query<Row>(compiled.sql, compiled.params);

  // wi → subject → rows (one row per dimension value, or one row)
  const cells = new Map<number, Map<string, Row[]>>();
  for (const r of rows) {
    const wi = Number(r.wi);
    let bySubject = cells.get(wi);
    if (!bySubject) cells.set(wi, (bySubject = new Map()));
    const sid = (r.sid as string | null) ?? "";
    const list = bySubject.get(sid);
    if (list) list.push(r);
    else bySubject.set(sid, [r]);
  }
  // Column names built once per statement, not per load.
  const columns = group.measures.map((_, i) => `m${i}`);
  const valueOf = (row: Row | undefined, i: number, m: Measure): number | null => {
    const v = row?.[columns[i]!];
    if (v === null || v === undefined) return emptyValue(m);
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  };

  loads.forEach((l, n) => {
    const i = measures.get(keysOf(l.measure).key)!.index;
    const wi = compiled.windowIndex[windows.get(keyOfWindow(l.window))!.index]!;
    const bySubject = cells.get(wi);
    if (!l.allPeers && !l.dimension) {
      out[positions[n]!] = valueOf(bySubject?.get(l.subjectId ?? "")?.[0], i, l.measure);
      return;
    }
    // Peers or slices: every matching cell.
    const result = new Map<string, number | null>();
    for (const [sid, list] of bySubject ?? []) {
      if (!l.allPeers && sid !== (l.subjectId ?? "")) continue;
      for (const r of list) {
        const slot = l.allPeers ? sid + (l.dimension ? `|${(r.dim as string | null) ?? ""}` : "") : String(r.dim ?? "");
        result.set(slot, valueOf(r, i, l.measure));
      }
    }
    out[positions[n]!] = result;
  });
}

/**
 * Collects loads until the current execution pass is over, then runs them as one batch.
 * A DataLoader whose keys are *lists* of loads: a caller asking for many values (a 12-month
 * trend, a ranking of every member) gets one promise for all of them instead of one per value
 * (a dashboard makes ~12,000 loads). The batch flattens every list, groups the loads by
 * statement and hands each list its slice of the results.
 */
export interface MeasureLoader {
  /** Every load's result in order; rejects when their batch fails. */
  loadAll(loads: readonly MeasureLoad[]): Promise<MeasureResult[]>;
}

export function createMeasureLoader(options: MeasureLoaderOptions): MeasureLoader {
  if (options.results && options.results.scope.companyId !== options.companyId) {
    throw new Error("result cache scope names another company than the session");
  }
  const loader = new DataLoader<readonly MeasureLoad[], MeasureResult[]>(
    async (lists) => {
      const out = await runBatch(options, lists.length === 1 ? lists[0]! : lists.flat());
      if (lists.length === 1) return [out];
      let from = 0;
      return lists.map((list) => out.slice(from, (from += list.length)));
    },
    {
      // Duplicates are merged inside a group (same measure, window, subject → one aggregate),
      // so DataLoader's own cache would only add a key per call.
      cache: false,
      // Let every resolver of the current execution pass enqueue before dispatch.
      batchScheduleFn: (cb) => setImmediate(cb),
    },
  );
  return {
    loadAll: (loads) => (loads.length === 0 ? Promise.resolve([]) : loader.load(loads)),
  };
}

// Group key of a load: memoised per measure, level and breakdown (no string built per load).
const groupKeys = new WeakMap<Measure, Map<string, string>>();

function groupOf(l: MeasureLoad): string {
  let byLevel = groupKeys.get(l.measure);
  if (!byLevel) groupKeys.set(l.measure, (byLevel = new Map()));
  const sub = l.dimension ? `${l.level}|${l.dimension}` : l.level;
  let k = byLevel.get(sub);
  if (k === undefined) byLevel.set(sub, (k = `${keysOf(l.measure).group}|${l.level}|${l.dimension ?? ""}`));
  return k;
}

async function runBatch(options: MeasureLoaderOptions, loads: readonly MeasureLoad[]): Promise<MeasureResult[]> {
  const groups = new Map<string, { loads: MeasureLoad[]; positions: number[] }>();
  for (let n = 0; n < loads.length; n++) {
    const l = loads[n]!;
    const k = groupOf(l);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { loads: [], positions: [] }));
    g.loads.push(l);
    g.positions.push(n);
  }
  const out = new Array<MeasureResult>(loads.length).fill(null);
  await Promise.all([...groups.values()].map((g) => runGroup(options, g.loads, out, g.positions)));
  return out;
}
