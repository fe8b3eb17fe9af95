// The metric engine: for a company, evaluates KPI plugins over subjects and
// periods. It knows nothing of GraphQL; a resolver, a CLI or a report job call
// it the same way. One session per request: its loader batches every measure
// the request asks for into as few SQL statements as there are sources.
import type { SqlDriver } from "../db/driver.js";
import { DIMENSION_NAMES, SOURCES, type Dimension, type SourceName, type SubjectLevel } from "./catalog.js";
import { emptyValue } from "./compile.js";
import { FormulaError, interpretResult, NEEDS_JSONATA, type FormulaOutcome, type FormulaRun } from "./formula.js";
import { formulaRun } from "./formula-pool.js";
import { createMeasureLoader, type MeasureLoad, type MeasureLoader, type MeasureResult, type MetricResultCache } from "./measure-loader.js";
import { shiftPeriod, toWindow, trendPeriods, type Grain, type Offset, type Period, type Window } from "./period.js";
import type { Measure } from "./plugin-schema.js";
import type { Catalog, RegisteredPlugin } from "./registry.js";
import { peerPosition, scoreNow, type PeerPosition } from "./score.js";
import { settleAll } from "./settle.js";
import { noteFormulaTime } from "../telemetry/request-context.js";

export type MetricErrorCode = "UNKNOWN_METRIC" | "UNSUPPORTED_SUBJECT" | "UNSUPPORTED_BREAKDOWN" | "FORMULA_LIMIT" | "FORMULA_ERROR";

