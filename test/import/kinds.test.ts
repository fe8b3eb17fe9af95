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
});
