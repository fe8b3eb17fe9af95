// The demo-data generator: determinism (same seed → identical rows in two fresh
// databases), summary = database, and the shapes the KPIs are meant to find.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../src/db/database.js";
import { CompanyExistsError, seedDemoCompany, type SeedSummary } from "../src/seed/generate.js";
import { Rng } from "../src/seed/random.js";
import type { SizeSpec } from "../src/seed/sizes.js";
import { openTestDatabase } from "./helpers/database.js";

const SIZE: SizeSpec = { teams: 3, membersPerTeam: 4, customers: 450, months: 24 };
const SEED = 20261101;

const FACT_TABLES = ["orders", "interactions", "tickets", "survey_responses", "opportunity_stages", "opportunities"] as const;
const ALL_TABLES = ["teams", "members", "campaigns", "campaign_costs", "customers", "ratings", ...FACT_TABLES] as const;

let dbA: Database;
let dbB: Database;
let a: SeedSummary;
let b: SeedSummary;
let other: SeedSummary;

/** Stable fingerprint of one company's rows in a table (row text ordered by id). */
async function fingerprint(db: Database, table: string, companyId: string): Promise<string> {
  const rows = await db.sql.query<{ n: number; h: string | null }>(
    `SELECT count(*)::int AS n, md5(string_agg(t::text, '|' ORDER BY t.id)) AS h FROM "${table}" t WHERE t.company_id = $1`,
    [companyId],
  );
  return `${rows[0]!.n}:${rows[0]!.h ?? ""}`;
}

async function one<T extends Record<string, unknown>>(db: Database, sql: string, params: (string | number)[]): Promise<T> {
  const rows = await db.sql.query<T>(sql, params);
  return rows[0]!;
}

beforeAll(async () => {
  // In-memory PGlite (openDatabase()), or scratch PostgreSQL databases with YARDSTICK_TEST_DB=postgres.
  [dbA, dbB] = await Promise.all([openTestDatabase(), openTestDatabase()]);
  a = await seedDemoCompany(dbA, { seed: SEED, size: SIZE, analyze: false });
  b = await seedDemoCompany(dbB, { seed: SEED, size: SIZE, analyze: false });
  // A second company in the same database: different seed and slug must not collide.
  other = await seedDemoCompany(dbA, { seed: SEED + 1, size: SIZE, slug: "other", analyze: false });
}, 120_000);

afterAll(async () => {
  await Promise.all([dbA?.close(), dbB?.close()]);
});

describe("random", () => {
  it("repeats a stream for the same seed and labels and makes v4-shaped uuids", () => {
    const x = new Rng(1, "s", 2);
    const y = new Rng(1, "s", 2);
    const z = new Rng(1, "s", 3);
    const xs = Array.from({ length: 5 }, () => x.nextUint32());
    expect(Array.from({ length: 5 }, () => y.nextUint32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => z.nextUint32())).not.toEqual(xs);
    const ids = new Set(Array.from({ length: 1000 }, () => x.uuid()));
    expect(ids.size).toBe(1000);
    for (const id of [...ids].slice(0, 50)) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    for (let i = 0; i < 1000; i++) {
      const v = x.int(3, 7);
      expect(v >= 3 && v <= 7 && Number.isInteger(v)).toBe(true);
    }
  });
});

