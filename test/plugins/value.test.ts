import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApp, TestCompany } from "../helpers/app.js";
import { companyFixture } from "../helpers/company-fixture.js";
import { TEST_DB } from "../helpers/database.js";
import { readFileSync } from "node:fs";
import { createMetricSession } from "../../src/metrics/engine.js";
import { resolvePeriod } from "../../src/metrics/period.js";
import { BUILT_IN_DIR, catalogOf, registerPlugin } from "../../src/metrics/registry.js";
import { at, month, type MetricClient, type Slice, type Subjects } from "./helpers.js";

// revenue, average_order_value, sales_growth_rate, clv, cac, campaign_roi (UTC).
//
// Campaigns K1 "Spring", K2 "Expo". Customers:
//   c1 A K1 acquired 3 Mar · c2 A K1 10 Mar · c3 B K2 15 Mar · c4 A (no campaign) 5 Jan
//   c5 B (no campaign) acquired 10 Feb, churned 28 Mar
//   c6 B K2 acquired 5 Apr · c7 A K1 acquired 6 Apr
// Orders:
//   February: c4 A 200 web · c5 B 100 store                                     = 300
//   March:    c1 A 100 web · c1 A 300 store · c2 A 150 web · c3 B 500 store · c4 A 250 web = 1300 (5 orders, 4 buyers)
//   April:    c1 A 1000 web (10 Apr) · c6 B 300 web (12 Apr) · c7 A 700 web (15 Apr)
// Costs:
//   March: K1 marketing 600 (A) · sales 300 (A, no campaign) · K2 marketing 400 (B) · overhead 999 (no campaign)
//   February: K1 marketing 1000 (A) · April: K2 marketing 200 (B)
describe(`value plugins (${TEST_DB})`, () => {
  let t: TestApp;
  let co: TestCompany;
  let m: MetricClient;
  let ids: Subjects;
  let k1: string;
  let k2: string;
  const march = month("2026-03-01");
  const byKey = (slices: Slice[]) => Object.fromEntries(slices.map((s) => [s.key, s.value]));

  beforeAll(async () => {
    const f = await companyFixture({ slug: "value", timeZone: "UTC", teams: ["A", "B"] });
    ({ t, co } = f);
    const p = f.prisma;
    const { A: teamA, B: teamB } = f.teams as Record<"A" | "B", string>;
    k1 = (await p.campaign.create({ data: { companyId: co.id, name: "Spring", channel: "email", startsAt: at("2026-02-15T00:00:00") } })).id;
    k2 = (await p.campaign.create({ data: { companyId: co.id, name: "Expo", channel: "event", startsAt: at("2026-03-01T00:00:00") } })).id;
    const cust = async (name: string, ownerTeamId: string, campaignId: string | null, acquired: string, churned?: string) =>
      (await p.customer.create({
        data: { companyId: co.id, name, ownerTeamId, campaignId, acquiredAt: at(acquired), churnedAt: churned ? at(churned) : null },
      })).id;
    const c1 = await cust("c1", teamA, k1, "2026-03-03T00:00:00");
    const c2 = await cust("c2", teamA, k1, "2026-03-10T00:00:00");
    const c3 = await cust("c3", teamB, k2, "2026-03-15T00:00:00");
    const c4 = await cust("c4", teamA, null, "2026-01-05T00:00:00");
    const c5 = await cust("c5", teamB, null, "2026-02-10T00:00:00", "2026-03-28T00:00:00");
    const c6 = await cust("c6", teamB, k2, "2026-04-05T00:00:00");
    const c7 = await cust("c7", teamA, k1, "2026-04-06T00:00:00");
    type OrderRow = [customerId: string, teamId: string, amount: string, channel: string, when: string];
    const orders: OrderRow[] = [
      [c4, teamA, "200.00", "web", "2026-02-12T10:00:00"],
      [c5, teamB, "100.00", "store", "2026-02-20T10:00:00"],
      [c1, teamA, "100.00", "web", "2026-03-05T10:00:00"],
      [c1, teamA, "300.00", "store", "2026-03-20T10:00:00"],
      [c2, teamA, "150.00", "web", "2026-03-12T10:00:00"],
      [c3, teamB, "500.00", "store", "2026-03-18T10:00:00"],
      [c4, teamA, "250.00", "web", "2026-03-25T10:00:00"],
      [c1, teamA, "1000.00", "web", "2026-04-10T10:00:00"],
      [c6, teamB, "300.00", "web", "2026-04-12T10:00:00"],
      [c7, teamA, "700.00", "web", "2026-04-15T10:00:00"],
    ];
    await p.order.createMany({
      data: orders.map(([customerId, teamId, amount, channel, when]) => ({
        companyId: co.id, customerId, teamId, amount, channel, product: "p", category: "c", at: at(when),
      })),
    });
    type CostRow = [campaignId: string | null, teamId: string, kind: string, amount: string, when: string];
    const costs: CostRow[] = [
      [k1, teamA, "marketing", "600.00", "2026-03-01T00:00:00"],
      [null, teamA, "sales", "300.00", "2026-03-15T00:00:00"],
      [k2, teamB, "marketing", "400.00", "2026-03-02T00:00:00"],
      [null, teamA, "overhead", "999.00", "2026-03-10T00:00:00"],
      [k1, teamA, "marketing", "1000.00", "2026-02-20T00:00:00"],
      [k2, teamB, "marketing", "200.00", "2026-04-02T00:00:00"],
    ];
    await p.campaignCost.createMany({
      data: costs.map(([campaignId, teamId, kind, amount, when]) => ({ companyId: co.id, campaignId, teamId, kind, amount, at: at(when) })),
    });
    m = f.metrics;
    ids = await f.subjects();
  });
  afterAll(() => t.close());

  it("revenue: sum of order amounts", async () => {
    // March 100 + 300 + 150 + 500 + 250 = 1300; February 200 + 100 = 300. Team A: 100 + 300 + 150 + 250 = 800.
    expect(await m.company("revenue", march)).toMatchObject({ value: 1300, previous: 300 });
    expect((await m.of(ids.teams.A!, "revenue", march)).value).toBe(800);
  });

  it("average_order_value: revenue / orders", async () => {
    // March: 1300 / 5 = 260. Team A: 800 / 4 = 200; team B: 500 / 1 = 500; customer c1: (100 + 300) / 2 = 200.
    expect((await m.company("average_order_value", march)).value).toBe(260);
    expect((await m.of(ids.teams.A!, "average_order_value", march)).value).toBe(200);
    expect((await m.of(ids.teams.B!, "average_order_value", march)).value).toBe(500);
    expect((await m.of(ids.customers.c1!, "average_order_value", march)).value).toBe(200);
    // January: 0 orders → null.
    const jan = await m.company("average_order_value", month("2026-01-01"));
    expect(jan.value).toBeNull();
    expect(jan.reason).toMatch(/zero denominator/);
  });

  it("sales_growth_rate: (this period − previous) / previous, per slice too", async () => {
    // (1300 − 300) / 300 × 100 = 333.3333. Score: target 10, worst −10 → 100.
    expect(await m.company("sales_growth_rate", march)).toMatchObject({ value: 333.3333, score: 100 });
    // Team A: (800 − 200) / 200 × 100 = 300; team B: (500 − 100) / 100 × 100 = 400.
    expect((await m.of(ids.teams.A!, "sales_growth_rate", march)).value).toBe(300);
    expect((await m.of(ids.teams.B!, "sales_growth_rate", march)).value).toBe(400);
    // By channel, each against its own February: store (300 + 500 − 100) / 100 = 700 %; web (100 + 150 + 250 − 200) / 200 = 150 %.
    expect((await m.breakdown("sales_growth_rate", march, "CHANNEL")).map((s) => [s.key, s.value])).toEqual([
      ["store", 700],
      ["web", 150],
    ]);
    // February against January (no revenue) → 0 denominator → null.
    const feb = await m.company("sales_growth_rate", month("2026-02-01"));
    expect(feb.value).toBeNull();
    expect(feb.reason).toMatch(/zero denominator/);
  });

  it("clv: average purchase × purchases per buyer per year × lifespan, over the trailing 365 days", async () => {
    // March ends 2026-04-01: the 365 days [2025-04-01, 2026-04-01) hold February's and March's orders:
    // revenue 300 + 1300 = 1600, 7 orders, 5 buyers (c1–c5). Average purchase 1600 / 7 = 228.5714; purchases per buyer
    // per year 7 / 5 = 1.4; lifespan 3 → 228.5714 × 1.4 × 3 = 960.
    // February ends 2026-03-01: [2025-03-01, 2026-03-01) → 300 / 2 × 2 / 2 × 3 = 450.
    expect(await m.company("clv", march)).toMatchObject({ value: 960, previous: 450 });
    // The quarter and the last day of March end on the same day: the same 365 days, the same value.
    expect((await m.company("clv", { grain: "QUARTER", date: "2026-01-01" })).value).toBe(960);
    expect((await m.company("clv", { grain: "DAY", date: "2026-03-31" })).value).toBe(960);
    // Customer c1: 400 / 2 × 2 / 1 × 3 = 1200. Team B: c5 100 (February) + c3 500 → 600 / 2 × 2 / 2 × 3 = 900.
    expect((await m.of(ids.customers.c1!, "clv", march)).value).toBe(1200);
    expect((await m.of(ids.teams.B!, "clv", march)).value).toBe(900);
    // January ends 2026-02-01: [2025-02-01, 2026-02-01) holds no order → null.
    expect((await m.company("clv", month("2026-01-01"))).value).toBeNull();
  });

  it("clv with a gross margin and params.lifespanFromChurn = 1 (engine, a company variant)", async () => {
    // The built-in's params cannot be changed per request, so register a variant the way a company would.
    const doc = JSON.parse(readFileSync(`${BUILT_IN_DIR}/clv.json`, "utf8")) as { key: string; params: Record<string, number> };
    doc.key = "clv_margin_churn";
    doc.params.lifespanFromChurn = 1;
    doc.params.grossMargin = 0.5;
    const session = createMetricSession({
      sql: t.db.sql,
      companyId: co.id,
      catalog: catalogOf(new Map([[doc.key, registerPlugin(doc, { builtIn: false, version: 1 })]])),
    });
    // March 2026: nobody was active on 2025-04-01 (the window's start) → no churn rate → lifespan 3 → 960 × 0.5 = 480.
    const mar = await session.value("clv_margin_churn", "company", null, resolvePeriod({ grain: "month", date: "2026-03-01" }, "UTC"));
    expect(mar.value).toBe(480);
    // January 2027 ends 2027-02-01: [2026-02-01, 2027-02-01) holds all 10 orders: 300 + 1300 + 2000 = 3600, 7 buyers.
    // Active on 2026-02-01: c4 = 1; churned in the window: c5 = 1 → annual churn 1 / 1 → lifespan 1 year.
    // CLV = 3600 / 10 × 10 / 7 × 1 × 0.5 = 257.1429.
    const jan = await session.value("clv_margin_churn", "company", null, resolvePeriod({ grain: "month", date: "2027-01-01" }, "UTC"));
    expect(jan.value).toBeCloseTo(257.1429, 4);
  });

  it("cac: (marketing + sales cost) / customers acquired, also per campaign", async () => {
    // March cost: 600 + 300 + 400 = 1300 (overhead 999 is neither marketing nor sales); acquired c1, c2, c3 = 3
    // → 433.3333. February: 1000 / c5 = 1000.
    expect(await m.company("cac", march)).toMatchObject({ value: 433.3333, previous: 1000 });
    // Team A: (600 + 300) / c1, c2 = 450; team B: 400 / c3 = 400.
    expect((await m.of(ids.teams.A!, "cac", march)).value).toBe(450);
    expect((await m.of(ids.teams.B!, "cac", march)).value).toBe(400);
    // By campaign, keyed by name: Spring (K1) 600 / 2 = 300; Expo (K2) 400 / 1 = 400; no campaign ("") 300 / 0 acquired → null.
    expect(byKey(await m.breakdown("cac", march, "CAMPAIGN"))).toEqual({ Spring: 300, Expo: 400, "": null });
  });

  it("campaign_roi: revenue of the customers each campaign acquired (attribution window) against its own cost", async () => {
    // March: K1 acquired c1 (3 Mar) and c2 (10 Mar); their orders within 180 days: c1 100 + 300 + 1000 (10 Apr, after
    // March but inside the window), c2 150 = 1550; cost 600 → (1550 − 600) / 600 × 100 = 158.3333.
    // K2 acquired c3 (15 Mar): 500; cost 400 → (500 − 400) / 400 × 100 = 25. Slices are keyed by campaign name.
    expect(byKey(await m.breakdown("campaign_roi", march, "CAMPAIGN"))).toEqual({ Spring: 158.3333, Expo: 25 });
    // Company: both campaigns had cost in March → (1550 + 500 − 1000) / 1000 × 100 = 105; c4's 250 has no campaign.
    expect((await m.company("campaign_roi", march)).value).toBe(105);
    // April: only K2 spent (200); it acquired c6 (300 within the window) → (300 − 200) / 200 × 100 = 50. K1 acquired c7
    // (700) but spent nothing in April: left out of the company value and of the slices (no −∞, no null slice).
    expect((await m.company("campaign_roi", month("2026-04-01"))).value).toBe(50);
    expect(byKey(await m.breakdown("campaign_roi", month("2026-04-01"), "CAMPAIGN"))).toEqual({ Expo: 50 });
    // February: K1 spent 1000 and acquired nobody → (0 − 1000) / 1000 × 100 = −100.
    expect((await m.company("campaign_roi", month("2026-02-01"))).value).toBe(-100);
    // Team B in March: K2's cost (B) 400 against c3 (owned by B) 500 → 25.
    expect((await m.of(ids.teams.B!, "campaign_roi", march)).value).toBe(25);
  });
});
