import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCompany, dataOf, type TestCompany } from "../helpers/app.js";
import { TEST_DB } from "../helpers/database.js";
import { codeOf, expectNoLeak, globalId, openAuthApp, rowCounts, type AuthTestApp, type Call } from "./support.js";

// Embed tokens for portals: signed, read-only, scoped to one framework and its
// subjects, expiring and revocable. Everything through the endpoint, the token
// sent as a Bearer header like a portal would.
const SECRET = "embed-suite-secret-0123456789abcdef";
const MARCH = { grain: "MONTH", date: "2026-03-01" };

const FRAMEWORK = {
  key: "team_review",
  name: "Team review",
  level: "team",
  items: [
    { kpi: "revenue", weight: 2, score: { method: "target", target: 1000, worst: 0 } },
    { rating: "communication_quality", name: "Communication quality", weight: 1, scale: 5 },
  ],
  missing: "renormalize",
};

const CREATE = `mutation($f: String!, $s: [ID!]!, $h: Int) { createEmbedToken(framework: $f, subjects: $s, expiresInHours: $h) {
  token embedToken { id framework subjectCount expiresAt revokedAt } } }`;
const SCORECARDS = `query($p: PeriodInput!) { embeddedScorecards(period: $p) {
  framework level subjectId subjectName total grade rank peerCount items { id value score weight } } }`;

type Issued = { createEmbedToken: { token: string; embedToken: { id: string; framework: string; subjectCount: number; expiresAt: string; revokedAt: string | null } } };
type Card = { framework: string; level: string; subjectId: string; subjectName: string; total: number; grade: string; rank: number; peerCount: number;
  items: { id: string; value: number | null; score: number | null; weight: number }[] };

/** Replaces the first character of the token's signature (the last one may carry unused bits). */
function tamperSignature(token: string): string {
  const [h, p, s] = token.split(".");
  return `${h}.${p}.${s![0] === "A" ? "B" : "A"}${s!.slice(1)}`;
}