describe("seedDemoCompany", () => {
  it("gives identical summaries and identical rows for the same seed", async () => {
    const strip = ({ elapsedMs: _e, rowsPerSecond: _r, ...rest }: SeedSummary) => rest;
    expect(strip(b)).toEqual(strip(a));
    for (const table of ALL_TABLES) {
      expect(await fingerprint(dbB, table, b.companyId), table).toBe(await fingerprint(dbA, table, a.companyId));
    }
  });

  it("gives different data for a different seed", () => {
    expect(other.companyId).not.toBe(a.companyId);
    expect(other.sums.orderAmount).not.toBe(a.sums.orderAmount);
    expect(other.sums.surveyScore).not.toBe(a.sums.surveyScore);
  });

  it("reports what is in the database", async () => {
    for (const table of ALL_TABLES) {
      const { n } = await one<{ n: number }>(dbA, `SELECT count(*)::int AS n FROM "${table}" WHERE company_id = $1`, [a.companyId]);
      expect(n, table).toBe(a.counts[table]);
    }
    const sums = await one<{ orders: string; surveys: number; sat: number; mkt: string }>(
      dbA,
      `SELECT (SELECT sum(amount)::text FROM orders WHERE company_id = $1) AS orders,
              (SELECT sum(score)::float8 FROM survey_responses WHERE company_id = $1) AS surveys,
              (SELECT sum(satisfaction)::int FROM tickets WHERE company_id = $1) AS sat,
              (SELECT sum(amount)::text FROM campaign_costs WHERE company_id = $1 AND kind = 'marketing') AS mkt`,
      [a.companyId],
    );
    expect(sums.orders).toBe(a.sums.orderAmount);
    expect(sums.surveys).toBe(a.sums.surveyScore);
    expect(sums.sat).toBe(a.sums.ticketSatisfaction);
    expect(sums.mkt).toBe(a.sums.marketingCost);
    expect(a.factRows).toBeGreaterThan(10_000);
    const company = await one<{ time_zone: string; currency: string; slug: string }>(
      dbA, "SELECT time_zone, currency, slug FROM companies WHERE id = $1", [a.companyId],
    );
    expect(company).toEqual({ time_zone: "Asia/Shanghai", currency: "CNY", slug: "demo" });
  });

  it("refuses a slug that exists", async () => {
    await expect(seedDemoCompany(dbA, { seed: 1, size: SIZE })).rejects.toBeInstanceOf(CompanyExistsError);
  });

  it("keeps every row inside the history window", async () => {
    const checks: [string, string][] = [
      ["orders", "at"], ["interactions", "at"], ["tickets", "opened_at"], ["survey_responses", "at"],
      ["opportunity_stages", "entered_at"], ["interactions", "responded_at"], ["tickets", "resolved_at"],
    ];
    for (const [table, col] of checks) {
      const r = await one<{ lo: boolean | null; hi: boolean | null }>(
        dbA,
        `SELECT min(${col}) >= $2::timestamptz AS lo, max(${col}) < $3::timestamptz AS hi
           FROM "${table}" WHERE company_id = $1`,
        [a.companyId, a.historyStart, a.historyEnd],
      );
      expect(r, `${table}.${col}`).toEqual({ lo: true, hi: true });
    }
  });

  it("attributes facts to the owner's team and keeps lifecycle consistent", async () => {
    const wrongTeam = await one<{ n: number }>(
      dbA,
      `SELECT count(*)::int AS n FROM orders o JOIN members m ON m.id = o.member_id
        WHERE o.company_id = $1 AND o.team_id IS DISTINCT FROM m.team_id`,
      [a.companyId],
    );
    expect(wrongTeam.n).toBe(0);
    const bad = await one<{ n: number }>(
      dbA,
      `SELECT count(*)::int AS n FROM customers WHERE company_id = $1 AND NOT (
         (lifecycle_stage = 'prospect' AND acquired_at IS NULL AND churned_at IS NULL) OR
         (lifecycle_stage = 'churned' AND acquired_at IS NOT NULL AND churned_at > acquired_at) OR
         (lifecycle_stage IN ('new', 'active', 'mature', 'at_risk') AND acquired_at IS NOT NULL AND churned_at IS NULL))`,
      [a.companyId],
    );
    expect(bad.n).toBe(0);
    const afterChurn = await one<{ n: number }>(
      dbA,
      `SELECT count(*)::int AS n FROM orders o JOIN customers c ON c.id = o.customer_id
        WHERE o.company_id = $1 AND o.at >= c.churned_at`,
      [a.companyId],
    );
    expect(afterChurn.n).toBe(0);
  });

  it("churns customers with an unanswered complaint more often", async () => {
    const rows = await dbA.sql.query<{ unanswered: boolean; n: number; rate: number }>(
      `WITH ignored AS (
         SELECT DISTINCT customer_id FROM tickets
          WHERE company_id = $1 AND kind = 'complaint' AND first_response_at IS NULL)
       SELECT (c.id IN (SELECT customer_id FROM ignored)) AS unanswered, count(*)::int AS n,
              avg((c.churned_at IS NOT NULL)::int)::float8 AS rate
         FROM customers c WHERE c.company_id = $1 AND c.acquired_at IS NOT NULL GROUP BY 1`,
      [a.companyId],
    );
    const ignored = rows.find((r) => r.unanswered)!;
    const others = rows.find((r) => !r.unanswered)!;
    expect(ignored.n).toBeGreaterThan(10);
    expect(ignored.rate).toBeGreaterThan(others.rate * 1.5);
  });

  it("has a narrowing funnel and consistent opportunities", async () => {
    const stages = await dbA.sql.query<{ stage_order: number; n: number }>(
      `SELECT stage_order, count(*)::int AS n FROM opportunity_stages WHERE company_id = $1 GROUP BY 1 ORDER BY 1`,
      [a.companyId],
    );
    const byOrder = new Map(stages.map((s) => [s.stage_order, s.n]));
    expect(byOrder.get(0)).toBeGreaterThan(0);
    for (let k = 2; k <= 5; k++) expect(byOrder.get(k)!).toBeLessThanOrEqual(byOrder.get(k - 1)!);
    expect(byOrder.get(5)!).toBeLessThan(byOrder.get(1)!);
    const inconsistent = await one<{ n: number }>(
      dbA,
      `SELECT count(*)::int AS n FROM opportunities WHERE company_id = $1 AND NOT (
         (status = 'won' AND stage = 'won' AND closed_at IS NOT NULL) OR
         (status = 'lost' AND stage = 'lost' AND closed_at IS NOT NULL) OR
         (status = 'open' AND stage IN ('lead', 'qualified', 'proposal', 'negotiation') AND closed_at IS NULL))`,
      [a.companyId],
    );
    expect(inconsistent.n).toBe(0);
  });

  it("has NPS promoters and detractors, and teams that differ", async () => {
    const nps = await one<{ promoters: number; detractors: number; out: number }>(
      dbA,
      `SELECT count(*) FILTER (WHERE score >= 9)::int AS promoters, count(*) FILTER (WHERE score <= 6)::int AS detractors,
              count(*) FILTER (WHERE score < 0 OR score > 10 OR scale <> 10)::int AS out
         FROM survey_responses WHERE company_id = $1 AND kind = 'nps'`,
      [a.companyId],
    );
    expect(nps.promoters).toBeGreaterThan(0);
    expect(nps.detractors).toBeGreaterThan(0);
    expect(nps.out).toBe(0);
    const teams = await dbA.sql.query<{ hours: number }>(
      `SELECT avg(extract(epoch FROM first_response_at - opened_at) / 3600)::float8 AS hours
         FROM tickets WHERE company_id = $1 GROUP BY team_id`,
      [a.companyId],
    );
    const hours = teams.map((t) => t.hours);
    expect(Math.max(...hours)).toBeGreaterThan(2 * Math.min(...hours));
  });

  it("has seasonal orders and monthly ratings on company-time month boundaries", async () => {
    const season = await one<{ nov: number; feb: number }>(
      dbA,
      `SELECT count(*) FILTER (WHERE extract(month FROM at AT TIME ZONE 'Asia/Shanghai') = 11)::int AS nov,
              count(*) FILTER (WHERE extract(month FROM at AT TIME ZONE 'Asia/Shanghai') = 2)::int AS feb
         FROM orders WHERE company_id = $1`,
      [a.companyId],
    );
    expect(season.nov).toBeGreaterThan(season.feb * 1.5);
    const ratings = await one<{ n: number; off: number }>(
      dbA,
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE
          (period_start AT TIME ZONE 'Asia/Shanghai') <> date_trunc('month', period_start AT TIME ZONE 'Asia/Shanghai')
          OR (period_end AT TIME ZONE 'Asia/Shanghai') <> (period_start AT TIME ZONE 'Asia/Shanghai') + interval '1 month')::int AS off
         FROM ratings WHERE company_id = $1`,
      [a.companyId],
    );
    expect(ratings.n).toBe(SIZE.teams * SIZE.membersPerTeam * SIZE.months * 2);
    expect(ratings.off).toBe(0);
  });
});
