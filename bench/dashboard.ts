// Benchmark (a): the dashboard request — 10 KPIs × every team × a 12-month
// trend — through the real Yoga pipeline, against the hand-written-SQL floor,
// measured interleaved in one run; plus SQL statements per request, and a
// check that both give the same numbers.
import { decodeGlobalID } from "@pothos/plugin-relay";
import { DateTime } from "luxon";
import { issueApiKey } from "../src/auth/api-keys.js";
import type { Role } from "../src/auth/viewer.js";
import type { Database } from "../src/db/database.js";
import type { SqlDriver, SqlParam } from "../src/db/driver.js";
import { createApp } from "../src/server.js";
import { DASHBOARD_KPIS, DASHBOARD_FLOOR_STATEMENTS, floorAggregates, floorKpis, type FloorCell } from "./floor.js";
import { median, time } from "./measure.js";

export const UNTIL = "2026-10-31"; // the seed's last whole month (company time)

export const DASHBOARD_QUERY = `query($until: String!) { company { teams { id name
${DASHBOARD_KPIS.map((k, i) => `  k${i}: trend(key: "${k}", grain: MONTH, last: 12, until: $until) { period { label } value }`).join("\n")}
} } }`;

export interface BenchClient {
  /** POSTs one GraphQL operation through the real Yoga app (app.fetch: no socket); throws on errors. */
  request<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
}

/**
 * A client of a fresh app over `db`, with a new API key of the company. The metric result
 * cache is off: every request computes its aggregates, as the floor does (a benchmark that
 * repeats one request would otherwise time cache hits).
 */
export async function benchClient(db: Database, companyId: string, role: Role = "viewer"): Promise<BenchClient> {
  const { key } = await issueApiKey(db.prisma, { companyId, name: `bench ${role}`, role });
  const app = createApp({ db, graphiql: false, resultCache: false, limits: { requestsPerMinutePerKey: 1_000_000 } });
  return {
    async request<T>(query: string, variables: Record<string, unknown> = {}) {
      const res = await app.fetch("http://bench/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as { data?: T; errors?: unknown };
      if (body.errors || !body.data) throw new Error(`GraphQL request failed: ${JSON.stringify(body.errors)}`);
      return body.data;
    },
  };
}

export interface ApiVsFloor {
  apiMs: number;
  /** The API request's own metric statements replayed alone, concurrently (no GraphQL, no JavaScript per value). */
  apiSqlMs: number;
  floorMs: number;
  ratio: number;
  /** SQL statements of one API request (ORM and raw). */
  statements: number;
  /** Hand-written statements of the floor. */
  floorStatements: number;
  /** Values compared between the API and the floor, and how many differ. */
  cells: number;
  mismatches: number;
}

export interface DashboardResult extends ApiVsFloor {
  teams: number;
}

type Point = { period: { label: string }; value: number | null };
export type TeamRow = { id: string; name: string } & Record<string, Point[]>;

/**
 * Same value: the API rounds to 4 decimals, so within 1e-4 (plus 1e-9 relative for float
 * sums of large amounts); null only matches null.
 */
export function same(got: number | null | undefined, want: number | null): boolean {
  if (got === undefined) return false;
  if (want === null || got === null) return got === want;
  return Math.abs(got - want) <= 1e-4 + 1e-9 * Math.abs(want);
}

/** The raw statements (the metric engine's; Prisma's do not pass here) that `fn` sends through db.sql. */
async function captureSql(db: Database, fn: () => Promise<unknown>): Promise<{ sql: string; params: readonly SqlParam[] }[]> {
  const captured: { sql: string; params: readonly SqlParam[] }[] = [];
  const driver = db.sql as { query: SqlDriver["query"] };
  const original = driver.query;
  driver.query = function <Row extends Record<string, unknown>>(sql: string, params?: readonly SqlParam[]) {
    captured.push({ sql, params: params ?? [] });
    return original.call(db.sql, sql, params) as Promise<Row[]>;
  };
  try {
    await fn();
  } finally {
    driver.query = original;
  }
  return captured;
}

/**
 * Times `api` and `floor` interleaved (one warm-up each, then `iterations` rounds) and
 * counts the statements of the last API request. Each round also replays the API's own
 * metric statements alone, concurrently, to split its time into SQL and the rest.
 * Returns the medians and the last results.
 */
export async function interleaved<A, F>(db: Database, iterations: number, api: () => Promise<A>, floor: () => Promise<F>) {
  const apiStatements = await captureSql(db, api); // doubles as the API's warm-up
  await floor();
  const replay = () => Promise.all(apiStatements.map((q) => db.sql.query(q.sql, q.params)));
  await replay();
  const apiTimes: number[] = [];
  const apiSqlTimes: number[] = [];
  const floorTimes: number[] = [];
  let statements = 0;
  let apiResult!: A;
  let floorResult!: F;
  for (let i = 0; i < Math.max(1, iterations); i++) {
    const before = db.statements.count;
    const a = await time(api);
    statements = db.statements.count - before;
    apiResult = a.result;
    apiTimes.push(a.ms);
    const f = await time(floor);
    floorResult = f.result;
    floorTimes.push(f.ms);
    apiSqlTimes.push((await time(replay)).ms);
  }
  const apiMs = median(apiTimes);
  const floorMs = median(floorTimes);
  return { apiMs, apiSqlMs: median(apiSqlTimes), floorMs, ratio: apiMs / floorMs, statements, apiResult, floorResult };
}

/** Every (team, month, KPI) cell of the API's answer against the floor's; `last` = the trend's last month. */
export function compareDashboard(teams: TeamRow[], cells: Map<string, FloorCell>, last: DateTime): { cells: number; mismatches: number } {
  let mismatches = 0;
  let compared = 0;
  for (const team of teams) {
    for (let m = 0; m < 12; m++) {
      const label = last.minus({ months: 11 - m }).toFormat("yyyy-MM");
      const previous = last.minus({ months: 12 - m }).toFormat("yyyy-MM");
      const expected = floorKpis(cells, decodeGlobalID(team.id).id, label, previous);
      DASHBOARD_KPIS.forEach((k, i) => {
        const point = team[`k${i}`]?.[m];
        compared++;
        if (!point || !same(point.value, expected[k] ?? null) || point.period.label !== label) mismatches++;
      });
    }
  }
  return { cells: compared, mismatches };
}

export async function runDashboard(db: Database, companyId: string, iterations: number): Promise<DashboardResult> {
  const company = await db.prisma.company.findUniqueOrThrow({ where: { id: companyId } });
  const client = await benchClient(db, companyId);
  const request = async () => (await client.request<{ company: { teams: TeamRow[] } }>(DASHBOARD_QUERY, { until: UNTIL })).company.teams;
  const last = DateTime.fromISO(UNTIL, { zone: company.timeZone }).startOf("month");
  const from = last.minus({ months: 12 }).toUTC().toJSDate(); // 13 months: growth needs the one before
  const to = last.plus({ months: 1 }).toUTC().toJSDate();
  const floor = () => floorAggregates(db.sql, companyId, company.timeZone, from, to);

  const run = await interleaved(db, iterations, request, floor);
  const teams = run.apiResult;
  // Same numbers? Compare every (team, month, KPI) cell.
  const check = compareDashboard(teams, run.floorResult, last);
  return {
    teams: teams.length,
    apiMs: run.apiMs,
    apiSqlMs: run.apiSqlMs,
    floorMs: run.floorMs,
    ratio: run.ratio,
    statements: run.statements,
    floorStatements: DASHBOARD_FLOOR_STATEMENTS,
    ...check,
  };
}