export class MetricError extends Error {
  constructor(
    readonly code: MetricErrorCode,
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export interface MetricValueResult extends FormulaOutcome {
  /** The previous period's formula failure, when it failed (error is the current period's). */
  previousError?: Error;
  /** The score expression's failure, when it failed. */
  scoreError?: Error;
  key: string;
  unit: string;
  period: Period;
  score: number | null;
  previous: number | null;
  change: number | null;
  changePercent: number | null;
  /** The same period a year earlier, when asked for (evaluate's options.yearAgo); undefined otherwise. */
  yearAgo?: number | null;
  yearAgoError?: Error;
  yearAgoChange?: number | null;
  yearAgoChangePercent?: number | null;
}

export interface EvaluateOptions {
  /**
   * Also the same period a year earlier (seasonal comparison). Its loads join the current and
   * previous periods' batch, so they share their statements: one per source, as for previous.
   */
  yearAgo?: boolean;
}

export interface MetricPoint extends FormulaOutcome {
  period: Period;
}

export interface MetricSlice extends FormulaOutcome {
  dimension: Dimension;
  key: string;
}

export interface SessionOptions {
  sql: Pick<SqlDriver, "query">;
  companyId: string;
  catalog: Catalog;
  /**
   * The request's formula budget, deadline and company (formula-pool.ts): every JSONata
   * evaluation of the session is charged to it. Default: a budget of the session's own.
   */
  formulaRun?: FormulaRun;
  /**
   * Statement results shared across sessions, for the versions the caller read with its
   * credentials (companies.catalog_version and data_version). Omit it to always query.
   */
  results?: MetricResultCache;
}

const round = (x: number | null) => (x === null ? null : Math.round(x * 10_000) / 10_000);

// Period arithmetic (luxon, time zones) is costly next to a formula: done once per period, not per
// evaluation. Periods are immutable, so a trend's periods (and their windows and formula inputs,
// keyed by the Period objects) are shared by every request asking for the same trend — each
// dashboard request otherwise recomputes them (~7 ms of luxon). Bounded: the last MAX_TRENDS trends.
const MAX_TRENDS = 256;
const trends = new Map<string, Period[]>();
const windows = new WeakMap<Period, Map<string, Window>>();
const periodInputs = new WeakMap<Period, Record<string, unknown>>();

export class MetricSession {
  private readonly loader: MeasureLoader;
  private readonly peerCache = new Map<string, Promise<Map<string, FormulaOutcome>>>();
  private readonly subjectCache = new Map<SubjectLevel, Promise<string[]>>();

  /** What this session's JSONata evaluations are charged to. */
  readonly formulaRun: FormulaRun;

  get catalog() {
    return this.options.catalog;
  }

  constructor(private readonly options: SessionOptions) {
    this.formulaRun = options.formulaRun ?? formulaRun(options.companyId);
    this.loader = createMeasureLoader({ sql: options.sql, companyId: options.companyId, results: options.results });
  }

  plugin(key: string, level?: SubjectLevel): RegisteredPlugin {
    const found = this.options.catalog.get(key);
    if (!found) throw new MetricError("UNKNOWN_METRIC", "key", `unknown metric "${key}"; Query.metricDefinitions lists the catalogue`);
    if (level && !found.plugin.subjects.includes(level)) {
      throw new MetricError("UNSUPPORTED_SUBJECT", "key", `metric "${key}" is not defined for a ${level}; it supports ${found.plugin.subjects.join(", ")}`);
    }
    return found;
  }

  /**
   * The formula over one set of measure values. Synchronous when the formula runs on its
   * fast path (nearly every value of a dashboard or ranking: no promise per value); a
   * promise only when JSONata has to run. A formula that fails gives an outcome with `error`
   * (value null), never a rejection: one failing value must not take its neighbours with it.
   */
  private run(p: RegisteredPlugin, values: Record<string, number | null>, period: Period): FormulaOutcome | Promise<FormulaOutcome> {
    const input: Record<string, unknown> = { params: p.plugin.params, period: this.periodInput(period) };
    let anyMissing = false;
    for (const name in values) {
      const v = values[name]!;
      if (v === null) anyMissing = true;
      else input[name] = v;
    }
    // The list of missing measures only matters for a null value's reason: built when asked.
    const missing = anyMissing ? () => Object.keys(values).filter((n) => values[n] === null) : NONE_MISSING;
    let raw: unknown;
    // Formula time for the request's record (src/telemetry/request-context.ts): no GraphQL here, one addition per value.
    const t0 = performance.now();
    try {
      raw = p.formula.evaluateFast(input);
    } catch (err) {
      return failed(p, err);
    } finally {
      noteFormulaTime(performance.now() - t0);
    }
    if (raw !== NEEDS_JSONATA) return finish(raw, missing);
    return p.formula.evaluate(input, this.formulaRun).then(
      (r) => {
        this.noteWorkerTime();
        return finish(r, missing);
      },
      (err: unknown) => {
        this.noteWorkerTime();
        return failed(p, err);
      },
    );
  }

  /** JSONata runs in the formula workers: their time (FormulaRun.usedMs) not yet reported goes to the request's record. */
  private noteWorkerTime(): void {
    const used = this.formulaRun.usedMs;
    if (used > this.formulaNoted) {
      noteFormulaTime(used - this.formulaNoted);
      this.formulaNoted = used;
    }
  }
  private formulaNoted = 0;

  private periodInput(period: Period): Record<string, unknown> {
    let v = periodInputs.get(period);
    if (!v) {
      v = { start: period.start.toISO(), end: period.end.toISO(), grain: period.grain, days: Math.round(period.end.diff(period.start, "days").days) };
      periodInputs.set(period, v);
    }
    return v;
  }

  /** The window a measure reads for a period: shifted by its offset, then its trailing days. */
  private windowOf(period: Period, m: Pick<Measure, "offset" | "window">): Window {
    let byOffset = windows.get(period);
    if (!byOffset) windows.set(period, (byOffset = new Map()));
    const days = m.window ? Number(m.window.days) : 0;
    const key = days ? `${m.offset}|${days}` : m.offset;
    let w = byOffset.get(key);
    if (!w) byOffset.set(key, (w = toWindow(trailing(shiftPeriod(period, m.offset as Offset), days))));
    return w;
  }

  private async loadMeasures(p: RegisteredPlugin, level: SubjectLevel, subjectId: string | null, period: Period, extra: Partial<MeasureLoad> = {}) {
    const measures = Object.entries(p.plugin.measures);
    const loaded = await this.loader.loadAll(
      measures.map(([, m]) => ({ level, subjectId, measure: m, window: this.windowOf(period, m), ...extra, dimension: m.whole ? undefined : extra.dimension })),
    );
    return measures.map(([name], j): readonly [string, MeasureResult] => [name, loaded[j]!]);
  }

  /** The formula's value for one subject and period. */
  async value(key: string, level: SubjectLevel, subjectId: string | null, period: Period): Promise<FormulaOutcome> {
    return this.valueOf(this.plugin(key, level), level, subjectId, period);
  }

  /** Same, for a plugin outside the catalogue (e.g. a framework's rating item). */
  async valueOf(p: RegisteredPlugin, level: SubjectLevel, subjectId: string | null, period: Period): Promise<FormulaOutcome> {
    const out = await this.outcomeOf(p, level, subjectId, period);
    if (out.error) throw out.error;
    return out;
  }

  /** Same, but a failing formula is an outcome with `error` rather than a rejection. */
  async outcomeOf(p: RegisteredPlugin, level: SubjectLevel, subjectId: string | null, period: Period): Promise<FormulaOutcome> {
    return this.run(p, await this.measuresOf(p, level, subjectId, period), period);
  }

  /** The measure values a plugin's formula sees (null = no data). */
  async measuresOf(p: RegisteredPlugin, level: SubjectLevel, subjectId: string | null, period: Period): Promise<Record<string, number | null>> {
    const loaded = await this.loadMeasures(p, level, subjectId, period);
    return Object.fromEntries(loaded.map(([n, r]) => [n, r instanceof Map ? null : r]));
  }

  /** Value, previous period, change and score (and the same period a year earlier when asked). */
  async evaluate(key: string, level: SubjectLevel, subjectId: string | null, period: Period, options: EvaluateOptions = {}): Promise<MetricValueResult> {
    const p = this.plugin(key, level);
    const previousPeriod = shiftPeriod(period, "previousPeriod");
    const needsPeers = p.plugin.score.method === "quantile" && level !== "company";
    const [current, previous, peers, yearAgo] = await Promise.all([
      this.outcomeOf(p, level, subjectId, period),
      this.outcomeOf(p, level, subjectId, previousPeriod),
      needsPeers ? this.peerValues(key, level, period) : Promise.resolve(undefined),
      options.yearAgo ? this.outcomeOf(p, level, subjectId, sameDaysLastYear(period)) : Promise.resolve(undefined),
    ]);
    let scoreError: Error | undefined;
    const score = await Promise.resolve(
      scoreNow(p.plugin.score, current.value, p.plugin.direction, {
        params: p.plugin.params,
        run: this.formulaRun,
        peers: peers ? [...peers.values()].filter((v): v is number => v !== null) : undefined,
      }),
    ).catch((err: unknown) => {
      // A failing score expression fails the score alone, not the value.
      scoreError = failed(p, err).error;
      return null;
    });
    const change = current.value !== null && previous.value !== null ? round(current.value - previous.value) : null;
    const changePercent =
      change !== null && previous.value !== null && previous.value !== 0 ? round((change / Math.abs(previous.value)) * 100) : null;
    const out: MetricValueResult = { ...current, previousError: previous.error, scoreError, key, unit: p.plugin.unit, period, score, previous: previous.value, change, changePercent };
    if (yearAgo) {
      const [yChange, yPercent] = changeOf(current.value, yearAgo.value);
      Object.assign(out, { yearAgo: yearAgo.value, yearAgoError: yearAgo.error, yearAgoChange: yChange, yearAgoChangePercent: yPercent });
    }
    return out;
  }

  /** Ids of every subject of a level in the company (teams, members or customers), once per session. */
  subjectIds(level: SubjectLevel): Promise<string[]> {
    if (level === "company") return Promise.resolve([]);
    let hit = this.subjectCache.get(level);
    if (!hit) {
      const table = SUBJECT_TABLES[level];
      hit = this.options.sql
        .query<{ id: string }>(`SELECT id::text AS id FROM ${table} WHERE company_id = $1::uuid`, [this.options.companyId])
        .then((rows) => rows.map((r) => r.id));
      this.subjectCache.set(level, hit);
    }
    return hit;
  }

  /** A value's rank, peer count and percentile among every subject of its level (score.ts, peerPosition). */
  async position(key: string, level: SubjectLevel, value: number | null, period: Period): Promise<PeerPosition | null> {
    if (value === null || level === "company") return null;
    const p = this.plugin(key, level);
    const peers = [...(await this.peerValues(key, level, period)).values()].filter((v): v is number => v !== null);
    return peerPosition(value, peers, p.plugin.direction);
  }

  /** The metric for every subject of a level (every peer: score.ts, peerPosition) in the period. */
  async peerValues(key: string, level: SubjectLevel, period: Period): Promise<Map<string, number | null>> {
    const outcomes = await this.peerOutcomes(key, level, period);
    return new Map([...outcomes].map(([s, o]) => [s, o.value]));
  }

  /** Same, whole outcomes (a failed formula is an outcome with `error`): the registration dry run reads them. */
  peerOutcomes(key: string, level: SubjectLevel, period: Period): Promise<Map<string, FormulaOutcome>> {
    const cacheKey = `${key}|${level}|${period.start.toISO()}|${period.end.toISO()}`;
    let hit = this.peerCache.get(cacheKey);
    if (!hit) {
      hit = (async () => {
        const p = this.plugin(key, level);
        const loaded = await this.loadMeasures(p, level, null, period, { allPeers: true });
        // Every subject of the level is a peer (score.ts, peerPosition), not only those with rows.
        const subjects = new Set<string>(await this.subjectIds(level));
        for (const [, r] of loaded) if (r instanceof Map) for (const s of r.keys()) subjects.add(s);
        const ids = [...subjects];
        const outcomes = await this.outcomesFrom(p, loaded, ids, period);
        return new Map(ids.map((s, i) => [s, outcomes[i]!]));
      })();
      this.peerCache.set(cacheKey, hit);
    }
    return hit;
  }

  /**
   * A plugin's outcome for each given subject of a level, from ONE all-subjects load per
   * measure (a ranking of 200 members is a few loads, not one per member, item and measure).
   * A subject without rows gets each measure's empty value, exactly as a single-subject load.
   */
  async outcomesOf(p: RegisteredPlugin, level: SubjectLevel, subjectIds: readonly string[], period: Period): Promise<FormulaOutcome[]> {
    if (subjectIds.length === 0) return [];
    return this.outcomesFrom(p, await this.loadMeasures(p, level, null, period, { allPeers: true }), subjectIds, period);
  }

  /**
   * The formula for each subject over all-subjects loads (measure name → subject → value). A
   * subject without rows gets each measure's empty value, exactly as a single-subject load.
   */
  private outcomesFrom(
    p: RegisteredPlugin,
    loaded: readonly (readonly [string, MeasureResult])[],
    subjectIds: readonly string[],
    period: Period,
  ): FormulaOutcome[] | Promise<FormulaOutcome[]> {
    return settleAll(subjectIds.length, (i) => {
      const s = subjectIds[i]!;
      const values: Record<string, number | null> = {};
      for (const [name, r] of loaded) values[name] = r instanceof Map ? (r.has(s) ? r.get(s)! : emptyOf(p, name)) : r;
      return this.run(p, values, period);
    });
  }

  /** The last `count` periods of `grain` up to the one holding `until`: one statement per source. */
  async trend(key: string, level: SubjectLevel, subjectId: string | null, grain: Grain, count: number, until: Period["start"]): Promise<MetricPoint[]> {
    const p = this.plugin(key, level);
    const trendKey = `${grain}|${count}|${until.toMillis()}|${until.zoneName}`;
    let periods = trends.get(trendKey);
    if (periods) trends.delete(trendKey);
    else periods = trendPeriods(grain, count, until);
    trends.set(trendKey, periods); // most recently used last
    if (trends.size > MAX_TRENDS) trends.delete(trends.keys().next().value!);
    // Every (period, measure) load in one call: a long trend for many subjects stays one batch, few promises.
    const measures = Object.entries(p.plugin.measures);
    const loads: MeasureLoad[] = [];
    for (const period of periods) for (const [, m] of measures) loads.push({ level, subjectId, measure: m, window: this.windowOf(period, m) });
    const loaded = await this.loader.loadAll(loads);
    return settleAll(periods.length, (i) => {
      const period = periods[i]!;
      const values: Record<string, number | null> = {};
      for (let j = 0; j < measures.length; j++) {
        const r = loaded[i * measures.length + j]!;
        values[measures[j]![0]] = r instanceof Map ? null : r;
      }
      const o = this.run(p, values, period);
      return o instanceof Promise ? o.then((v) => pointOf(v, period)) : pointOf(o, period);
    });
  }

  async breakdown(key: string, level: SubjectLevel, subjectId: string | null, period: Period, by: Dimension): Promise<MetricSlice[]> {
    const p = this.plugin(key, level);
    const sources = new Set(Object.values(p.plugin.measures).filter((m) => !m.whole).map((m) => m.source as SourceName));
    for (const s of sources) {
      if (!SOURCES[s].dimensions[by]) {
        throw new MetricError("UNSUPPORTED_BREAKDOWN", "by", `metric "${key}" cannot be broken down by ${by}: its source ${s} has no ${by}`);
      }
    }
    const loaded = await this.loadMeasures(p, level, subjectId, period, { dimension: by });
    // A slice exists where some sliced measure has data (rows of the source can fall in a
    // slice yet match no measure's filter: those slices are empty, not zero).
    const slices = new Set<string>();
    for (const [, r] of loaded) if (r instanceof Map) for (const [s, v] of r) if (v !== null && v !== 0) slices.add(s);
    const names = DIMENSION_NAMES[by] ? await this.namesOf(by, [...slices]) : null;
    const out = await Promise.all(
      [...slices].map(async (slice) => {
        const values = Object.fromEntries(loaded.map(([n, r]) => [n, r instanceof Map ? (r.get(slice) ?? emptyOf(p, n)) : r]));
        return { ...(await this.run(p, values, period)), dimension: by, key: names?.get(slice) ?? slice };
      }),
    );
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /**
   * Names of the rows a dimension's ids point at (campaign id → campaign name). Two rows
   * sharing a name keep apart by the start of their id; an id without a row stays as it is.
   */
  private async namesOf(by: Dimension, ids: string[]): Promise<Map<string, string>> {
    const known = ids.filter((id) => /^[0-9a-f-]{36}$/i.test(id));
    if (known.length === 0) return new Map();
    const rows = await this.options.sql.query<{ id: string; name: string }>(
      `SELECT id::text AS id, name FROM ${DIMENSION_NAMES[by]!.table} WHERE company_id = $1::uuid AND id = ANY($2::uuid[])`,
      [this.options.companyId, known],
    );
    const count = new Map<string, number>();
    for (const r of rows) count.set(r.name, (count.get(r.name) ?? 0) + 1);
    return new Map(rows.map((r) => [r.id, count.get(r.name)! > 1 ? `${r.name} (${r.id.slice(0, 8)})` : r.name]));
  }
}

/** change and change % of a value against an earlier one (null when either is null; % null when the earlier is 0). */
function changeOf(now: number | null, before: number | null): [number | null, number | null] {
  if (now === null || before === null) return [null, null];
  const change = round(now - before);
  return [change, before !== 0 ? round((change! / Math.abs(before)) * 100) : null];
}

const lastYear = new WeakMap<Period, Period>();

/** The same period a year earlier (memoised: the Period objects of a request are shared). */
function sameDaysLastYear(p: Period): Period {
  let y = lastYear.get(p);
  if (!y) lastYear.set(p, (y = shiftPeriod(p, "samePeriodLastYear")));
  return y;
}

/** The `days` days ending where the period ends (in its zone, so a DST change keeps whole days); 0 = the period itself. */
function trailing(p: Period, days: number): Period {
  return days ? { ...p, start: p.end.minus({ days }) } : p;
}

function pointOf(o: FormulaOutcome, period: Period): MetricPoint {
  return o.error ? { value: null, label: null, reason: o.reason, error: o.error, period } : { value: o.value, label: o.label, reason: o.reason, period };
}

// Fixed table names (never from input) of the subject levels.
const SUBJECT_TABLES: Record<Exclude<SubjectLevel, "company">, string> = { team: "teams", member: "members", customer: "customers" };

const NONE_MISSING: string[] = [];

function finish(raw: unknown, missing: string[] | (() => string[])): FormulaOutcome {
  const out = interpretResult(raw, missing);
  out.value = round(out.value);
  return out;
}

/** A formula's failure as an outcome of its own (anything but a FormulaError is a bug: rethrown). */
function failed(p: RegisteredPlugin, err: unknown): FormulaOutcome {
  if (!(err instanceof FormulaError)) throw err;
  const error = new MetricError(err.code, "formula", `metric "${p.plugin.key}": ${err.message}`);
  return { value: null, label: null, reason: error.message, error };
}

function emptyOf(p: RegisteredPlugin, measure: string): number | null {
  return emptyValue(p.plugin.measures[measure]!);
}

export function createMetricSession(options: SessionOptions): MetricSession {
  return new MetricSession(options);
}
