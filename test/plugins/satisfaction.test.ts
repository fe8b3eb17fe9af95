import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApp, TestCompany } from "../helpers/app.js";
import { companyFixture } from "../helpers/company-fixture.js";
import { TEST_DB } from "../helpers/database.js";
import { at, month, type MetricClient, type Subjects } from "./helpers.js";

// csat_score, csat_satisfied_rate, nps, ces — on a company in Asia/Shanghai
// (UTC+8), so a survey at 2026-02-28T17:00Z belongs to March.
describe(`satisfaction plugins (${TEST_DB})`, () => {
  let t: TestApp;
  let co: TestCompany;
  let m: MetricClient;
  let ids: Subjects;
  const march = month("2026-03-01");

  beforeAll(async () => {
    const f = await companyFixture({
      slug: "satisfaction", timeZone: "Asia/Shanghai", teams: ["A", "B"], members: { Mia: "A" },
      customers: {
        c1: { team: "A", member: "Mia", acquired: "2025-06-01" },
        c2: { team: "A", acquired: "2025-06-01" },
        c3: { team: "B", acquired: "2025-06-01" },
      },
    });
    ({ t, co } = f);
    const p = f.prisma;
    const { A: teamA, B: teamB } = f.teams as Record<"A" | "B", string>;
    const mia = f.members.Mia!;
    const { c1, c2, c3 } = f.customers as Record<"c1" | "c2" | "c3", string>;
    type Row = [kind: string, customerId: string, teamId: string, memberId: string | null, score: number, scale: number, when: string];
    const rows: Row[] = [
      // CSAT, March in Shanghai
      ["csat", c1, teamA, mia, 5, 5, "2026-03-05T02:00:00"], // 100
      ["csat", c1, teamA, mia, 3, 5, "2026-03-12T02:00:00"], // 60
      ["csat", c2, teamA, null, 9, 10, "2026-03-20T02:00:00"], // 90
      ["csat", c3, teamB, null, 4, 5, "2026-02-28T17:00:00"], // 80 — 1 March 01:00 in Shanghai
      ["csat", c3, teamB, null, 1, 5, "2026-03-31T17:00:00"], // 20 — 1 April 01:00 in Shanghai
      // NPS (0–10), March
      ["nps", c1, teamA, mia, 10, 10, "2026-03-03T04:00:00"],
      ["nps", c2, teamA, null, 9, 10, "2026-03-04T04:00:00"],
      ["nps", c2, teamA, null, 5, 10, "2026-03-09T04:00:00"],
      ["nps", c3, teamB, null, 9, 10, "2026-03-10T04:00:00"],
      ["nps", c3, teamB, null, 7, 10, "2026-03-11T04:00:00"],
      // NPS in February (28 Feb 23:00 in Shanghai)
      ["nps", c3, teamB, null, 0, 10, "2026-02-28T15:00:00"],
      // CES (1–7, lower is better), March
      ["ces", c1, teamA, mia, 2, 7, "2026-03-06T04:00:00"],
      ["ces", c2, teamA, null, 3, 7, "2026-03-07T04:00:00"],
      ["ces", c3, teamB, null, 5, 7, "2026-03-08T04:00:00"],
    ];
    await p.surveyResponse.createMany({
      data: rows.map(([kind, customerId, teamId, memberId, score, scale, when]) => ({
        companyId: co.id, customerId, teamId, memberId, kind, score, scale, at: at(when),
      })),
    });
    m = f.metrics;
    ids = await f.subjects();
  });
  afterAll(() => t.close());

  it("csat_score: average answer as % of its scale, 5- and 10-point mixed", async () => {
    // March (Shanghai): 5/5 = 100, 3/5 = 60, 9/10 = 90, 4/5 = 80 (28 Feb 17:00Z) → (100 + 60 + 90 + 80) / 4 = 82.5.
    // Score: target 90, worst 50 → (82.5 − 50) / (90 − 50) × 100 = 81.25. February has no CSAT → previous null.
    const v = await m.company("csat_score", march);
    expect(v).toMatchObject({ value: 82.5, score: 81.25, previous: null, reason: null });
    // April: 1/5 = 20; previous = March's 82.5.
    expect(await m.company("csat_score", month("2026-04-01"))).toMatchObject({ value: 20, previous: 82.5 });
  });

  it("csat_score for a team, a member and a customer", async () => {
    // Team A: (100 + 60 + 90) / 3 = 83.3333; team B: 80.
    expect((await m.of(ids.teams.A!, "csat_score", march)).value).toBe(83.3333);
    expect((await m.of(ids.teams.B!, "csat_score", march)).value).toBe(80);
    // Member Mia answered for c1: (100 + 60) / 2 = 80.
    expect((await m.of(ids.members.Mia!, "csat_score", march)).value).toBe(80);
    // Customer c2: 9/10 = 90.
    expect((await m.of(ids.customers.c2!, "csat_score", march)).value).toBe(90);
  });

  it("csat_satisfied_rate: answers ≥ 80 % of the scale", async () => {
    // Satisfied: 5/5 yes, 3/5 no, 9/10 yes (≥ 8), 4/5 yes (≥ 4) → 3 of 4 = 75 %.
    expect((await m.company("csat_satisfied_rate", march)).value).toBe(75);
    // Team A: 5/5, 3/5, 9/10 → 2 of 3 = 66.6667 %.
    expect((await m.of(ids.teams.A!, "csat_satisfied_rate", march)).value).toBe(66.6667);
  });

  it("nps: % promoters (≥ 9) − % detractors (≤ 6)", async () => {
    // March: 10, 9, 5, 9, 7 → promoters 3 of 5 = 60 %, detractors 1 of 5 = 20 % → NPS = 60 − 20 = 40.
    // February (Shanghai): a single 0 → 0 − 100 = −100. Score: target 50, worst −50 → (40 + 50) / 100 × 100 = 90.
    expect(await m.company("nps", march)).toMatchObject({ value: 40, previous: -100, score: 90 });
    // Team A: 10, 9, 5 → (2 − 1) / 3 × 100 = 33.3333; team B: 9, 7 → (1 − 0) / 2 × 100 = 50.
    expect((await m.of(ids.teams.A!, "nps", march)).value).toBe(33.3333);
    expect((await m.of(ids.teams.B!, "nps", march)).value).toBe(50);
  });

  it("ces: average effort, lower is better", async () => {
    // (2 + 3 + 5) / 3 = 3.3333. Score: target 2, worst 6 → (3.3333 − 6) / (2 − 6) × 100 = 66.67.
    expect(await m.company("ces", march)).toMatchObject({ value: 3.3333, score: 66.67 });
  });

  it("gives no value, with a reason, when there are no answers", async () => {
    const january = month("2026-01-01");
    // avg over no rows is null → the measure is missing.
    const ces = await m.company("ces", january);
    expect(ces).toMatchObject({ value: null, score: null });
    expect(ces.reason).toMatch(/no data for avgEffort/);
    const csat = await m.company("csat_score", january);
    expect(csat.value).toBeNull();
    expect(csat.reason).toMatch(/no data for avgScore100/);
    // Counts over no rows are 0 → the formula's zero-denominator guard gives null.
    const nps = await m.company("nps", january);
    expect(nps.value).toBeNull();
    expect(nps.reason).toMatch(/zero denominator/);
    expect((await m.company("csat_satisfied_rate", january)).reason).toMatch(/zero denominator/);
  });
});
