import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetricSession, type MetricSession } from "../../src/metrics/engine.js";
import { resolvePeriod } from "../../src/metrics/period.js";
import { catalogOf, registerPlugin, type RegisteredPlugin } from "../../src/metrics/registry.js";
import { validatePlugin } from "../../src/metrics/validate.js";
import { createCompany, createTestApp, type TestApp, type TestCompany } from "../helpers/app.js";
import { TEST_DB } from "../helpers/database.js";
import { at } from "../plugins/helpers.js";

// The three measure shapes beyond "rows in the period": trailing windows, cohorts and
// nested aggregates, on a fixture small enough to count by hand (UTC).
//
// Customers: a acquired 2025-06-01 · b 2025-11-15 · c 2026-03-10 (campaign K)
// Orders:    a 2025-07-01 100 · a 2026-01-10 200 · a 2026-03-05 300
//            b 2025-12-01 50
//            c 2026-03-12 400 · c 2026-03-20 100 · c 2026-06-20 1000 (102 days after its acquisition)
// Opportunities (customer a), with the member who held each stage entry:
//   o1 lead 2026-03-02 (M1) → qualified 2026-03-20 (M1) → won 2026-04-15 (M1)
//   o2 lead 2026-03-05 (M1) → lost 2026-03-25 (M1)
//   o3 lead 2026-02-10 (M1) → qualified 2026-03-03 (M1) → proposal 2026-03-10 (M2: the deal moved)
const doc = (key: string, measures: Record<string, unknown>, formula: string, extra: Record<string, unknown> = {}) => ({
  key, name: key, unit: "number", subjects: ["company", "member"], measures, formula, ...extra,
});

const PLUGINS = [
  doc("trailing_revenue", {
    revenue: { source: "orders", aggregate: "sum", field: "amount", window: { days: 365 } },
    orders: { source: "orders", aggregate: "count", window: { days: "params.days" } },
    buyers: { source: "orders", aggregate: "countDistinct", field: "customerId", window: { days: 365 } },
  }, "{ 'value': revenue, 'label': $string(orders) & '/' & $string(buyers) }", { params: { days: 365 } }),
  doc("repeat_share", {
    repeaters: { source: "orders", aggregate: "count", per: "customer", having: { gte: "params.minOrders" } },
    buyers: { source: "orders", aggregate: "count", per: "customer" },
  }, "buyers = 0 ? null : repeaters / buyers * 100", { params: { minOrders: 2 } }),
  doc("repeat_share_year", {
    repeaters: { source: "orders", aggregate: "count", per: "customer", having: { gte: 2 }, window: { days: 365 } },
    medianSpend: { source: "orders", aggregate: "sum", field: "amount", per: "customer", over: "percentile", percentile: 0.5, window: { days: 365 } },
  }, "{ 'value': repeaters, 'label': $string(medianSpend) }"),
  doc("lead_to_won", {
    won: { source: "opportunityStages", aggregate: "countDistinct", field: "opportunityId", where: { stage: "won" }, cohort: { source: "opportunityStages", where: { stage: "lead" }, by: "opportunity" } },
    wonIn30: { source: "opportunityStages", aggregate: "countDistinct", field: "opportunityId", where: { stage: "won" }, cohort: { source: "opportunityStages", where: { stage: "lead" }, by: "opportunity", within: { days: 30 } } },
    leads: { source: "opportunityStages", aggregate: "countDistinct", field: "opportunityId", where: { stage: "lead" } },
  }, "leads = 0 ? null : { 'value': won / leads * 100, 'label': $string(wonIn30) }"),
  doc("qualified_to_proposal", {
    reached: { source: "opportunityStages", aggregate: "countDistinct", field: "opportunityId", where: { stage: "proposal" }, cohort: { source: "opportunityStages", where: { stage: "qualified" }, by: "opportunity" } },
    qualified: { source: "opportunityStages", aggregate: "countDistinct", field: "opportunityId", where: { stage: "qualified" } },
  }, "qualified = 0 ? null : reached / qualified * 100"),
  doc("acquired_revenue", {
    revenue: { source: "orders", aggregate: "sum", field: "amount", cohort: { source: "customers", time: "acquiredAt", by: "customer", within: { days: "params.attributionDays" } } },
  }, "revenue", { params: { attributionDays: 90 } }),
];

