import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCompany, dataOf, type TestCompany } from "../helpers/app.js";
import type { TestDatabase } from "../helpers/database.js";
import { TEST_DB } from "../helpers/database.js";
import { codeOf, expectNoLeak, openAuthApp, rowCounts, type AuthTestApp } from "./support.js";

// Two companies on one database. With A's admin key we try to reach B through
// every query and mutation that takes an ID or a key; each attempt must behave
// as if B did not exist, and afterwards B's rows must be exactly as they were.
const SECRET = "tenant-suite-secret-0123456789abcdef";
const MARCH = { grain: "MONTH", date: "2026-03-01" };

// The same key in both companies, with different measures and formulas.
const MY_KPI_A = {
  key: "my_kpi", name: "Orders × 10", unit: "count", subjects: ["company", "team"],
  measures: { n: { source: "orders", aggregate: "count" } }, formula: "n * 10",
};
const MY_KPI_B = {
  key: "my_kpi", name: "Revenue in thousands", unit: "number", subjects: ["company", "team"],
  measures: { s: { source: "orders", aggregate: "sum", field: "amount" } }, formula: "s / 1000",
};
const B_ONLY_KPI = { ...MY_KPI_B, key: "b_secret_kpi", name: "B's secret" };
const frameworkDoc = (key: string) => ({
  key, name: key, level: "team", items: [{ kpi: "revenue", weight: 1, score: { method: "target", target: 1000 } }],
});

interface Tenant {
  co: TestCompany;
  companyGid: string;
  teamGids: string[];
  memberGids: string[];
  customerGids: string[];
  /** Customer cursors (opaque connection cursors). */
  cursors: string[];
  embedToken: { id: string; token: string };
}

type Ids = { company: { id: string; teams: { id: string }[]; members: { id: string }[]; customers: { edges: { cursor: string; node: { id: string } }[] } } };

/** B's state the attempts must leave alone, read straight from the database. */
async function stateOf(db: TestDatabase, companyId: string) {
  return {
    counts: await rowCounts(db, companyId),
    company: await db.prisma.company.findUniqueOrThrow({ where: { id: companyId }, select: { name: true, catalogVersion: true, settings: true } }),
    plugins: await db.prisma.metricPlugin.findMany({ where: { companyId }, select: { key: true, version: true, enabled: true }, orderBy: [{ key: "asc" }, { version: "asc" }] }),
    frameworks: await db.prisma.framework.findMany({ where: { companyId }, select: { key: true, version: true }, orderBy: { key: "asc" } }),
    keys: await db.prisma.apiKey.findMany({ where: { companyId }, select: { id: true, revokedAt: true }, orderBy: { id: "asc" } }),
    tokens: await db.prisma.embedToken.findMany({ where: { companyId }, select: { id: true, revokedAt: true, expiresAt: true } }),
    audit: await db.prisma.auditEntry.count({ where: { companyId } }),
  };
}

