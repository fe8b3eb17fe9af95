// Measure → SQL. One statement answers a group of measures that share a
// source, a subject level, a time field and a breakdown, for many windows and
// many subjects at once: windows arrive as arrays and are joined with unnest,
// each measure is one aggregate with its own FILTER clause. Every value from a
// plugin travels as a bound parameter; identifiers come from catalog.ts only.
import { SOURCES, type Dimension, type SourceDef, type SourceName, type SubjectLevel } from "./catalog.js";
import type { Filter, Measure } from "./plugin-schema.js";
import type { Window } from "./period.js";
import type { SqlParam } from "../db/driver.js";

export interface StatementGroup {
  source: SourceName;
  level: SubjectLevel;
  /** Time field name, or "@snapshot" for state at an instant (both ends share one statement). */
  timeMode: string;
  dimension?: Dimension;
  measures: Measure[];
  windows: Window[];
  /** Subject ids to restrict to; null = every subject of the level. */
  subjects: string[] | null;
}

export interface CompiledStatement {
  sql: string;
  params: SqlParam[];
  /** Value of the result's `wi` column for each of the group's windows, in order. */
  windowIndex: number[];
}

export function timeModeOf(m: Measure): string {
  if (m.at) return "@snapshot";
  return m.time ?? SOURCES[m.source as SourceName].timeFields[0]!;
}

class Params {
  readonly values: SqlParam[] = [];
  add(value: SqlParam, cast: string): string {
    this.values.push(value);
    return `$${this.values.length}::${cast}`;
  }
}

function castOf(v: string | number | boolean): string {
  return typeof v === "number" ? "float8" : typeof v === "boolean" ? "boolean" : "text";
}

function filterSql(source: SourceDef, field: string, filter: Filter, p: Params): string {
  const def = source.fields[field]!;
  // ids compare as text so a malformed id in a plugin is "no match", not a SQL error.
  const col = def.type === "id" ? `${def.sql}::text` : def.sql;
  if (typeof filter !== "object") return `${col} = ${p.add(filter, castOf(filter))}`;
  const parts: string[] = [];
  if (filter.eq !== undefined) parts.push(`${col} = ${p.add(filter.eq, castOf(filter.eq))}`);
  if (filter.ne !== undefined) parts.push(`${col} IS DISTINCT FROM ${p.add(filter.ne, castOf(filter.ne))}`);
  if (filter.in) parts.push(`${col} = ANY(${p.add(filter.in.map((v) => (typeof v === "boolean" ? String(v) : v)) as (string | number)[], `${castOf(filter.in[0]!)}[]`)})`);
  if (filter.notIn) parts.push(`NOT (${col} = ANY(${p.add(filter.notIn.map((v) => (typeof v === "boolean" ? String(v) : v)) as (string | number)[], `${castOf(filter.notIn[0]!)}[]`)}))`);
  if (filter.gt !== undefined) parts.push(`${col} > ${p.add(filter.gt, "float8")}`);
  if (filter.gte !== undefined) parts.push(`${col} >= ${p.add(filter.gte, "float8")}`);
  if (filter.lt !== undefined) parts.push(`${col} < ${p.add(filter.lt, "float8")}`);
  if (filter.lte !== undefined) parts.push(`${col} <= ${p.add(filter.lte, "float8")}`);
  if (filter.isNull !== undefined) parts.push(`${col} IS ${filter.isNull ? "" : "NOT "}NULL`);
  return parts.join(" AND ");
}

/** The FILTER conditions of a measure: the instant of `at`, then its `where`. */
function conditionsOf(source: SourceDef, m: Measure, p: Params): string[] {
  const conditions: string[] = [];
  if (m.at) {
    const instant = m.at === "periodStart" ? "w.s" : "w.e";
    const snap = source.snapshot!;
    conditions.push(`${snap.from} < ${instant}`, `(${snap.until} IS NULL OR ${snap.until} >= ${instant})`);
  }
  for (const [field, filter] of Object.entries(m.where ?? {})) conditions.push(filterSql(source, field, filter, p));
  return conditions;
}

