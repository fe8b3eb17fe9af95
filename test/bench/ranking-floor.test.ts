// The benchmark's own comparison: on a small seeded company, the hand-written
// SQL floors (bench/ranking-floor.ts, bench/floor.ts) and the API agree value
// for value, and the comparison does notice a value that differs.
import { decodeGlobalID } from "@pothos/plugin-relay";
import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoCompany, type SeedSummary } from "../../src/seed/generate.js";
import { benchClient, runDashboard } from "../../bench/dashboard.js";
import { compareRanking, ensureRankingFramework, RANKING_MONTH, RANKING_QUERY, runRanking, type RankingCard } from "../../bench/ranking.js";
import { memberKpis, RANKING_KPIS, rankingFloorAggregates } from "../../bench/ranking-floor.js";
import { openTestDatabase, TEST_DB, type TestDatabase } from "../helpers/database.js";

const SIZE = { teams: 3, membersPerTeam: 5, customers: 600, months: 24 };

describe(`benchmark floors agree with the API (${TEST_DB})`, () => {
  let db: TestDatabase;
  let seeded: SeedSummary;

  beforeAll(async () => {
    db = await openTestDatabase();
    seeded = await seedDemoCompany(db, { seed: 7, size: SIZE, slug: "bench-check", analyze: false });
  }, 60_000);
  afterAll(() => db?.close());

  it("ranks every member with the same KPI values as the hand-written SQL, in a fixed number of statements", async () => {
    const r = await runRanking(db, seeded.companyId, 1);
    expect(r.members).toBe(SIZE.teams * SIZE.membersPerTeam);
    expect(r.cells).toBe(r.members * RANKING_KPIS.length);
    expect(r.mismatches).toBe(0);
    // Key, company, framework, members, and one statement per (source, time column) — 10 today;
    // never one per member (15 here) or per KPI.
    expect(r.statements).toBeGreaterThan(5);
    expect(r.statements).toBeLessThan(r.members);
  });

  it("compares values that are there, and notices one that differs", async () => {
    const company = await db.prisma.company.findUniqueOrThrow({ where: { id: seeded.companyId } });
    await ensureRankingFramework(db, seeded.companyId);
    const client = await benchClient(db, seeded.companyId);
    const month = DateTime.fromISO(`${RANKING_MONTH}-01`, { zone: company.timeZone });
    const { company: c } = await client.request<{ company: { ranking: RankingCard[] } }>(RANKING_QUERY, {
      p: { grain: "MONTH", date: month.toISODate() },
    });
    const cells = await rankingFloorAggregates(
      db.sql, seeded.companyId, company.timeZone, month.minus({ months: 1 }).toUTC().toJSDate(), month.plus({ months: 1 }).toUTC().toJSDate(),
    );
    expect(compareRanking(c.ranking, cells, RANKING_MONTH)).toEqual({ cells: c.ranking.length * RANKING_KPIS.length, mismatches: 0 });

    // The data is not trivially empty: every KPI has a value (not 0) for some members this month.
    const ids = c.ranking.map((card) => decodeGlobalID(card.subjectId).id);
    for (const k of RANKING_KPIS) {
      const present = ids.filter((id) => { const v = memberKpis(cells, id, RANKING_MONTH)[k]; return v !== null && v !== 0; }).length;
      expect(present, k).toBeGreaterThanOrEqual(2);
    }
    expect(c.ranking.filter((card) => card.total !== null && card.previousTotal !== null).length).toBeGreaterThan(0);

    // One member's revenue off by one unit: exactly one mismatch.
    const key = `${ids[0]}|${RANKING_MONTH}`;
    const cell = cells.get(key)!;
    cells.set(key, { ...cell, revenue: cell.revenue + 1, orders: cell.orders });
    const off = compareRanking(c.ranking, cells, RANKING_MONTH);
    expect(off.mismatches).toBeGreaterThanOrEqual(1); // revenue, and average order value with it
    expect(off.mismatches).toBeLessThanOrEqual(2);
  });

  it("gives the dashboard's 10 KPIs × every team × 12 months as the hand-written SQL does", async () => {
    const r = await runDashboard(db, seeded.companyId, 1);
    expect(r.teams).toBe(SIZE.teams);
    expect(r.cells).toBe(SIZE.teams * 12 * 10);
    expect(r.mismatches).toBe(0);
    expect(r.statements).toBe(8); // key, company, company row, teams, 4 sources (docs/architecture.md)
  });
});
