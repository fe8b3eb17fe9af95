import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCompany, createTestApp, dataOf, type TestApp, type TestCompany } from "../helpers/app.js";
import { TEST_DB } from "../helpers/database.js";

// The import kinds of the org chart and the sales and marketing sources, through
// importCsv: each imported in the documented order, the same file again a no-op,
// a restart changing nothing, and every bad input answered with its line and
// reason while the table stays as it was.
const JOB = "id status rowsProcessed rowsImported rowsUpdated rowsUnchanged rowsRejected rejects { line reason } warnings { line reason }";

interface Job {
  id: string;
  status: string;
  rowsProcessed: number;
  rowsImported: number;
  rowsUpdated: number;
  rowsUnchanged: number;
  rowsRejected: number;
  rejects: { line: number; reason: string }[];
  warnings: { line: number; reason: string }[];
}

describe(`import kinds: org chart, sales, marketing, ratings (${TEST_DB})`, () => {
  let t: TestApp;
  let co: TestCompany;

  const imp = async (kind: string, lines: string[], extra = "") =>
    dataOf(
      await t.gql<{ importCsv: Job }>(`mutation ($csv: String!) { importCsv(kind: ${kind}, csv: $csv${extra}) { ${JOB} } }`, { csv: lines.join("\n") }, co.keys.manager),
    ).importCsv;
  /** The company's rows of a table, as text, in a stable order: compared before and after a refused file. */
  const snapshot = (table: string) =>
    t.db.sql.query<{ r: string }>(`SELECT row_to_json(x)::text AS r FROM "${table}" x WHERE company_id = $1 ORDER BY 1`, [co.id]).then((rows) => rows.map((x) => x.r));
  const dataVersion = async () => (await t.db.sql.query<{ v: number }>("SELECT data_version AS v FROM companies WHERE id = $1", [co.id]))[0]!.v;

  beforeAll(async () => {
    t = await createTestApp();
    co = await createCompany(t.db, "kinds", { timeZone: "Asia/Shanghai", currency: "CNY" });
  });
  afterAll(() => t.close());

  describe("TEAMS", () => {
    it("creates teams once, matched by name ignoring case; bumps data_version", async () => {
      const v0 = await dataVersion();
      const file = ["团队名称", "Sales East", "Sales West", "sales east", "Service"];
      const job = await imp("TEAMS", file);
      // 4 rows: three teams created, the second "sales east" is the same team.
      expect(job).toMatchObject({ status: "DONE", rowsProcessed: 4, rowsImported: 3, rowsUnchanged: 1, rowsRejected: 0 });
      expect((await t.db.prisma.team.findMany({ where: { companyId: co.id }, orderBy: { name: "asc" } })).map((x) => x.name)).toEqual(["Sales East", "Sales West", "Service"]);
      expect(await dataVersion()).toBe(v0 + 1);
      // The same file again: nothing to do; processed again: every row unchanged, no version bump.
      expect(await imp("TEAMS", file)).toMatchObject({ id: job.id, rowsImported: 3 });
      const again = await imp("TEAMS", file, ", restart: true");
      expect(again).toMatchObject({ status: "DONE", rowsImported: 0, rowsUnchanged: 4 });
      expect(await dataVersion()).toBe(v0 + 1);
    });

    it("rejects a blank name with its line", async () => {
      const before = await snapshot("teams");
      const job = await imp("TEAMS", ["name,other", ",x", "NULL,y"]);
      expect(job.rejects).toEqual([{ line: 2, reason: "missing name" }, { line: 3, reason: "missing name" }]);
      expect(await snapshot("teams")).toEqual(before);
    });
  });

  describe("MEMBERS", () => {
    it("creates members in their teams, then matches them by email, then by name", async () => {
      const job = await imp("MEMBERS", [
        "姓名,邮箱,部门,职位,状态",
        "Li Wei,Li.Wei@Example.cn,Sales East,Account Manager,在职",
        "Wang Fang,,Sales West,,",
        "Zhao Min,zhao.min@example.cn,Service,support,离职",
      ]);
      expect(job).toMatchObject({ status: "DONE", rowsImported: 3, rowsRejected: 0 });
      const members = await t.db.prisma.member.findMany({ where: { companyId: co.id }, include: { team: true }, orderBy: { name: "asc" } });
      expect(members.map((m) => [m.name, m.email, m.team?.name, m.role, m.active])).toEqual([
        ["Li Wei", "li.wei@example.cn", "Sales East", "account_manager", true],
        ["Wang Fang", null, "Sales West", "sales", true],
        ["Zhao Min", "zhao.min@example.cn", "Service", "support", false],
      ]);
      // A later export: Li Wei (by email, renamed) moves to Sales West; Wang Fang (by name) gets an email.
      const update = await imp("MEMBERS", ["name,email,team,role,active", "Li Wei Jr,LI.WEI@example.cn,Sales West,,", "wang fang,wang.fang@example.cn,,,"]);
      expect(update).toMatchObject({ rowsImported: 2, rowsUpdated: 2, rowsRejected: 0 });
      const li = await t.db.prisma.member.findFirstOrThrow({ where: { companyId: co.id, email: "li.wei@example.cn" }, include: { team: true } });
      expect([li.name, li.team?.name, li.role]).toEqual(["Li Wei Jr", "Sales West", "account_manager"]);
      // Matched by name ignoring case; the row's spelling of the name is kept.
      expect((await t.db.prisma.member.findFirstOrThrow({ where: { companyId: co.id, email: "wang.fang@example.cn" }, include: { team: true } })).team?.name).toBe("Sales West");
      expect(await t.db.prisma.member.count({ where: { companyId: co.id } })).toBe(3);
    });

    it("refuses an unknown team, an ambiguous member, a bad email or role, a member twice — with line and reason, nothing written", async () => {
      // Two members named Chen Jie without email make the name ambiguous.
      await t.db.prisma.member.createMany({ data: [{ companyId: co.id, name: "Chen Jie" }, { companyId: co.id, name: "Chen Jie" }] });
      const before = await snapshot("members");
      const job = await imp("MEMBERS", [
        "name,email,team,role",
        "New Person,new.person@example.cn,Sales North,sales",
        "Chen Jie,,Sales East,",
        "Bad Mail,not-an-email,,",
        "Bad Role,bad.role@example.cn,,sales/east!",
        "Zhao Min,zhao.min@example.cn,Nowhere,",
        ",nobody@example.cn,,",
      ]);
      expect(job.rejects).toEqual([
        { line: 2, reason: 'unknown team: team "Sales North"' },
        { line: 3, reason: 'ambiguous member: name "Chen Jie" names 2 members (give the email)' },
        { line: 4, reason: 'email: invalid email "not-an-email"' },
        { line: 5, reason: 'role "sales/east!" is not a role: 1–40 letters, digits and underscores (e.g. sales, support, account_manager)' },
        { line: 6, reason: 'unknown team: team "Nowhere"' },
        { line: 7, reason: "missing name" },
      ]);
      expect(job).toMatchObject({ rowsImported: 0, rowsRejected: 6 });
      expect(await snapshot("members")).toEqual(before);
      const twice = await imp("MEMBERS", ["name,email", "Zhao Min,zhao.min@example.cn", "Zhao M.,ZHAO.MIN@example.cn"]);
      expect(twice.rejects).toEqual([{ line: 3, reason: 'duplicate of line 2 (member "zhao.min@example.cn")' }]);
    });
  });

  describe("CAMPAIGNS", () => {
    it("creates campaigns, matched by external id, then by name; Zoho's campaign headers and types read as they come", async () => {
      const job = await imp("CAMPAIGNS", [
        "Campaign Name,Type,Start Date,End Date",
        "Spring Expo,Trade Show,2026-03-01,2026-03-31",
        "Search Q1,Advertisement,2026-01-01,",
      ]);
      expect(job).toMatchObject({ status: "DONE", rowsImported: 2, rowsRejected: 0 });
      // Later with external ids: Spring Expo (by name) takes its id and a new end date.
      const later = await imp("CAMPAIGNS", ["external_id,name,channel,starts_at,ends_at", "CP-1,spring expo,events,2026-03-01,2026-04-15", "CP-2,Webinars,webinar,2026-02-01,"]);
      expect(later).toMatchObject({ rowsImported: 2, rowsUpdated: 1, rowsRejected: 0 });
      const rows = await t.db.prisma.campaign.findMany({ where: { companyId: co.id }, orderBy: { startsAt: "asc" } });
      expect(rows.map((c) => [c.externalId?.startsWith("row-") ? "derived" : c.externalId, c.name, c.channel, c.endsAt?.toISOString() ?? null])).toEqual([
        ["derived", "Search Q1", "online_ads", null],
        ["CP-2", "Webinars", "content", null],
        // Dates are local midnight in Asia/Shanghai (UTC+8).
        ["CP-1", "spring expo", "events", "2026-04-14T16:00:00.000Z"],
      ]);
      expect((await imp("CAMPAIGNS", ["external_id,name,channel,starts_at,ends_at", "CP-1,spring expo,events,2026-03-01,2026-04-15"], ", restart: true")).rowsUnchanged).toBe(1);
    });

    it("refuses a missing name or start, an end before the start, an ambiguous name — nothing written", async () => {
      await t.db.prisma.campaign.createMany({ data: [1, 2].map(() => ({ companyId: co.id, name: "Twin", channel: "email", startsAt: new Date("2026-01-01") })) });
      const before = await snapshot("campaigns");
      const job = await imp("CAMPAIGNS", ["name,starts_at,ends_at", ",2026-01-01,", "No Start,,", "Backwards,2026-05-01,2026-04-01", "twin,2026-01-01,"]);
      expect(job.rejects).toEqual([
        { line: 2, reason: "missing name" },
        { line: 3, reason: "missing starts_at" },
        { line: 4, reason: "ends_at is before starts_at" },
        { line: 5, reason: 'ambiguous campaign: name "twin" names 2 campaigns (give its external_id)' },
      ]);
      expect(await snapshot("campaigns")).toEqual(before);
    });
  });

  describe("CAMPAIGN_COSTS", () => {
    it("books costs against campaigns by name or external id, sales costs against a team or member", async () => {
      const job = await imp("CAMPAIGN_COSTS", [
        "campaign,amount,at,kind,team,member",
        "Spring Expo,\"¥12,000.50\",2026-03-05,市场,,",
        "CP-2,800,2026-02-10,marketing,,",
        ",30000,2026-03-01,销售,Sales East,",
        ",5000,2026-03-01,sales,,zhao.min@example.cn",
      ]);
      expect(job).toMatchObject({ status: "DONE", rowsImported: 4, rowsRejected: 0 });
      const costs = await t.db.sql.query<{ campaign: string | null; team: string | null; member: string | null; kind: string; amount: string }>(
        `SELECT cp.name AS campaign, tm.name AS team, m.name AS member, k.kind, k.amount::text FROM campaign_costs k
           LEFT JOIN campaigns cp ON cp.id = k.campaign_id LEFT JOIN teams tm ON tm.id = k.team_id LEFT JOIN members m ON m.id = k.member_id
          WHERE k.company_id = $1 ORDER BY k.amount`,
        [co.id],
      );
      expect(costs).toEqual([
        { campaign: "Webinars", team: null, member: null, kind: "marketing", amount: "800.00" },
        // Zhao Min is in Service: the member's cost is the member's team's.
        { campaign: null, team: "Service", member: "Zhao Min", kind: "sales", amount: "5000.00" },
        { campaign: "spring expo", team: null, member: null, kind: "marketing", amount: "12000.50" },
        { campaign: null, team: "Sales East", member: null, kind: "sales", amount: "30000.00" },
      ]);
      // The same rows in another file: their derived ids match, nothing changes.
      const again = await imp("CAMPAIGN_COSTS", ["campaign,amount,at,kind,team,member", "CP-2,800,2026-02-10,marketing,,", ""]);
      expect(again).toMatchObject({ rowsImported: 0, rowsUnchanged: 1 });
    });

    it("refuses a cost for an unknown campaign naming the line and the campaign; unknown team, member, kind; nothing written", async () => {
      const before = await snapshot("campaign_costs");
      const v = await dataVersion();
      const job = await imp("CAMPAIGN_COSTS", [
        "campaign,amount,at,kind,team,member",
        "Autumn Fair,100,2026-03-01,marketing,,",
        ",100,2026-03-01,sales,Nowhere,",
        ",100,2026-03-01,sales,,ghost@example.cn",
        "Spring Expo,100,2026-03-01,bribes,,",
        "Spring Expo,-5,2026-03-01,,,",
        "Twin,100,2026-03-01,,,",
      ]);
      expect(job.rejects).toEqual([
        { line: 2, reason: 'unknown campaign: campaign "Autumn Fair"' },
        { line: 3, reason: 'unknown team: team "Nowhere"' },
        { line: 4, reason: 'unknown member: member "ghost@example.cn"' },
        { line: 5, reason: 'kind must be one of marketing, sales: "bribes"' },
        { line: 6, reason: 'negative amount: "-5"' },
        { line: 7, reason: 'ambiguous campaign: campaign "Twin" names 2 campaigns (use its external_id)' },
      ]);
      expect(await snapshot("campaign_costs")).toEqual(before);
      expect(await dataVersion()).toBe(v);
    });
  });
});
