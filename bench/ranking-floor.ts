// The ranking's floor: the per-member aggregates behind the member ranking
// (bench/ranking.ts) written by hand in SQL — one GROUP BY member, month
// statement per (source, time column), months cut in the company's zone with
// AT TIME ZONE — and the same KPI formulas in plain TypeScript. It covers the
// month ranked and the one before (the ranking's previous totals need it), like
// the API does.
import type { SqlDriver } from "../src/db/driver.js";

export interface MemberCell {
  revenue: number;
  orders: number;
  /** Opportunities closed won in the month (by close date). */
  won: number;
  /** Opportunities closed won or lost in the month (by close date). */
  closed: number;
  /** Customer records created in the month (prospects) / of those, acquired since (whenever). */
  prospects: number;
  converted: number;
  /** Tickets opened in the month / of those, resolved before the month's end. */
  opened: number;
  resolved: number;
  csatAvg: number | null;
}

const empty = (): MemberCell => ({ revenue: 0, orders: 0, won: 0, closed: 0, prospects: 0, converted: 0, opened: 0, resolved: 0, csatAvg: null });

type Row = Record<string, unknown> & { member_id: string; m: string };

/** Hand-written statements per request (all run concurrently). */
export const RANKING_FLOOR_STATEMENTS = 5;

/** Aggregates per (member, month label yyyy-MM) over [from, to). */
export async function rankingFloorAggregates(
  sql: Pick<SqlDriver, "query">,
  companyId: string,
  tz: string,
  from: Date,
  to: Date,
): Promise<Map<string, MemberCell>> {
  const p = [companyId, tz, from.toISOString(), to.toISOString()];
  const month = (col: string) => `to_char(date_trunc('month', ${col} AT TIME ZONE $2), 'YYYY-MM')`;
  const inRange = (col: string, member = "member_id") =>
    `company_id = $1::uuid AND ${member} IS NOT NULL AND ${col} >= $3::timestamptz AND ${col} < $4::timestamptz`;
  const [orders, closed, prospects, tickets, surveys] = await Promise.all([
    sql.query<Row>(
      `SELECT member_id::text, ${month("at")} AS m, sum(amount)::float8 AS revenue, count(*) AS orders
       FROM orders WHERE ${inRange("at")} GROUP BY 1, 2`, p),
    sql.query<Row>(
      `SELECT member_id::text, ${month("closed_at")} AS m,
         count(*) FILTER (WHERE status = 'won') AS won,
         count(*) FILTER (WHERE status IN ('won', 'lost')) AS closed
       FROM opportunities WHERE ${inRange("closed_at")} GROUP BY 1, 2`, p),
    sql.query<Row>(
      // sales_conversion_rate's cohort: customers created in the month, attributed to their owner.
      `SELECT owner_member_id::text AS member_id, ${month("created_at")} AS m, count(*) AS prospects,
         count(*) FILTER (WHERE acquired_at IS NOT NULL) AS converted
       FROM customers WHERE ${inRange("created_at", "owner_member_id")} GROUP BY 1, 2`, p),
    sql.query<Row>(
      `SELECT member_id::text, ${month("opened_at")} AS m,
         count(*) FILTER (WHERE resolved_at < ((date_trunc('month', opened_at AT TIME ZONE $2) + interval '1 month') AT TIME ZONE $2)) AS resolved,
         count(*) AS opened
       FROM tickets WHERE ${inRange("opened_at")} GROUP BY 1, 2`, p),
    sql.query<Row>(
      `SELECT member_id::text, ${month("at")} AS m,
         (avg(score * 100.0 / NULLIF(scale, 0)) FILTER (WHERE kind = 'csat'))::float8 AS csat
       FROM survey_responses WHERE ${inRange("at")} GROUP BY 1, 2`, p),
  ]);
  const cells = new Map<string, MemberCell>();
  const cell = (r: Row) => {
    const k = `${r.member_id}|${r.m}`;
    let c = cells.get(k);
    if (!c) cells.set(k, (c = empty()));
    return c;
  };
  const n = (v: unknown) => Number(v ?? 0);
  const nn = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  for (const r of orders) Object.assign(cell(r), { revenue: n(r.revenue), orders: n(r.orders) });
  for (const r of closed) Object.assign(cell(r), { won: n(r.won), closed: n(r.closed) });
  for (const r of prospects) Object.assign(cell(r), { prospects: n(r.prospects), converted: n(r.converted) });
  for (const r of tickets) Object.assign(cell(r), { resolved: n(r.resolved), opened: n(r.opened) });
  for (const r of surveys) Object.assign(cell(r), { csatAvg: nn(r.csat) });
  return cells;
}

const ratio = (a: number, b: number, times = 100) => (b === 0 ? null : (a / b) * times);

/** The ranking's KPIs for one member and month from the floor's aggregates (same definitions as the plugins). */
export function memberKpis(cells: Map<string, MemberCell>, member: string, month: string): Record<string, number | null> {
  const c = cells.get(`${member}|${month}`) ?? empty();
  return {
    revenue: c.revenue,
    average_order_value: ratio(c.revenue, c.orders, 1),
    sales_conversion_rate: ratio(c.converted, c.prospects),
    win_rate: ratio(c.won, c.closed),
    resolution_rate: ratio(c.resolved, c.opened),
    csat_score: c.csatAvg,
  };
}

/** The member-level KPIs the benchmark framework scores (plugins/<key>.json). */
export const RANKING_KPIS = ["revenue", "average_order_value", "sales_conversion_rate", "win_rate", "resolution_rate", "csat_score"] as const;
