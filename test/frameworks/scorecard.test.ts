import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCompany, createTestApp, dataOf, type TestApp, type TestCompany } from "../helpers/app.js";
import { TEST_DB } from "../helpers/database.js";

// Custom KPI plugins and frameworks through the endpoint: register, version,
// use in a framework with a manager's rating, score by hand, rank.
const BIG_ORDERS = {
  key: "big_orders",
  name: "Big orders",
  unit: "count",
  subjects: ["company", "team", "member"],
  measures: { big: { source: "orders", aggregate: "count", where: { amount: { gte: 100 } } } },
  formula: "big",
  score: { method: "bands", bands: [{ min: 2, score: 100 }, { min: 1, score: 50 }, { min: 0, score: 0 }] },
  weight: 0.2,
};

const FRAMEWORK = {
  key: "team_review",
  name: "Team review",
  level: "team",
  items: [
    { kpi: "revenue", weight: 2, score: { method: "target", target: 1000, worst: 0 } },
    { kpi: "big_orders", weight: 1 },
    { rating: "communication_quality", name: "Communication quality", weight: 1, scale: 5 },
  ],
  grades: [{ min: 90, grade: "excellent" }, { min: 75, grade: "good" }, { min: 60, grade: "pass" }, { min: 0, grade: "fail" }],
  missing: "renormalize",
};

