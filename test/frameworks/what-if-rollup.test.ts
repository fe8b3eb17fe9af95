import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCompany, createTestApp, dataOf, type TestApp, type TestCompany } from "../helpers/app.js";
import { TEST_DB } from "../helpers/database.js";

// Issue 17 items 2 (what-if) and 5 (roll-up, company level) through the endpoint, by hand.
const QUARTERS = [
  { grain: "QUARTER", date: "2025-11-15" },
  { grain: "QUARTER", date: "2026-02-15" },
  { grain: "QUARTER", date: "2026-05-15" },
  { grain: "QUARTER", date: "2026-08-15" },
];
// Revenue per member and quarter (Q4 2025, Q1, Q2, Q3 2026); Ann and Bob in North, Cy in South.
const REVENUE: Record<string, number[]> = { Ann: [500, 1000, 200, 0], Bob: [100, 300, 800, 1200], Cy: [0, 700, 400, 250] };
const DAYS = ["2025-11-10", "2026-02-10", "2026-05-10", "2026-08-10"];

const review = (target: number, extra: Record<string, unknown> = {}) => ({
  key: "member_review",
  name: "Member review",
  level: "member",
  items: [{ kpi: "revenue", weight: 1, score: { method: "target", target, worst: 0 } }],
  ...extra,
});

