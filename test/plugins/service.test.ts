import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApp, TestCompany } from "../helpers/app.js";
import { companyFixture } from "../helpers/company-fixture.js";
import { TEST_DB } from "../helpers/database.js";
import { at, month, type MetricClient, type Subjects } from "./helpers.js";

// complaint_volume, first_response_time, resolution_time, resolution_rate,
// escalation_rate, overdue_tickets (UTC).
//
//      team cust kind       prio    opened        1st response        resolved            due          escalated
//  t1  A    c1   complaint  high    2 Mar 08:00   2 Mar 10:00 (2 h)   3 Mar 08:00 (24 h)  2 Mar 12:00  no
//  t2  A    c1   question   normal  5 Mar 00:00   5 Mar 06:00 (6 h)   9 Mar 00:00 (96 h)  7 Mar        yes
//  t3  A    c2   complaint  normal  10 Mar 00:00  10 Mar 01:00 (1 h)  —                   12 Mar       yes
//  t4  B    c3   complaint  high    28 Mar 00:00  1 Apr 02:00 (74 h)  2 Apr 00:00 (120 h) 5 Apr        yes
//  t5  B    c3   request    normal  25 Feb 00:00  1 Mar 00:00 (96 h)  2 Mar 00:00 (120 h) —            no
//  t6  B    c3   incident   urgent  15 Mar 00:00  15 Mar 03:00 (3 h)  3 Apr 00:00 (456 h) —            yes
describe(`service plugins (${TEST_DB})`, () => {
  let t: TestApp;
  let co: TestCompany;
  let m: MetricClient;
  let ids: Subjects;
  const march = month("2026-03-01");

  beforeAll(async () => {
    const f = await companyFixture({
      slug: "service", timeZone: "UTC", teams: ["A", "B"],
      customers: { c1: { team: "A", acquired: "2025-06-01" }, c2: { team: "A", acquired: "2025-06-01" }, c3: { team: "B", acquired: "2025-06-01" } },
    });
    ({ t, co } = f);
    const p = f.prisma;
    const { A: teamA, B: teamB } = f.teams as Record<"A" | "B", string>;
    const { c1, c2, c3 } = f.customers as Record<"c1" | "c2" | "c3", string>;
    const d = (s: string | null) => (s ? at(s) : null);
    type Row = [teamId: string, customerId: string, kind: string, priority: string, channel: string, opened: string,
      firstResponse: string | null, resolved: string | null, due: string | null, escalated: boolean];
    const rows: Row[] = [
      [teamA, c1, "complaint", "high", "phone", "2026-03-02T08:00:00", "2026-03-02T10:00:00", "2026-03-03T08:00:00", "2026-03-02T12:00:00", false],
      [teamA, c1, "question", "normal", "email", "2026-03-05T00:00:00", "2026-03-05T06:00:00", "2026-03-09T00:00:00", "2026-03-07T00:00:00", true],
      [teamA, c2, "complaint", "normal", "email", "2026-03-10T00:00:00", "2026-03-10T01:00:00", null, "2026-03-12T00:00:00", true],
      [teamB, c3, "complaint", "high", "chat", "2026-03-28T00:00:00", "2026-04-01T02:00:00", "2026-04-02T00:00:00", "2026-04-05T00:00:00", true],
      [teamB, c3, "request", "normal", "phone", "2026-02-25T00:00:00", "2026-03-01T00:00:00", "2026-03-02T00:00:00", null, false],
      [teamB, c3, "incident", "urgent", "chat", "2026-03-15T00:00:00", "2026-03-15T03:00:00", "2026-04-03T00:00:00", null, true],
    ];
    await p.ticket.createMany({
      data: rows.map(([teamId, customerId, kind, priority, channel, opened, first, resolved, due, escalated]) => ({
        companyId: co.id, teamId, customerId, kind, priority, channel, category: "general", openedAt: at(opened),
        firstResponseAt: d(first), resolvedAt: d(resolved), dueAt: d(due), escalated,
      })),
    });
    m = f.metrics;
    ids = await f.subjects();
  });
  afterAll(() => t.close());

  it("complaint_volume: complaints opened in the period, by team, customer and priority", async () => {
    // March complaints: t1, t3, t4 = 3; February: none (t5 is a request) → previous 0.
    expect(await m.company("complaint_volume", march)).toMatchObject({ value: 3, previous: 0 });
    // Team A: t1, t3 = 2; team B: t4 = 1; customer c1: t1 = 1.
    expect((await m.of(ids.teams.A!, "complaint_volume", march)).value).toBe(2);
    expect((await m.of(ids.teams.B!, "complaint_volume", march)).value).toBe(1);
    expect((await m.of(ids.customers.c1!, "complaint_volume", march)).value).toBe(1);
    // By priority: high t1, t4 = 2; normal t3 = 1. Urgent has only t6, an incident: no complaint → no slice.
    expect(await m.breakdown("complaint_volume", march, "PRIORITY")).toEqual([
      { key: "high", value: 2, label: null, reason: null },
      { key: "normal", value: 1, label: null, reason: null },
    ]);
  });

  it("first_response_time: average hours to first response, tickets first answered in the period", async () => {
    // Answered in March: t1 2 h, t2 6 h, t3 1 h, t5 96 h, t6 3 h (t4 is answered 1 April) → 108 / 5 = 21.6.
    // Score (lower is better): target 1, worst 24 → (21.6 − 24) / (1 − 24) × 100 = 10.43.
    expect(await m.company("first_response_time", march)).toMatchObject({ value: 21.6, score: 10.43 });
    // Team A: (2 + 6 + 1) / 3 = 3; team B: (96 + 3) / 2 = 49.5.
    expect((await m.of(ids.teams.A!, "first_response_time", march)).value).toBe(3);
    expect((await m.of(ids.teams.B!, "first_response_time", march)).value).toBe(49.5);
  });

  it("resolution_time: average hours to resolution of tickets resolved in the period", async () => {
    // Resolved in March: t1 24 h, t2 96 h, t5 120 h → 240 / 3 = 80.
    expect((await m.company("resolution_time", march)).value).toBe(80);
    // Team A: (24 + 96) / 2 = 60.
    expect((await m.of(ids.teams.A!, "resolution_time", march)).value).toBe(60);
    // April: t4 120 h, t6 (15 Mar → 3 Apr = 19 d) 456 h → 576 / 2 = 288; previous = 80.
    expect(await m.company("resolution_time", month("2026-04-01"))).toMatchObject({ value: 288, previous: 80 });
  });

  it("resolution_rate: tickets opened in the period and resolved by its end", async () => {
    // Opened in March: t1, t2, t3, t4, t6 = 5; resolved before 1 April: t1, t2 = 2 → 40.
    // February: t5 opened, resolved 2 March (after February's end) → 0 / 1 = 0.
    expect(await m.company("resolution_rate", march)).toMatchObject({ value: 40, previous: 0 });
    // Team A: t1, t2 of t1, t2, t3 → 66.6667; team B: none of t4, t6 → 0.
    expect((await m.of(ids.teams.A!, "resolution_rate", march)).value).toBe(66.6667);
    expect((await m.of(ids.teams.B!, "resolution_rate", march)).value).toBe(0);
  });

  it("escalation_rate: escalated / opened", async () => {
    // Opened in March: 5; escalated t2, t3, t4, t6 = 4 → 80. Team A: t2, t3 of 3 → 66.6667; team B: 2 of 2 → 100.
    expect((await m.company("escalation_rate", march)).value).toBe(80);
    expect((await m.of(ids.teams.A!, "escalation_rate", march)).value).toBe(66.6667);
    expect((await m.of(ids.teams.B!, "escalation_rate", march)).value).toBe(100);
  });

  it("overdue_tickets: % of tickets opened in the period overdue at its end", async () => {
    // t1 resolved 3 Mar 08:00 after its due 2 Mar 12:00; t2 resolved 9 Mar after due 7 Mar; t3 unresolved past due 12 Mar;
    // t4 due 5 April (not yet due); t6 no deadline → 3 / 5 = 60. Score: target 0, worst 20 → 0.
    expect(await m.company("overdue_tickets", march)).toMatchObject({ value: 60, score: 0 });
    // Team A: 3 / 3 = 100; team B: 0 / 2 = 0.
    expect((await m.of(ids.teams.A!, "overdue_tickets", march)).value).toBe(100);
    expect((await m.of(ids.teams.B!, "overdue_tickets", march)).value).toBe(0);
  });

  it("gives no value, with a reason, when there are no tickets", async () => {
    const january = month("2026-01-01");
    const time = await m.company("resolution_time", january);
    expect(time.value).toBeNull();
    expect(time.reason).toMatch(/no data for hours/);
    const rate = await m.company("resolution_rate", january);
    expect(rate.value).toBeNull();
    expect(rate.reason).toMatch(/zero denominator/);
    // A count has a value even with no rows: 0 complaints.
    expect((await m.company("complaint_volume", january)).value).toBe(0);
  });
});