describe(`custom plugins, frameworks and scorecards (${TEST_DB})`, () => {
  let t: TestApp;
  let co: TestCompany;
  let other: TestCompany;
  let teamA: string;
  let teamB: string;

  const REGISTER = `mutation($d: JSON!) { registerMetricPlugin(document: $d) { key version enabled } }`;
  const MARCH = { grain: "MONTH", date: "2026-03-01" };

  beforeAll(async () => {
    t = await createTestApp();
    co = await createCompany(t.db, "scored");
    other = await createCompany(t.db, "other");
    const p = t.db.prisma;
    teamA = (await p.team.create({ data: { companyId: co.id, name: "A" } })).id;
    teamB = (await p.team.create({ data: { companyId: co.id, name: "B" } })).id;
    const ca = await p.customer.create({ data: { companyId: co.id, name: "ca", ownerTeamId: teamA } });
    const cb = await p.customer.create({ data: { companyId: co.id, name: "cb", ownerTeamId: teamB } });
    const order = (customerId: string, teamId: string, amount: string, at: string) =>
      p.order.create({ data: { companyId: co.id, customerId, teamId, amount, product: "p", category: "c", channel: "web", at: new Date(at) } });
    await order(ca.id, teamA, "600", "2026-03-02T00:00:00Z");
    await order(ca.id, teamA, "200", "2026-03-09T00:00:00Z");
    await order(ca.id, teamA, "500", "2026-02-09T00:00:00Z");
    await order(cb.id, teamB, "50", "2026-03-09T00:00:00Z");
    await p.rating.create({
      data: { companyId: co.id, subjectType: "team", teamId: teamA, item: "communication_quality", score: 4, scale: 5,
        periodStart: new Date("2026-03-01T00:00:00Z"), periodEnd: new Date("2026-04-01T00:00:00Z") },
    });
  });
  afterAll(() => t.close());

  it("rejects an invalid plugin whole, naming every field, and stores nothing", async () => {
    const bad = { ...BIG_ORDERS, measures: { big: { source: "orders", aggregate: "sum", field: "colour" } }, formula: "big + missing" };
    const res = await t.gql(REGISTER, { d: bad }, co.keys.admin);
    expect(res.errors?.[0]?.extensions?.code).toBe("INVALID_PLUGIN");
    const issues = res.errors?.[0]?.extensions?.issues as { path: string }[];
    expect(issues.map((i) => i.path).sort()).toEqual(["formula", "measures.big.field"]);
    expect(await t.db.prisma.metricPlugin.count()).toBe(0);
    expect(await t.db.prisma.auditEntry.count()).toBe(0);
  });

  it("rejects a plugin whose formula loops (dry run) and one that shadows a built-in", async () => {
    const loop = await t.gql(REGISTER, { d: { ...BIG_ORDERS, formula: "($f := function($x) { $f($x + big) }; $f(1))" } }, co.keys.admin);
    expect(loop.errors?.[0]?.extensions?.code).toBe("INVALID_PLUGIN");
    expect(loop.errors?.[0]?.message).toMatch(/dry run failed: metric "big_orders": formula (stopped after|nested deeper|ran longer)/);
    const shadow = await t.gql(REGISTER, { d: { ...BIG_ORDERS, key: "revenue" } }, co.keys.admin);
    expect(shadow.errors?.[0]?.message).toMatch(/"revenue" is a built-in KPI/);
    expect(await t.db.prisma.metricPlugin.count()).toBe(0);
  });

  it("lets only admins register", async () => {
    const res = await t.gql(REGISTER, { d: BIG_ORDERS }, co.keys.manager);
    expect(res.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("registers, is queryable at once, versions, and stays invisible to other companies", async () => {
    expect(dataOf(await t.gql(REGISTER, { d: BIG_ORDERS }, co.keys.admin))).toEqual({ registerMetricPlugin: { key: "big_orders", version: 1, enabled: true } });
    const q = `query($p: PeriodInput!) { company { metric(key: "big_orders", period: $p) { value } } }`;
    // March: orders of 600 and 200 are ≥ 100 → 2
    expect(dataOf(await t.gql<{ company: { metric: { value: number } } }>(q, { p: MARCH }, co.keys.viewer)).company.metric.value).toBe(2);

    const upd = `mutation($d: JSON!) { updateMetricPlugin(key: "big_orders", document: $d) { version versions { version } } }`;
    const v2 = dataOf(await t.gql<{ updateMetricPlugin: { version: number; versions: { version: number }[] } }>(
      upd, { d: { ...BIG_ORDERS, measures: { big: { source: "orders", aggregate: "count", where: { amount: { gte: 300 } } } } } }, co.keys.admin));
    expect(v2.updateMetricPlugin.version).toBe(2);
    expect(v2.updateMetricPlugin.versions.map((v) => v.version)).toEqual([1, 2]);
    // Version 2 counts orders ≥ 300: only the 600 → 1
    expect(dataOf(await t.gql<{ company: { metric: { value: number } } }>(q, { p: MARCH }, co.keys.viewer)).company.metric.value).toBe(1);

    const foreign = await t.gql(q, { p: MARCH }, other.keys.admin);
    expect(foreign.errors?.[0]?.extensions?.code).toBe("UNKNOWN_METRIC");
    expect(dataOf(await t.gql<{ company: { metricPlugins: unknown[] } }>("{ company { metricPlugins { key } } }", {}, other.keys.admin)).company.metricPlugins).toEqual([]);

    // Back to the first definition for the scorecard below (version 3).
    await t.gql(upd, { d: BIG_ORDERS }, co.keys.admin);
  });

  it("disables and re-enables a plugin", async () => {
    const set = `mutation($e: Boolean!) { setMetricPluginEnabled(key: "big_orders", enabled: $e) { enabled } }`;
    await t.gql(set, { e: false }, co.keys.admin);
    const off = await t.gql(`{ company { metric(key: "big_orders", period: { grain: MONTH, date: "2026-03-01" }) { value } } }`, {}, co.keys.viewer);
    expect(off.errors?.[0]?.extensions?.code).toBe("UNKNOWN_METRIC");
    expect(dataOf(await t.gql<{ setMetricPluginEnabled: { enabled: boolean } }>(set, { e: true }, co.keys.admin)).setMetricPluginEnabled.enabled).toBe(true);
  });

  it("rejects a framework with unknown KPIs or zero weights, naming the item", async () => {
    const create = `mutation($d: JSON!) { createFramework(document: $d) { key version } }`;
    const res = await t.gql(create, { d: { ...FRAMEWORK, items: [{ kpi: "nope", weight: 1 }, { kpi: "revenue", weight: 0 }] } }, co.keys.admin);
    expect(res.errors?.[0]?.extensions?.code).toBe("INVALID_FRAMEWORK");
    const paths = (res.errors?.[0]?.extensions?.issues as { path: string }[]).map((i) => i.path);
    expect(paths).toContain("items.0.kpi");
    const zero = await t.gql(create, { d: { ...FRAMEWORK, items: [{ kpi: "revenue", weight: 0 }] } }, co.keys.admin);
    expect((zero.errors?.[0]?.extensions?.issues as { path: string }[])[0]!.path).toBe("items");
    expect(await t.db.prisma.framework.count()).toBe(0);
  });

  it("computes a scorecard field by field, with weights that do not sum to one", async () => {
    const created = dataOf(await t.gql<{ createFramework: { key: string; version: number } }>(
      `mutation($d: JSON!) { createFramework(document: $d, effectiveFrom: "2000-01-01T00:00:00Z") { key version } }`, { d: FRAMEWORK }, co.keys.admin));
    expect(created.createFramework).toEqual({ key: "team_review", version: 1 });

    const q = `query($p: PeriodInput!) { company { ranking(framework: "team_review", period: $p) {
      subjectName frameworkVersion total grade rank peerCount previousTotal change
      items { id value score weight contribution target } } } }`;
    type Card = { subjectName: string; total: number; grade: string; rank: number; peerCount: number; previousTotal: number; change: number;
      frameworkVersion: number; items: { id: string; value: number | null; score: number | null; weight: number; contribution: number; target: number | null }[] };
    const cards = dataOf(await t.gql<{ company: { ranking: Card[] } }>(q, { p: MARCH }, co.keys.viewer)).company.ranking;

    // Weights 2 : 1 : 1 normalise to 0.5 / 0.25 / 0.25.
    // Team A, March: revenue 600 + 200 = 800 → 800/1000 × 100 = 80; big orders 2 → band 100;
    //   rating 4 of 5 → 80. Total = 0.5×80 + 0.25×100 + 0.25×80 = 85 → "good".
    // Team A, February: revenue 500 → 50; big orders 1 → 50; no rating → renormalise 2:1 →
    //   2/3×50 + 1/3×50 = 50. Change = 85 − 50 = 35.
    expect(cards[0]).toEqual({
      subjectName: "A", frameworkVersion: 1, total: 85, grade: "good", rank: 1, peerCount: 2, previousTotal: 50, change: 35,
      items: [
        { id: "revenue", value: 800, score: 80, weight: 0.5, contribution: 40, target: 1000 },
        { id: "big_orders", value: 2, score: 100, weight: 0.25, contribution: 25, target: null },
        // A rating is shown on its own scale: 4 of 5, held to the top of the scale.
        { id: "rating:communication_quality", value: 4, score: 80, weight: 0.25, contribution: 20, target: 5 },
      ],
    });
    // Team B, March: revenue 50 → 5; big orders 0 → 0; no rating → renormalise: 2/3×5 + 1/3×0 = 3.33 → "fail".
    // February: revenue 0 → 0, big orders 0 → 0 → total 0; change 3.33.
    expect(cards[1]).toMatchObject({ subjectName: "B", total: 3.33, grade: "fail", rank: 2, previousTotal: 0, change: 3.33 });
    expect(cards[1]!.items.map((i) => i.weight)).toEqual([0.6667, 0.3333, 0]);

    // The same scorecard from the team's side.
    const teams = dataOf(await t.gql<{ company: { teams: { name: string; scorecard: { total: number; rank: number } }[] } }>(
      `query($p: PeriodInput!) { company { teams { name scorecard(framework: "team_review", period: $p) { total rank } } } }`, { p: MARCH }, co.keys.viewer));
    expect(teams.company.teams).toEqual([{ name: "A", scorecard: { total: 85, rank: 1 } }, { name: "B", scorecard: { total: 3.33, rank: 2 } }]);
  });

  it("versions frameworks: the scorecard names the version it used, old versions stay usable", async () => {
    // Back-dated over periods already scored: re-scoring history must be asked for.
    const upd = `mutation($d: JSON!) { updateFramework(key: "team_review", document: $d, effectiveFrom: "2026-01-01T00:00:00Z", rescoreHistory: true) { version } }`;
    const v2 = dataOf(await t.gql<{ updateFramework: { version: number } }>(upd, { d: { ...FRAMEWORK, missing: "zero" } }, co.keys.admin));
    expect(v2.updateFramework.version).toBe(2);
    const q = `query($v: Int) { company { ranking(framework: "team_review", version: $v, period: { grain: MONTH, date: "2026-03-01" }) {
      subjectName total frameworkVersion } } }`;
    // Missing counts as zero: team B = 0.5×5 + 0.25×0 + 0.25×0 = 2.5
    const latest = dataOf(await t.gql<{ company: { ranking: { subjectName: string; total: number; frameworkVersion: number }[] } }>(q, {}, co.keys.viewer));
    expect(latest.company.ranking[1]).toEqual({ subjectName: "B", total: 2.5, frameworkVersion: 2 });
    const first = dataOf(await t.gql<{ company: { ranking: { subjectName: string; total: number; frameworkVersion: number }[] } }>(q, { v: 1 }, co.keys.viewer));
    expect(first.company.ranking[1]).toEqual({ subjectName: "B", total: 3.33, frameworkVersion: 1 });
  });

  it("scores by quantile among peers and by a JSONata expression", async () => {
    const doc = {
      key: "peer_review", name: "Peer review", level: "team",
      items: [
        { kpi: "revenue", weight: 1, score: { method: "quantile" } },
        { kpi: "big_orders", weight: 1, score: { method: "expression", expression: "value * 50" } },
      ],
    };
    dataOf(await t.gql(`mutation($d: JSON!) { createFramework(document: $d, effectiveFrom: "2000-01-01T00:00:00Z") { key } }`, { d: doc }, co.keys.admin));
    const cards = dataOf(await t.gql<{ company: { ranking: { subjectName: string; total: number; items: { score: number }[] }[] } }>(
      `{ company { ranking(framework: "peer_review", period: { grain: MONTH, date: "2026-03-01" }) { subjectName total items { score } } } }`, {}, co.keys.viewer)).company.ranking;
    // Revenue peers [800, 50], percentile rank = (peers below + ½ × peers equal, itself included) / 2:
    //   A: (1 + ½) / 2 = 75; B: (0 + ½) / 2 = 25. Big orders (v3, ≥ 100): A 2 → 2 × 50 = 100; B 0 → 0.
    // Totals, weights 1 : 1: A (75 + 100) / 2 = 87.5; B (25 + 0) / 2 = 12.5.
    expect(cards).toEqual([
      { subjectName: "A", total: 87.5, items: [{ score: 75 }, { score: 100 }] },
      { subjectName: "B", total: 12.5, items: [{ score: 25 }, { score: 0 }] },
    ]);
  });

  it("produces the management report as CSV and Markdown", async () => {
    const q = `query($f: ReportFormat!) { company { report(framework: "team_review", version: 1, period: { grain: MONTH, date: "2026-03-01" }, format: $f) } }`;
    const csv = dataOf(await t.gql<{ company: { report: string } }>(q, { f: "CSV" }, co.keys.viewer)).company.report.trim().split("\n");
    expect(csv[0]).toBe("rank,subject,total,grade,previous_total,change,revenue_value,revenue_score,big_orders_value,big_orders_score,rating:communication_quality_value,rating:communication_quality_score");
    expect(csv[1]).toBe("1,A,85,good,50,35,800,80,2,100,4,80");
    expect(csv[2]).toBe("2,B,3.33,fail,0,3.33,50,5,0,0,,");
    const md = dataOf(await t.gql<{ company: { report: string } }>(q, { f: "MARKDOWN" }, co.keys.viewer)).company.report;
    expect(md).toContain("## Top performers");
    expect(md).toMatch(/\| 1 \| A \| 85\.0 \| good \| 35\.0 \|/);
    expect(md).toContain("## Biggest movers");
    // Both teams' revenue (800, 50) is under the 1000 target: average (800 + 50) / 2 = 425.
    expect(md).toContain("| Revenue | 1000 | 2 of 2 | 425.00 |");
    // In Chinese the built-in KPI's name is its translation (销售额).
    const zh = `{ company { report(framework: "team_review", version: 1, period: { grain: MONTH, date: "2026-03-01" }, format: MARKDOWN, locale: ZH) } }`;
    expect(dataOf(await t.gql<{ company: { report: string } }>(zh, {}, co.keys.viewer)).company.report).toContain("| 销售额 | 1000 | 2 of 2 | 425.00 |");
  });

  it("refuses to delete a plugin a framework uses, and a foreign company cannot read the framework", async () => {
    const del = await t.gql(`mutation { deleteMetricPlugin(key: "big_orders") }`, {}, co.keys.admin);
    expect(del.errors?.[0]?.extensions).toMatchObject({ code: "PLUGIN_IN_USE", frameworks: ["peer_review", "team_review"] });
    const foreign = await t.gql(`{ company { ranking(framework: "team_review", period: { grain: MONTH, date: "2026-03-01" }) { total } } }`, {}, other.keys.viewer);
    expect(foreign.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  });

  it("records admin changes in the audit log", async () => {
    const actions = (await t.db.prisma.auditEntry.findMany({ where: { companyId: co.id }, orderBy: { at: "asc" } })).map((a) => a.action);
    expect(actions).toEqual([
      "plugin.register", "plugin.update", "plugin.update", "plugin.disable", "plugin.enable", "framework.create", "framework.update",
      "framework.create",
    ]);
  });
});