describe(`what-if of a draft, roll-ups and company frameworks (${TEST_DB})`, () => {
  let t: TestApp;
  let co: TestCompany;

  beforeAll(async () => {
    t = await createTestApp();
    co = await createCompany(t.db, "whatif");
    const p = t.db.prisma;
    const north = await p.team.create({ data: { companyId: co.id, name: "North" } });
    const south = await p.team.create({ data: { companyId: co.id, name: "South" } });
    for (const [name, amounts] of Object.entries(REVENUE)) {
      const team = name === "Cy" ? south : north;
      const member = await p.member.create({ data: { companyId: co.id, teamId: team.id, name } });
      const customer = await p.customer.create({ data: { companyId: co.id, name: `${name}'s customer`, ownerTeamId: team.id, ownerMemberId: member.id } });
      for (const [q, amount] of amounts.entries()) {
        if (amount === 0) continue;
        await p.order.create({ data: { companyId: co.id, customerId: customer.id, teamId: team.id, memberId: member.id, amount: String(amount),
          product: "p", category: "c", channel: "web", at: new Date(`${DAYS[q]}T00:00:00Z`) } });
      }
    }
    // Published v1 holds revenue to 1000; the draft v2 to 500.
    dataOf(await t.gql(`mutation($d: JSON!) { createFramework(document: $d, effectiveFrom: "2000-01-01T00:00:00Z") { version } }`, { d: review(1000) }, co.keys.admin));
    dataOf(await t.gql(`mutation($d: JSON!) { updateFramework(key: "member_review", document: $d) { version status } }`, { d: review(500) }, co.keys.admin));
  });
  afterAll(() => t.close());

  const WHAT_IF = `query($ps: [PeriodInput!]!) { company { frameworkComparison(framework: "member_review", periods: $ps) {
    period { label } publishedVersion draftVersion rows { subjectName publishedTotal draftTotal change publishedRank draftRank } } } }`;

  it("scores the draft beside the published version over four past quarters in one request", async () => {
    type Cmp = { period: { label: string }; publishedVersion: number; draftVersion: number;
      rows: { subjectName: string; publishedTotal: number; draftTotal: number; change: number; publishedRank: number; draftRank: number }[] };
    const out = dataOf(await t.gql<{ company: { frameworkComparison: Cmp[] } }>(WHAT_IF, { ps: QUARTERS }, co.keys.manager)).company.frameworkComparison;
    expect(out.map((c) => [c.period.label, c.publishedVersion, c.draftVersion])).toEqual([
      ["2025-Q4", 1, 2], ["2026-Q1", 1, 2], ["2026-Q2", 1, 2], ["2026-Q3", 1, 2],
    ]);
    // Score = min(100, revenue / target × 100). Published (1000) → draft (500), change:
    //   Q4 2025: Ann 500 → 50 → 100 (+50); Bob 100 → 10 → 20 (+10); Cy 0 → 0 → 0 (0).
    //   Q1 2026: Ann 1000 → 100 → 100 (0); Bob 300 → 30 → 60 (+30); Cy 700 → 70 → 100 (+30).
    //   Q2 2026: Ann 200 → 20 → 40 (+20); Bob 800 → 80 → 100 (+20); Cy 400 → 40 → 80 (+40).
    //   Q3 2026: Ann 0 → 0 → 0 (0); Bob 1200 → 100 → 100 (0); Cy 250 → 25 → 50 (+25).
    const rows = (i: number) => Object.fromEntries(out[i]!.rows.map((r) => [r.subjectName, [r.publishedTotal, r.draftTotal, r.change]]));
    expect(rows(0)).toEqual({ Ann: [50, 100, 50], Bob: [10, 20, 10], Cy: [0, 0, 0] });
    expect(rows(1)).toEqual({ Ann: [100, 100, 0], Bob: [30, 60, 30], Cy: [70, 100, 30] });
    expect(rows(2)).toEqual({ Ann: [20, 40, 20], Bob: [80, 100, 20], Cy: [40, 80, 40] });
    expect(rows(3)).toEqual({ Ann: [0, 0, 0], Bob: [100, 100, 0], Cy: [25, 50, 25] });
    // Ranks under both: Q1 2026 published Ann 1, Cy 2, Bob 3; the draft ties Ann and Cy at 1, Bob 3.
    expect(Object.fromEntries(out[1]!.rows.map((r) => [r.subjectName, [r.publishedRank, r.draftRank]]))).toEqual({ Ann: [1, 1], Cy: [2, 1], Bob: [3, 3] });
  });

  it("keeps drafts away from viewers", async () => {
    expect((await t.gql(WHAT_IF, { ps: QUARTERS }, co.keys.viewer)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    // A viewer's ranking is the published version, and the draft's number is unknown to it.
    const r = await t.gql(`{ company { ranking(framework: "member_review", version: 2, period: { grain: QUARTER, date: "2026-02-15" }) { total } } }`, {}, co.keys.viewer);
    expect(r.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  });

  it("rolls a member framework up to each team and the company (mean), with each member's contribution", async () => {
    type Card = { subjectName: string; total: number; rank: number; items: { score: number; contribution: number }[];
      rollup: { method: string; memberLevel: string; members: { subjectName: string; total: number; share: number; contribution: number }[] } };
    const q = `query($p: PeriodInput!) { company {
      teams { name scorecard(framework: "member_review", period: $p) { subjectName total rank items { score contribution }
        rollup { method memberLevel members { subjectName total share contribution } } } }
      scorecard(framework: "member_review", period: $p) { total rollup { members { subjectName share contribution } } } } }`;
    const res = dataOf(await t.gql<{ company: { teams: { name: string; scorecard: Card }[]; scorecard: Card } }>(q, { p: QUARTERS[1] }, co.keys.viewer)).company;
    const north = res.teams.find((x) => x.name === "North")!.scorecard;
    // Q1 2026, published v1: Ann 100, Bob 30. North = (100 + 30) / 2 = 65; each member's share ½,
    // contributions 50 and 15. South = Cy alone, 70. South ranks first.
    expect(north).toEqual({
      subjectName: "North", total: 65, rank: 2, items: [{ score: 65, contribution: 65 }],
      rollup: { method: "mean", memberLevel: "MEMBER", members: [
        { subjectName: "Ann", total: 100, share: 0.5, contribution: 50 },
        { subjectName: "Bob", total: 30, share: 0.5, contribution: 15 },
      ] },
    });
    expect(res.teams.find((x) => x.name === "South")!.scorecard).toMatchObject({ total: 70, rank: 1 });
    // The company: (100 + 30 + 70) / 3 = 66.67; shares ⅓ each, contributions 33.33, 10, 23.33.
    expect(res.scorecard.total).toBe(66.67);
    expect(res.scorecard.rollup.members).toEqual([
      { subjectName: "Ann", share: 0.3333, contribution: 33.33 },
      { subjectName: "Bob", share: 0.3333, contribution: 10 },
      { subjectName: "Cy", share: 0.3333, contribution: 23.33 },
    ]);
  });

  it("weights a roll-up by a measure when the framework says so", async () => {
    const doc = { ...review(1000), key: "member_weighted", name: "Member review weighted by revenue", rollup: { method: "weighted", by: "revenue" } };
    dataOf(await t.gql(`mutation($d: JSON!) { createFramework(document: $d, effectiveFrom: "2000-01-01T00:00:00Z") { version } }`, { d: doc }, co.keys.admin));
    const q = `query($p: PeriodInput!) { company {
      teams { name scorecard(framework: "member_weighted", period: $p) { total rollup { method by members { subjectName share contribution weightValue } } } }
      scorecard(framework: "member_weighted", period: $p) { total } } }`;
    type Card = { total: number; rollup: { method: string; by: string; members: { subjectName: string; share: number; contribution: number; weightValue: number }[] } };
    const res = dataOf(await t.gql<{ company: { teams: { name: string; scorecard: Card }[]; scorecard: { total: number } } }>(q, { p: QUARTERS[1] }, co.keys.viewer)).company;
    // North, Q1 2026, weights = revenue: Ann 1000, Bob 300 → shares 1000/1300 = 0.7692, 300/1300 = 0.2308;
    // total = (1000 × 100 + 300 × 30) / 1300 = 109000 / 1300 = 83.85; contributions 76.92 and 6.92.
    expect(res.teams.find((x) => x.name === "North")!.scorecard).toEqual({
      total: 83.85,
      rollup: { method: "weighted", by: "revenue", members: [
        { subjectName: "Ann", share: 0.7692, contribution: 76.92, weightValue: 1000 },
        { subjectName: "Bob", share: 0.2308, contribution: 6.92, weightValue: 300 },
      ] },
    });
    // The company: (1000 × 100 + 300 × 30 + 700 × 70) / 2000 = (100000 + 9000 + 49000) / 2000 = 79.
    expect(res.scorecard.total).toBe(79);
  });

  it("scores a company-level framework as the company's own scorecard", async () => {
    const doc = { key: "company_review", name: "Company review", level: "company", items: [{ kpi: "revenue", weight: 1, score: { method: "target", target: 4000, worst: 0 } }] };
    dataOf(await t.gql(`mutation($d: JSON!) { createFramework(document: $d, effectiveFrom: "2000-01-01T00:00:00Z") { version } }`, { d: doc }, co.keys.admin));
    const res = dataOf(await t.gql<{ company: { scorecard: { level: string; subjectName: string; total: number; items: { value: number; target: number; attainment: number }[] } } }>(
      `query($p: PeriodInput!) { company { scorecard(framework: "company_review", period: $p) { level subjectName total items { value target attainment } } } }`, { p: QUARTERS[2] }, co.keys.viewer)).company;
    // Q2 2026: 200 + 800 + 400 = 1400 of 4000 → 35.
    expect(res.scorecard).toEqual({ level: "company", subjectName: "whatif", total: 35, items: [{ value: 1400, target: 4000, attainment: 35 }] });
    const bad = await t.gql(`{ company { teams { scorecard(framework: "company_review", period: { grain: QUARTER }) { total } } } }`, {}, co.keys.viewer);
    expect(bad.errors?.[0]?.extensions?.code).toBe("WRONG_LEVEL");
  });
});