describe(`tenant isolation (${TEST_DB})`, () => {
  let t: AuthTestApp;
  let A: Tenant;
  let B: Tenant;
  let bBefore: Awaited<ReturnType<typeof stateOf>>;

  /** Teams, members, customers and March orders for a company; `amounts` per team. */
  async function seed(slug: string, teams: Record<string, number[]>): Promise<TestCompany> {
    const co = await createCompany(t.db, slug);
    const p = t.db.prisma;
    for (const [name, amounts] of Object.entries(teams)) {
      const team = await p.team.create({ data: { companyId: co.id, name } });
      const member = await p.member.create({ data: { companyId: co.id, teamId: team.id, name: `${name} lead`, email: `${name}@${slug}.test` } });
      for (const [i, amount] of amounts.entries()) {
        const c = await p.customer.create({ data: { companyId: co.id, name: `${name} customer ${i}`, email: `${i}@${name}.${slug}.test`,
          ownerTeamId: team.id, ownerMemberId: member.id, acquiredAt: new Date("2026-01-01T00:00:00Z") } });
        await p.order.create({ data: { companyId: co.id, customerId: c.id, teamId: team.id, memberId: member.id, amount: String(amount),
          product: "p", category: "c", channel: "web", at: new Date("2026-03-10T00:00:00Z") } });
      }
    }
    return co;
  }

  async function tenant(co: TestCompany, plugins: object[], framework: string): Promise<Tenant> {
    for (const d of plugins) dataOf(await t.gql(`mutation($d: JSON!) { registerMetricPlugin(document: $d) { key } }`, { d }, co.keys.admin));
    dataOf(await t.gql(`mutation($d: JSON!) { createFramework(document: $d, effectiveFrom: "2000-01-01T00:00:00Z") { key } }`, { d: frameworkDoc(framework) }, co.keys.admin));
    const ids = dataOf(await t.gql<Ids>(
      `{ company { id teams { id } members { id } customers(first: 50) { edges { cursor node { id } } } } }`, {}, co.keys.admin)).company;
    const token = dataOf(await t.gql<{ createEmbedToken: { token: string; embedToken: { id: string } } }>(
      `mutation($f: String!, $s: [ID!]!) { createEmbedToken(framework: $f, subjects: $s) { token embedToken { id } } }`,
      { f: framework, s: [ids.teams[0]!.id] }, co.keys.admin)).createEmbedToken;
    return {
      co,
      companyGid: ids.id,
      teamGids: ids.teams.map((x) => x.id),
      memberGids: ids.members.map((x) => x.id),
      customerGids: ids.customers.edges.map((e) => e.node.id),
      cursors: ids.customers.edges.map((e) => e.cursor),
      embedToken: { id: token.embedToken.id, token: token.token },
    };
  }

  const bIds = () => [B.companyGid, ...B.teamGids, ...B.memberGids, ...B.customerGids];
  /** Nothing of B's shows up in a response: names, e-mails, amounts. */
  const expectNothingOfB = (text: string) => expect(text).not.toMatch(/B-|beta|350000|250000/);

  beforeAll(async () => {
    t = await openAuthApp({ tokenSecret: SECRET });
    // A: 3 orders in March, 100 + 200 (North) + 50 (South) = 350.
    const a = await seed("alpha", { "A-North": [100, 200], "A-South": [50] });
    // B: very different numbers, 100000 + 250000 = 350000.
    const b = await seed("beta", { "B-Team": [100000, 250000] });
    A = await tenant(a, [MY_KPI_A], "team_review");
    B = await tenant(b, [MY_KPI_B, B_ONLY_KPI], "b_review");
    bBefore = await stateOf(t.db, b.id);
  });
  afterAll(() => t.close());

  describe("reading B's objects with A's key", () => {
    it("node(id:) of B's company, team, member and customer is null", async () => {
      for (const id of bIds()) {
        const res = await t.call<{ node: unknown }>(`query($id: ID!) { node(id: $id) { id ... on Team { name } ... on Member { name email }
          ... on Customer { name email } ... on Company { name } } }`, { id }, A.co.keys.admin);
        expect(res.body.errors, id).toBeUndefined();
        expect(res.body.data).toEqual({ node: null });
        expectNothingOfB(res.text);
      }
    });

    it("nodes(ids:) answers null for each of B's IDs and A's own for A's", async () => {
      const res = await t.call<{ nodes: ({ id: string } | null)[] }>(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`,
        { ids: [A.teamGids[0], ...bIds()] }, A.co.keys.admin);
      expect(dataOf(res.body).nodes).toEqual([{ id: A.teamGids[0] }, ...bIds().map(() => null)]);
    });

    it("metric fields of B's team, member and customer through node(id:) are null", async () => {
      for (const id of [B.teamGids[0], B.memberGids[0], B.customerGids[0]]) {
        const res = await t.call(`query($id: ID!, $p: PeriodInput!) { node(id: $id) {
          ... on Team { metric(key: "revenue", period: $p) { value } kpis { revenue(period: $p) { value } } }
          ... on Member { metric(key: "revenue", period: $p) { value } }
          ... on Customer { metric(key: "revenue", period: $p) { value } trend(key: "revenue", grain: MONTH, last: 3, until: "2026-03-31") { value } } } }`,
        { id, p: MARCH }, A.co.keys.admin);
        expect(res.body).toEqual({ data: { node: null } });
      }
    });

    it("customers filtered by B's team or B's member are none", async () => {
      const q = `query($f: CustomerFilter) { company { customers(first: 50, filter: $f) { totalCount edges { node { name } } } } }`;
      for (const f of [{ team: B.teamGids[0] }, { owner: B.memberGids[0] }, { team: B.teamGids[0], owner: B.memberGids[0] }]) {
        const res = await t.call<{ company: { customers: { totalCount: number; edges: unknown[] } } }>(q, { f }, A.co.keys.admin);
        expect(dataOf(res.body).company.customers).toEqual({ totalCount: 0, edges: [] });
      }
    });

    it("a cursor taken from B's customer list pages only A's customers", async () => {
      const q = `query($after: String) { company { customers(first: 50, after: $after) { edges { node { name } } } } }`;
      for (const after of B.cursors) {
        const res = await t.call<{ company: { customers: { edges: { node: { name: string } }[] } } }>(q, { after }, A.co.keys.admin);
        if (res.body.errors) expect(codeOf(res.body)).not.toBe("INTERNAL_SERVER_ERROR");
        else for (const e of dataOf(res.body).company.customers.edges) expect(e.node.name).toMatch(/^A-/);
        expectNothingOfB(res.text);
      }
    });

    it("scorecards, rankings and reports under B's framework are NOT_FOUND", async () => {
      const queries = [
        `{ company { teams { scorecard(framework: "b_review", period: { grain: MONTH, date: "2026-03-01" }) { total } } } }`,
        `{ company { members { scorecard(framework: "b_review", period: { grain: MONTH, date: "2026-03-01" }) { total } } } }`,
        `{ company { customers(first: 1) { edges { node { scorecard(framework: "b_review", period: { grain: MONTH, date: "2026-03-01" }) { total } } } } } }`,
        `{ company { ranking(framework: "b_review", period: { grain: MONTH, date: "2026-03-01" }) { total } } }`,
        `{ company { report(framework: "b_review", format: CSV, period: { grain: MONTH, date: "2026-03-01" }) } }`,
      ];
      for (const q of queries) {
        const res = await t.call(q, {}, A.co.keys.admin);
        expect(res.body.errors?.length, q).toBeGreaterThan(0);
        for (const e of res.body.errors!) expect(e.extensions?.code, q).toBe("NOT_FOUND");
        expectNothingOfB(res.text);
      }
    });

    it("metric(key: \"my_kpi\") is each company's own plugin, and B's other plugin is unknown to A", async () => {
      const q = `query($k: String!, $p: PeriodInput!) { company { metric(key: $k, period: $p) { value } } }`;
      // A: 3 orders in March × 10 = 30.   B: (100000 + 250000) / 1000 = 350.
      expect(dataOf(await t.gql<{ company: { metric: { value: number } } }>(q, { k: "my_kpi", p: MARCH }, A.co.keys.viewer)).company.metric.value).toBe(30);
      expect(dataOf(await t.gql<{ company: { metric: { value: number } } }>(q, { k: "my_kpi", p: MARCH }, B.co.keys.viewer)).company.metric.value).toBe(350);
      const secret = await t.gql(q, { k: "b_secret_kpi", p: MARCH }, A.co.keys.admin);
      expect(codeOf(secret)).toBe("UNKNOWN_METRIC");
      const defs = dataOf(await t.gql<{ metricDefinitions: { key: string; formula: string; builtIn: boolean }[] }>(
        "{ metricDefinitions { key formula builtIn } }", {}, A.co.keys.viewer)).metricDefinitions.filter((d) => !d.builtIn);
      expect(defs).toEqual([{ key: "my_kpi", formula: "n * 10", builtIn: false }]);
    });

    it("A's own lists hold only A's rows", async () => {
      type Lists = { company: { teams: { name: string }[]; members: { name: string }[]; customers: { totalCount: number };
        apiKeys: { prefix: string }[]; embedTokens: { id: string }[]; frameworks: { key: string }[]; metricPlugins: { key: string; document: { formula: string } }[];
        auditLog: { totalCount: number; edges: { node: { target: string } }[] } } };
      const res = await t.call<Lists>(`{ company { teams { name } members { name } customers(first: 1) { totalCount } apiKeys { prefix }
        embedTokens { id } frameworks { key } metricPlugins { key document } auditLog(first: 50) { totalCount edges { node { target } } } } }`,
      {}, A.co.keys.admin);
      const c = dataOf(res.body).company;
      expect(c.teams.map((x) => x.name)).toEqual(["A-North", "A-South"]);
      expect(c.members.map((x) => x.name)).toEqual(["A-North lead", "A-South lead"]);
      expect(c.customers.totalCount).toBe(3);
      const aPrefixes = (await t.db.prisma.apiKey.findMany({ where: { companyId: A.co.id }, select: { prefix: true } })).map((k) => k.prefix).sort();
      expect(c.apiKeys.map((k) => k.prefix).sort()).toEqual(aPrefixes);
      expect(c.embedTokens).toEqual([{ id: A.embedToken.id }]);
      expect(c.frameworks).toEqual([{ key: "team_review" }]);
      expect(c.metricPlugins.map((p) => [p.key, p.document.formula])).toEqual([["my_kpi", "n * 10"]]);
      expect(c.auditLog.totalCount).toBe(await t.db.prisma.auditEntry.count({ where: { companyId: A.co.id } }));
      expectNothingOfB(res.text);
      expect(res.text).not.toContain(B.embedToken.id);
    });
  });

  describe("changing B's things with A's key", () => {
    const cases: { name: string; query: string; variables: () => Record<string, unknown>; field: string }[] = [
      { name: "updateMetricPlugin of B's key", query: `mutation($d: JSON!) { updateMetricPlugin(key: "b_secret_kpi", document: $d) { version } }`,
        variables: () => ({ d: B_ONLY_KPI }), field: "key" },
      { name: "setMetricPluginEnabled of B's key", query: `mutation { setMetricPluginEnabled(key: "b_secret_kpi", enabled: false) { enabled } }`,
        variables: () => ({}), field: "key" },
      { name: "deleteMetricPlugin of B's key", query: `mutation { deleteMetricPlugin(key: "b_secret_kpi") }`, variables: () => ({}), field: "key" },
      { name: "updateFramework of B's framework", query: `mutation($d: JSON!) { updateFramework(key: "b_review", document: $d) { version } }`,
        variables: () => ({ d: frameworkDoc("b_review") }), field: "key" },
      { name: "revokeApiKey of B's admin key", query: `mutation($id: ID!) { revokeApiKey(id: $id) { id } }`,
        variables: () => ({ id: bBefore.keys[0]!.id }), field: "id" },
      { name: "revokeEmbedToken of B's token", query: `mutation($id: ID!) { revokeEmbedToken(id: $id) { id } }`,
        variables: () => ({ id: B.embedToken.id }), field: "id" },
      { name: "createEmbedToken for B's team", query: `mutation($s: [ID!]!) { createEmbedToken(framework: "team_review", subjects: $s) { token } }`,
        variables: () => ({ s: [B.teamGids[0]] }), field: "subjects" },
      { name: "createEmbedToken for A's and B's teams", query: `mutation($s: [ID!]!) { createEmbedToken(framework: "team_review", subjects: $s) { token } }`,
        variables: () => ({ s: [A.teamGids[0], B.teamGids[0]] }), field: "subjects" },
      { name: "createEmbedToken under B's framework", query: `mutation($s: [ID!]!) { createEmbedToken(framework: "b_review", subjects: $s) { token } }`,
        variables: () => ({ s: [A.teamGids[0]] }), field: "framework" },
    ];

    it.each(cases)("$name is NOT_FOUND and writes nothing", async ({ query, variables, field }) => {
      const before = await rowCounts(t.db);
      const res = await t.call(query, variables(), A.co.keys.admin);
      expect(res.body.errors).toHaveLength(1);
      expect(res.body.errors![0]!.extensions).toMatchObject({ code: "NOT_FOUND", field });
      expect(res.body.data ?? null).toBeNull();
      expectNothingOfB(res.text);
      expect(await rowCounts(t.db)).toEqual(before);
    });

    it("disabling A's my_kpi leaves B's my_kpi enabled and answering", async () => {
      const set = `mutation($e: Boolean!) { setMetricPluginEnabled(key: "my_kpi", enabled: $e) { enabled } }`;
      const q = `{ company { metric(key: "my_kpi", period: { grain: MONTH, date: "2026-03-01" }) { value } } }`;
      dataOf(await t.gql(set, { e: false }, A.co.keys.admin));
      expect(codeOf(await t.gql(q, {}, A.co.keys.viewer))).toBe("UNKNOWN_METRIC");
      expect(dataOf(await t.gql<{ company: { metric: { value: number } } }>(q, {}, B.co.keys.viewer)).company.metric.value).toBe(350);
      dataOf(await t.gql(set, { e: true }, A.co.keys.admin));
      expect(dataOf(await t.gql<{ company: { metric: { value: number } } }>(q, {}, A.co.keys.viewer)).company.metric.value).toBe(30);
    });
  });

  describe("B's embed token", () => {
    const SCORECARDS = `{ embeddedScorecards(period: { grain: MONTH, date: "2026-03-01" }) { subjectName total } }`;

    it("reads B's own scorecard only", async () => {
      const res = dataOf(await t.gql<{ embeddedScorecards: { subjectName: string; total: number }[] }>(SCORECARDS, {}, B.embedToken.token));
      // B-Team: revenue 350000 ≥ target 1000 → 100.
      expect(res.embeddedScorecards).toEqual([{ subjectName: "B-Team", total: 100 }]);
    });

    it("cannot read A's company, A's team by node(id:), or A's catalogue", async () => {
      for (const [q, vars] of [
        [`{ company { name teams { name } } }`, {}],
        [`query($id: ID!) { node(id: $id) { id ... on Team { name } } }`, { id: A.teamGids[0] }],
        [`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: [A.teamGids[0], A.customerGids[0]] }],
        [`{ metricDefinitions { key } }`, {}],
      ] as const) {
        const res = await t.call(q, vars, B.embedToken.token);
        // Refused, or (node lookups, scoped to B's company) simply not found.
        if (res.body.errors) for (const e of res.body.errors) expect(e.extensions?.code, q).toBe("FORBIDDEN");
        else expect(Object.values(res.body.data ?? {}).flat().every((v) => v === null), q).toBe(true);
        expect(res.text).not.toMatch(/A-North|A-South|alpha|my_kpi/);
      }
    });

    it("re-signed for A's company it is refused (the row names B)", async () => {
      const forged = await new SignJWT({ cid: A.co.id }).setProtectedHeader({ alg: "HS256" }).setJti(B.embedToken.id)
        .setIssuer("yardstick").setAudience("yardstick-embed").setIssuedAt().setExpirationTime("1h").sign(new TextEncoder().encode(SECRET));
      const res = await t.call(SCORECARDS, {}, forged);
      expect(res.status).toBe(401);
      expect(codeOf(res.body)).toBe("TOKEN_INVALID");
    });
  });

  describe("afterwards", () => {
    it("B's rows are exactly as they were: counts, plugins enabled, keys and tokens not revoked", async () => {
      const after = await stateOf(t.db, B.co.id);
      expect(after).toEqual(bBefore);
      expect(after.plugins.every((p) => p.enabled)).toBe(true);
      expect(after.keys.every((k) => k.revokedAt === null)).toBe(true);
      expect(after.tokens.every((k) => k.revokedAt === null)).toBe(true);
      // And B's keys and token still work.
      expect(dataOf(await t.gql<{ company: { name: string } }>("{ company { name } }", {}, B.co.keys.admin)).company.name).toBe("beta");
    });

    it("A's aggregates hold A's orders only, B's hold B's", async () => {
      const q = `query($p: PeriodInput!) { company { metric(key: "revenue", period: $p) { value }
        teams { name metric(key: "revenue", period: $p) { value } } customers(first: 50) { totalCount } } }`;
      type R = { company: { metric: { value: number }; teams: { name: string; metric: { value: number } }[]; customers: { totalCount: number } } };
      const a = dataOf(await t.gql<R>(q, { p: MARCH }, A.co.keys.viewer)).company;
      // 100 + 200 + 50; North 300, South 50.
      expect(a.metric.value).toBe(350);
      expect(a.teams.map((x) => [x.name, x.metric.value])).toEqual([["A-North", 300], ["A-South", 50]]);
      expect(a.customers.totalCount).toBe(3);
      const b = dataOf(await t.gql<R>(q, { p: MARCH }, B.co.keys.viewer)).company;
      expect(b.metric.value).toBe(350_000);
      expect(b.teams.map((x) => [x.name, x.metric.value])).toEqual([["B-Team", 350_000]]);
    });

    it("never answered with a stack trace, a file path or SQL", () => {
      expect(t.seen.length).toBeGreaterThan(40);
      for (const text of t.seen) expectNoLeak(text);
    });
  });
});
