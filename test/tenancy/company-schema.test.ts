import { buildSchema, isObjectType } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCompany, createTestApp, dataOf, type TestApp, type TestCompany } from "../helpers/app.js";
import { TEST_DB } from "../helpers/database.js";

// Query.companySchema: the caller's own SDL for code generators, with its typed
// KPI fields — and only its own.
describe(`per-company SDL for codegen (${TEST_DB})`, () => {
  let t: TestApp;
  let a: TestCompany;
  let b: TestCompany;
  const sdlOf = async (key: string) => dataOf(await t.gql<{ companySchema: string }>("{ companySchema }", {}, key)).companySchema;

  beforeAll(async () => {
    t = await createTestApp();
    a = await createCompany(t.db, "sdl-a");
    b = await createCompany(t.db, "sdl-b");
    const doc = {
      key: "big_orders", name: "Big orders", unit: "count", subjects: ["company", "team"],
      measures: { big: { source: "orders", aggregate: "count", where: { amount: { gte: 100 } } } }, formula: "big",
    };
    dataOf(await t.gql(`mutation($d: JSON!) { registerMetricPlugin(document: $d) { key } }`, { d: doc }, a.keys.admin));
  });
  afterAll(() => t?.close());

  it("gives a viewer its company's schema, tenant KPI fields included, as SDL a generator can load", async () => {
    const sdl = await sdlOf(a.keys.viewer);
    const schema = buildSchema(sdl);
    const kpis = schema.getType("Company")!;
    expect(isObjectType(kpis)).toBe(true);
    const kpisType = schema.getType((isObjectType(kpis) ? kpis.getFields().kpis!.type.toString() : "").replace(/!$/, ""));
    expect(isObjectType(kpisType) && Object.keys(kpisType.getFields())).toContain("bigOrders");
    // The shared types are all there too.
    expect(schema.getQueryType()!.getFields().companySchema).toBeDefined();
  });

  it("does not show one company's KPI fields to another", async () => {
    const sdl = await sdlOf(b.keys.viewer);
    expect(sdl).not.toMatch(/bigOrders/);
    expect(sdl).toMatch(/revenue/); // built-ins are everyone's
  });

  it("needs a key", async () => {
    const res = await t.gql("{ companySchema }", {}, null);
    expect(res.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});
