// The metric engine: for a company, evaluates KPI plugins over subjects and
// periods. It knows nothing of GraphQL; a resolver, a CLI or a report job call
// it the same way. One session per request: its loader batches every measure
// the request asks for into as few SQL statements as there are sources.
import type DataLoader from "dataloader";
import type { SqlDriver } from "../db/driver.js";
import { SOURCES, type Dimension, type SourceName, type SubjectLevel } from "./catalog.js";
import { emptyValue } from "./compile.js";
import { FormulaError, interpretResult, type FormulaLimits, type FormulaOutcome } from "./formula.js";
import { createMeasureLoader, type MeasureLoad, type MeasureResult, type MetricResultCache } from "./measure-loader.js";
import { shiftPeriod, toWindow, trendPeriods, type Grain, type Offset, type Period, type Window } from "./period.js";
import type { Catalog, RegisteredPlugin } from "./registry.js";
import { scoreValue } from "./score.js";

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
  key: string;
  unit: string;
  period: Period;
  score: number | null;
  previous: number | null;
  change: number | null;
  changePercent: number | null;
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
  limits?: FormulaLimits;
  /**
   * Statement results shared across sessions, for the versions the caller read with its
   * credentials (companies.catalog_version and data_version). Omit it to always query.
   */
  results?: MetricResultCache;
}

const round = (x: number | null) => (x === null ? null : Math.round(x * 10_000) / 10_000);

export class MetricSession {
  private readonly loader: DataLoader<MeasureLoad, MeasureResult>;
  private readonly peerCache = new Map<string, Promise<Map<string, number | null>>>();
  // Period arithmetic (luxon, time zones) is costly next to a formula: done once per period, not per evaluation.
  private readonly windows = new WeakMap<Period, Map<string, Window>>();
  private readonly periodInputs = new WeakMap<Period, Record<string, unknown>>();
  private readonly trends = new Map<string, Period[]>();

  get catalog() {
    return this.options.catalog;
  }

