import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCompany, createTestApp, dataOf, type TestApp, type TestCompany } from "../helpers/app.js";
import { TEST_DB } from "../helpers/database.js";
import { at } from "../plugins/helpers.js";

// MetricValue.yearAgo: the same period a year earlier, with its change, loaded in the
// statements of the current and previous periods (UTC).
//
// Orders (team T): March 2025 100 + 60 · February 2026 50 · March 2026 200 · Q1 2025 also January 2025 40.
describe(`yearAgo (${TEST_DB})`, () => {
  let t: TestApp;
  let co: TestCompany;
  type V = { value: number | null; previous: number | null; yearAgo: number | null; yearAgoChange: number | null; yearAgoChangePercent: number | null };

  beforeAll(async () => {
    t = await createTestApp();
    co = await createCompany(t.db, "yoy", { timeZone: "UTC" });
    const p = t.db.prisma;
    const team = (await p.team.create({ data: { companyId: co.id, name: "T" } })).id;
    const customerId = (await p.customer.create({ data: { companyId: co.id, name: "c", ownerTeamId: team, acquiredAt: at("2024-06-01T00:00:00") } })).id;
    const orders: [string, string][] = [["100", "2025-03-05"], ["60", "2025-03-20"], ["40", "2025-01-10"], ["50", "2026-02-10"], ["200", "2026-03-10"]];
    await p.order.createMany({
      data: orders.map(([amount, day]) => ({ companyId: co.id, customerId, teamId: team, amount, product: "p", category: "c", channel: "web", at: at(`${day}T10:00:00`) })),
    });
  });
  afterAll(() => t.close());

  const FIELDS = "value previous yearAgo yearAgoChange yearAgoChangePercent";

  it("gives the same period a year earlier and the change against it", async () => {
    // March 2026 200; February 2026 50 (previous); March 2025 100 + 60 = 160 (yearAgo)
    // → change 200 − 160 = 40, 40 / 160 × 100 = 25 %.
    const data = dataOf(await t.gql<{ company: { metric: V } }>(
      `{ company { metric(key: "revenue", period: { grain: MONTH, date: "2026-03-01" }) { ${FIELDS} } } }`, {}, co.keys.viewer));
    expect(data.company.metric).toEqual({ value: 200, previous: 50, yearAgo: 160, yearAgoChange: 40, yearAgoChangePercent: 25 });
    // Q1 2026 250 against Q1 2025 200 → +50, +25 %. Through a fragment and the typed kpis field too.
    const q = dataOf(await t.gql<{ company: { kpis: { revenue: V } } }>(
      `fragment F on MetricValue { ${FIELDS} } { company { kpis { revenue(period: { grain: QUARTER, date: "2026-01-01" }) { ...F } } } }`, {}, co.keys.viewer));
    expect(q.company.kpis.revenue).toMatchObject({ value: 250, yearAgo: 200, yearAgoChange: 50, yearAgoChangePercent: 25 });
  });

  it("has no change when a year earlier has no value", async () => {
    // average_order_value in March 2024: no order → null yearAgo → null change.
    const data = dataOf(await t.gql<{ company: { metric: V } }>(
      `{ company { metric(key: "average_order_value", period: { grain: MONTH, date: "2025-03-01" }) { ${FIELDS} } } }`, {}, co.keys.viewer));
    // March 2025: (100 + 60) / 2 = 80; March 2024: none.
    expect(data.company.metric).toMatchObject({ value: 80, yearAgo: null, yearAgoChange: null, yearAgoChangePercent: null });
  });

  it("adds no statement: the year-ago window joins the current and previous ones", async () => {
    const query = (fields: string) =>
      `{ company { teams { metrics(keys: ["revenue", "retention_rate"], period: { grain: MONTH, date: "2026-03-01" }) { ${fields} } } } }`;
    t.app.caches.results?.clear();
    let before = t.db.statements.count;
    dataOf(await t.gql(query("value previous"), {}, co.keys.viewer));
    const without = t.db.statements.count - before;
    t.app.caches.results?.clear();
    before = t.db.statements.count;
    const data = dataOf(await t.gql<{ company: { teams: { metrics: V[] }[] } }>(query(FIELDS), {}, co.keys.viewer));
    expect(t.db.statements.count - before).toBe(without);
    expect(data.company.teams[0]!.metrics[0]).toMatchObject({ value: 200, yearAgo: 160 });
  });
});