describe("validation of windows, cohorts and nested aggregates", () => {
  it("accepts every fixture plugin", () => {
    for (const d of PLUGINS) {
      const r = validatePlugin(d);
      expect(r.ok ? [] : r.issues, d.key).toEqual([]);
    }
  });

  it("reports each misuse with its path", () => {
    const r = validatePlugin(doc("bad", {
      a: { source: "orders", aggregate: "count", window: { days: "params.nope" } },
      b: { source: "orders", aggregate: "count", having: { gte: 2 } },
      c: { source: "campaignCosts", aggregate: "count", per: "customer" },
      d: { source: "orders", aggregate: "count", cohort: { source: "opportunities", by: "opportunity", time: "at" } },
      e: { source: "orders", aggregate: "count", per: "customer", over: "percentile" },
    }, "a + b + c + d + e", { subjects: ["company"] }));
    expect(r.ok).toBe(false);
    const paths = r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
    expect(paths).toEqual(expect.arrayContaining([
      "measures.a.window.days: params.nope is not one of the plugin's params",
      "measures.b.having: having needs per (the entity whose value it bounds)",
      "measures.c.per: campaignCosts rows do not name a customer",
      "measures.d.cohort.time: \"at\" is not a time field of opportunities; use one of createdAt, closedAt",
      "measures.d.cohort.by: orders rows do not name a opportunity",
      "measures.e.percentile: over: percentile needs a fraction between 0 and 1",
    ]));
    // A format error (a window of 0 days) is reported with its path before the catalogue checks.
    const zero = validatePlugin(doc("zero", { f: { source: "orders", aggregate: "count", window: { days: 0 } } }, "f"));
    expect(zero.ok ? [] : zero.issues.map((i) => i.path)).toEqual(["measures.f.window.days"]);
  });
});

