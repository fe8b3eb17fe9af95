import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCompany, createTestApp, dataOf, type TestApp, type TestCompany } from "../helpers/app.js";
import { TEST_DB } from "../helpers/database.js";

// Issue 17 items 3 and 4 through the endpoint: team targets per quarter with their source on
// scorecard items and metric values; rank / peers / percentile on a metric value equal to the
// quantile score — one definition of peers for metric { score } and scorecard items.
const Q3 = { grain: "QUARTER", date: "2026-08-15" };
const Q4 = { grain: "QUARTER", date: "2026-11-15" };

describe(`targets per subject and period, peers on any value (${TEST_DB})`, () => {
  let t: TestApp;
  let co: TestCompany;
  let other: TestCompany;
  const teams: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp();
    co = await createCompany(t.db, "targets");
    other = await createCompany(t.db, "targets-other");
    const p = t.db.prisma;
    // Q4 2026: T3 has three orders (300 + 300 + 400 = 1000), T1 one (250), T0 none.
    // Q3 2026: T3 one order of 400.
    const orders: Record<string, [string, string][]> = {
      T3: [["300", "2026-10-02"], ["300", "2026-11-02"], ["400", "2026-12-02"], ["400", "2026-08-02"]],
      T1: [["250", "2026-10-20"]],
      T0: [],
    };
    for (const [name, list] of Object.entries(orders)) {
      const team = await p.team.create({ data: { companyId: co.id, name } });
      const customer = await p.customer.create({ data: { companyId: co.id, name: `${name} customer`, ownerTeamId: team.id } });
      for (const [amount, day] of list) {
        await p.order.create({ data: { companyId: co.id, customerId: customer.id, teamId: team.id, amount, product: "p", category: "c", channel: "web", at: new Date(`${day}T00:00:00Z`) } });
      }
    }
    const list = dataOf(await t.gql<{ company: { teams: { id: string; name: string }[] } }>("{ company { teams { id name } } }", {}, co.keys.admin));
    for (const team of list.company.teams) teams[team.name] = team.id;
    const create = `mutation($d: JSON!) { createFramework(document: $d, effectiveFrom: "2000-01-01T00:00:00Z") { key } }`;
    dataOf(await t.gql(create, { d: { key: "team_targets", name: "Team targets", level: "team", items: [{ kpi: "revenue", weight: 1, score: { method: "target", target: 2000, worst: 0 } }] } }, co.keys.admin));
    dataOf(await t.gql(create, { d: { key: "team_peers", name: "Team peers", level: "team", items: [{ kpi: "revenue", weight: 1 }] } }, co.keys.admin));
  });
  afterAll(() => t.close());

  const SET = `mutation($i: [TargetInput!]!) { setTargets(input: $i) }`;

  it("sets targets per team and quarter (managers), refusing bad input whole", async () => {
    const viewer = await t.gql(SET, { i: [{ kpi: "revenue", subject: teams.T3, period: Q4, value: 1000 }] }, co.keys.viewer);
    expect(viewer.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    // One bad row (an unknown KPI) and nothing is written.
    const bad = await t.gql(SET, { i: [{ kpi: "revenue", subject: teams.T3, period: Q4, value: 1000 }, { kpi: "nope", subject: teams.T1, period: Q4, value: 1 }] }, co.keys.manager);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.1.kpi" });
    // Another company's team does not exist here.
    const foreignTeam = dataOf(await t.gql<{ company: { teams: { id: string }[] } }>("{ company { teams { id } } }", {}, other.keys.admin)).company.teams;
    expect(foreignTeam).toEqual([]);
    expect(await t.db.prisma.target.count()).toBe(0);

    const n = dataOf(await t.gql<{ setTargets: number }>(SET, { i: [
      { kpi: "revenue", subject: teams.T3, period: Q4, value: 1000 },
      { kpi: "revenue", subject: teams.T1, period: Q4, value: 500 },
      { kpi: "revenue", subject: teams.T3, period: Q3, value: 800 },
      { kpi: "revenue", period: Q4, value: 2500 },
    ] }, co.keys.manager));
    expect(n.setTargets).toBe(4);
    // Setting again replaces, one row per KPI × subject × period.
    dataOf(await t.gql(SET, { i: [{ kpi: "revenue", subject: teams.T3, period: Q4, value: 1000 }] }, co.keys.manager));
    expect(await t.db.prisma.target.count({ where: { companyId: co.id } })).toBe(4);
    const listed = dataOf(await t.gql<{ company: { targets: { kpi: string; value: number; period: { label: string } }[] } }>(
      `query($p: PeriodInput) { company { targets(kpi: "revenue", period: $p) { kpi value period { label } } } }`, { p: Q4 }, co.keys.viewer));
    expect(listed.company.targets.map((x) => x.value).sort((a, b) => a - b)).toEqual([500, 1000, 2500]);
    expect(listed.company.targets[0]!.period.label).toBe("2026-Q4");
  });

  it("scores each team against its own quarterly target, naming the source", async () => {
    type Card = { subjectName: string; total: number; items: { value: number; score: number; target: number; targetSource: string; attainment: number }[] };
    const q = `query($p: PeriodInput!) { company { ranking(framework: "team_targets", period: $p) { subjectName total
      items { value score target targetSource attainment } } } }`;
    const q4 = dataOf(await t.gql<{ company: { ranking: Card[] } }>(q, { p: Q4 }, co.keys.viewer)).company.ranking;
    // T3: 1000 against its own 1000 → 100 %, score 100. T1: 250 against 500 → 50 %, score 250/500 = 50.
    // T0: no target of its own → the framework's 2000; 0 → 0 %.
    expect(q4).toEqual([
      { subjectName: "T3", total: 100, items: [{ value: 1000, score: 100, target: 1000, targetSource: "SUBJECT", attainment: 100 }] },
      { subjectName: "T1", total: 50, items: [{ value: 250, score: 50, target: 500, targetSource: "SUBJECT", attainment: 50 }] },
      { subjectName: "T0", total: 0, items: [{ value: 0, score: 0, target: 2000, targetSource: "FRAMEWORK", attainment: 0 }] },
    ]);
    // Q3: T3 400 against its Q3 target 800 → 50 %; T1 has no Q3 target → 2000.
    const q3 = dataOf(await t.gql<{ company: { ranking: Card[] } }>(q, { p: Q3 }, co.keys.viewer)).company.ranking;
    expect(q3.map((c) => [c.subjectName, c.items[0]!.target, c.items[0]!.targetSource, c.items[0]!.attainment])).toEqual([
      ["T3", 800, "SUBJECT", 50], ["T1", 2000, "FRAMEWORK", 0], ["T0", 2000, "FRAMEWORK", 0],
    ]);
  });

  it("reports target, source and attainment on metric values", async () => {
    const q = `query($p: PeriodInput!) { company { metric(key: "revenue", period: $p) { value target targetSource attainment }
      teams { name metric(key: "revenue", period: $p) { value target targetSource attainment } } } }`;
    type V = { value: number; target: number | null; targetSource: string | null; attainment: number | null };
    const r = dataOf(await t.gql<{ company: { metric: V; teams: { name: string; metric: V }[] } }>(q, { p: Q4 }, co.keys.viewer)).company;
    // The company: 1000 + 250 = 1250 against 2500 → 50 %.
    expect(r.metric).toEqual({ value: 1250, target: 2500, targetSource: "SUBJECT", attainment: 50 });
    const byName = Object.fromEntries(r.teams.map((x) => [x.name, x.metric]));
    expect(byName.T3).toEqual({ value: 1000, target: 1000, targetSource: "SUBJECT", attainment: 100 });
    // revenue's own scoring is a quantile: no plugin target.
    expect(byName.T0).toEqual({ value: 0, target: null, targetSource: null, attainment: null });
  });

  it("reports a company overview: KPI, value, target, previous, change, attainment", async () => {
    const q = `query($f: ReportFormat!) { company { overviewReport(period: { grain: QUARTER, date: "2026-11-15" }, keys: ["revenue"], format: $f) } }`;
    const csv = dataOf(await t.gql<{ company: { overviewReport: string } }>(q, { f: "CSV" }, co.keys.viewer)).company.overviewReport.trim().split("\n");
    expect(csv[0]).toBe("kpi,name,unit,value,target,target_source,previous,change,attainment_percent");
    // Q4: 1000 + 250 = 1250 against the company's own 2500 → 50 %; Q3: 400; change 1250 − 400 = 850.
    expect(csv[1]).toBe("revenue,Revenue,currency,1250,2500,subject,400,850,50");
    const md = dataOf(await t.gql<{ company: { overviewReport: string } }>(q, { f: "MARKDOWN" }, co.keys.viewer)).company.overviewReport;
    expect(md).toContain("# targets — KPI overview, 2026-Q4");
    expect(md).toContain("| Revenue | 1250 | 2500 (subject) | 400 | +850 | 50 % |");
  });

  it("gives rank, peers and percentile equal to the quantile score, for metric values and scorecard items alike", async () => {
    const q = `query($p: PeriodInput!) { company { teams { name metric(key: "revenue", period: $p) { value score rank peers percentile } } } }`;
    type V = { value: number; score: number; rank: number; peers: number; percentile: number };
    const teamsOut = dataOf(await t.gql<{ company: { teams: { name: string; metric: V }[] } }>(q, { p: Q4 }, co.keys.viewer)).company.teams;
    const byName = Object.fromEntries(teamsOut.map((x) => [x.name, x.metric]));
    // Peers: all three teams — T0 has no orders, so revenue 0, a value like any other.
    // Percentile = (peers below + ½ × peers equal, itself included) / 3:
    //   T3 (1000): (2 + ½) / 3 = 83.33; T1 (250): (1 + ½) / 3 = 50; T0 (0): (0 + ½) / 3 = 16.67.
    expect(byName.T3).toEqual({ value: 1000, score: 83.33, rank: 1, peers: 3, percentile: 83.33 });
    expect(byName.T1).toEqual({ value: 250, score: 50, rank: 2, peers: 3, percentile: 50 });
    expect(byName.T0).toEqual({ value: 0, score: 16.67, rank: 3, peers: 3, percentile: 16.67 });
    const cards = dataOf(await t.gql<{ company: { ranking: { subjectName: string; items: { score: number }[] }[] } }>(
      `query($p: PeriodInput!) { company { ranking(framework: "team_peers", period: $p) { subjectName items { score } } } }`, { p: Q4 }, co.keys.viewer)).company.ranking;
    for (const c of cards) expect(c.items[0]!.score).toBe(byName[c.subjectName]!.percentile);
    // The company has no peers.
    const company = dataOf(await t.gql<{ company: { metric: { rank: number | null; peers: number | null; percentile: number | null } } }>(
      `query($p: PeriodInput!) { company { metric(key: "revenue", period: $p) { rank peers percentile } } }`, { p: Q4 }, co.keys.viewer)).company.metric;
    expect(company).toEqual({ rank: null, peers: null, percentile: null });
  });
});
