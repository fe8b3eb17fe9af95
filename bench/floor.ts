// The floor: the dashboard's aggregates written by hand in SQL — one GROUP BY
// team, month per source, months cut in the company's zone with AT TIME ZONE —
// and the same ten formulas in plain TypeScript. The API is measured against
// this in the same run.
import type { SqlDriver } from "../src/db/driver.js";

export interface FloorCell {
  revenue: number;
  orders: number;
  complaints: number;
  escalated: number;
  resolved: number;
  opened: number;
  csatAvg: number | null;
  promoters: number;
  detractors: number;
  npsAnswers: number;
  cesAvg: number | null;
  won: number;
  closed: number;
}

const empty = (): FloorCell => ({
  revenue: 0, orders: 0, complaints: 0, escalated: 0, resolved: 0, opened: 0, csatAvg: null,
  promoters: 0, detractors: 0, npsAnswers: 0, cesAvg: null, won: 0, closed: 0,
});

type Row = Record<string, unknown> & { team_id: string; m: string };

/** Hand-written statements per request (all run concurrently). */
export const DASHBOARD_FLOOR_STATEMENTS = 4;

/** Aggregates per (team, month label yyyy-MM) over [from, to). */
export async function floorAggregates(sql: Pick<SqlDriver, "query">, companyId: string, tz: string, from: Date, to: Date): Promise<Map<string, FloorCell>> {
  const p = [companyId, tz, from.toISOString(), to.toISOString()];
  const month = (col: string) => `to_char(date_trunc('month', ${col} AT TIME ZONE $2), 'YYYY-MM')`;
  const [orders, tickets, surveys, opps] = await Promise.all([
    sql.query<Row>(
      `SELECT team_id::text, ${month("at")} AS m, sum(amount)::float8 AS revenue, count(*) AS orders
       FROM orders WHERE company_id = $1::uuid AND at >= $3::timestamptz AND at < $4::timestamptz GROUP BY 1, 2`, p),
    sql.query<Row>(
      `SELECT team_id::text, ${month("opened_at")} AS m,
         count(*) FILTER (WHERE kind = 'complaint') AS complaints,
         count(*) FILTER (WHERE escalated) AS escalated,
         count(*) FILTER (WHERE resolved_at < ((date_trunc('month', opened_at AT TIME ZONE $2) + interval '1 month') AT TIME ZONE $2)) AS resolved,
         count(*) AS opened
       FROM tickets WHERE company_id = $1::uuid AND opened_at >= $3::timestamptz AND opened_at < $4::timestamptz GROUP BY 1, 2`, p),
    sql.query<Row>(
      `SELECT team_id::text, ${month("at")} AS m,
         (avg(score * 100.0 / scale) FILTER (WHERE kind = 'csat'))::float8 AS csat,
         count(*) FILTER (WHERE kind = 'nps' AND score >= 9) AS promoters,
         count(*) FILTER (WHERE kind = 'nps' AND score <= 6) AS detractors,
         count(*) FILTER (WHERE kind = 'nps') AS nps,
         (avg(score) FILTER (WHERE kind = 'ces'))::float8 AS ces
       FROM survey_responses WHERE company_id = $1::uuid AND at >= $3::timestamptz AND at < $4::timestamptz GROUP BY 1, 2`, p),
    sql.query<Row>(
      `SELECT team_id::text, ${month("closed_at")} AS m,
         count(*) FILTER (WHERE status = 'won') AS won,
         count(*) FILTER (WHERE status IN ('won', 'lost')) AS closed
       FROM opportunities WHERE company_id = $1::uuid AND closed_at >= $3::timestamptz AND closed_at < $4::timestamptz GROUP BY 1, 2`, p),
  ]);
  const cells = new Map<string, FloorCell>();
  const cell = (r: Row) => {
    const k = `${r.team_id}|${r.m}`;
    let c = cells.get(k);
    if (!c) cells.set(k, (c = empty()));
    return c;
  };
  const n = (v: unknown) => Number(v ?? 0);
  const nn = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  for (const r of orders) Object.assign(cell(r), { revenue: n(r.revenue), orders: n(r.orders) });
  for (const r of tickets) Object.assign(cell(r), { complaints: n(r.complaints), escalated: n(r.escalated), resolved: n(r.resolved), opened: n(r.opened) });
  for (const r of surveys) Object.assign(cell(r), { csatAvg: nn(r.csat), promoters: n(r.promoters), detractors: n(r.detractors), npsAnswers: n(r.nps), cesAvg: nn(r.ces) });
  for (const r of opps) Object.assign(cell(r), { won: n(r.won), closed: n(r.closed) });
  return cells;
}

const ratio = (a: number, b: number, times = 100) => (b === 0 ? null : (a / b) * times);

/** The ten dashboard KPIs from the floor's aggregates (same definitions as the plugins). */
export function floorKpis(cells: Map<string, FloorCell>, team: string, month: string, previousMonth: string): Record<string, number | null> {
  const c = cells.get(`${team}|${month}`) ?? empty();
  const prev = cells.get(`${team}|${previousMonth}`) ?? empty();
  return {
    revenue: c.revenue,
    average_order_value: ratio(c.revenue, c.orders, 1),
    sales_growth_rate: prev.revenue === 0 ? null : ((c.revenue - prev.revenue) / prev.revenue) * 100,
    complaint_volume: c.complaints,
    escalation_rate: ratio(c.escalated, c.opened),
    resolution_rate: ratio(c.resolved, c.opened),
    csat_score: c.csatAvg,
    nps: c.npsAnswers === 0 ? null : ((c.promoters - c.detractors) / c.npsAnswers) * 100,
    ces: c.cesAvg,
    win_rate: ratio(c.won, c.closed),
  };
}

export const DASHBOARD_KPIS = [
  "revenue", "average_order_value", "sales_growth_rate", "complaint_volume", "escalation_rate",
  "resolution_rate", "csat_score", "nps", "ces", "win_rate",
] as const;