function aggregateSql(source: SourceDef, m: Measure, p: Params, conditions = conditionsOf(source, m, p)): string {
  const filter = conditions.length ? ` FILTER (WHERE ${conditions.join(" AND ")})` : "";
  const field = m.field ? source.fields[m.field]!.sql : "";
  switch (m.aggregate) {
    case "count":
      return `count(*)${filter}`;
    case "countDistinct":
      return `count(DISTINCT ${field})${filter}`;
    case "sum":
    case "avg":
    case "min":
    case "max":
      return `(${m.aggregate}(${field})${filter})::float8`;
    case "percentile":
      return `(percentile_cont(${p.add(m.percentile!, "float8")}) WITHIN GROUP (ORDER BY ${field})${filter})::float8`;
  }
}

/** Does any expression of these measures (fields, filters) or the dimension read the customer row `c`? */
function needsCustomerJoin(sourceName: SourceName, dimension: Dimension | undefined, uses: { field?: string; where?: Record<string, unknown> }[]): boolean {
  if (sourceName === "customers") return false;
  const source = SOURCES[sourceName];
  if (dimension && source.dimensions[dimension]?.needsCustomer) return true;
  return uses.some((m) => (m.field && source.fields[m.field]?.needsCustomer) || Object.keys(m.where ?? {}).some((f) => source.fields[f]?.needsCustomer));
}

const CUSTOMER_JOIN = "\nLEFT JOIN customers c ON c.id = t.customer_id AND c.company_id = t.company_id";

