import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApp, TestCompany } from "../helpers/app.js";
import { companyFixture, utc } from "../helpers/company-fixture.js";
import { TEST_DB } from "../helpers/database.js";
import { at, month, type MetricClient, type Subjects } from "./helpers.js";

// sales_conversion_rate, win_rate, avg_sales_cycle, funnel_conversion and the
// four stage_conversion_* KPIs, on opportunities and their stage history (UTC).
//
//      team created  closed      status  stage history (entered)
//  o1  A    2 Mar    20 Mar      won     lead 2 Mar, qualified 5, proposal 10, negotiation 15, won 20
//  o2  A    10 Feb   —           open    lead 10 Feb, qualified 15 Feb, proposal 25 Feb, negotiation 1 Mar
//  o3  A    3 Mar    25 Mar      lost    lead 3 Mar, qualified 8, proposal 12, qualified 14 (back), lost 25
//  o4  B    10 Mar   —           open    lead 10 Mar, qualified 14
//  o5  B    15 Jan   15 Mar      won     lead 15 Jan, qualified 20 Jan (imported; history stops)
//  o6  B    12 Mar   2 Apr       lost    lead 12 Mar, lost 2 Apr
//  o7  A    5 Mar    30 Mar      won     lead 5 Mar, qualified 10, proposal 15, negotiation 20, won 30
//
// Customer records (for sales_conversion_rate: prospects created, and when they became customers):
//  p1  A    created 3 Mar, acquired 20 Mar · p2 A created 10 Mar, acquired 2 May (after March)
//  p3  B    created 15 Mar, never acquired  · p4 B created 10 Feb, acquired 5 Mar
describe(`sales plugins (${TEST_DB})`, () => {
  let t: TestApp;
  let co: TestCompany;
  let m: MetricClient;
  let ids: Subjects;
  const march = month("2026-03-01");

  beforeAll(async () => {
    const prospect = (team: "A" | "B", created: string, acquired?: string) => ({ team, acquired, data: { createdAt: utc(created) } });
    const f = await companyFixture({
      slug: "sales", timeZone: "UTC", teams: ["A", "B"],
      customers: {
        c1: { acquired: "2025-01-01" },
        p1: prospect("A", "2026-03-03", "2026-03-20"),
        p2: prospect("A", "2026-03-10", "2026-05-02"),
        p3: prospect("B", "2026-03-15"),
        p4: prospect("B", "2026-02-10", "2026-03-05"),
      },
    });
    ({ t, co } = f);
    const p = f.prisma;
    const teams = f.teams as Record<"A" | "B", string>;
    const customer = f.customers.c1!;
    const ORDER: Record<string, number> = { lead: 1, qualified: 2, proposal: 3, negotiation: 4, won: 5, lost: 0 };
    const opp = async (name: string, team: "A" | "B", created: string, closed: string | null, status: string, stages: [string, string][]) => {
      const teamId = teams[team];
      const o = await p.opportunity.create({
        data: {
          companyId: co.id, customerId: customer, teamId, name, value: "1000.00", sourceChannel: "web",
          stage: stages[stages.length - 1]![0], status, createdAt: at(`${created}T00:00:00`), closedAt: closed ? at(`${closed}T00:00:00`) : null,
        },
      });
      await p.opportunityStage.createMany({
        data: stages.map(([stage, day]) => ({
          companyId: co.id, opportunityId: o.id, customerId: customer, teamId, stage, stageOrder: ORDER[stage]!, enteredAt: at(`${day}T00:00:00`),
        })),
      });
    };
    await opp("o1", "A", "2026-03-02", "2026-03-20", "won",
      [["lead", "2026-03-02"], ["qualified", "2026-03-05"], ["proposal", "2026-03-10"], ["negotiation", "2026-03-15"], ["won", "2026-03-20"]]);
    await opp("o2", "A", "2026-02-10", null, "open",
      [["lead", "2026-02-10"], ["qualified", "2026-02-15"], ["proposal", "2026-02-25"], ["negotiation", "2026-03-01"]]);
    await opp("o3", "A", "2026-03-03", "2026-03-25", "lost",
      [["lead", "2026-03-03"], ["qualified", "2026-03-08"], ["proposal", "2026-03-12"], ["qualified", "2026-03-14"], ["lost", "2026-03-25"]]);
    await opp("o4", "B", "2026-03-10", null, "open", [["lead", "2026-03-10"], ["qualified", "2026-03-14"]]);
    await opp("o5", "B", "2026-01-15", "2026-03-15", "won", [["lead", "2026-01-15"], ["qualified", "2026-01-20"]]);
    await opp("o6", "B", "2026-03-12", "2026-04-02", "lost", [["lead", "2026-03-12"], ["lost", "2026-04-02"]]);
    await opp("o7", "A", "2026-03-05", "2026-03-30", "won",
      [["lead", "2026-03-05"], ["qualified", "2026-03-10"], ["proposal", "2026-03-15"], ["negotiation", "2026-03-20"], ["won", "2026-03-30"]]);
    m = f.metrics;
    ids = await f.subjects();
  });
  afterAll(() => t.close());

  it("sales_conversion_rate: prospects created in the period that became customers, whenever", async () => {
    // Created in March: p1, p2, p3 = 3; acquired since: p1 (20 Mar), p2 (2 May, after March: a cohort) = 2
    // → 2 / 3 × 100 = 66.6667. p4 was created in February (its March acquisition is February's).
    // Score: target 30, worst 0 → 100. Unlike funnel_conversion (opportunities, 40 % below) it counts people.
    expect(await m.company("sales_conversion_rate", march)).toMatchObject({ value: 66.6667, score: 100 });
    // Team A: p1, p2 both converted → 100. Team B: p3 not converted → 0 / 1 = 0.
    expect((await m.of(ids.teams.A!, "sales_conversion_rate", march)).value).toBe(100);
    expect((await m.of(ids.teams.B!, "sales_conversion_rate", march)).value).toBe(0);
    // February: p4 created and acquired since → 1 / 1 = 100.
    expect((await m.company("sales_conversion_rate", month("2026-02-01"))).value).toBe(100);
  });

  it("win_rate: won / (won + lost) among opportunities closed in the period", async () => {
    // Closed in March: o1 won, o3 lost, o5 won, o7 won (o6 closes 2 April) → 3 / 4 × 100 = 75.
    expect((await m.company("win_rate", march)).value).toBe(75);
    // Team A: o1 won, o3 lost, o7 won → 2 / 3 = 66.6667. Team B: o5 won → 1 / 1 = 100.
    expect((await m.of(ids.teams.A!, "win_rate", march)).value).toBe(66.6667);
    expect((await m.of(ids.teams.B!, "win_rate", march)).value).toBe(100);
    // April: o6 lost → 0 / 1 = 0; previous = March's 75.
    expect(await m.company("win_rate", month("2026-04-01"))).toMatchObject({ value: 0, previous: 75 });
  });

  it("avg_sales_cycle: average days from creation to close of the deals won in the period", async () => {
    // o1: 2 → 20 Mar = 18 d; o5: 15 Jan → 15 Mar = 16 + 28 + 15 = 59 d; o7: 5 → 30 Mar = 25 d → (18 + 59 + 25) / 3 = 34.
    // Score (lower is better): target 30, worst 120 → (34 − 120) / (30 − 120) × 100 = 95.56.
    expect(await m.company("avg_sales_cycle", march)).toMatchObject({ value: 34, score: 95.56 });
    // Team A: (18 + 25) / 2 = 21.5.
    expect((await m.of(ids.teams.A!, "avg_sales_cycle", march)).value).toBe(21.5);
    // February: nothing won → avg over no rows → null with a reason.
    const feb = await m.company("avg_sales_cycle", month("2026-02-01"));
    expect(feb.value).toBeNull();
    expect(feb.reason).toMatch(/no data for cycleDays/);
  });

  it("funnel_conversion: of the opportunities entering lead in the period, the share reaching won (cohort)", async () => {
    // Leads entered in March: o1, o3, o4, o6, o7 = 5; of them won since: o1, o7 = 2 → 2 / 5 × 100 = 40.
    // (o5 was won in March but entered lead in January: it belongs to January's cohort, which has no won entry.)
    expect((await m.company("funnel_conversion", march)).value).toBe(40);
    // Team A: lead o1, o3, o7 = 3; won o1, o7 = 2 → 66.6667. Team B: lead o4, o6 = 2; won 0 → 0.
    expect((await m.of(ids.teams.A!, "funnel_conversion", march)).value).toBe(66.6667);
    expect((await m.of(ids.teams.B!, "funnel_conversion", march)).value).toBe(0);
  });

  it("stage_conversion_*: of the opportunities entering the earlier stage in the period, the share entering the later one after", async () => {
    // March entries (distinct opportunities): lead 5 (o1, o3, o4, o6, o7); qualified 4 (o1, o3 twice, o4, o7);
    // proposal 3 (o1, o3, o7); negotiation 3 (o1, o2, o7).
    // lead → qualified: of the 5 leads, o1, o3, o4, o7 qualified afterwards → 4 / 5 = 80.
    expect((await m.company("stage_conversion_lead_qualified", march)).value).toBe(80);
    // qualified → proposal: of o1, o3, o4, o7, proposal after the first qualified entry: o1, o3 (12 ≥ 8 Mar), o7 → 3 / 4 = 75.
    expect((await m.company("stage_conversion_qualified_proposal", march)).value).toBe(75);
    // proposal → negotiation: of o1, o3, o7, negotiation afterwards: o1, o7 → 2 / 3 = 66.6667. Counting both in the
    // period gave 3 / 3 = 100 % through o2, whose proposal was in February: o2 is February's cohort.
    expect((await m.company("stage_conversion_proposal_negotiation", march)).value).toBe(66.6667);
    expect((await m.company("stage_conversion_proposal_negotiation", month("2026-02-01"))).value).toBe(100);
    // negotiation → won: of o1, o2, o7, won afterwards: o1, o7 → 2 / 3 = 66.6667.
    expect((await m.company("stage_conversion_negotiation_won", march)).value).toBe(66.6667);
  });

  it("stage conversion has no value when nothing entered the earlier stage", async () => {
    // Team B entered no negotiation in March → 0 / 0 → null.
    const v = await m.of(ids.teams.B!, "stage_conversion_negotiation_won", march);
    expect(v.value).toBeNull();
    expect(v.reason).toMatch(/zero denominator/);
    // Team B lead → qualified: lead o4, o6 = 2; qualified o4 = 1 → 50.
    expect((await m.of(ids.teams.B!, "stage_conversion_lead_qualified", march)).value).toBe(50);
  });
});
