import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type App } from "../../src/server.js";
import { createCompany, createTestApp, dataOf, type TestApp, type TestCompany } from "../helpers/app.js";
import { TEST_DB } from "../helpers/database.js";
import { rowCounts } from "../auth/support.js";

// The cost limit counts a customer-level ranking by the number of customers it
// scores. Before, 60 aliased rankings were costed 20 × max(teams, members) each
// and ran; now each distinct ranking costs items × subjects of its level.
describe(`cost of framework rankings (${TEST_DB})`, () => {
  let t: TestApp;
  let co: TestCompany;
  let app: App;
  const CUSTOMERS = 300;
  const LIMIT = 5_000;

  beforeAll(async () => {
    t = await createTestApp();
    co = await createCompany(t.db, "costco");
    const team = await t.db.prisma.team.create({ data: { companyId: co.id, name: "Only team" } });
    await t.db.prisma.member.create({ data: { companyId: co.id, teamId: team.id, name: "Only member" } });
    await t.db.prisma.customer.createMany({ data: Array.from({ length: CUSTOMERS }, (_, i) => ({ companyId: co.id, name: `c${i}`, ownerTeamId: team.id })) });
    const fw = {
      key: "cust_fw", name: "Customers", level: "customer",
      items: [{ kpi: "revenue", weight: 1, score: { method: "target", target: 100, worst: 0 } }, { kpi: "average_order_value", weight: 1, score: { method: "target", target: 2, worst: 0 } }],
    };
    dataOf(await t.gql(`mutation($d: JSON!) { createFramework(document: $d, effectiveFrom: "2000-01-01T00:00:00Z") { key } }`, { d: fw }, co.keys.admin));
    app = createApp({ db: t.db, graphiql: false, limits: { metricValues: LIMIT } });
  }, 120_000);
  afterAll(() => t.close());

  async function ask(query: string) {
    const res = await app.fetch("http://yardstick.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${co.keys.viewer}` },
      body: JSON.stringify({ query }),
    });
    return (await res.json()) as { data?: unknown; errors?: { extensions?: Record<string, unknown> }[] };
  }
  const month = (i: number) => `${2020 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}-01`;
  const rankings = (n: number, distinct: boolean) =>
    `{ company { ${Array.from({ length: n }, (_, i) => `r${i}: ranking(framework: "cust_fw", period: { grain: MONTH, date: "${month(distinct ? i : 0)}" }, first: 1) { total }`).join(" ")} } }`;

  it("refuses 60 aliased customer rankings over 60 months before running them: 60 × 2 items × 300 customers", async () => {
    const before = await rowCounts(t.db, co.id);
    const statements = t.db.statements.count;
    const res = await ask(rankings(60, true));
    // 60 rankings × 2 items × 300 customers = 36,000 values (the old count: 60 × 20 × max(1 team, 1 member) = 1,200, under the limit).
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: "COST_LIMIT", cost: 36_000, limit: LIMIT });
    expect(res.data ?? null).toBeNull();
    // Nothing was scored: only the key check (key, company, last use) and the subject and framework
    // lookups ran (7 here; one scored ranking alone issues more than that).
    expect(t.db.statements.count - statements).toBeLessThanOrEqual(10);
    expect(await rowCounts(t.db, co.id)).toEqual(before);
  });

  it("runs one customer ranking (2 × 300 = 600 values), and the same ranking asked 60 times costs it once", async () => {
    const one = await ask(rankings(1, true));
    expect(one.errors ?? []).toEqual([]);
    const same = await ask(rankings(60, false));
    expect(same.errors ?? []).toEqual([]);
  });

  it("counts 9 distinct customer rankings as 9 × 600 = 5,400 > 5,000, 8 as 4,800 (allowed)", async () => {
    expect((await ask(rankings(9, true))).errors?.[0]?.extensions).toMatchObject({ code: "COST_LIMIT", cost: 5_400 });
    expect((await ask(rankings(8, true))).errors ?? []).toEqual([]);
  });
});
