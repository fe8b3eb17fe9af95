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

function aggregateSql(source: SourceDef, m: Measure, p: Params): string {
  const conditions: string[] = [];
  if (m.at) {
    const instant = m.at === "periodStart" ? "w.s" : "w.e";
    const snap = source.snapshot!;
    conditions.push(`${snap.from} < ${instant}`, `(${snap.until} IS NULL OR ${snap.until} >= ${instant})`);
  }
  for (const [field, filter] of Object.entries(m.where ?? {})) conditions.push(filterSql(source, field, filter, p));
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

function needsCustomerJoin(source: SourceDef, g: StatementGroup): boolean {
  if (g.source === "customers") return false;
  if (g.dimension && source.dimensions[g.dimension]?.needsCustomer) return true;
  return g.measures.some(
    (m) => (m.field && source.fields[m.field]?.needsCustomer) || Object.keys(m.where ?? {}).some((f) => source.fields[f]?.needsCustomer),
  );
}

/** Columns of a result row: wi (see windowIndex), sid, dim, m0…mN. */
export function compileGroup(companyId: string, g: StatementGroup): CompiledStatement {
  const source = SOURCES[g.source];
  const p = new Params();
  const company = p.add(companyId, "uuid");

  const subjectCol = g.level === "company" ? null : source.subjects[g.level]!;
  const dim = g.dimension ? source.dimensions[g.dimension]! : null;
  const select = [
    "w.i AS wi",
    subjectCol ? `${subjectCol}::text AS sid` : "NULL::text AS sid",
    dim ? `${dim.sql} AS dim` : "NULL::text AS dim",
    ...g.measures.map((m, i) => `${aggregateSql(source, m, p)} AS m${i}`),
  ];
  const where: string[] = [];
  if (subjectCol && g.subjects) where.push(`${subjectCol} = ANY(${p.add(g.subjects, "uuid[]")})`);
  // Peers are subjects: rows attributed to no team or member are not a peer.
  else if (subjectCol) where.push(`${subjectCol} IS NOT NULL`);
  const customerJoin = needsCustomerJoin(source, g) ? "\nLEFT JOIN customers c ON c.id = t.customer_id AND c.company_id = t.company_id" : "";
  const groupBy = ["w.i", ...(subjectCol ? [subjectCol] : []), ...(dim ? [dim.sql] : [])];
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
    // State at instants, or overlapping windows: join the windows as rows.
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
  const sql =
    `SELECT ${select.join(", ")}\n${from}` +
    (where.length ? ` AND ${where.join(" AND ")}` : "") +
    `\nGROUP BY ${groupBy.join(", ")}`;
  return { sql, params: p.values, windowIndex: buckets ? buckets.windowIndex : g.windows.map((_, i) => i + 1) };
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