/** Columns of a result row: wi (see windowIndex), sid, dim, m0…mN. */
export function compileGroup(companyId: string, g: StatementGroup): CompiledStatement {
  const first = g.measures[0]!;
  if (first.cohort) return compileCohort(companyId, g);
  const source = SOURCES[g.source];
  const p = new Params();
  const company = p.add(companyId, "uuid");

  const subjectCol = g.level === "company" ? null : source.subjects[g.level]!;
  const dim = g.dimension ? source.dimensions[g.dimension]! : null;
  const where: string[] = [];
  if (subjectCol && g.subjects) where.push(`${subjectCol} = ANY(${p.add(g.subjects, "uuid[]")})`);
  // Peers are subjects: rows attributed to no team or member are not a peer.
  else if (subjectCol) where.push(`${subjectCol} IS NOT NULL`);
  const customerJoin = needsCustomerJoin(g.source, g.dimension, g.measures) ? CUSTOMER_JOIN : "";
  const buckets = g.timeMode.startsWith("@") ? null : bucketBounds(g.windows);
  let from: string;
  if (buckets) {
    // Events in windows that do not overlap: ONE range scan over [first start, last end),
    // each row placed in its window by a binary search over the boundaries (width_bucket).
    const col = source.fields[g.timeMode]!.sql;
    const b = p.add(buckets.bounds.map((d) => d.toISOString()), "timestamptz[]");
    from =
      `FROM ${source.table} t\n` +
      `CROSS JOIN LATERAL (SELECT k AS i, (${b})[k] AS s, (${b})[k + 1] AS e FROM width_bucket(${col}, ${b}) AS k) w${customerJoin}\n` +
      `WHERE t.company_id = ${company} AND ${col} >= ${p.add(buckets.bounds[0]!.toISOString(), "timestamptz")} AND ${col} < ${p.add(buckets.bounds[buckets.bounds.length - 1]!.toISOString(), "timestamptz")}`;
  } else {
    // State at instants, or overlapping windows (trends of trailing windows): join the windows as rows.
    const starts = p.add(g.windows.map((w) => w.start.toISOString()), "timestamptz[]");
    const ends = p.add(g.windows.map((w) => w.end.toISOString()), "timestamptz[]");
    const join = g.timeMode.startsWith("@")
      ? `${source.snapshot!.from} < w.e` // everything that began before the window's end may count
      : `${source.fields[g.timeMode]!.sql} >= w.s AND ${source.fields[g.timeMode]!.sql} < w.e`;
    from =
      `FROM unnest(${starts}, ${ends}) WITH ORDINALITY AS w(s, e, i)\n` +
      `JOIN ${source.table} t ON t.company_id = ${company} AND ${join}${customerJoin}\n` +
      `WHERE TRUE`;
  }
  const whereSql = where.length ? ` AND ${where.join(" AND ")}` : "";
  const windowIndex = buckets ? buckets.windowIndex : g.windows.map((_, i) => i + 1);
  const groupBy = ["w.i", ...(subjectCol ? [subjectCol] : []), ...(dim ? [dim.sql] : [])];
  const head = [`w.i AS wi`, subjectCol ? `${subjectCol}::text AS sid` : "NULL::text AS sid", dim ? `${dim.sql} AS dim` : "NULL::text AS dim"];

  if (first.per) {
    // Nested aggregate: one row per (window, subject, slice, entity) with each measure's own
    // value and its count of matching rows, then the aggregate across entities.
    const entity = source.entities?.[first.per]!;
    const inner: string[] = [];
    const outer: string[] = [];
    g.measures.forEach((m, i) => {
      const conditions = conditionsOf(source, m, p);
      inner.push(`count(*)${conditions.length ? ` FILTER (WHERE ${conditions.join(" AND ")})` : ""} AS n${i}`, `${aggregateSql(source, m, p, conditions)} AS v${i}`);
      const keep = [`x.n${i} > 0`, ...havingSql(`x.v${i}`, m, p)].join(" AND ");
      const over = m.over ?? "count";
      outer.push(
        over === "count"
          ? `count(*) FILTER (WHERE ${keep}) AS m${i}`
          : over === "percentile"
            ? `(percentile_cont(${p.add(m.percentile!, "float8")}) WITHIN GROUP (ORDER BY x.v${i}) FILTER (WHERE ${keep}))::float8 AS m${i}`
            : `(${over}(x.v${i}) FILTER (WHERE ${keep}))::float8 AS m${i}`,
      );
    });
    const sql =
      `SELECT x.wi, x.sid, x.dim, ${outer.join(", ")}\nFROM (\n` +
      `SELECT ${head.join(", ")}, ${inner.join(", ")}\n${from}${whereSql}\nGROUP BY ${[...groupBy, entity].join(", ")}\n` +
      `) x\nGROUP BY x.wi, x.sid, x.dim`;
    return { sql, params: p.values, windowIndex };
  }

  const select = [...head, ...g.measures.map((m, i) => `${aggregateSql(source, m, p)} AS m${i}`)];
  const sql = `SELECT ${select.join(", ")}\n${from}${whereSql}\nGROUP BY ${groupBy.join(", ")}`;
  return { sql, params: p.values, windowIndex };
}

const HAVING_OPS = { eq: "=", ne: "<>", gt: ">", gte: ">=", lt: "<", lte: "<=" } as const;

function havingSql(value: string, m: Measure, p: Params): string[] {
  return Object.entries(m.having ?? {})
    .filter(([, v]) => v !== undefined)
    .map(([op, v]) => `${value} ${HAVING_OPS[op as keyof typeof HAVING_OPS]} ${p.add(Number(v), "float8")}`);
}

/**
 * A cohort: the entities (customers or opportunities) whose entry event — a row of the
 * cohort's source matching its filter — fell in the window, each from its first such entry,
 * then the measure's rows of those entities from that entry on (within cohort.within days,
 * or until now). Subject and slice are the entry event's, so a stage reached later by
 * another member still counts for the member who had the opportunity when it entered the
 * cohort: numerator and denominator are the same population, and a conversion cannot
 * exceed 100 %.
 */
