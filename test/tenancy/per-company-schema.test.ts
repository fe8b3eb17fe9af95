import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type App } from "../../src/server.js";
import { createCompany, dataOf, type GraphQLResponse, type TestCompany } from "../helpers/app.js";
import { openTestDatabase, TEST_DB, type TestDatabase } from "../helpers/database.js";

// Two companies register a plugin with the SAME key and different formulas:
// each sees its own typed field and values — also after its schema was evicted
// and rebuilt, and while one of them updates its plugin under concurrent load.
const plugin = (formula: string, measures: Record<string, unknown>) => ({
  key: "my_kpi",
  name: "My KPI",
  unit: "number",
  subjects: ["company", "team"],
  measures,
  formula,
});
// A counts orders × 10; B sums order amounts.
const A_DOC = plugin("n * 10", { n: { source: "orders", aggregate: "count" } });
const B_DOC = plugin("total", { total: { source: "orders", aggregate: "sum", field: "amount" } });
const A_DOC_V2 = plugin("n * 1000", { n: { source: "orders", aggregate: "count" } });

describe(`per-company schemas (${TEST_DB})`, () => {
  let db: TestDatabase;
  let app: App;
  let a: TestCompany;
  let b: TestCompany;
  let c: TestCompany;

  async function gql<T>(query: string, key: string, variables: Record<string, unknown> = {}): Promise<GraphQLResponse<T>> {
    const res = await app.fetch("http://yardstick.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as GraphQLResponse<T>;
  }
  const KPI = `{ company { kpis { myKpi(period: { grain: MONTH, date: "2026-03-01" }) { value } revenue(period: { grain: MONTH, date: "2026-03-01" }) { value } } } }`;
  const valueOf = async (key: string) => dataOf(await gql<{ company: { kpis: { myKpi: { value: number } } } }>(KPI, key)).company.kpis.myKpi.value;

  beforeAll(async () => {
    db = await openTestDatabase();
    // Room for ONE company's schema and catalogue: alternating companies evicts and rebuilds.
    app = createApp({ db, graphiql: false, catalogCacheSize: 1, schemaCacheSize: 1 });
    a = await createCompany(db, "a");
    b = await createCompany(db, "b");
    c = await createCompany(db, "c");
    for (const [co, amounts] of [[a, ["10", "20"]], [b, ["5", "7", "9"]]] as const) {
      const cust = await db.prisma.customer.create({ data: { companyId: co.id, name: "x" } });
      await db.prisma.order.createMany({
        data: amounts.map((amount) => ({ companyId: co.id, customerId: cust.id, amount, product: "p", category: "c", channel: "web", at: new Date("2026-03-05T00:00:00Z") })),
      });
    }
    const register = `mutation($d: JSON!) { registerMetricPlugin(document: $d) { version } }`;
    dataOf(await gql(register, a.keys.admin, { d: A_DOC }));
    dataOf(await gql(register, b.keys.admin, { d: B_DOC }));
  });
  afterAll(() => db.close());

  it("gives each company its own typed field for the same key", async () => {
    // A: 2 orders × 10 = 20. B: 5 + 7 + 9 = 21.
    expect(await valueOf(a.keys.viewer)).toBe(20);
    expect(await valueOf(b.keys.viewer)).toBe(21);
    const both = dataOf(await gql<{ company: { kpis: { revenue: { value: number } } } }>(KPI, a.keys.viewer));
    expect(both.company.kpis.revenue.value).toBe(30); // built-ins sit beside it: 10 + 20
  });

  it("does not show a company's field to another company", async () => {
    const res = await gql(KPI, c.keys.viewer);
    expect(res.errors?.[0]?.message).toMatch(/Cannot query field "myKpi" on type "Kpis"/);
    const intro = dataOf(await gql<{ __type: { fields: { name: string; description: string }[] } }>(`{ __type(name: "Kpis") { fields { name description } } }`, a.keys.viewer));
    expect(intro.__type.fields.find((f) => f.name === "myKpi")?.description).toMatch(/your company's plugin v1/);
  });

  it("rebuilds an evicted company's schema with the same answers", async () => {
    const before = app.caches.schemas.builds;
    for (let i = 0; i < 3; i++) {
      expect(await valueOf(a.keys.viewer)).toBe(20);
      expect(await valueOf(b.keys.viewer)).toBe(21);
    }
    // Cache of one: every switch of company rebuilt a schema.
    expect(app.caches.schemas.builds - before).toBeGreaterThanOrEqual(5);
    expect(app.caches.schemas.size).toBe(1);
  });

  it("keeps the rest of the schema working in a company's own schema (node, connections)", async () => {
    const teams = await db.prisma.team.create({ data: { companyId: a.id, name: "T" } });
    const list = dataOf(await gql<{ company: { teams: { id: string }[]; customers: { totalCount: number } } }>(
      `{ company { teams { id } customers(first: 5) { totalCount } } }`, a.keys.viewer));
    expect(list.company.customers.totalCount).toBe(1);
    const node = dataOf(await gql<{ node: { name: string; kpis: { myKpi: { value: number } } } }>(
      `query($id: ID!) { node(id: $id) { ... on Team { name kpis { myKpi(period: { grain: MONTH, date: "2026-03-01" }) { value } } } } }`,
      a.keys.viewer, { id: list.company.teams[0]!.id }));
    expect(node.node.name).toBe("T");
    expect(node.node.kpis.myKpi.value).toBe(0); // the team has no orders: 0 × 10
    await db.prisma.team.delete({ where: { id: teams.id } });
  });

  it("answers concurrent requests correctly while a company updates its plugin", async () => {
    const update = gql(`mutation($d: JSON!) { updateMetricPlugin(key: "my_kpi", document: $d) { version } }`, a.keys.admin, { d: A_DOC_V2 });
    const reads = Array.from({ length: 20 }, (_, i) => valueOf(i % 2 ? a.keys.viewer : b.keys.viewer).then((v) => [i % 2 ? "a" : "b", v] as const));
    const [updated, ...values] = await Promise.all([update, ...reads]);
    expect(updated.errors).toBeUndefined();
    for (const [who, v] of values) {
      // A sees the old (2 × 10) or the new (2 × 1000) definition, never a mix or an error; B is untouched.
      if (who === "a") expect([20, 2000]).toContain(v);
      else expect(v).toBe(21);
    }
    expect(await valueOf(a.keys.viewer)).toBe(2000);
    expect(await valueOf(b.keys.viewer)).toBe(21);
  });
});
