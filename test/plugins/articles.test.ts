import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCompany, createTestApp, dataOf, type TestApp, type TestCompany } from "../helpers/app.js";
import { TEST_DB } from "../helpers/database.js";
import { at, metricClient, month, type MetricClient, type Slice, type Subjects } from "./helpers.js";

// The KPIs the articles name that the catalogue lacked — repeat_purchase_rate, value_tier_mix,
// complaint_rate, first_contact_resolution, kano_classification, data_completeness — and the
// lifecycle mix from the stage history (UTC; March 2026; trailing year [2025-04-01, 2026-04-01)).
//
// Customers (owner member MA of team A):
//   a acquired 2025-05-01, stage mature, email a@x.cn, channel referral          → complete
//   b acquired 2025-06-01, stage at_risk, email A@X.cn (a's, other case), no channel → incomplete; a and b duplicates
//   c acquired 2026-01-10, stage new, phone only, channel events                  → complete
//   d acquired 2025-01-01, churned 2026-02-01 (not active at March's end)
//   e a prospect (never acquired)
// Orders: a 2025-03-15 9999 (before the window) · a 2025-06-01 3000 · a 2026-03-05 2500 · b 2025-07-01 1200
//         c 2026-03-10 100 · c 2026-03-20 200 · d 2025-12-01 50
// Tickets: t1 a complaint 2 Mar, resolved 3 Mar · t2 a complaint 10 Mar, resolved 12 Mar, escalated
//          t3 c question 5 Mar, resolved 6 Mar, reopened · t4 d complaint 1 Mar, resolved 2 Mar
//          t5 b question 25 Feb, resolved 1 Mar
// Kano answers (functional, dysfunctional) in March:
//   "fast delivery": (1,5) one_dimensional · (2,5) must_be · (3,5) must_be · (1,3) attractive
//   "gift wrap":     (1,3) attractive · (3,3) indifferent · (1,4) attractive
//   plus a CSAT answer (not a kano pair).
describe(`article KPIs (${TEST_DB})`, () => {
  let t: TestApp;
  let co: TestCompany;
  let m: MetricClient;
  let ids: Subjects;
  const march = month("2026-03-01");
  const byKey = (slices: Slice[]) => Object.fromEntries(slices.map((s) => [s.key, [s.value, s.label]]));

  beforeAll(async () => {
    t = await createTestApp();
    co = await createCompany(t.db, "articles", { timeZone: "UTC" });
    const p = t.db.prisma;
    const team = (await p.team.create({ data: { companyId: co.id, name: "A" } })).id;
    const ma = (await p.member.create({ data: { companyId: co.id, teamId: team, name: "MA" } })).id;
    const cust = (name: string, data: Record<string, unknown>) =>
      p.customer.create({ data: { companyId: co.id, name, ownerTeamId: team, ownerMemberId: ma, segment: "smb", ...data } }).then((r) => r.id);
    const a = await cust("a", { acquiredAt: at("2025-05-01T00:00:00"), lifecycleStage: "mature", email: "a@x.cn", acquisitionChannel: "referral" });
    const b = await cust("b", { acquiredAt: at("2025-06-01T00:00:00"), lifecycleStage: "at_risk", email: "A@X.cn" });
    const c = await cust("c", { acquiredAt: at("2026-01-10T00:00:00"), lifecycleStage: "new", phone: "+86 138 0000 0000", acquisitionChannel: "events" });
    const d = await cust("d", { acquiredAt: at("2025-01-01T00:00:00"), churnedAt: at("2026-02-01T00:00:00"), lifecycleStage: "churned", email: "d@x.cn", acquisitionChannel: "events" });
    await cust("e", { lifecycleStage: "prospect" });
    const orders: [string, string, string][] = [
      [a, "9999", "2025-03-15"], [a, "3000", "2025-06-01"], [a, "2500", "2026-03-05"], [b, "1200", "2025-07-01"],
      [c, "100", "2026-03-10"], [c, "200", "2026-03-20"], [d, "50", "2025-12-01"],
    ];
    await p.order.createMany({
      data: orders.map(([customerId, amount, day]) => ({ companyId: co.id, customerId, teamId: team, memberId: ma, amount, product: "p", category: "c", channel: "web", at: at(`${day}T10:00:00`) })),
    });
    const tickets: [string, string, string, string, boolean, boolean][] = [
      [a, "complaint", "2026-03-02", "2026-03-03", false, false], [a, "complaint", "2026-03-10", "2026-03-12", true, false],
      [c, "question", "2026-03-05", "2026-03-06", false, true], [d, "complaint", "2026-03-01", "2026-03-02", false, false],
      [b, "question", "2026-02-25", "2026-03-01", false, false],
    ];
    await p.ticket.createMany({
      data: tickets.map(([customerId, kind, opened, resolved, escalated, reopened]) => ({
        companyId: co.id, customerId, teamId: team, memberId: ma, kind, category: "general", channel: "phone",
        openedAt: at(`${opened}T09:00:00`), firstResponseAt: at(`${opened}T10:00:00`), resolvedAt: at(`${resolved}T09:00:00`), escalated, reopened,
      })),
    });
    const kano: [string, number, number][] = [
      ["fast delivery", 1, 5], ["fast delivery", 2, 5], ["fast delivery", 3, 5], ["fast delivery", 1, 3],
      ["gift wrap", 1, 3], ["gift wrap", 3, 3], ["gift wrap", 1, 4],
    ];
    await p.surveyResponse.createMany({
      data: [
        ...kano.map(([question, score, dysfunctionalScore], i) => ({
          companyId: co.id, customerId: a, teamId: team, memberId: ma, kind: "kano", question, score, dysfunctionalScore, scale: 5, at: at(`2026-03-${String(10 + i)}T12:00:00`),
        })),
        { companyId: co.id, customerId: a, teamId: team, memberId: ma, kind: "csat", question: "ok?", score: 5, scale: 5, at: at("2026-03-09T12:00:00") },
      ],
    });
    m = metricClient(t, co);
    ids = await m.subjects();
  });
  afterAll(() => t.close());

  it("repeat_purchase_rate: customers with ≥ 2 orders in the trailing year / customers with one", async () => {
    // Buyers in [2025-04-01, 2026-04-01): a (2 orders; the 2025-03-15 one is outside), b (1), c (2), d (1) = 4;
    // with ≥ 2 orders: a, c → 2 / 4 × 100 = 50. Score: target 40 → 100.
    expect(await m.company("repeat_purchase_rate", march)).toMatchObject({ value: 50, score: 100 });
    // The quarter ending the same day reads the same year → 50; member MA holds every order → 50.
    expect((await m.company("repeat_purchase_rate", { grain: "QUARTER", date: "2026-01-01" })).value).toBe(50);
    expect((await m.of(ids.members.MA!, "repeat_purchase_rate", march)).value).toBe(50);
    // A year ending 2024-04-01 has no buyer → null.
    expect((await m.company("repeat_purchase_rate", month("2024-03-01"))).value).toBeNull();
  });

  it("value_tier_mix: buyers by their trailing-year spend, share of the high tier with every tier's share", async () => {
    // Spend in the year: a 3000 + 2500 = 5500 (≥ 5000: high), b 1200 (≥ 1000: medium), c 300 and d 50 (low)
    // → high 1 / 4 = 25, medium 25, low 50.
    expect(await m.company("value_tier_mix", march)).toMatchObject({ value: 25, label: "high 25 · medium 25 · low 50", score: null });
  });

  it("complaint_rate: active customers who complained / active customers", async () => {
    // Active at 1 April: a, b, c = 3 (d churned, e never acquired). Complained in March among them: a (twice) = 1
    // (d's complaint is not an active customer's) → 1 / 3 × 100 = 33.3333.
    expect((await m.company("complaint_rate", march)).value).toBe(33.3333);
    // February: no complaint → 0 of 3 active (a, b, c; d churned 1 Feb, so not active at 1 March) = 0.
    expect((await m.company("complaint_rate", month("2026-02-01"))).value).toBe(0);
  });

  it("first_contact_resolution: resolved without escalation or reopening / resolved in the period", async () => {
    // Resolved in March: t1, t2, t3, t4, t5 = 5 (t5 opened in February); t2 escalated, t3 reopened → 3 / 5 × 100 = 60.
    // Score: target 80, worst 40 → (60 − 40) / 40 × 100 = 50.
    expect(await m.company("first_contact_resolution", march)).toMatchObject({ value: 60, score: 50 });
    expect((await m.company("first_contact_resolution", month("2026-01-01"))).value).toBeNull();
  });

  it("kano_classification: each requirement's category from its paired answers", async () => {
    // fast delivery: must_be 2, one_dimensional 1, attractive 1 → must_be, 2 / 4 = 50.
    // gift wrap: attractive 2, indifferent 1 → attractive, 2 / 3 = 66.6667.
    expect(byKey(await m.breakdown("kano_classification", march, "QUESTION"))).toEqual({
      "fast delivery": [50, "must_be"],
      "gift wrap": [66.6667, "attractive"],
    });
    // All 7 pairs (the CSAT answer is no pair): attractive 3, must_be 2, one_dimensional 1, indifferent 1 → attractive 3 / 7.
    expect(await m.company("kano_classification", march)).toMatchObject({ value: 42.8571, label: "attractive" });
  });

  it("data_completeness: complete records among active customers, with the duplicates", async () => {
    // Active: a, b, c. Complete: a (email, owner, channel, segment), c (phone instead of email); b lacks a channel
    // → 2 / 3 × 100 = 66.6667. Duplicates: a and b share an email (case ignored) → 2.
    expect(await m.company("data_completeness", march)).toMatchObject({ value: 66.6667, label: "duplicates 2" });
  });

  it("lifecycle_stage_distribution uses the stage each customer had at the period's end", async () => {
    // History reconstructed on insert: a new 2025-05-01, active 2025-07-30, mature 2026-05-01; b new 2025-06-01,
    // active 2025-08-30, at_risk from when it was recorded (now); c new 2026-01-10.
    // At 1 April 2026: a active, b active, c new → active 2 / 3 = 66.6667, new 33.3333 (today's stages would give
    // mature, at_risk and new a third each).
    const slices = async (p: typeof march) => Object.fromEntries((await m.breakdown("lifecycle_stage_distribution", p, "LIFECYCLE_STAGE")).map((s) => [s.key, s.value]));
    expect(await slices(march)).toEqual({ active: 66.6667, new: 33.3333 });
    // A change of stage is recorded when written (an import, a sync, a mutation: a trigger keeps the history):
    // c becomes active now; March still reads c as new.
    const cId = (await t.db.prisma.customer.findFirstOrThrow({ where: { companyId: co.id, name: "c" } })).id;
    await t.db.prisma.customer.update({ where: { id: cId }, data: { lifecycleStage: "active" } });
    const history = await t.db.sql.query<{ stage: string }>("SELECT stage FROM customer_lifecycle_stages WHERE customer_id = $1::uuid ORDER BY entered_at", [cId]);
    expect(history.map((h) => h.stage)).toEqual(["new", "active"]);
    expect(await slices(march)).toEqual({ active: 66.6667, new: 33.3333 });
    // An import that changes a stage adds it to the history as well.
    const csv = `name,lifecycle_stage\\na,at_risk`;
    dataOf(await t.gql(`mutation { importCsv(kind: CUSTOMERS, csv: "${csv}") { status } }`, {}, co.keys.admin));
    const aHistory = await t.db.sql.query<{ stage: string }>(
      "SELECT h.stage FROM customer_lifecycle_stages h JOIN customers c ON c.id = h.customer_id WHERE c.company_id = $1::uuid AND c.name = 'a' ORDER BY h.entered_at", [co.id]);
    expect(aHistory.map((h) => h.stage).at(-1)).toBe("at_risk");
  });
});