describe(`windows, cohorts and nested aggregates on ${TEST_DB}`, () => {
  let t: TestApp;
  let co: TestCompany;
  let session: MetricSession;
  let m1: string;
  let m2: string;
  const p = (grain: "day" | "month" | "quarter" | "year", date: string) => resolvePeriod({ grain, date }, "UTC");

  beforeAll(async () => {
    t = await createTestApp();
    co = await createCompany(t.db, "format", { timeZone: "UTC" });
    const db = t.db.prisma;
    const team = (await db.team.create({ data: { companyId: co.id, name: "T" } })).id;
    m1 = (await db.member.create({ data: { companyId: co.id, teamId: team, name: "M1" } })).id;
    m2 = (await db.member.create({ data: { companyId: co.id, teamId: team, name: "M2" } })).id;
    const campaign = (await db.campaign.create({ data: { companyId: co.id, name: "K", channel: "email", startsAt: at("2026-03-01T00:00:00") } })).id;
    const cust = async (name: string, acquired: string, campaignId: string | null = null) =>
      (await db.customer.create({ data: { companyId: co.id, name, ownerTeamId: team, ownerMemberId: m1, campaignId, acquiredAt: at(acquired) } })).id;
    const a = await cust("a", "2025-06-01T00:00:00");
    const b = await cust("b", "2025-11-15T00:00:00");
    const c = await cust("c", "2026-03-10T00:00:00", campaign);
    const orders: [string, string, string][] = [
      [a, "100", "2025-07-01"], [a, "200", "2026-01-10"], [a, "300", "2026-03-05"], [b, "50", "2025-12-01"],
      [c, "400", "2026-03-12"], [c, "100", "2026-03-20"], [c, "1000", "2026-06-20"],
    ];
    await db.order.createMany({
      data: orders.map(([customerId, amount, day]) => ({ companyId: co.id, customerId, teamId: team, memberId: m1, amount, product: "p", category: "c", channel: "web", at: at(`${day}T10:00:00`) })),
    });
    const opp = async (name: string, created: string, stages: [string, number, string, string][]) => {
      const o = await db.opportunity.create({ data: { companyId: co.id, customerId: a, teamId: team, memberId: m1, name, value: "100", stage: stages.at(-1)![0], createdAt: at(`${created}T09:00:00`) } });
      await db.opportunityStage.createMany({
        data: stages.map(([stage, stageOrder, day, memberId]) => ({ companyId: co.id, opportunityId: o.id, customerId: a, teamId: team, memberId, stage, stageOrder, enteredAt: at(`${day}T09:00:00`) })),
      });
    };
    await opp("o1", "2026-03-02", [["lead", 1, "2026-03-02", m1], ["qualified", 2, "2026-03-20", m1], ["won", 5, "2026-04-15", m1]]);
    await opp("o2", "2026-03-05", [["lead", 1, "2026-03-05", m1], ["lost", 0, "2026-03-25", m1]]);
    await opp("o3", "2026-02-10", [["lead", 1, "2026-02-10", m1], ["qualified", 2, "2026-03-03", m1], ["proposal", 3, "2026-03-10", m2]]);
    const own = new Map<string, RegisteredPlugin>(PLUGINS.map((d) => [d.key, registerPlugin(d, { builtIn: false, version: 1 })]));
    session = createMetricSession({ sql: t.db.sql, companyId: co.id, catalog: catalogOf(own) });
  });
  afterAll(() => t.close());

  it("a trailing window is the same for every period ending on the same day", async () => {
    // 365 days ending 2026-04-01: [2025-04-01, 2026-04-01) holds all orders but c's June one:
    // 100 + 200 + 300 + 50 + 400 + 100 = 1150, 6 orders, 3 buyers.
    for (const period of [p("month", "2026-03-01"), p("quarter", "2026-01-01"), p("day", "2026-03-31")]) {
      expect(await session.value("trailing_revenue", "company", null, period)).toMatchObject({ value: 1150, label: "6/3" });
    }
    // February ends 2026-03-01: [2025-03-01, 2026-03-01) → a 100 + 200, b 50 = 350, 3 orders, 2 buyers.
    expect(await session.value("trailing_revenue", "company", null, p("month", "2026-02-01"))).toMatchObject({ value: 350, label: "3/2" });
  });

  it("a trend of trailing windows (overlapping windows in one statement)", async () => {
    // Month ends 2026-02-01: a 100 + 200, b 50 = 350 · 2026-03-01: 350 · 2026-04-01: 1150.
    const points = await session.trend("trailing_revenue", "company", null, "month", 3, p("month", "2026-03-01").start);
    expect(points.map((x) => x.value)).toEqual([350, 350, 1150]);
  });

  it("nested aggregates: customers by their own order count and spend", async () => {
    // March: a 1 order, c 2 orders → 1 repeat buyer of 2 buyers = 50 %.
    expect((await session.value("repeat_share", "company", null, p("month", "2026-03-01"))).value).toBe(50);
    // January: a 1 order → 0 of 1 = 0 %; no order in 2025-10 → 0 buyers → null.
    expect((await session.value("repeat_share", "company", null, p("month", "2026-01-01"))).value).toBe(0);
    expect((await session.value("repeat_share", "company", null, p("month", "2025-10-01"))).value).toBeNull();
    // Trailing year to 2026-04-01: a 3 orders (600), b 1 (50), c 2 (500) → 2 repeat buyers; median spend 500.
    expect(await session.value("repeat_share_year", "company", null, p("month", "2026-03-01"))).toMatchObject({ value: 2, label: "500" });
  });

  it("cohort: leads of the period followed to won whenever it happened", async () => {
    // Leads entered in March: o1, o2 = 2. o1 was won on 15 April (after March) → 1 / 2 = 50 %.
    // Within 30 days of the lead: o1 took 44 days → 0.
    expect(await session.value("lead_to_won", "company", null, p("month", "2026-03-01"))).toMatchObject({ value: 50, label: "0" });
    // April: no lead entered → null (by entry month, the won in April is March's).
    expect((await session.value("lead_to_won", "company", null, p("month", "2026-04-01"))).value).toBeNull();
  });

  it("cohort: a stage reached under another member counts for the member who had the entry", async () => {
    // Qualified in March: o1, o3 (both M1) = 2; o3 then reached proposal (under M2) → 1 / 2 = 50 %.
    expect((await session.value("qualified_to_proposal", "company", null, p("month", "2026-03-01"))).value).toBe(50);
    // M1: 1 / 2 = 50; M2 entered no qualified → null, not 1 / 0 (counted in the same period, M2 would be 100 % of nothing).
    expect((await session.value("qualified_to_proposal", "member", m1, p("month", "2026-03-01"))).value).toBe(50);
    expect((await session.value("qualified_to_proposal", "member", m2, p("month", "2026-03-01"))).value).toBeNull();
    const peers = await session.peerValues("qualified_to_proposal", "member", p("month", "2026-03-01"));
    expect(peers.get(m1)).toBe(50);
  });

  it("cohort with a parameter window: revenue of the customers acquired in the period, for 90 days", async () => {
    // Acquired in March: c (10 March). Its orders 12 and 20 March (400 + 100) are within 90 days; 20 June (102 days) is not → 500.
    expect((await session.value("acquired_revenue", "company", null, p("month", "2026-03-01"))).value).toBe(500);
    // A quarter holds the same cohort → 500; June acquires nobody → 0.
    expect((await session.value("acquired_revenue", "company", null, p("quarter", "2026-01-01"))).value).toBe(500);
    expect((await session.value("acquired_revenue", "company", null, p("month", "2026-06-01"))).value).toBe(0);
  });
});