describe(`embed tokens (${TEST_DB})`, () => {
  let t: AuthTestApp;
  let co: TestCompany;
  let other: TestCompany;
  const teams: Record<string, string> = {}; // name → global ID
  let memberGid: string;
  let otherTeamGid: string;
  let issued: Issued["createEmbedToken"];

  const expectTokenError = (res: Call, code: string) => {
    expect(res.status).toBe(401);
    expect(res.body.data ?? null).toBeNull();
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors![0]!.extensions?.code).toBe(code);
    expect(res.body.errors![0]!.message).toMatch(/embed token/);
  };

  beforeAll(async () => {
    t = await openAuthApp({ tokenSecret: SECRET });
    co = await createCompany(t.db, "portal");
    other = await createCompany(t.db, "elsewhere");
    const p = t.db.prisma;
    const revenue: Record<string, string[]> = { North: ["600", "200"], South: ["300"], East: [] };
    for (const [name, amounts] of Object.entries(revenue)) {
      const team = await p.team.create({ data: { companyId: co.id, name } });
      const member = await p.member.create({ data: { companyId: co.id, teamId: team.id, name: `${name} lead` } });
      if (name === "North") memberGid = globalId("Member", member.id);
      const customer = await p.customer.create({ data: { companyId: co.id, name: `${name} customer`, ownerTeamId: team.id, ownerMemberId: member.id } });
      for (const amount of amounts) {
        await p.order.create({ data: { companyId: co.id, customerId: customer.id, teamId: team.id, memberId: member.id, amount,
          product: "p", category: "c", channel: "web", at: new Date("2026-03-05T00:00:00Z") } });
      }
      if (name === "North") {
        await p.rating.create({ data: { companyId: co.id, subjectType: "team", teamId: team.id, item: "communication_quality", score: 5, scale: 5,
          periodStart: new Date("2026-03-01T00:00:00Z"), periodEnd: new Date("2026-04-01T00:00:00Z") } });
      }
    }
    otherTeamGid = globalId("Team", (await p.team.create({ data: { companyId: other.id, name: "Elsewhere" } })).id);
    dataOf(await t.gql(`mutation($d: JSON!) { createFramework(document: $d, effectiveFrom: "2000-01-01T00:00:00Z") { key } }`, { d: FRAMEWORK }, co.keys.admin));
    dataOf(await t.gql(`mutation($d: JSON!) { createFramework(document: $d, effectiveFrom: "2000-01-01T00:00:00Z") { key } }`, { d: FRAMEWORK }, other.keys.admin));
    const list = dataOf(await t.gql<{ company: { teams: { id: string; name: string }[] } }>("{ company { teams { id name } } }", {}, co.keys.admin));
    for (const team of list.company.teams) teams[team.name] = team.id;
  });
  afterAll(() => t.close());

  describe("issuing", () => {
    it("lets an admin issue a token for one team; the list shows it without the token", async () => {
      issued = dataOf(await t.gql<Issued>(CREATE, { f: "team_review", s: [teams.North] }, co.keys.admin)).createEmbedToken;
      expect(issued.token.split(".")).toHaveLength(3);
      expect(issued.embedToken).toMatchObject({ framework: "team_review", subjectCount: 1, revokedAt: null });
      // Default lifetime: 720 hours.
      const hours = (Date.parse(issued.embedToken.expiresAt) - Date.now()) / 3_600_000;
      expect(hours).toBeGreaterThan(719);
      expect(hours).toBeLessThanOrEqual(720);
      const list = await t.call<{ company: { embedTokens: { id: string; subjectCount: number }[] } }>(
        "{ company { embedTokens { id framework subjectCount expiresAt revokedAt } } }", {}, co.keys.admin);
      expect(dataOf(list.body).company.embedTokens).toEqual([expect.objectContaining({ id: issued.embedToken.id, subjectCount: 1 })]);
      expect(list.text).not.toContain(issued.token.split(".")[2]);
    });

    it("rejects a member's ID for a team framework, naming the subject", async () => {
      const before = await rowCounts(t.db);
      const first = await t.gql(CREATE, { f: "team_review", s: [memberGid] }, co.keys.admin);
      expect(first.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "subjects.0" });
      expect(first.errors![0]!.message).toMatch(/^subjects\.0: framework "team_review" assesses teams; this ID is a Member/);
      const second = await t.gql(CREATE, { f: "team_review", s: [teams.South, memberGid] }, co.keys.admin);
      expect(second.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "subjects.1" });
      expect(await rowCounts(t.db)).toEqual(before);
    });

    it("answers NOT_FOUND for another company's team, and for a framework the company lacks", async () => {
      const before = await rowCounts(t.db);
      const foreign = await t.gql(CREATE, { f: "team_review", s: [otherTeamGid] }, co.keys.admin);
      expect(foreign.errors?.[0]?.extensions).toMatchObject({ code: "NOT_FOUND", field: "subjects" });
      const mixed = await t.gql(CREATE, { f: "team_review", s: [teams.North, otherTeamGid] }, co.keys.admin);
      expect(mixed.errors?.[0]?.extensions).toMatchObject({ code: "NOT_FOUND", field: "subjects" });
      const noFramework = await t.gql(CREATE, { f: "member_review", s: [teams.North] }, co.keys.admin);
      expect(noFramework.errors?.[0]?.extensions).toMatchObject({ code: "NOT_FOUND", field: "framework" });
      expect(noFramework.errors![0]!.message).toMatch(/member_review/);
      expect(await rowCounts(t.db)).toEqual(before);
    });

    it("rejects lifetimes and subject lists out of range, naming the argument", async () => {
      for (const [vars, field] of [
        [{ h: 0 }, "expiresInHours"],
        [{ h: -5 }, "expiresInHours"],
        [{ h: 24 * 367 }, "expiresInHours"],
        [{ s: [] }, "subjects"],
        [{ s: Array.from({ length: 101 }, () => teams.North) }, "subjects"],
        [{ s: ["not-an-id"] }, "subjects.0"],
      ] as const) {
        const res = await t.gql(CREATE, { f: "team_review", s: [teams.North], ...vars }, co.keys.admin);
        expect(res.errors?.[0]?.extensions, JSON.stringify(vars).slice(0, 80)).toMatchObject({ code: "BAD_USER_INPUT", field });
        expect(res.errors![0]!.message.startsWith(`${field}: `)).toBe(true);
      }
    });
  });

  describe("reading with the token", () => {
    it("returns only its team's scorecard, computed against every peer", async () => {
      const res = await t.call<{ embeddedScorecards: Card[] }>(SCORECARDS, { p: MARCH }, issued.token);
      const cards = dataOf(res.body).embeddedScorecards;
      // North, March: revenue 600 + 200 = 800 → 800/1000 × 100 = 80; rating 5 of 5 → 100.
      // Weights 2 : 1 → 2/3 × 80 + 1/3 × 100 = 86.67 → "good"; best of the three teams.
      expect(cards).toEqual([
        {
          framework: "team_review", level: "team", subjectId: teams.North, subjectName: "North", total: 86.67, grade: "good", rank: 1, peerCount: 3,
          items: [
            { id: "revenue", value: 800, score: 80, weight: 0.6667 },
            { id: "rating:communication_quality", value: 5, score: 100, weight: 0.3333 }, // 5 on its own 1–5 scale
          ],
        },
      ]);
      expect(res.text).not.toMatch(/South|East/);
    });

    it("also works as ?token= in the URL", async () => {
      const res = await t.raw(
        { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: SCORECARDS, variables: { p: MARCH } }) },
        `http://yardstick.test/graphql?token=${issued.token}`,
      );
      expect((dataOf(res.body) as { embeddedScorecards: Card[] }).embeddedScorecards.map((c) => c.subjectName)).toEqual(["North"]);
    });

    it("is FORBIDDEN to API keys", async () => {
      for (const key of [co.keys.admin, co.keys.viewer]) {
        const res = await t.gql(SCORECARDS, { p: MARCH }, key);
        expect(res.errors?.[0]).toMatchObject({ path: ["embeddedScorecards"], extensions: { code: "FORBIDDEN" } });
      }
    });

    it.each([
      ["company", `{ company { name teams { name } } }`, {}],
      ["node(id:) of its own team", `query($id: ID!) { node(id: $id) { id ... on Team { name metric(key: "revenue", period: { grain: MONTH }) { value } } } }`, "north"],
      ["nodes(ids:)", `query($id: ID!) { nodes(ids: [$id]) { id } }`, "north"],
      ["metricDefinitions", `{ metricDefinitions { key } }`, {}],
    ])("refuses %s with FORBIDDEN and shows nothing", async (_label, query, vars) => {
      const res = await t.call(query, vars === "north" ? { id: teams.North } : {}, issued.token);
      expect(res.body.errors?.length).toBeGreaterThan(0);
      for (const e of res.body.errors!) expect(e.extensions?.code).toBe("FORBIDDEN");
      expect(res.text).not.toMatch(/North|portal|"revenue"/);
    });

    // Each source's batch sync (a delete of one external id is enough to be a write).
    const SYNC_KINDS = ["Customers", "Orders", "Tickets", "Interactions", "SurveyResponses", "Campaigns", "CampaignCosts",
      "Opportunities", "OpportunityStages"];
    // One call per mutation of the schema, with arguments an admin could use.
    const MUTATIONS: Record<string, string> = {
      createApiKey: `mutation { createApiKey(name: "portal", role: ADMIN) { key } }`,
      revokeApiKey: `mutation($keyId: ID!) { revokeApiKey(id: $keyId) { id } }`,
      createEmbedToken: `mutation($team: ID!) { createEmbedToken(framework: "team_review", subjects: [$team]) { token } }`,
      revokeEmbedToken: `mutation($tokenId: ID!) { revokeEmbedToken(id: $tokenId) { id } }`,
      createFramework: `mutation($fw: JSON!) { createFramework(document: $fw) { key } }`,
      updateFramework: `mutation($fw: JSON!) { updateFramework(key: "team_review", document: $fw) { key } }`,
      publishFramework: `mutation { publishFramework(key: "team_review", effectiveFrom: "2030-01-01T00:00:00Z") { key } }`,
      repinFramework: `mutation { repinFramework(key: "team_review", version: 1) { key } }`,
      deleteFramework: `mutation { deleteFramework(key: "team_review") }`,
      setTargets: `mutation($team: ID!) { setTargets(input: [{ kpi: "revenue", subject: $team, period: { grain: QUARTER }, value: 1 }]) }`,
      registerMetricPlugin: `mutation($plugin: JSON!) { registerMetricPlugin(document: $plugin) { key } }`,
      updateMetricPlugin: `mutation($plugin: JSON!) { updateMetricPlugin(key: "big_orders", document: $plugin) { key } }`,
      setMetricPluginEnabled: `mutation { setMetricPluginEnabled(key: "big_orders", enabled: false) { key } }`,
      deleteMetricPlugin: `mutation { deleteMetricPlugin(key: "big_orders") }`,
      importCsv: `mutation { importCsv(kind: CUSTOMERS, csv: "external_id,name\\nX1,Intruder\\n") { id } }`,
      updateCompanySettings: `mutation { updateCompanySettings(input: { embedFrameAncestors: ["https://intruder.example"] }) { id } }`,
      createTeam: `mutation { createTeam(name: "Intruders") { id } }`,
      renameTeam: `mutation($team: ID!) { renameTeam(team: $team, name: "Taken") { id } }`,
      createMember: `mutation($team: ID!) { createMember(input: { name: "Mole", team: $team }) { id } }`,
      moveMember: `mutation($member: ID!, $otherTeam: ID!) { moveMember(member: $member, team: $otherTeam) { id } }`,
      deactivateMember: `mutation($member: ID!) { deactivateMember(member: $member) { id } }`,
      reactivateMember: `mutation($member: ID!) { reactivateMember(member: $member) { id } }`,
      setRating: `mutation($team: ID!) { setRating(input: { framework: "team_review", item: "communication_quality", subject: $team, period: { grain: MONTH, date: "2026-03-01" }, score: 1 }) { id } }`,
      ...Object.fromEntries(SYNC_KINDS.map((kind) => [`sync${kind}`, `mutation { sync${kind}(input: { delete: ["X1"] }) { committed } }`])),
      // Teams, members and ratings are matched by name or subject, not deleted by external id: an upsert is the write.
      syncTeams: `mutation { syncTeams(input: { upsert: [{ name: "Intruders" }] }) { committed } }`,
      syncMembers: `mutation { syncMembers(input: { upsert: [{ name: "Mole", email: "mole@intruder.example" }] }) { committed } }`,
      syncRatings: `mutation { syncRatings(input: { upsert: [{ team: "North", item: "communication_quality", period: "2026-03", score: 1 }] }) { committed } }`,
      // Sent as a multipart upload in its own test below.
      importCsvFile: "",
    };

    it("names every mutation of the schema in the list below", async () => {
      const schema = dataOf(await t.gql<{ __schema: { mutationType: { fields: { name: string }[] } } }>(
        "{ __schema { mutationType { fields { name } } } }", {}, co.keys.admin));
      expect(schema.__schema.mutationType.fields.map((f) => f.name).sort()).toEqual(Object.keys(MUTATIONS).sort());
    });

    it("refuses importCsvFile (a multipart upload) with FORBIDDEN and changes nothing", async () => {
      const form = new FormData();
      form.append("operations", JSON.stringify({ query: `mutation($f: File!) { importCsvFile(kind: CUSTOMERS, file: $f) { id } }`, variables: { f: null } }));
      form.append("map", JSON.stringify({ 0: ["variables.f"] }));
      form.append("0", new Blob(["external_id,name\nX1,Intruder\n"], { type: "text/csv" }), "customers.csv");
      const before = await rowCounts(t.db);
      const res = await t.app.fetch("http://yardstick.test/graphql", { method: "POST", headers: { authorization: `Bearer ${issued.token}` }, body: form });
      const body = (await res.json()) as { errors?: { path?: string[]; extensions?: { code?: string } }[] };
      expect(body.errors?.[0]).toMatchObject({ path: ["importCsvFile"], extensions: { code: "FORBIDDEN" } });
      expect(await rowCounts(t.db)).toEqual(before);
    });

    it.each(Object.keys(MUTATIONS).filter((m) => m !== "importCsvFile"))("refuses the mutation %s with FORBIDDEN and changes nothing", async (name) => {
      const plugin = { key: "big_orders", name: "Big orders", unit: "count", subjects: ["company"],
        measures: { n: { source: "orders", aggregate: "count" } }, formula: "n" };
      const variables = {
        keyId: (await t.db.prisma.apiKey.findFirstOrThrow({ where: { companyId: co.id, name: "viewer key" } })).id,
        team: teams.North,
        member: memberGid,
        otherTeam: teams.South,
        tokenId: issued.embedToken.id,
        fw: { ...FRAMEWORK, key: name === "createFramework" ? "new_review" : "team_review" },
        plugin,
      };
      const query = MUTATIONS[name]!;
      const used = Object.fromEntries(Object.entries(variables).filter(([k]) => query.includes(`$${k}`)));
      const before = await rowCounts(t.db);
      const res = await t.gql(query, used, issued.token);
      expect(res.errors).toHaveLength(1);
      expect(res.errors![0]).toMatchObject({ path: [name], extensions: { code: "FORBIDDEN" } });
      expect(await rowCounts(t.db)).toEqual(before);
    });
  });

  describe("refused tokens", () => {
    const sign = (claims: Record<string, unknown>, opts: { secret?: string; exp?: number; iss?: string; aud?: string; jti?: string } = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: "HS256" })
        .setJti(opts.jti ?? issued.embedToken.id)
        .setIssuer(opts.iss ?? "yardstick")
        .setAudience(opts.aud ?? "yardstick-embed")
        .setIssuedAt()
        .setExpirationTime(opts.exp ?? Math.floor(Date.now() / 1000) + 3600)
        .sign(new TextEncoder().encode(opts.secret ?? SECRET));

    it("accepts a token signed here for a live row (the signing below is faithful)", async () => {
      const res = await t.gql<{ embeddedScorecards: Card[] }>(SCORECARDS, { p: MARCH }, await sign({ cid: co.id }));
      expect(dataOf(res).embeddedScorecards.map((c) => c.subjectName)).toEqual(["North"]);
    });

    it("refuses a tampered signature or payload: TOKEN_INVALID", async () => {
      expectTokenError(await t.call(SCORECARDS, { p: MARCH }, tamperSignature(issued.token)), "TOKEN_INVALID");
      const [h, , s] = issued.token.split(".");
      const payload = Buffer.from(JSON.stringify({ cid: other.id, jti: issued.embedToken.id, iss: "yardstick", aud: "yardstick-embed" })).toString("base64url");
      expectTokenError(await t.call(SCORECARDS, { p: MARCH }, `${h}.${payload}.${s}`), "TOKEN_INVALID");
    });

    it("refuses a token signed with another secret, an unsigned one, or one for another issuer: TOKEN_INVALID", async () => {
      expectTokenError(await t.call(SCORECARDS, { p: MARCH }, await sign({ cid: co.id }, { secret: "some-other-secret-0123456789abcdef" })), "TOKEN_INVALID");
      const none = `${Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url")}.${issued.token.split(".")[1]}.`;
      expectTokenError(await t.call(SCORECARDS, { p: MARCH }, none), "TOKEN_INVALID");
      expectTokenError(await t.call(SCORECARDS, { p: MARCH }, await sign({ cid: co.id }, { aud: "someone-else" })), "TOKEN_INVALID");
      expectTokenError(await t.call(SCORECARDS, { p: MARCH }, await sign({ cid: co.id }, { iss: "someone-else" })), "TOKEN_INVALID");
    });

    it("refuses a validly signed token whose row is unknown or belongs to another company: TOKEN_INVALID", async () => {
      expectTokenError(await t.call(SCORECARDS, { p: MARCH }, await sign({ cid: co.id }, { jti: "00000000-0000-4000-8000-000000000000" })), "TOKEN_INVALID");
      expectTokenError(await t.call(SCORECARDS, { p: MARCH }, await sign({ cid: other.id })), "TOKEN_INVALID");
      expectTokenError(await t.call(SCORECARDS, { p: MARCH }, await sign({ cid: co.id }, { jti: "not-a-uuid" })), "TOKEN_INVALID");
    });

    it("refuses a token past its JWT expiry: TOKEN_EXPIRED", async () => {
      const past = Math.floor(Date.now() / 1000) - 60;
      expectTokenError(await t.call(SCORECARDS, { p: MARCH }, await sign({ cid: co.id }, { exp: past })), "TOKEN_EXPIRED");
    });

    it("refuses a token whose row has expired, even while the JWT has not: TOKEN_EXPIRED", async () => {
      const short = dataOf(await t.gql<Issued>(CREATE, { f: "team_review", s: [teams.South], h: 1 }, co.keys.admin)).createEmbedToken;
      expect(dataOf(await t.gql<{ embeddedScorecards: Card[] }>(SCORECARDS, { p: MARCH }, short.token)).embeddedScorecards.map((c) => c.subjectName))
        .toEqual(["South"]);
      await t.db.prisma.embedToken.update({ where: { id: short.embedToken.id }, data: { expiresAt: new Date(Date.now() - 1000) }, select: { id: true } });
      expectTokenError(await t.call(SCORECARDS, { p: MARCH }, short.token), "TOKEN_EXPIRED");
    });

    it("refuses a revoked token: TOKEN_REVOKED, and the revocation is audited", async () => {
      const revoke = `mutation($id: ID!) { revokeEmbedToken(id: $id) { id revokedAt subjectCount } }`;
      const res = dataOf(await t.gql<{ revokeEmbedToken: { id: string; revokedAt: string; subjectCount: number } }>(
        revoke, { id: issued.embedToken.id }, co.keys.admin));
      expect(res.revokeEmbedToken).toMatchObject({ id: issued.embedToken.id, subjectCount: 1, revokedAt: expect.any(String) });
      expectTokenError(await t.call(SCORECARDS, { p: MARCH }, issued.token), "TOKEN_REVOKED");
      // A token re-signed for the revoked row is revoked too: the row decides.
      expectTokenError(await t.call(SCORECARDS, { p: MARCH }, await sign({ cid: co.id })), "TOKEN_REVOKED");
      const audit = await t.db.prisma.auditEntry.findMany({ where: { companyId: co.id, target: issued.embedToken.id }, orderBy: { at: "asc" } });
      expect(audit.map((a) => a.action)).toEqual(["embedToken.create", "embedToken.revoke"]);
      // Another company cannot revoke it, nor this one revoke what is not a token.
      for (const [id, key] of [[issued.embedToken.id, other.keys.admin], ["nope", co.keys.admin]] as const) {
        expect((await t.gql(revoke, { id }, key)).errors?.[0]?.extensions).toMatchObject({ code: "NOT_FOUND", field: "id" });
      }
    });

    it.each([
      ["three junk parts", "abc.def.ghi"],
      ["a truncated token", "eyJhbGciOiJIUzI1NiJ9.eyJjaWQiOiJ4In0"],
      ["an empty signature", "eyJhbGciOiJIUzI1NiJ9.eyJjaWQiOiJ4In0."],
    ])("refuses %s: TOKEN_INVALID or UNAUTHENTICATED", async (_label, token) => {
      const res = await t.call(SCORECARDS, { p: MARCH }, token);
      expect(res.status).toBe(401);
      expect(["TOKEN_INVALID", "UNAUTHENTICATED"]).toContain(codeOf(res.body));
    });
  });

  it("never answered with a stack trace, a file path or SQL", () => {
    expect(t.seen.length).toBeGreaterThan(30);
    for (const text of t.seen) expectNoLeak(text);
  });
});
