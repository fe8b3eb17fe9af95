import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCompany, createTestApp, dataOf, type TestApp, type TestCompany } from "../helpers/app.js";
import { TEST_DB } from "../helpers/database.js";

// Issue 17 items 1, 2 (drafts) and 6 through the endpoint: a period is scored with the
// framework version in force at its end; a published version pins its plugin versions, so
// neither a plugin update nor a later framework version changes Q1 2026's scorecards;
// re-scoring history is explicit and audited; plugin lifecycle follows the frameworks.
const BIG_ORDERS = {
  key: "big_orders",
  name: "Big orders",
  unit: "count",
  subjects: ["company", "team", "member"],
  measures: { big: { source: "orders", aggregate: "count", where: { amount: { gte: 100 } } } },
  formula: "big",
  score: { method: "bands", bands: [{ min: 2, score: 100 }, { min: 1, score: 50 }, { min: 0, score: 0 }] },
};
const V1 = {
  key: "team_review",
  name: "Team review",
  level: "team",
  items: [
    { kpi: "revenue", weight: 1, score: { method: "target", target: 1000, worst: 0 } },
    { kpi: "big_orders", weight: 1 },
  ],
};
// Version 2 drops big_orders and holds revenue to 500.
const V2 = { ...V1, items: [{ kpi: "revenue", weight: 1, score: { method: "target", target: 500, worst: 0 } }] };

const Q1 = { grain: "QUARTER", date: "2026-02-15" };
const Q4 = { grain: "QUARTER", date: "2026-11-15" };
const RANKING = `query($p: PeriodInput!, $v: Int) { company { ranking(framework: "team_review", version: $v, period: $p) {
  framework frameworkName frameworkVersion frameworkStatus effectiveFrom subjectName total grade rank peerCount previousTotal change
  items { id name value score weight contribution target targetSource attainment reason } } } }`;

