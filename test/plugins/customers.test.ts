import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApp, TestCompany } from "../helpers/app.js";
import { companyFixture } from "../helpers/company-fixture.js";
import { TEST_DB } from "../helpers/database.js";
import { at, month, quarter, type MetricClient, type Subjects } from "./helpers.js";

// churn_rate (with retention_rate), lifecycle_stage_distribution, churn_risk
// and rfm (UTC).
//
//      team acquired     churned      stage
//  c1  A    1 Jun 2025   —            active
//  c2  A    1 Feb 2026   10 Mar 2026  churned
//  c3  A    1 Sep 2025   —            at_risk
//  c4  B    20 Jan 2026  25 Mar 2026  churned
//  c5  B    5 Mar 2026   —            new
//  c6  B    1 Dec 2025   —            mature
//  c7  A    8 Mar 2026   28 Mar 2026  churned
//  c8  A    10 Jan 2026  20 Feb 2026  churned
//  c9  B    1 Nov 2025   —            active
//  p1  B    — (prospect) —            prospect
//
// Orders, tickets and surveys for churn_risk and rfm (Q1 2026 = 1 Jan – 1 Apr, 90 days; Q4 2025 before it):
//  c1: orders 10 Oct, 10 Nov, 10 Dec 2025 (100 each), 19 Feb 2026 (120); a question opened 10 Jan, resolved 12 Jan,
//      rated 3/5; a complaint opened 1 Mar, unresolved; CSAT 2/5 on 1 Feb.
//  c3: orders 5 Oct, 5 Nov 2025 (200 each); complaints opened 20 Jan (unresolved) and 20 Feb (resolved 10 Apr).
//  c5: order 29 Mar (350).
//  c6: order 1 Dec 2025 12:00 (100); orders 10 Jan, 25 Jan, 10 Feb, 25 Feb, 10 Mar, 25 Mar 2026 (1000 each); CSAT 5/5 on 1 Mar.
//  c9: orders 5, 10, 15, 20 Jan 2026 (500 each).
describe(`customer plugins (${TEST_DB})`, () => {
  let t: TestApp;
  let co: TestCompany;
  let m: MetricClient;
  let ids: Subjects;
  const march = month("2026-03-01");
  const q1 = quarter("2026-01-01");

  beforeAll(async () => {
    type CustRow = [name: string, team: "A" | "B", acquired: string | undefined, churned: string | undefined, stage: string];
    const custRows: CustRow[] = [
      ["c1", "A", "2025-06-01", undefined, "active"],
      ["c2", "A", "2026-02-01", "2026-03-10", "churned"],
      ["c3", "A", "2025-09-01", undefined, "at_risk"],
      ["c4", "B", "2026-01-20", "2026-03-25", "churned"],
      ["c5", "B", "2026-03-05", undefined, "new"],
      ["c6", "B", "2025-12-01", undefined, "mature"],
      ["c7", "A", "2026-03-08", "2026-03-28", "churned"],
      ["c8", "A", "2026-01-10", "2026-02-20", "churned"],
      ["c9", "B", "2025-11-01", undefined, "active"],
      ["p1", "B", undefined, undefined, "prospect"],
    ];
    const f = await companyFixture({
      slug: "customers", timeZone: "UTC", teams: ["A", "B"],
      customers: Object.fromEntries(custRows.map(([name, team, acquired, churned, lifecycleStage]) => [name, { team, acquired, churned, lifecycleStage }])),
    });
    ({ t, co } = f);
    const p = f.prisma;
    const teams = f.teams as Record<"A" | "B", string>;
    const c: Record<string, { id: string; teamId: string }> = Object.fromEntries(
      custRows.map(([name, team]) => [name, { id: f.customers[name]!, teamId: teams[team] }]),
    );
    const orders: [string, string, string][] = [
      ["c1", "2025-10-10T00:00:00", "100"], ["c1", "2025-11-10T00:00:00", "100"], ["c1", "2025-12-10T00:00:00", "100"],
      ["c1", "2026-02-19T00:00:00", "120"],
      ["c3", "2025-10-05T00:00:00", "200"], ["c3", "2025-11-05T00:00:00", "200"],
      ["c5", "2026-03-29T00:00:00", "350"],
      ["c6", "2025-12-01T12:00:00", "100"],
      ...["2026-01-10", "2026-01-25", "2026-02-10", "2026-02-25", "2026-03-10", "2026-03-25"].map(
        (d): [string, string, string] => ["c6", `${d}T00:00:00`, "1000"],
      ),
      ...["2026-01-05", "2026-01-10", "2026-01-15", "2026-01-20"].map((d): [string, string, string] => ["c9", `${d}T00:00:00`, "500"]),
    ];
    await p.order.createMany({
      data: orders.map(([name, when, amount]) => ({
        companyId: co.id, customerId: c[name]!.id, teamId: c[name]!.teamId, amount, product: "p", category: "c", channel: "web", at: at(when),
      })),
    });
    type TicketRow = [name: string, kind: string, opened: string, resolved: string | null, satisfaction: number | null];
    const tickets: TicketRow[] = [
      ["c1", "question", "2026-01-10T00:00:00", "2026-01-12T00:00:00", 3],
      ["c1", "complaint", "2026-03-01T00:00:00", null, null],
      ["c3", "complaint", "2026-01-20T00:00:00", null, null],
      ["c3", "complaint", "2026-02-20T00:00:00", "2026-04-10T00:00:00", null],
    ];
    await p.ticket.createMany({
      data: tickets.map(([name, kind, opened, resolved, satisfaction]) => ({
        companyId: co.id, customerId: c[name]!.id, teamId: c[name]!.teamId, kind, category: "general", channel: "phone",
        openedAt: at(opened), resolvedAt: resolved ? at(resolved) : null, satisfaction,
      })),
    });
    await p.surveyResponse.createMany({
      data: [
        { companyId: co.id, customerId: c.c1!.id, teamId: c.c1!.teamId, kind: "csat", score: 2, scale: 5, at: at("2026-02-01T00:00:00") },
        { companyId: co.id, customerId: c.c6!.id, teamId: c.c6!.teamId, kind: "csat", score: 5, scale: 5, at: at("2026-03-01T00:00:00") },
      ],
    });
    m = f.metrics;
    ids = await f.subjects();
  });
  afterAll(() => t.close());

  it("churn_rate: churned in the period / active at its start, = 100 − retention_rate", async () => {
    // Active at 1 March: c1, c2, c3, c4, c6, c9 = 6 (c8 left 20 Feb; c5, c7 arrive in March). Churned in March:
    // c2, c4, c7 = 3 → 3 / 6 × 100 = 50. Score: target 2, worst 10 → 0.
    // February: active at 1 Feb c1, c3, c4, c6, c8, c9 = 6 (c2 arrives at 1 Feb 00:00, not before it); churned c8
    // → 1 / 6 × 100 = 16.6667.
    expect(await m.company("churn_rate", march)).toMatchObject({ value: 50, previous: 16.6667, score: 0 });
    // Retention: active at end c1, c3, c5, c6, c9 = 5; acquired in March c5, c7 = 2 → (5 − 2) / 6 × 100 = 50 = 100 − 50.
    expect((await m.company("retention_rate", march)).value).toBe(50);
    // Team A: start c1, c2, c3 = 3; churned c2, c7 = 2 → 66.6667. Team B: start c4, c6, c9 = 3; churned c4 → 33.3333.
    expect((await m.of(ids.teams.A!, "churn_rate", march)).value).toBe(66.6667);
    expect((await m.of(ids.teams.B!, "churn_rate", march)).value).toBe(33.3333);
    // June 2025: nobody was a customer on 1 June (c1 arrives at 1 June 00:00) → 0 / 0 → null.
    const june = await m.company("churn_rate", month("2025-06-01"));
    expect(june.value).toBeNull();
    expect(june.reason).toMatch(/zero denominator/);
  });

  it("lifecycle_stage_distribution: share of active customers per stage at the period's end, read by LIFECYCLE_STAGE", async () => {
    // Active at the end of March: c1, c3, c5, c6, c9 = 5. Their stage at 1 April from the history reconstructed when
    // they were written (new at acquisition, active 90 days later, mature after a year; at_risk only from when it was
    // recorded): c1 (acquired 1 Jun 2025) active; c3 (1 Sep 2025, at_risk today) active; c5 (5 Mar 2026) new;
    // c6 (1 Dec 2025, mature today) active since 1 Mar 2026; c9 (1 Nov 2025) active
    // → active 4 / 5 = 80 %, new 20 %. Churned customers and the prospect are not active, so no "churned" slice appears.
    expect((await m.company("lifecycle_stage_distribution", march)).value).toBe(100);
    expect(await m.breakdown("lifecycle_stage_distribution", march, "LIFECYCLE_STAGE")).toEqual([
      { key: "active", value: 80, label: null, reason: null },
      { key: "new", value: 20, label: null, reason: null },
    ]);
    // Team A: c1 and c3, both active then → 100 % (c2, c7, c8 churned: not active, no slice).
    expect((await m.breakdown("lifecycle_stage_distribution", march, "LIFECYCLE_STAGE", ids.teams.A!)).map((s) => [s.key, s.value]))
      .toEqual([["active", 100]]);
  });

  it("churn_risk: weighted recency, frequency decline, open complaints and dissatisfaction", async () => {
    // c1, Q1 (90 days): recency: last order 19 Feb → 41 days before 1 Apr → 41 / 90 = 0.45556;
    // decline: Q4 3 orders → Q1 1 → (3 − 1) / 3 = 0.66667; complaints: 1 open / 2 = 0.5;
    // dissatisfaction: CSAT 2/5 = 40 and ticket rating 3 × 20 = 60 → average 50 → (100 − 50) / 100 = 0.5.
    // Risk = 100 × (0.35 × 0.45556 + 0.25 × 0.66667 + 0.2 × 0.5 + 0.2 × 0.5) / 1 = 52.6111 → medium (≥ 30, < 60).
    // Score bands: 30 ≤ 52.61 < 60 → 50.
    // Q4 2025 (92 days): last order 10 Dec → 22 days → 22 / 92; no orders in Q3 → decline 0; no complaint;
    // no rating → 0.5 → 100 × (0.35 × 22 / 92 + 0.2 × 0.5) = 18.3696.
    const c1 = await m.of(ids.customers.c1!, "churn_risk", q1);
    expect(c1.value).toBeCloseTo(52.6111, 4);
    expect(c1.label).toBe("medium");
    expect(c1.score).toBe(50);
    expect(c1.previous).toBeCloseTo(18.3696, 4);
    // c3: no order in Q1 → recency 1; Q4 2 orders → Q1 0 → decline 1; 2 complaints open at 1 Apr → 2 / 2 = 1;
    // no rating → 0.5 → 100 × (0.35 + 0.25 + 0.2 + 0.2 × 0.5) = 90 → high, score 0.
    expect(await m.of(ids.customers.c3!, "churn_risk", q1)).toMatchObject({ value: 90, label: "high", score: 0 });
    // c6: last order 25 Mar → 7 days → 7 / 90; 1 order in Q4, 6 in Q1 → no decline; no complaint; CSAT 5/5 → 0
    // → 100 × 0.35 × 7 / 90 = 2.7222 → low, score 100.
    expect(await m.of(ids.customers.c6!, "churn_risk", q1)).toMatchObject({ value: 2.7222, label: "low", score: 100 });
  });

  it("churn_risk scores only customers active at the period's end", async () => {
    // c2 churned 10 Mar 2026: at the end of Q1 it is no longer a customer → no value, label not_active, with the reason.
    expect(await m.of(ids.customers.c2!, "churn_risk", q1)).toMatchObject({
      value: null, label: "not_active", reason: "the customer is not active at the period's end", score: null,
    });
    // c5 was acquired 5 Mar 2026: not yet a customer at the end of Q4 2025 → not scored then (previous null), scored in Q1.
    const c5 = await m.of(ids.customers.c5!, "churn_risk", q1);
    expect(c5.value).not.toBeNull();
    expect(c5.previous).toBeNull();
    // The prospect p1 was never acquired → never scored.
    expect((await m.of(ids.customers.p1!, "churn_risk", q1)).label).toBe("not_active");
  });

  it("churn_risk is defined for customers only", async () => {
    const res = await m.raw(ids.teams.A!, "churn_risk", q1);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: "UNSUPPORTED_SUBJECT" });
    expect(res.errors?.[0]?.message).toMatch(/not defined for a team/);
  });

  it("rfm: R + F + M scored 1–5 by the thresholds in params, with a segment label", async () => {
    // c6: last order 25 Mar → 7 d ≤ 14 → R 5; 6 orders ≥ 6 → F 4; 6000 ≥ 5000 → M 5 → 14, champions.
    // Score: target 15, worst 3 → (14 − 3) / 12 × 100 = 91.67.
    expect(await m.of(ids.customers.c6!, "rfm", q1)).toMatchObject({ value: 14, label: "champions", score: 91.67 });
    // c1: 41 d ≤ 60 → R 3; 1 order → F 1; 120 < 300 → M 1 → 5, potential (R ≥ 3).
    expect(await m.of(ids.customers.c1!, "rfm", q1)).toMatchObject({ value: 5, label: "potential" });
    // c9: last order 20 Jan → 12 + 28 + 31 = 71 d ≤ 90 → R 2; 4 orders ≥ 3 → F 3; 2000 ≥ 2000 → M 4 → 9, at_risk.
    expect(await m.of(ids.customers.c9!, "rfm", q1)).toMatchObject({ value: 9, label: "at_risk" });
    // c5: 29 Mar → 3 d → R 5; 1 order → F 1; 350 ≥ 300 → M 2 → 8, new.
    expect(await m.of(ids.customers.c5!, "rfm", q1)).toMatchObject({ value: 8, label: "new" });
    // c3: no order in Q1 → R 1, F 1, M 1 → 3, hibernating.
    expect(await m.of(ids.customers.c3!, "rfm", q1)).toMatchObject({ value: 3, label: "hibernating" });
  });
});
