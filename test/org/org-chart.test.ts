import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCompany, createTestApp, dataOf, type TestApp, type TestCompany } from "../helpers/app.js";
import { TEST_DB } from "../helpers/database.js";
import { auditActions, dataVersionOf, dbId, errorOf, globalId, snapshot } from "./support.js";

// The org chart through the real endpoint: an admin creates and renames teams,
// adds members, moves and deactivates them; facts keep their team; every change
// is audited and bumps the data version; every refusal names the field and
// leaves every table as it was.
describe(`org chart mutations (${TEST_DB})`, () => {
  let t: TestApp;
  let acme: TestCompany;
  let other: TestCompany;
  let north = "";
  let south = "";
  let ann = "";

  beforeAll(async () => {
    t = await createTestApp();
    acme = await createCompany(t.db, "acme", { timeZone: "Asia/Shanghai", currency: "CNY" });
    other = await createCompany(t.db, "other");
  });
  afterAll(() => t.close());

  const TEAM = "mutation($name: String!) { createTeam(name: $name) { id name } }";
  const MEMBER = "mutation($input: CreateMemberInput!) { createMember(input: $input) { id name email role active team { id name } } }";

  it("creates teams and members; each change audited and bumping the data version", async () => {
    const v0 = await dataVersionOf(t.db, acme.id);
    north = dataOf(await t.gql<{ createTeam: { id: string } }>(TEAM, { name: "  North   Sales " }, acme.keys.admin)).createTeam.id;
    south = dataOf(await t.gql<{ createTeam: { id: string } }>(TEAM, { name: "South" }, acme.keys.admin)).createTeam.id;
    const m = dataOf(
      await t.gql<{ createMember: { id: string; name: string; email: string; role: string; active: boolean; team: { id: string; name: string } } }>(
        MEMBER,
        { input: { name: "Ann Lee", email: "Ann.Lee@Acme.example", team: north, role: "Account Manager" } },
        acme.keys.admin,
      ),
    ).createMember;
    ann = m.id;
    expect(m).toMatchObject({ name: "Ann Lee", email: "ann.lee@acme.example", role: "account_manager", active: true, team: { id: north, name: "North Sales" } });
    // Relay nodes: refetchable by their global ID.
    const node = dataOf(await t.gql<{ node: { name: string } }>("query($id: ID!) { node(id: $id) { ... on Member { name } } }", { id: ann }, acme.keys.viewer));
    expect(node.node.name).toBe("Ann Lee");
    expect(await dataVersionOf(t.db, acme.id)).toBe(v0 + 3);
    expect(await auditActions(t.db, acme.id)).toEqual(["team.create", "team.create", "member.create"]);
  });

  it("renames a team and moves a member; the member's facts keep the team they happened in", async () => {
    const customer = await t.db.prisma.customer.create({ data: { companyId: acme.id, name: "C1", ownerMemberId: dbId(ann), ownerTeamId: dbId(north) } });
    await t.db.prisma.order.create({
      data: { companyId: acme.id, customerId: customer.id, teamId: dbId(north), memberId: dbId(ann), amount: "100", currency: "CNY", product: "p", category: "c", channel: "online", at: new Date("2026-10-05T02:00:00Z") },
    });
    const renamed = dataOf(await t.gql<{ renameTeam: { name: string } }>("mutation($t: ID!) { renameTeam(team: $t, name: \"North\") { name } }", { t: north }, acme.keys.admin));
    expect(renamed.renameTeam.name).toBe("North");
    const v = await dataVersionOf(t.db, acme.id);
    const moved = dataOf(
      await t.gql<{ moveMember: { team: { id: string } } }>("mutation($m: ID!, $t: ID) { moveMember(member: $m, team: $t) { team { id } } }", { m: ann, t: south }, acme.keys.admin),
    );
    expect(moved.moveMember.team.id).toBe(south);
    expect(await dataVersionOf(t.db, acme.id)).toBe(v + 1);
    // October revenue: the 100 CNY order stays North's (attributed when it happened); South has none.
    const q = `query($n: ID!, $s: ID!) {
      n: node(id: $n) { ... on Team { metric(key: "revenue", period: { grain: MONTH, date: "2026-10-01" }) { value } } }
      s: node(id: $s) { ... on Team { metric(key: "revenue", period: { grain: MONTH, date: "2026-10-01" }) { value } } } }`;
    const r = dataOf(await t.gql<{ n: { metric: { value: number } }; s: { metric: { value: number | null } } }>(q, { n: north, s: south }, acme.keys.viewer));
    expect(r.n.metric.value).toBe(100);
    expect(r.s.metric.value ?? 0).toBe(0);
    // The customer keeps its owning team unless asked.
    expect((await t.db.prisma.customer.findUniqueOrThrow({ where: { id: customer.id } })).ownerTeamId).toBe(dbId(north));
    dataOf(await t.gql("mutation($m: ID!, $t: ID) { moveMember(member: $m, team: $t, moveCustomers: true) { id } }", { m: ann, t: south }, acme.keys.admin));
    expect((await t.db.prisma.customer.findUniqueOrThrow({ where: { id: customer.id } })).ownerTeamId).toBe(dbId(south));
  });

  it("deactivates a member, keeping the member and its history; reactivates it", async () => {
    const d = dataOf(await t.gql<{ deactivateMember: { active: boolean; name: string } }>("mutation($m: ID!) { deactivateMember(member: $m) { active name } }", { m: ann }, acme.keys.admin));
    expect(d.deactivateMember).toEqual({ active: false, name: "Ann Lee" });
    expect(await t.db.prisma.order.count({ where: { memberId: dbId(ann) } })).toBe(1);
    const members = dataOf(await t.gql<{ company: { members: { name: string; active: boolean }[] } }>("{ company { members { name active } } }", {}, acme.keys.viewer));
    expect(members.company.members).toEqual([{ name: "Ann Lee", active: false }]);
    const r = dataOf(await t.gql<{ reactivateMember: { active: boolean } }>("mutation($m: ID!) { reactivateMember(member: $m) { active } }", { m: ann }, acme.keys.admin));
    expect(r.reactivateMember.active).toBe(true);
    expect((await auditActions(t.db, acme.id)).slice(-2)).toEqual(["member.deactivate", "member.reactivate"]);
  });

  describe("refusals name the field and the reason, and change no table", () => {
    let otherTeam = "";
    beforeAll(async () => {
      otherTeam = dataOf(await t.gql<{ createTeam: { id: string } }>(TEAM, { name: "Theirs" }, other.keys.admin)).createTeam.id;
    });

    const cases: [string, () => [string, Record<string, unknown>], string, string, RegExp][] = [
      ["a duplicate team name (any case)", () => [TEAM, { name: "south" }], "DUPLICATE", "name", /already has a team "South"/],
      ["a blank team name", () => [TEAM, { name: " \u3000 " }], "BAD_USER_INPUT", "name", /must not be blank/],
      ["a team name too long", () => [TEAM, { name: "x".repeat(201) }], "BAD_USER_INPUT", "name", /longer than 200/],
      ["a rename to another team's name", () => ["mutation($t: ID!) { renameTeam(team: $t, name: \"SOUTH\") { id } }", { t: north }], "DUPLICATE", "name", /already has a team/],
      ["a rename of another company's team", () => ["mutation($t: ID!) { renameTeam(team: $t, name: \"Mine\") { id } }", { t: otherTeam }], "NOT_FOUND", "team", /no such team in your company/],
      ["a member in an unknown team", () => [MEMBER, { input: { name: "Bo", team: otherTeam } }], "NOT_FOUND", "input.team", /no such team/],
      ["a member with an email already used", () => [MEMBER, { input: { name: "Bo", email: "ANN.LEE@acme.example" } }], "DUPLICATE", "input.email", /already the email of Ann Lee/],
      ["a member with a bad role", () => [MEMBER, { input: { name: "Bo", role: "sales; drop" } }], "BAD_USER_INPUT", "input.role", /is not a role/],
      ["a member without a name", () => [MEMBER, { input: { name: "" } }], "BAD_USER_INPUT", "input.name", /must not be blank/],
      ["a move of an unknown member", () => ["mutation($m: ID!, $t: ID) { moveMember(member: $m, team: $t) { id } }", { m: globalId("Member"), t: south }], "NOT_FOUND", "member", /no such member/],
      ["a move to another company's team", () => ["mutation($m: ID!, $t: ID) { moveMember(member: $m, team: $t) { id } }", { m: ann, t: otherTeam }], "NOT_FOUND", "team", /no such team/],
    ];

    it.each(cases)("refuses %s", async (_what, make, code, field, message) => {
      const before = await snapshot(t.db);
      const [query, variables] = make();
      const e = errorOf(await t.gql(query, variables, acme.keys.admin));
      expect(e).toMatchObject({ code, field });
      expect(e.message).toMatch(message);
      expect(await snapshot(t.db)).toEqual(before);
    });

    it("refuses a team ID where a member ID belongs, and a manager's attempt", async () => {
      const before = await snapshot(t.db);
      const wrongType = await t.gql("mutation($m: ID!) { deactivateMember(member: $m) { id } }", { m: north }, acme.keys.admin);
      expect(wrongType.errors?.[0]?.message).toMatch(/Member|member/);
      const manager = await t.gql(TEAM, { name: "Shadow" }, acme.keys.manager);
      expect(errorOf(manager).code).toBe("FORBIDDEN");
      expect(await snapshot(t.db)).toEqual(before);
    });
  });
});