describe(`effective-dated, pinned framework versions (${TEST_DB})`, () => {
  let t: TestApp;
  let co: TestCompany;

  const q1Text = async (key: string) => JSON.stringify((await t.gql(RANKING, { p: Q1 }, key)).data);
  type Card = { subjectName: string; total: number | null; frameworkVersion: number; effectiveFrom: string | null; items: { id: string; score: number | null; reason: string | null; weight: number }[] };
  const ranking = async (p: unknown, key: string, v?: number) => dataOf(await t.gql<{ company: { ranking: Card[] } }>(RANKING, { p, v }, key)).company.ranking;

  beforeAll(async () => {
    t = await createTestApp();
    co = await createCompany(t.db, "dated");
    const p = t.db.prisma;
    const a = (await p.team.create({ data: { companyId: co.id, name: "A" } })).id;
    const b = (await p.team.create({ data: { companyId: co.id, name: "B" } })).id;
    const ca = await p.customer.create({ data: { companyId: co.id, name: "ca", ownerTeamId: a } });
    const cb = await p.customer.create({ data: { companyId: co.id, name: "cb", ownerTeamId: b } });
    const order = (customerId: string, teamId: string, amount: string, at: string) =>
      p.order.create({ data: { companyId: co.id, customerId, teamId, amount, product: "p", category: "c", channel: "web", at: new Date(at) } });
    await order(ca.id, a, "600", "2026-01-10T00:00:00Z");
    await order(ca.id, a, "200", "2026-02-10T00:00:00Z");
    await order(cb.id, b, "150", "2026-03-01T00:00:00Z");
    await order(ca.id, a, "500", "2026-10-05T00:00:00Z");
    dataOf(await t.gql(`mutation($d: JSON!) { registerMetricPlugin(document: $d) { version } }`, { d: BIG_ORDERS }, co.keys.admin));
  });
  afterAll(() => t.close());

  it("creates a DRAFT that admins can score and viewers cannot see", async () => {
    const created = dataOf(await t.gql<{ createFramework: { version: number; status: string; effectiveFrom: string | null } }>(
      `mutation($d: JSON!) { createFramework(document: $d) { version status effectiveFrom } }`, { d: V1 }, co.keys.admin));
    expect(created.createFramework).toEqual({ version: 1, status: "DRAFT", effectiveFrom: null });
    expect((await t.gql(RANKING, { p: Q1 }, co.keys.viewer)).errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    expect((await t.gql(RANKING, { p: Q1, v: 1 }, co.keys.viewer)).errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    expect(dataOf(await t.gql<{ company: { frameworks: unknown[] } }>(`{ company { frameworks { key } } }`, {}, co.keys.viewer)).company.frameworks).toEqual([]);
    const draft = await ranking(Q1, co.keys.manager, 1);
    expect(draft.map((c) => [c.subjectName, c.total])).toEqual([["A", 90], ["B", 32.5]]);
    // An embed token cannot be issued for a framework that is only a draft.
    const team = dataOf(await t.gql<{ company: { teams: { id: string }[] } }>(`{ company { teams { id } } }`, {}, co.keys.admin)).company.teams[0]!.id;
    const embed = await t.gql(`mutation($s: [ID!]!) { createEmbedToken(framework: "team_review", subjects: $s) { token } }`, { s: [team] }, co.keys.admin);
    expect(embed.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  });

  it("publishes with an effective date and pins the plugin version", async () => {
    const pub = dataOf(await t.gql<{ publishFramework: { version: number; status: string; effectiveFrom: string; pluginPins: unknown } }>(
      `mutation { publishFramework(key: "team_review", effectiveFrom: "2025-01-01T00:00:00Z") { version status effectiveFrom pluginPins { kpi version } } }`, {}, co.keys.admin));
    expect(pub.publishFramework).toEqual({ version: 1, status: "PUBLISHED", effectiveFrom: "2025-01-01T00:00:00.000Z", pluginPins: [{ kpi: "big_orders", version: 1 }] });
    const cards = await ranking(Q1, co.keys.viewer);
    // Q1 2026. A: revenue 600 + 200 = 800 → 800/1000 = 80; big orders (≥ 100) 2 → band 100;
    //   weights 1 : 1 → (80 + 100) / 2 = 90. B: revenue 150 → 15; 1 big order → 50 → 32.5.
    expect(cards.map((c) => [c.subjectName, c.total, c.frameworkVersion, c.effectiveFrom])).toEqual([
      ["A", 90, 1, "2025-01-01T00:00:00.000Z"],
      ["B", 32.5, 1, "2025-01-01T00:00:00.000Z"],
    ]);
    // A period ending before the first version came into force has no version in force.
    expect((await t.gql(RANKING, { p: { grain: "QUARTER", date: "2024-11-01" } }, co.keys.viewer)).errors?.[0]?.extensions?.code).toBe("NOT_IN_FORCE");
  });

  it("keeps Q1 byte-identical across a plugin update and a new framework version effective from Q4", async () => {
    const before = await q1Text(co.keys.viewer);
    expect(before).toContain('"total":90');

    // The plugin now counts orders ≥ 300: the metric itself changes (A: only the 600 → 1) …
    dataOf(await t.gql(`mutation($d: JSON!) { updateMetricPlugin(key: "big_orders", document: $d) { version } }`,
      { d: { ...BIG_ORDERS, measures: { big: { source: "orders", aggregate: "count", where: { amount: { gte: 300 } } } } } }, co.keys.admin));
    const metric = dataOf(await t.gql<{ company: { teams: { name: string; metric: { value: number } }[] } }>(
      `query($p: PeriodInput!) { company { teams { name metric(key: "big_orders", period: $p) { value } } } }`, { p: Q1 }, co.keys.viewer));
    expect(metric.company.teams.find((x) => x.name === "A")!.metric.value).toBe(1);
    // … but the published framework version scores with the version it pinned.
    expect(await q1Text(co.keys.viewer)).toBe(before);

    // Version 2 from Q4: back-dating over periods already scored must be asked for explicitly.
    const locked = await t.gql(`mutation($d: JSON!) { updateFramework(key: "team_review", document: $d, effectiveFrom: "2026-10-01T00:00:00Z") { version } }`, { d: V2 }, co.keys.admin);
    expect(locked.errors?.[0]?.extensions).toMatchObject({ code: "HISTORY_LOCKED", field: "effectiveFrom" });
    expect(await t.db.prisma.framework.count({ where: { companyId: co.id } })).toBe(1); // the refused publish stored no draft either
    dataOf(await t.gql(`mutation($d: JSON!) { updateFramework(key: "team_review", document: $d) { version status } }`, { d: V2 }, co.keys.admin));
    const v2 = dataOf(await t.gql<{ publishFramework: { version: number } }>(
      `mutation { publishFramework(key: "team_review", effectiveFrom: "2026-10-01T00:00:00Z", rescoreHistory: true) { version } }`, {}, co.keys.admin));
    expect(v2.publishFramework.version).toBe(2);

    expect(await q1Text(co.keys.viewer)).toBe(before);
    // Q4 2026 is scored with version 2: A revenue 500 → 500/500 = 100; B 0 → 0.
    const q4 = await ranking(Q4, co.keys.viewer);
    expect(q4.map((c) => [c.subjectName, c.total, c.frameworkVersion, c.effectiveFrom])).toEqual([
      ["A", 100, 2, "2026-10-01T00:00:00.000Z"],
      ["B", 0, 2, "2026-10-01T00:00:00.000Z"],
    ]);
    // Asked for by number, version 2 scores Q1 too: A 800/500 → 100 (capped), B 150/500 = 30.
    expect((await ranking(Q1, co.keys.viewer, 2)).map((c) => [c.subjectName, c.total])).toEqual([["A", 100], ["B", 30]]);
  });

  it("refuses to delete a plugin only an older version uses; a disabled plugin follows the missing-data policy", async () => {
    const del = await t.gql(`mutation { deleteMetricPlugin(key: "big_orders") }`, {}, co.keys.admin);
    expect(del.errors?.[0]?.extensions).toMatchObject({ code: "PLUGIN_IN_USE", frameworks: ["team_review"] });

    dataOf(await t.gql(`mutation { setMetricPluginEnabled(key: "big_orders", enabled: false) { enabled } }`, {}, co.keys.admin));
    const cards = await ranking(Q1, co.keys.viewer);
    // big_orders has no data: renormalise onto revenue alone. A 80, B 15.
    expect(cards.map((c) => [c.subjectName, c.total])).toEqual([["A", 80], ["B", 15]]);
    expect(cards[0]!.items[1]).toMatchObject({ id: "big_orders", score: null, weight: 0, reason: 'plugin "big_orders" is disabled' });
    dataOf(await t.gql(`mutation { setMetricPluginEnabled(key: "big_orders", enabled: true) { enabled } }`, {}, co.keys.admin));
  });

  it("re-scores history with the current plugin versions only when asked, and audits it", async () => {
    const repin = dataOf(await t.gql<{ repinFramework: { pluginPins: unknown } }>(
      `mutation { repinFramework(key: "team_review", version: 1) { pluginPins { kpi version } } }`, {}, co.keys.admin));
    expect(repin.repinFramework.pluginPins).toEqual([{ kpi: "big_orders", version: 2 }]);
    // Big orders now ≥ 300. A: 1 → 50 → (80 + 50) / 2 = 65. B: 0 → 0 → (15 + 0) / 2 = 7.5.
    expect((await ranking(Q1, co.keys.viewer)).map((c) => [c.subjectName, c.total])).toEqual([["A", 65], ["B", 7.5]]);
    const entry = await t.db.prisma.auditEntry.findFirstOrThrow({ where: { companyId: co.id, action: "framework.repin" } });
    expect(entry.details).toEqual({ version: 1, from: { big_orders: 1 }, to: { big_orders: 2 } });
  });

  it("deletes a framework, keeping its history rows", async () => {
    expect(dataOf(await t.gql<{ deleteFramework: boolean }>(`mutation { deleteFramework(key: "team_review") }`, {}, co.keys.admin)).deleteFramework).toBe(true);
    expect((await t.gql(RANKING, { p: Q1 }, co.keys.viewer)).errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    expect(dataOf(await t.gql<{ company: { frameworks: unknown[] } }>(`{ company { frameworks { key } } }`, {}, co.keys.admin)).company.frameworks).toEqual([]);
    expect(await t.db.prisma.framework.count({ where: { companyId: co.id, key: "team_review" } })).toBe(2);
    // No version can be scored any more, so the plugin may go now.
    expect(dataOf(await t.gql<{ deleteMetricPlugin: boolean }>(`mutation { deleteMetricPlugin(key: "big_orders") }`, {}, co.keys.admin)).deleteMetricPlugin).toBe(true);
    const actions = (await t.db.prisma.auditEntry.findMany({ where: { companyId: co.id, action: { startsWith: "framework." } }, orderBy: { at: "asc" } })).map((a) => a.action);
    expect(actions).toEqual(["framework.create", "framework.publish", "framework.update", "framework.publish", "framework.repin", "framework.delete"]);
  });
});
