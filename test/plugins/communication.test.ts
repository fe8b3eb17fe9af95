import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApp, TestCompany } from "../helpers/app.js";
import { companyFixture } from "../helpers/company-fixture.js";
import { TEST_DB } from "../helpers/database.js";
import { at, month, type MetricClient, type Subjects } from "./helpers.js";

// communication_frequency, channel_mix, follow_up_coverage,
// feedback_response_speed (UTC).
//
// Customers: c1 (A, owner Mia, acquired 10 Jan), c2 (A, 5 Feb), c3 (A, 10 Mar),
// c4 (B, 20 Jan, churned 20 Mar), c5 (B, 1 Feb), p1 (B, prospect: never acquired).
// Active at the end of March: c1, c2, c3, c5 = 4 (team A 3, team B 1, Mia 1).
//
// Interactions in March:
//   i1  c1 A Mia phone   outbound
//   i2  c1 A Mia email   outbound
//   i3  c2 A     email   inbound  feedback  answered after 4 h
//   i4  c3 A     chat    inbound  feedback  answered after 10 h
//   i5  c5 B     phone   outbound
//   i6  c4 B     email   outbound
//   i7  p1 B     visit   outbound
//   i8  c1 A Mia chat    inbound  feedback  not answered
//   i9  c2 A     meeting outbound
//   i11 c5 B     email   inbound  feedback  answered after 30 h
// and i10 (c1 A phone outbound) on 15 February.
describe(`communication plugins (${TEST_DB})`, () => {
  let t: TestApp;
  let co: TestCompany;
  let m: MetricClient;
  let ids: Subjects;
  const march = month("2026-03-01");

  beforeAll(async () => {
    const f = await companyFixture({
      slug: "communication", timeZone: "UTC", teams: ["A", "B"], members: { Mia: "A" },
      customers: {
        c1: { team: "A", member: "Mia", acquired: "2026-01-10" },
        c2: { team: "A", acquired: "2026-02-05" },
        c3: { team: "A", acquired: "2026-03-10" },
        c4: { team: "B", acquired: "2026-01-20", churned: "2026-03-20" },
        c5: { team: "B", acquired: "2026-02-01" },
        p1: { team: "B" },
      },
    });
    ({ t, co } = f);
    const p = f.prisma;
    const { A: teamA, B: teamB } = f.teams as Record<"A" | "B", string>;
    const mia = f.members.Mia!;
    const { c1, c2, c3, c4, c5, p1 } = f.customers as Record<"c1" | "c2" | "c3" | "c4" | "c5" | "p1", string>;
    type Row = [customerId: string, teamId: string, memberId: string | null, channel: string, direction: string,
      outcome: string | null, when: string, respondedAt: string | null];
    const rows: Row[] = [
      [c1, teamA, mia, "phone", "outbound", "connected", "2026-03-02T09:00:00", null],
      [c1, teamA, mia, "email", "outbound", null, "2026-03-03T09:00:00", null],
      [c2, teamA, null, "email", "inbound", "feedback", "2026-03-04T10:00:00", "2026-03-04T14:00:00"],
      [c3, teamA, null, "chat", "inbound", "feedback", "2026-03-12T08:00:00", "2026-03-12T18:00:00"],
      [c5, teamB, null, "phone", "outbound", "connected", "2026-03-06T09:00:00", null],
      [c4, teamB, null, "email", "outbound", null, "2026-03-05T09:00:00", null],
      [p1, teamB, null, "visit", "outbound", "follow_up", "2026-03-07T09:00:00", null],
      [c1, teamA, mia, "chat", "inbound", "feedback", "2026-03-20T09:00:00", null],
      [c2, teamA, null, "meeting", "outbound", "connected", "2026-03-21T09:00:00", null],
      [c1, teamA, null, "phone", "outbound", "connected", "2026-02-15T09:00:00", null],
      [c5, teamB, null, "email", "inbound", "feedback", "2026-03-22T00:00:00", "2026-03-23T06:00:00"],
    ];
    await p.interaction.createMany({
      data: rows.map(([customerId, teamId, memberId, channel, direction, outcome, when, responded]) => ({
        companyId: co.id, customerId, teamId, memberId, channel, direction, outcome, at: at(when),
        respondedAt: responded ? at(responded) : null,
      })),
    });
    m = f.metrics;
    ids = await f.subjects();
  });
  afterAll(() => t.close());

  it("communication_frequency: interactions per customer active at the period's end", async () => {
    // March: 10 interactions / 4 active customers = 2.5. February: i10 = 1 / active at end of February
    // (c1, c2, c4, c5) 4 = 0.25 → previous.
    expect(await m.company("communication_frequency", march)).toMatchObject({ value: 2.5, previous: 0.25 });
    // Team A: i1, i2, i3, i4, i8, i9 = 6 / 3 = 2; team B: i5, i6, i7, i11 = 4 / 1 = 4.
    expect((await m.of(ids.teams.A!, "communication_frequency", march)).value).toBe(2);
    expect((await m.of(ids.teams.B!, "communication_frequency", march)).value).toBe(4);
    // Member Mia: i1, i2, i8 = 3 / her customer c1 = 3.
    expect((await m.of(ids.members.Mia!, "communication_frequency", march)).value).toBe(3);
    // By direction, the customer count stays whole: outbound i1, i2, i5, i6, i7, i9 = 6 / 4 = 1.5; inbound 4 / 4 = 1.
    expect(await m.breakdown("communication_frequency", march, "DIRECTION")).toEqual([
      { key: "inbound", value: 1, label: null, reason: null },
      { key: "outbound", value: 1.5, label: null, reason: null },
    ]);
  });

  it("channel_mix: share of interactions per channel, read by CHANNEL", async () => {
    // Plain value: all interactions / all interactions = 100.
    expect((await m.company("channel_mix", march)).value).toBe(100);
    // 10 interactions: chat i4, i8 = 20 %; email i2, i3, i6, i11 = 40 %; meeting i9 = 10 %; phone i1, i5 = 20 %; visit i7 = 10 %.
    expect(await m.breakdown("channel_mix", march, "CHANNEL")).toEqual([
      { key: "chat", value: 20, label: null, reason: null },
      { key: "email", value: 40, label: null, reason: null },
      { key: "meeting", value: 10, label: null, reason: null },
      { key: "phone", value: 20, label: null, reason: null },
      { key: "visit", value: 10, label: null, reason: null },
    ]);
    // Team A's 6: chat 2 = 33.3333 %, email 2 = 33.3333 %, meeting 1 = 16.6667 %, phone 1 = 16.6667 %.
    expect((await m.breakdown("channel_mix", march, "CHANNEL", ids.teams.A!)).map((s) => [s.key, s.value])).toEqual([
      ["chat", 33.3333], ["email", 33.3333], ["meeting", 16.6667], ["phone", 16.6667],
    ]);
    // January: no interaction → 0 / 0 → null.
    const jan = await m.company("channel_mix", month("2026-01-01"));
    expect(jan.value).toBeNull();
    expect(jan.reason).toMatch(/zero denominator/);
  });

  it("follow_up_coverage: customers reached by an outbound interaction / active customers", async () => {
    // Team A: outbound to c1 (i1, i2) and c2 (i9) = 2 distinct / 3 active = 66.6667 %.
    expect((await m.of(ids.teams.A!, "follow_up_coverage", march)).value).toBe(66.6667);
    // Company: outbound to c1, c2, c5, c4, p1, but c4 (churned 20 Mar) and p1 (a prospect) are not active at the
    // end, so they do not count: c1, c2, c5 = 3 / 4 active = 75 %.
    expect((await m.company("follow_up_coverage", march)).value).toBe(75);
    // Team B: c5 contacted and active (c4 churned, p1 a prospect) = 1 / 1 active = 100 %.
    expect((await m.of(ids.teams.B!, "follow_up_coverage", march)).value).toBe(100);
  });

  it("feedback_response_speed: average hours to answer inbound feedback", async () => {
    // Answered feedback: i3 4 h, i4 10 h, i11 30 h (i8 unanswered is left out) → 44 / 3 = 14.6667.
    // Score (lower is better): target 4, worst 48 → (14.6667 − 48) / (4 − 48) × 100 = 75.76.
    expect(await m.company("feedback_response_speed", march)).toMatchObject({ value: 14.6667, score: 75.76 });
    // Team A: (4 + 10) / 2 = 7.
    expect((await m.of(ids.teams.A!, "feedback_response_speed", march)).value).toBe(7);
    // Mia: only i8, unanswered → no value.
    const mia = await m.of(ids.members.Mia!, "feedback_response_speed", march);
    expect(mia.value).toBeNull();
    expect(mia.reason).toMatch(/no data for hours/);
  });
});
