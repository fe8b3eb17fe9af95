// Benchmark (a): the dashboard request — 10 KPIs × every team × a 12-month
// trend — through the real Yoga pipeline, against the hand-written-SQL floor,
// measured interleaved in one run; plus SQL statements per request, and a
// check that both give the same numbers.
import { decodeGlobalID } from "@pothos/plugin-relay";
import { DateTime } from "luxon";
import { issueApiKey } from "../src/auth/api-keys.js";
import type { Database } from "../src/db/database.js";
import { createApp } from "../src/server.js";
import { DASHBOARD_KPIS, floorAggregates, floorKpis } from "./floor.js";
import { median, time } from "./measure.js";

export const UNTIL = "2026-10-31"; // the seed's last whole month (company time)

export const DASHBOARD_QUERY = `query($until: String!) { company { teams { id name
${DASHBOARD_KPIS.map((k, i) => `  k${i}: trend(key: "${k}", grain: MONTH, last: 12, until: $until) { period { label } value }`).join("\n")}
} } }`;

export interface DashboardResult {
  teams: number;
  apiMs: number;
  floorMs: number;
  ratio: number;
  statements: number;
  cells: number;
  mismatches: number;
}

type Point = { period: { label: string }; value: number | null };
type TeamRow = { id: string; name: string } & Record<string, Point[]>;

export async function runDashboard(db: Database, companyId: string, iterations: number): Promise<DashboardResult> {
  const company = await db.prisma.company.findUniqueOrThrow({ where: { id: companyId } });
  const { key } = await issueApiKey(db.prisma, { companyId, name: "bench", role: "viewer" });
  const app = createApp({ db, graphiql: false });
  const request = async () => {
    const res = await app.fetch("http://bench/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: DASHBOARD_QUERY, variables: { until: UNTIL } }),
    });
    const body = (await res.json()) as { data?: { company: { teams: TeamRow[] } }; errors?: unknown };
    if (body.errors || !body.data) throw new Error(`dashboard failed: ${JSON.stringify(body.errors)}`);
    return body.data.company.teams;
  };
  const last = DateTime.fromISO(UNTIL, { zone: company.timeZone }).startOf("month");
  const from = last.minus({ months: 12 }).toUTC().toJSDate(); // 13 months: growth needs the one before
  const to = last.plus({ months: 1 }).toUTC().toJSDate();
  const floor = () => floorAggregates(db.sql, companyId, company.timeZone, from, to);

  // Warm-up (plans, caches, JIT) for both sides.
  await request();
  await floor();
  const api: number[] = [];
  const sql: number[] = [];
  let statements = 0;
  let teams: TeamRow[] = [];
  for (let i = 0; i < iterations; i++) {
    const before = db.statements.count;
    const a = await time(request);
    statements = db.statements.count - before;
    teams = a.result;
    api.push(a.ms);
    sql.push((await time(floor)).ms);
  }

  // Same numbers? Compare every (team, month, KPI) cell.
  const cells = await floor();
  let mismatches = 0;
  let compared = 0;
  for (const team of teams) {
    for (let m = 0; m < 12; m++) {
      const label = last.minus({ months: 11 - m }).toFormat("yyyy-MM");
      const previous = last.minus({ months: 12 - m }).toFormat("yyyy-MM");
      const expected = floorKpis(cells, decodeGlobalID(team.id).id, label, previous);
      DASHBOARD_KPIS.forEach((k, i) => {
        const point = team[`k${i}`]![m]!;
        const want = expected[k] ?? null;
        compared++;
        const same = want === null ? point.value === null : point.value !== null && Math.abs(point.value - want) < 1e-3 * Math.max(1, Math.abs(want));
        if (!same || point.period.label !== label) mismatches++;
      });
    }
  }
  const apiMs = median(api);
  const floorMs = median(sql);
  return { teams: teams.length, apiMs, floorMs, ratio: apiMs / floorMs, statements, cells: compared, mismatches };
}