function compileCohort(companyId: string, g: StatementGroup): CompiledStatement {
  const source = SOURCES[g.source];
  const cohort = g.measures[0]!.cohort!;
  const cs = SOURCES[cohort.source as SourceName];
  const p = new Params();
  const company = p.add(companyId, "uuid");
  const starts = p.add(g.windows.map((w) => w.start.toISOString()), "timestamptz[]");
  const ends = p.add(g.windows.map((w) => w.end.toISOString()), "timestamptz[]");
  const entryTime = cs.fields[cohort.time ?? cs.timeFields[0]!]!.sql;
  const subjectCol = g.level === "company" ? null : cs.subjects[g.level]!;
  const dim = g.dimension ? cs.dimensions[g.dimension]! : null;
  const entryWhere = Object.entries(cohort.where ?? {}).map(([field, f]) => filterSql(cs, field, f, p));
  if (subjectCol && g.subjects) entryWhere.push(`${subjectCol} = ANY(${p.add(g.subjects, "uuid[]")})`);
  else if (subjectCol) entryWhere.push(`${subjectCol} IS NOT NULL`);
  const entryJoin = needsCustomerJoin(cohort.source as SourceName, g.dimension, [{ where: cohort.where }]) ? CUSTOMER_JOIN : "";
  const groupBy = ["w.i", "w.s", "w.e", cs.entities?.[cohort.by]!, ...(subjectCol ? [subjectCol] : []), ...(dim ? [dim.sql] : [])];
  const entries =
    `SELECT w.i, w.s, w.e, ${cs.entities?.[cohort.by]!} AS ent, ${subjectCol ? `${subjectCol}::text` : "NULL::text"} AS sid, ` +
    `${dim ? dim.sql : "NULL::text"} AS dim, min(${entryTime}) AS since\n` +
    `FROM unnest(${starts}, ${ends}) WITH ORDINALITY AS w(s, e, i)\n` +
    `JOIN ${cs.table} t ON t.company_id = ${company} AND ${entryTime} >= w.s AND ${entryTime} < w.e${entryJoin}\n` +
    `WHERE ${entryWhere.length ? entryWhere.join(" AND ") : "TRUE"}\n` +
    `GROUP BY ${groupBy.join(", ")}`;
  const time = source.fields[g.timeMode]!.sql;
  const within = cohort.within ? ` AND ${time} < w.since + ${p.add(Number(cohort.within.days), "float8")} * interval '1 day'` : "";
  const customerJoin = needsCustomerJoin(g.source, undefined, g.measures) ? CUSTOMER_JOIN : "";
  const select = ["w.i AS wi", "w.sid AS sid", "w.dim AS dim", ...g.measures.map((m, i) => `${aggregateSql(source, m, p)} AS m${i}`)];
  const sql =
    `WITH w AS (\n${entries}\n)\n` +
    `SELECT ${select.join(", ")}\nFROM w\n` +
    `JOIN ${source.table} t ON t.company_id = ${company} AND ${source.entities?.[cohort.by]!} = w.ent AND ${time} >= w.since${within}${customerJoin}\n` +
    `GROUP BY w.i, w.sid, w.dim`;
  return { sql, params: p.values, windowIndex: g.windows.map((_, i) => i + 1) };
}

/**
 * Boundaries for width_bucket when no two windows overlap: sorted distinct
 * starts and ends. windowIndex[n] is the bucket number of window n (bucket k
 * spans bounds[k-1]..bounds[k]); gaps between windows are buckets nobody reads.
 */
export function bucketBounds(windows: Window[]): { bounds: Date[]; windowIndex: number[] } | null {
  const sorted = [...windows].sort((a, b) => a.start.getTime() - b.start.getTime());
  for (let i = 1; i < sorted.length; i++) if (sorted[i]!.start < sorted[i - 1]!.end) return null;
  const times = [...new Set(windows.flatMap((w) => [w.start.getTime(), w.end.getTime()]))].sort((a, b) => a - b);
  const bounds = times.map((t) => new Date(t));
  return { bounds, windowIndex: windows.map((w) => times.indexOf(w.start.getTime()) + 1) };
}

/** Additive aggregates are 0 over no rows; the others have no value. */
export function emptyValue(m: Measure): number | null {
  return m.aggregate === "count" || m.aggregate === "countDistinct" || m.aggregate === "sum" ? 0 : null;
}
