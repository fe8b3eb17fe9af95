import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCompany, createTestApp, type TestApp, type TestCompany } from "../helpers/app.js";
import { TEST_DB } from "../helpers/database.js";

// Issue 15 item 5: a value that fails (a formula limit, an unknown key, a disabled plugin) is an
// error on that value's path; the rest of the answer comes back.
describe(`one failing value fails alone (${TEST_DB})`, () => {
  let t: TestApp;
  let co: TestCompany;

  // Loops only where the company has more than one order in the period: the registration dry
  // run (this month, no orders) passes, March (two orders) hits the step budget.
  const trap = {
    key: "trap",
    name: "Trap",
    unit: "count",
    subjects: ["company"],
    measures: { n: { source: "orders", aggregate: "count" } },
    formula: "n > 1 ? ($f := function($x) { $f($x + 1) }; $f(0)) : n",
    score: { method: "target", target: 1 },
  };

  beforeAll(async () => {
    t = await createTestApp();
    co = await createCompany(t.db, "blast");
    const p = t.db.prisma;
    const c = await p.customer.create({ data: { companyId: co.id, name: "c", acquiredAt: new Date("2026-01-01T00:00:00Z") } });
    for (const [amount, at] of [["100.00", "2026-03-03T00:00:00Z"], ["50.00", "2026-03-20T00:00:00Z"]] as const) {
      await p.order.create({ data: { companyId: co.id, customerId: c.id, amount, product: "p", category: "c", channel: "web", at: new Date(at) } });
    }
    const reg = await t.gql(`mutation($d: JSON!) { registerMetricPlugin(document: $d) { key } }`, { d: trap }, co.keys.admin);
    expect(reg.errors).toBeUndefined();
    const other = { ...trap, key: "gone", formula: "n * 2" };
    expect((await t.gql(`mutation($d: JSON!) { registerMetricPlugin(document: $d) { key } }`, { d: other }, co.keys.admin)).errors).toBeUndefined();
    expect((await t.gql(`mutation { setMetricPluginEnabled(key: "gone", enabled: false) { enabled } }`, {}, co.keys.admin)).errors).toBeUndefined();
  });
  afterAll(() => t.close());

  it("returns the good values and one error per failing value, each with its path", async () => {
    const res = await t.gql<{
      company: {
        metrics: ({ key: string; value: number | null; unit: string } | null)[];
        trend: { value: number | null }[];
        kpis: { revenue: { value: number } };
      };
    }>(
      `{ company {
          metrics(keys: ["revenue", "trap", "no_such_kpi", "gone"], period: { grain: MONTH, date: "2026-03-01" }) { key unit value }
          trend(key: "trap", grain: MONTH, last: 3, until: "2026-03-31") { value }
          kpis { revenue(period: { grain: MONTH, date: "2026-03-01" }) { value } } } }`,
      {},
      co.keys.viewer,
    );
    const company = res.data!.company;
    // revenue, March: 100 + 50 = 150
    expect(company.metrics[0]).toEqual({ key: "revenue", unit: "CURRENCY", value: 150 });
    // The failing formula's item keeps its key and unit; only its value is null.
    expect(company.metrics[1]).toEqual({ key: "trap", unit: "COUNT", value: null });
    // Unknown and disabled keys: the item is null.
    expect(company.metrics[2]).toBeNull();
    expect(company.metrics[3]).toBeNull();
    // January and February have no orders (n = 0 → 0); March loops.
    expect(company.trend).toEqual([{ value: 0 }, { value: 0 }, { value: null }]);
    expect(company.kpis.revenue.value).toBe(150);
    const byPath = Object.fromEntries((res.errors ?? []).map((e) => [e.path?.join("."), e.extensions?.code]));
    expect(byPath).toEqual({
      "company.metrics.1.value": "FORMULA_LIMIT",
      "company.metrics.2": "UNKNOWN_METRIC",
      "company.metrics.3": "UNKNOWN_METRIC",
      "company.trend.2.value": "FORMULA_LIMIT",
    });
  });
});