  constructor(private readonly options: SessionOptions) {
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

  private async run(p: RegisteredPlugin, values: Record<string, number | null>, period: Period): Promise<FormulaOutcome> {
    const input: Record<string, unknown> = { params: p.plugin.params, period: this.periodInput(period) };
    const missing: string[] = [];
    for (const [name, v] of Object.entries(values)) {
      if (v === null) missing.push(name);
      else input[name] = v;
    }
    try {
      const out = interpretResult(await p.formula.evaluate(input, this.options.limits), missing);
      return { ...out, value: round(out.value) };
    } catch (err) {
      if (err instanceof FormulaError) throw new MetricError(err.code, "formula", `metric "${p.plugin.key}": ${err.message}`);
      throw err;
    }
  }

  private periodInput(period: Period): Record<string, unknown> {
    let v = this.periodInputs.get(period);
    if (!v) {
      v = { start: period.start.toISO(), end: period.end.toISO(), grain: period.grain, days: Math.round(period.end.diff(period.start, "days").days) };
      this.periodInputs.set(period, v);
    }
    return v;
  }

  private windowOf(period: Period, offset: Offset): Window {
    let byOffset = this.windows.get(period);
    if (!byOffset) this.windows.set(period, (byOffset = new Map()));
    let w = byOffset.get(offset);
    if (!w) byOffset.set(offset, (w = toWindow(shiftPeriod(period, offset))));
    return w;
  }

  private loadMeasures(p: RegisteredPlugin, level: SubjectLevel, subjectId: string | null, period: Period, extra: Partial<MeasureLoad> = {}) {
    return Promise.all(
      Object.entries(p.plugin.measures).map(async ([name, m]) => {
        const window = this.windowOf(period, m.offset);
        const dimension = m.whole ? undefined : extra.dimension;
        const r = await this.loader.load({ level, subjectId, measure: m, window, ...extra, dimension });
        return [name, r] as const;
      }),
    );
  }

  /** The formula's value for one subject and period. */
  async value(key: string, level: SubjectLevel, subjectId: string | null, period: Period): Promise<FormulaOutcome> {
    return this.valueOf(this.plugin(key, level), level, subjectId, period);
  }

  /** Same, for a plugin outside the catalogue (e.g. a framework's rating item). */
  async valueOf(p: RegisteredPlugin, level: SubjectLevel, subjectId: string | null, period: Period): Promise<FormulaOutcome> {
    return this.run(p, await this.measuresOf(p, level, subjectId, period), period);
  }

  /** The measure values a plugin's formula sees (null = no data). */
  async measuresOf(p: RegisteredPlugin, level: SubjectLevel, subjectId: string | null, period: Period): Promise<Record<string, number | null>> {
    const loaded = await this.loadMeasures(p, level, subjectId, period);
    return Object.fromEntries(loaded.map(([n, r]) => [n, r instanceof Map ? null : r]));
  }

  /** Value, previous period, change and score. */
  async evaluate(key: string, level: SubjectLevel, subjectId: string | null, period: Period): Promise<MetricValueResult> {
    const p = this.plugin(key, level);
    const previousPeriod = shiftPeriod(period, "previousPeriod");
    const needsPeers = p.plugin.score.method === "quantile" && level !== "company";
    const [current, previous, peers] = await Promise.all([
      this.value(key, level, subjectId, period),
      this.value(key, level, subjectId, previousPeriod),
      needsPeers ? this.peerValues(key, level, period) : Promise.resolve(undefined),
    ]);
    const score = await scoreValue(p.plugin.score, current.value, p.plugin.direction, {
      params: p.plugin.params,
      peers: peers ? [...peers.values()].filter((v): v is number => v !== null) : undefined,
    });
    const change = current.value !== null && previous.value !== null ? round(current.value - previous.value) : null;
    const changePercent =
      change !== null && previous.value !== null && previous.value !== 0 ? round((change / Math.abs(previous.value)) * 100) : null;
    return { ...current, key, unit: p.plugin.unit, period, score, previous: previous.value, change, changePercent };
  }

  /** The metric for every subject of a level with data in the period (for quantile scores and rankings). */
  peerValues(key: string, level: SubjectLevel, period: Period): Promise<Map<string, number | null>> {
    const cacheKey = `${key}|${level}|${period.start.toISO()}|${period.end.toISO()}`;
    let hit = this.peerCache.get(cacheKey);
    if (!hit) {
      hit = (async () => {
        const p = this.plugin(key, level);
        const loaded = await this.loadMeasures(p, level, null, period, { allPeers: true });
        const subjects = new Set<string>();
        for (const [, r] of loaded) if (r instanceof Map) for (const s of r.keys()) subjects.add(s);
        const out = new Map<string, number | null>();
        await Promise.all(
          [...subjects].map(async (s) => {
            const values = Object.fromEntries(
              loaded.map(([n, r]) => [n, r instanceof Map ? (r.get(s) ?? emptyOf(p, n)) : r]),
            );
            out.set(s, (await this.run(p, values, period)).value);
          }),
        );
        return out;
      })();
      this.peerCache.set(cacheKey, hit);
    }
    return hit;
  }

  /** The last `count` periods of `grain` up to the one holding `until`: one statement per source. */
  async trend(key: string, level: SubjectLevel, subjectId: string | null, grain: Grain, count: number, until: Period["start"]): Promise<MetricPoint[]> {
    const p = this.plugin(key, level);
    const trendKey = `${grain}|${count}|${until.toMillis()}|${until.zoneName}`;
    let periods = this.trends.get(trendKey);
    if (!periods) this.trends.set(trendKey, (periods = trendPeriods(grain, count, until)));
    // Every (period, measure) load in one call: a long trend for many subjects stays one batch, few promises.
    const measures = Object.entries(p.plugin.measures);
    const loads = periods.flatMap((period) => measures.map(([, m]) => ({ level, subjectId, measure: m, window: this.windowOf(period, m.offset) })));
    const loaded = await this.loader.loadMany(loads);
    return Promise.all(
      periods.map(async (period, i) => {
        const values: Record<string, number | null> = {};
        measures.forEach(([name], j) => {
          const r = loaded[i * measures.length + j];
          if (r instanceof Error) throw r;
          values[name] = r instanceof Map || r === undefined ? null : r;
        });
        return { ...(await this.run(p, values, period)), period };
      }),
    );
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
    const out = await Promise.all(
      [...slices].sort().map(async (slice) => {
        const values = Object.fromEntries(loaded.map(([n, r]) => [n, r instanceof Map ? (r.get(slice) ?? emptyOf(p, n)) : r]));
        return { ...(await this.run(p, values, period)), dimension: by, key: slice };
      }),
    );
    return out;
  }
}

function emptyOf(p: RegisteredPlugin, measure: string): number | null {
  return emptyValue(p.plugin.measures[measure]!);
}

export function createMetricSession(options: SessionOptions): MetricSession {
  return new MetricSession(options);
}
