import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCompany, createTestApp, dataOf, type TestApp, type TestCompany } from "../helpers/app.js";
import { TEST_DB } from "../helpers/database.js";

// Metric fields through the endpoint: value, previous, change, trend, breakdown,
// typed kpis, errors per field — on a fixture small enough to compute by hand.
describe(`metric fields (${TEST_DB})`, () => {
  let t: TestApp;
  let co: TestCompany;
  let teamA: string;
  let teamB: string;

  beforeAll(async () => {
    t = await createTestApp();
    co = await createCompany(t.db, "metrics", { timeZone: "Asia/Shanghai" });
    const p = t.db.prisma;
    teamA = (await p.team.create({ data: { companyId: co.id, name: "A" } })).id;
    teamB = (await p.team.create({ data: { companyId: co.id, name: "B" } })).id;
    const cust = (name: string, teamId: string, acquired: string, churned?: string) =>
      p.customer.create({ data: { companyId: co.id, name, ownerTeamId: teamId, acquiredAt: new Date(acquired), churnedAt: churned ? new Date(churned) : null } });
    // Team A: a1 (Jan), a2 (Feb), a3 (Feb, churns 15 Mar), a4 (5 Mar)
    const a1 = await cust("a1", teamA, "2026-01-05T00:00:00Z");
    await cust("a2", teamA, "2026-02-01T00:00:00Z");
    await cust("a3", teamA, "2026-02-10T00:00:00Z", "2026-03-15T00:00:00Z");
    await cust("a4", teamA, "2026-03-05T00:00:00Z");
    const b1 = await cust("b1", teamB, "2026-01-20T00:00:00Z");
    const order = (customerId: string, teamId: string, amount: string, at: string, channel: string) =>
      p.order.create({ data: { companyId: co.id, customerId, teamId, amount, product: "p", category: "c", channel, at: new Date(at) } });
    await order(a1.id, teamA, "100.00", "2026-03-03T00:00:00Z", "web");
    await order(a1.id, teamA, "50.50", "2026-03-20T00:00:00Z", "store");
    await order(a1.id, teamA, "80.00", "2026-02-10T00:00:00Z", "web");
    // 2026-02-28T17:00Z is 1 March 01:00 in Shanghai: March in the company's zone.
    await order(b1.id, teamB, "10.00", "2026-02-28T17:00:00Z", "web");
  });
  afterAll(() => t.close());

  const march = { grain: "MONTH", date: "2026-03-01" };

  it("computes retention by hand: (atEnd − acquired) / atStart × 100", async () => {
    // Team A, March (Asia/Shanghai): at start a1,a2,a3 = 3; at end a1,a2,a4 = 3 (a3 churned);
    // acquired in March a4 = 1 → (3 − 1) / 3 × 100 = 66.6667.
    // February: at start a1 = 1; at end a1,a2,a3 = 3; acquired a2,a3 = 2 → (3 − 2)/1 × 100 = 100.
    const q = `query($id: ID!, $p: PeriodInput!) { node(id: $id) { ... on Team { metric(key: "retention_rate", period: $p) {
      value previous change changePercent unit period { label } } } } }`;
    const teams = dataOf(await t.gql<{ company: { teams: { id: string; name: string }[] } }>("{ company { teams { id name } } }", {}, co.keys.viewer));
    const a = teams.company.teams.find((x) => x.name === "A")!;
    const v = dataOf(await t.gql<{ node: { metric: Record<string, unknown> } }>(q, { id: a.id, p: march }, co.keys.viewer)).node.metric;
    expect(v).toEqual({ value: 66.6667, previous: 100, change: -33.3333, changePercent: -33.3333, unit: "PERCENT", period: { label: "2026-03" } });
  });

  it("cuts periods in the company's time zone and gives revenue, trend and breakdown", async () => {
    // Company revenue in March (Shanghai): 100 + 50.50 + 10 (28 Feb 17:00Z) = 160.5; February: 80.
    const data = dataOf(await t.gql<{ company: { metric: { value: number; previous: number; breakdown: { key: string; value: number }[] };
      trend: { period: { label: string }; value: number }[]; kpis: { revenue: { value: number } } } }>(
      `query($p: PeriodInput!) { company {
        metric(key: "revenue", period: $p) { value previous breakdown(by: CHANNEL) { key value } }
        trend(key: "revenue", grain: MONTH, last: 3, until: "2026-03-31") { period { label } value }
        kpis { revenue(period: $p) { value } } } }`, { p: march }, co.keys.viewer));
    expect(data.company.metric.value).toBe(160.5);
    expect(data.company.metric.previous).toBe(80);
    // web: 100 + 10 = 110; store: 50.5
    expect(data.company.metric.breakdown).toEqual([{ key: "store", value: 50.5 }, { key: "web", value: 110 }]);
    expect(data.company.trend).toEqual([
      { period: { label: "2026-01" }, value: 0 },
      { period: { label: "2026-02" }, value: 80 },
      { period: { label: "2026-03" }, value: 160.5 },
    ]);
    expect(data.company.kpis.revenue.value).toBe(160.5);
  });

  it("gives a clear, per-field error for an unknown metric and a malformed period", async () => {
    const res = await t.gql<{ company: { ok: { value: number }; bad: unknown; worse: unknown } }>(
      `{ company { ok: metric(key: "revenue", period: { grain: MONTH, date: "2026-03-01" }) { value }
        bad: metric(key: "no_such_kpi", period: { grain: MONTH, date: "2026-03-01" }) { value }
        worse: metric(key: "revenue", period: { grain: MONTH, date: "March" }) { value } } }`, {}, co.keys.viewer);
    expect(res.data?.company.ok.value).toBe(160.5);
    const byPath = Object.fromEntries((res.errors ?? []).map((e) => [e.path?.join("."), e]));
    expect(byPath["company.bad"]?.extensions).toMatchObject({ code: "UNKNOWN_METRIC", field: "key" });
    expect(byPath["company.bad"]?.message).toMatch(/unknown metric "no_such_kpi"/);
    expect(byPath["company.worse"]?.extensions).toMatchObject({ code: "BAD_PERIOD", field: "period.date" });
  });

  it("issues the same number of SQL statements for 1 team or every team", async () => {
    const q = `query($p: PeriodInput!) { company { teams { metrics(keys: ["revenue", "retention_rate"], period: $p) { value previous }
      trend(key: "revenue", grain: MONTH, last: 12, until: "2026-03-31") { value } } } }`;
    const before = t.db.statements.count;
    const data = dataOf(await t.gql<{ company: { teams: { metrics: { value: number | null }[] }[] } }>(q, { p: march }, co.keys.viewer));
    const statements = t.db.statements.count - before;
    expect(data.company.teams).toHaveLength(2);
    // key (1) + company (1) + teams (1) + company zone (1) + orders (1) + customers: snapshot (1) + acquired (1)
    // + the ids of every team, revenue's quantile peers (1)
    expect(statements).toBe(8);
    for (let i = 0; i < 5; i++) await t.db.prisma.team.create({ data: { companyId: co.id, name: `extra ${i}` } });
    // Counted without the result cache: it would rightly answer the peers statement (the new teams have no rows) from memory.
    t.app.caches.results?.clear();
    const before2 = t.db.statements.count;
    const more = dataOf(await t.gql<{ company: { teams: unknown[] } }>(q, { p: march }, co.keys.viewer));
    expect(more.company.teams).toHaveLength(7);
    expect(t.db.statements.count - before2).toBe(statements);
  });

  it("lists the catalogue", async () => {
    const data = dataOf(await t.gql<{ metricDefinitions: { key: string; fieldName: string; unit: string }[] }>(
      "{ metricDefinitions { key fieldName unit } }", {}, co.keys.viewer));
    expect(data.metricDefinitions).toContainEqual({ key: "retention_rate", fieldName: "retentionRate", unit: "PERCENT" });
  });
});
