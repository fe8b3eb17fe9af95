import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCompany, createTestApp, dataOf, type TestApp, type TestCompany } from "../helpers/app.js";
import { TEST_DB } from "../helpers/database.js";
import { ImportInterrupted, runImport } from "../../src/import/importer.js";
import { textSource } from "../../src/import/source.js";

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

  describe("OPPORTUNITIES and OPPORTUNITY_STAGES", () => {
    beforeAll(async () => {
      const customers = await imp("CUSTOMERS", ["external_id,name,owner", "C-1,Acme Ltd,li.wei@example.cn", "C-2,Beta Co,zhao.min@example.cn"]);
      expect(customers).toMatchObject({ rowsImported: 2, rowsRejected: 0 });
    });

    it("imports a Zoho CRM deals export as it comes: Account Name, Deal Owner, Zoho stages, Closing Date", async () => {
      const job = await imp("OPPORTUNITIES", [
        "Record Id,Deal Name,Account Name,Deal Owner,Amount,Stage,Lead Source,Created Time,Closing Date",
        "D-1,Acme renewal,Acme Ltd,,\"25,000.00\",Closed Won,Trade Show,2026-02-01 10:00,2026-03-10",
        "D-2,Beta pilot,beta co,Wang Fang,8000,Proposal/Price Quote,Advertisement,2026-03-02 09:30,2026-04-30",
        "D-3,Acme add-on,Acme Ltd,li.wei@example.cn,1200,Closed Lost,,2026-03-03,2026-03-20",
      ]);
      expect(job).toMatchObject({ status: "DONE", rowsImported: 3, rowsRejected: 0 });
      const rows = await t.db.sql.query<Record<string, string | null>>(
        `SELECT o.external_id, o.name, c.name AS customer, m.name AS member, tm.name AS team, o.value::text, o.stage, o.status, o.source_channel,
                to_char(o.closed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI') AS closed
           FROM opportunities o JOIN customers c ON c.id = o.customer_id LEFT JOIN members m ON m.id = o.member_id LEFT JOIN teams tm ON tm.id = o.team_id
          WHERE o.company_id = $1 ORDER BY o.external_id`,
        [co.id],
      );
      expect(rows).toEqual([
        // No owner: the customer's owner (Li Wei Jr, now in Sales West) and team.
        { external_id: "D-1", name: "Acme renewal", customer: "Acme Ltd", member: "Li Wei Jr", team: "Sales West", value: "25000.00", stage: "won", status: "won", source_channel: "events", closed: "2026-03-09T16:00" },
        // Open: Zoho's Closing Date is the expected one, not kept.
        { external_id: "D-2", name: "Beta pilot", customer: "Beta Co", member: "wang fang", team: "Sales West", value: "8000.00", stage: "proposal", status: "open", source_channel: "online_ads", closed: null },
        { external_id: "D-3", name: "Acme add-on", customer: "Acme Ltd", member: "Li Wei Jr", team: "Sales West", value: "1200.00", stage: "lost", status: "lost", source_channel: null, closed: "2026-03-19T16:00" },
      ]);
      // The stage history, by the deals' external ids.
      const history = await imp("OPPORTUNITY_STAGES", [
        "opportunity,stage,entered_at",
        "D-1,Qualification,2026-02-01",
        "D-1,Negotiation/Review,2026-02-20",
        "D-1,Closed Won,2026-03-10",
        "D-2,lead,2026-03-02",
        "D-2,方案报价,2026-03-15",
      ]);
      expect(history).toMatchObject({ status: "DONE", rowsImported: 5, rowsRejected: 0 });
      const stages = await t.db.sql.query<{ opp: string; stage: string; stage_order: number; member: string | null }>(
        `SELECT o.external_id AS opp, s.stage, s.stage_order, m.name AS member FROM opportunity_stages s JOIN opportunities o ON o.id = s.opportunity_id
           LEFT JOIN members m ON m.id = s.member_id WHERE s.company_id = $1 ORDER BY o.external_id, s.entered_at`,
        [co.id],
      );
      expect(stages.map((x) => [x.opp, x.stage, x.stage_order, x.member])).toEqual([
        ["D-1", "qualified", 2, "Li Wei Jr"], ["D-1", "negotiation", 4, "Li Wei Jr"], ["D-1", "won", 5, "Li Wei Jr"],
        ["D-2", "lead", 1, "wang fang"], ["D-2", "proposal", 3, "wang fang"],
      ]);
      // Both files again (processed anew): nothing changes.
      const v = await dataVersion();
      const again = await imp("OPPORTUNITY_STAGES", ["opportunity,stage,entered_at", "D-1,Qualification,2026-02-01", "D-2,lead,2026-03-02"]);
      expect(again).toMatchObject({ rowsImported: 0, rowsUnchanged: 2 });
      expect(await dataVersion()).toBe(v);
      // D-2 is won later: the deal updates in place, its attribution kept.
      const won = await imp("OPPORTUNITIES", ["deal_id,account_name,amount,stage,created_time,closing_date,deal_owner", "D-2,Beta Co,8000,赢单,2026-03-02 09:30,2026-04-02,Wang Fang"]);
      expect(won).toMatchObject({ rowsImported: 1, rowsUpdated: 1 });
      expect(await t.db.prisma.opportunity.count({ where: { companyId: co.id } })).toBe(3);
    });

    it("refuses an unknown stage, customer, owner or opportunity, an ambiguous owner, a won deal without close date — nothing written", async () => {
      const opps = await snapshot("opportunities");
      const stages = await snapshot("opportunity_stages");
      const job = await imp("OPPORTUNITIES", [
        "external_id,customer_external_id,owner,amount,stage,created_at,closed_at",
        "D-9,C-1,,100,Daydreaming,2026-03-01,",
        "D-10,C-404,,100,lead,2026-03-01,",
        "D-11,C-1,ghost@example.cn,100,lead,2026-03-01,",
        "D-12,C-1,Chen Jie,100,lead,2026-03-01,",
        "D-13,C-1,,100,won,2026-03-01,",
        "D-14,C-1,,100,lost,2026-03-05,2026-03-01",
        ",C-1,,100,lead,2026-03-01,",
      ]);
      expect(job.rejects).toEqual([
        { line: 2, reason: 'stage must be one of lead, qualified, proposal, negotiation, won, lost: "Daydreaming"' },
        { line: 3, reason: 'unknown customer: customer_external_id "C-404"' },
        { line: 4, reason: 'unknown member: owner "ghost@example.cn"' },
        { line: 5, reason: 'ambiguous member: owner "Chen Jie" names 2 members (use the email)' },
        { line: 6, reason: "missing closed_at (the opportunity is won)" },
        { line: 7, reason: "closed_at is before created_at" },
        { line: 8, reason: "missing external_id" },
      ]);
      const history = await imp("OPPORTUNITY_STAGES", ["opportunity,stage,entered_at", "D-404,lead,2026-03-01", "D-1,Sleeping,2026-03-01", ",lead,2026-03-01"]);
      expect(history.rejects).toEqual([
        { line: 2, reason: 'unknown opportunity: opportunity "D-404"' },
        { line: 3, reason: 'stage must be one of lead, qualified, proposal, negotiation, won, lost: "Sleeping"' },
        { line: 4, reason: "missing opportunity" },
      ]);
      expect(await snapshot("opportunities")).toEqual(opps);
      expect(await snapshot("opportunity_stages")).toEqual(stages);
    });
  });

  describe("RATINGS", () => {
    beforeAll(async () => {
      for (const d of [
        { key: "review", name: "Monthly review", level: "member", items: [{ rating: "communication", weight: 1, scale: 5 }, { rating: "teamwork", weight: 1, scale: 10, period: "quarter" }] },
        { key: "accounts", name: "Accounts", level: "customer", items: [{ rating: "relationship", weight: 1, scale: 5 }] },
      ]) {
        dataOf(await t.gql(`mutation($d: JSON!) { createFramework(document: $d, effectiveFrom: "2000-01-01T00:00:00Z") { key } }`, { d }, co.keys.admin));
      }
    });

    it("imports managers' ratings per subject × item × whole period; the same again replaces the score", async () => {
      const job = await imp("RATINGS", [
        "评分项,员工,客户编号,考核周期,得分,评分人,评语",
        "communication,li.wei@example.cn,,2026-03-17,4,Boss,clear reports",
        "teamwork,Zhao Min,,2026-Q1,8,Boss,",
        "relationship,,C-1,2026-03,5,,",
      ]);
      expect(job).toMatchObject({ status: "DONE", rowsImported: 3, rowsRejected: 0 });
      const rows = await t.db.sql.query<Record<string, string | number | null>>(
        `SELECT r.subject_type, coalesce(m.name, c.name) AS subject, tm.name AS team, r.item, r.score, r.scale, r.rated_by,
                to_char(r.period_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI') AS ps, to_char(r.period_end AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI') AS pe
           FROM ratings r LEFT JOIN members m ON m.id = r.member_id AND r.subject_type = 'member' LEFT JOIN customers c ON c.id = r.customer_id
           LEFT JOIN teams tm ON tm.id = r.team_id WHERE r.company_id = $1 ORDER BY r.item`,
        [co.id],
      );
      // Periods are whole months / quarters in Asia/Shanghai (UTC+8): March = 2026-02-28T16:00Z … 2026-03-31T16:00Z.
      expect(rows).toEqual([
        { subject_type: "member", subject: "Li Wei Jr", team: "Sales West", item: "communication", score: 4, scale: 5, rated_by: "Boss", ps: "2026-02-28T16:00", pe: "2026-03-31T16:00" },
        // The customer's rating is attributed to its owner's team.
        { subject_type: "customer", subject: "Acme Ltd", team: "Sales West", item: "relationship", score: 5, scale: 5, rated_by: "import", ps: "2026-02-28T16:00", pe: "2026-03-31T16:00" },
        { subject_type: "member", subject: "Zhao Min", team: "Service", item: "teamwork", score: 8, scale: 10, rated_by: "Boss", ps: "2025-12-31T16:00", pe: "2026-03-31T16:00" },
      ]);
      const v = await dataVersion();
      const again = await imp("RATINGS", ["item,member,period,score,rated_by,comment", "communication,Li.Wei@example.cn,2026-03-01,4,Boss,clear reports", "communication,zhao.min@example.cn,2026-03-01,3,Boss,"]);
      expect(again).toMatchObject({ rowsImported: 1, rowsUnchanged: 1, rowsRejected: 0 });
      expect(await dataVersion()).toBe(v + 1);
      const changed = await imp("RATINGS", ["item,member,period,score,rated_by,comment", "communication,li.wei@example.cn,2026-03-31,5,Boss,clear reports"]);
      expect(changed).toMatchObject({ rowsImported: 1, rowsUpdated: 1 });
      expect(await t.db.prisma.rating.count({ where: { companyId: co.id } })).toBe(4);
    });

    it("refuses a score out of scale, an unknown item, a subject of the wrong level, a period not of the item — nothing written", async () => {
      const before = await snapshot("ratings");
      const v = await dataVersion();
      const job = await imp("RATINGS", [
        "item,member,team,customer_external_id,period,score,scale",
        "communication,li.wei@example.cn,,,2026-04-01,6,",
        "charisma,li.wei@example.cn,,,2026-04-01,3,",
        "communication,,Sales East,,2026-04-01,3,",
        "teamwork,li.wei@example.cn,,,2026-04,7,",
        "communication,li.wei@example.cn,,,2026-04-01,3,10",
        "communication,ghost@example.cn,,,2026-04-01,3,",
        "communication,li.wei@example.cn,Sales East,,2026-04-01,3,",
        "relationship,,,C-404,2026-04-01,3,",
        "communication,li.wei@example.cn,,,2026-04-02,3,",
        "communication,li.wei@example.cn,,,2026-04-20,4,",
      ]);
      expect(job.rejects).toEqual([
        { line: 2, reason: 'score 6 is outside the scale of "communication": 1–5' },
        { line: 3, reason: 'unknown rating item "charisma" (no framework of the company rates it)' },
        { line: 4, reason: 'rating item "communication" rates each member, not a team' },
        { line: 5, reason: 'period "2026-04" is not one quarter: "teamwork" is rated per quarter' },
        { line: 6, reason: 'scale 10 is not the scale of "communication" (5)' },
        { line: 7, reason: 'unknown member: member "ghost@example.cn"' },
        { line: 8, reason: "one subject per row: member and team are both given" },
        { line: 9, reason: 'unknown customer: customer_external_id "C-404"' },
        // Line 10 is April's rating of Li Wei; line 11 names the same month again.
        { line: 11, reason: "duplicate of line 10 (same subject, item and period)" },
      ]);
      expect(job.rowsImported).toBe(1);
      // Only line 10 was written: the rest of the table is as it was.
      const after = await snapshot("ratings");
      expect(after.filter((r) => !before.includes(r))).toHaveLength(1);
      expect(before.every((r) => after.includes(r))).toBe(true);
      expect(await dataVersion()).toBe(v + 1);
    });
  });

  describe("the new kinds share the importer", () => {
    it("takes a multipart upload (importCsvFile)", async () => {
      const form = new FormData();
      form.append("operations", JSON.stringify({ query: `mutation ($file: File!) { importCsvFile(kind: TEAMS, file: $file) { ${JOB} } }`, variables: { file: null } }));
      form.append("map", JSON.stringify({ 0: ["variables.file"] }));
      form.append("0", new Blob(["\ufeffteam\nKey Accounts\n"], { type: "text/csv" }), "teams.csv");
      const res = await t.app.fetch("http://yardstick.test/graphql", { method: "POST", headers: { authorization: `Bearer ${co.keys.manager}` }, body: form });
      const job = dataOf((await res.json()) as { data: { importCsvFile: Job } }).importCsvFile;
      expect(job).toMatchObject({ status: "DONE", rowsImported: 1 });
    });

    it("resumes an interrupted import after its last committed batch, duplicates across batches still found", async () => {
      const csv = [
        "external_id,campaign,amount,at",
        "K-1,CP-2,10,2026-03-01", "K-2,CP-2,20,2026-03-02",
        "K-3,CP-2,30,2026-03-03", "K-1,CP-2,99,2026-03-04",
        "K-5,CP-2,50,2026-03-05",
      ].join("\n");
      const stop = new AbortController();
      const first = runImport(t.db, { companyId: co.id, kind: "campaign_costs", source: textSource(csv, "costs.csv"), batchRows: 2, signal: stop.signal, onBatch: () => stop.abort() });
      await expect(first).rejects.toBeInstanceOf(ImportInterrupted);
      const costs = () => t.db.prisma.campaignCost.count({ where: { companyId: co.id, externalId: { startsWith: "K-" } } });
      // Stopped after a committed batch (the one being read when the stop came may commit too), before the end.
      const stopped = await t.db.prisma.importJob.findFirstOrThrow({ where: { companyId: co.id, kind: "campaign_costs", fileName: "costs.csv" } });
      expect(stopped.status).toBe("running");
      expect(stopped.lastLine).toBeLessThan(6);
      expect(await costs()).toBeLessThan(4);
      const resumed = await runImport(t.db, { companyId: co.id, kind: "campaign_costs", source: textSource(csv, "costs.csv"), batchRows: 2 });
      expect(resumed.resumedFrom).toBe(stopped.lastLine);
      expect(resumed.job).toMatchObject({ status: "done", rowsProcessed: 5, rowsImported: 4, rowsRejected: 1 });
      expect(await costs()).toBe(4);
      const rejects = await t.db.prisma.importJob.findUniqueOrThrow({ where: { id: resumed.job.id } });
      expect(rejects.rejects).toEqual([{ line: 5, reason: 'duplicate of line 2 (external_id "K-1")' }]);
    });
  });
});
