import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueApiKey } from "../../src/auth/api-keys.js";
import { createCompany, dataOf, type TestCompany } from "../helpers/app.js";
import { TEST_DB } from "../helpers/database.js";
import { codeOf, expectNoLeak, openAuthApp, rowCounts, type AuthTestApp } from "./support.js";

// API keys through the endpoint: issued once and stored as a hash, revocable,
// roles enforced field by field (personal data for managers up, administration
// for admins), and every key change in the audit log.
const MARCH = { grain: "MONTH", date: "2026-03-01" };
const KEY_SHAPE = /^ys_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

const CREATE_KEY = `mutation($n: String!, $r: Role!) { createApiKey(name: $n, role: $r) { key apiKey { id name role prefix revokedAt } } }`;
const REVOKE_KEY = `mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }`;
const AUDIT = `{ company { auditLog(first: 10) { totalCount edges { node { action target actor details } } } } }`;

type CreatedKey = { createApiKey: { key: string; apiKey: { id: string; name: string; role: string; prefix: string; revokedAt: string | null } } };
type Audit = { company: { auditLog: { totalCount: number; edges: { node: { action: string; target: string; actor: string; details: unknown } }[] } } };

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

describe(`API keys and roles (${TEST_DB})`, () => {
  let t: AuthTestApp;
  let co: TestCompany;
  let teamId: string;
  let adminKeyId: string;

  beforeAll(async () => {
    t = await openAuthApp();
    co = await createCompany(t.db, "keys");
    const p = t.db.prisma;
    teamId = (await p.team.create({ data: { companyId: co.id, name: "North" } })).id;
    const member = await p.member.create({ data: { companyId: co.id, teamId, name: "Ann", email: "ann@keys.test" } });
    for (const [i, amount] of [["1", "120.50"], ["2", "80"]] as const) {
      const c = await p.customer.create({
        data: { companyId: co.id, name: `Customer ${i}`, email: `c${i}@example.com`, phone: `+1555000${i}`, segment: "smb",
          attributes: { wechat: `w${i}` }, ownerTeamId: teamId, ownerMemberId: member.id, acquiredAt: new Date("2026-01-01T00:00:00Z") },
      });
      await p.order.create({ data: { companyId: co.id, customerId: c.id, teamId, memberId: member.id, amount, product: "p", category: "c",
        channel: "web", at: new Date("2026-03-10T00:00:00Z") } });
    }
    adminKeyId = (await p.apiKey.findUniqueOrThrow({ where: { prefix: KEY_SHAPE.exec(co.keys.admin)![1]! } })).id;
  });
  afterAll(() => t.close());

  describe("authentication", () => {
    it("refuses a request without a key", async () => {
      const res = await t.call("{ company { name } }");
      expect(codeOf(res.body)).toBe("UNAUTHENTICATED");
      expect(res.body.errors![0]!.message).toMatch(/API key/);
    });

    it.each([
      ["malformed", "ys_short"],
      ["not a key at all", "hello"],
      ["well-formed but unknown", `ys_${"A".repeat(12)}_${"b".repeat(43)}`],
    ])("refuses a %s key with 401 UNAUTHENTICATED and a clear message", async (_label, key) => {
      const res = await t.call("{ company { name } }", {}, key);
      expect(res.status).toBe(401);
      expect(res.body.data ?? null).toBeNull();
      expect(res.body.errors).toHaveLength(1);
      expect(res.body.errors![0]).toMatchObject({ extensions: { code: "UNAUTHENTICATED" } });
      expect(res.body.errors![0]!.message).toMatch(/API key is not valid \(unknown, malformed or revoked\)/);
    });

    it("refuses a real key's prefix with a wrong secret", async () => {
      const [, prefix, secret] = KEY_SHAPE.exec(co.keys.admin)!;
      const forged = `ys_${prefix}_${secret!.slice(0, -1)}${secret!.endsWith("A") ? "B" : "A"}`;
      const res = await t.call("{ company { name } }", {}, forged);
      expect(res.status).toBe(401);
      expect(codeOf(res.body)).toBe("UNAUTHENTICATED");
    });
  });

  describe("issuing and revoking", () => {
    let created: CreatedKey["createApiKey"];
    let secret: string;

    it("returns a new key once, and it works at once", async () => {
      created = dataOf(await t.gql<CreatedKey>(CREATE_KEY, { n: "  reporting  ", r: "VIEWER" }, co.keys.admin)).createApiKey;
      const m = KEY_SHAPE.exec(created.key);
      expect(m, `key shape: ${created.key}`).not.toBeNull();
      secret = m![2]!;
      expect(created.apiKey).toMatchObject({ name: "reporting", role: "VIEWER", prefix: m![1], revokedAt: null });
      const me = dataOf(await t.gql<{ company: { name: string } }>("{ company { name } }", {}, created.key));
      expect(me.company.name).toBe("keys");
    });

    it("records when a key was last used (to the minute), not when it was only issued", async () => {
      const LIST = "{ company { apiKeys { id lastUsedAt } } }";
      type Keys = { company: { apiKeys: { id: string; lastUsedAt: string | null }[] } };
      // Issued directly (not through the mutation) so the audit-log test below sees only its own entries.
      const fresh = await issueApiKey(t.db.prisma, { companyId: co.id, name: "unused", role: "viewer" });
      const lastUsed = async () => dataOf(await t.gql<Keys>(LIST, {}, co.keys.admin)).company.apiKeys.find((k) => k.id === fresh.id)!.lastUsedAt;
      expect(await lastUsed()).toBeNull();
      const before = Date.now();
      dataOf(await t.gql("{ company { name } }", {}, fresh.key));
      const first = await lastUsed();
      expect(Date.parse(first!)).toBeGreaterThanOrEqual(before - 1000);
      // A second request within the minute writes nothing.
      dataOf(await t.gql("{ company { name } }", {}, fresh.key));
      expect(await lastUsed()).toBe(first);
    });

    it("never shows the secret again: the key list has prefixes only, and there is no field for it", async () => {
      const list = await t.call<{ company: { apiKeys: { id: string; name: string; prefix: string; role: string }[] } }>(
        "{ company { apiKeys { id name role prefix createdAt revokedAt } } }", {}, co.keys.admin);
      const keys = dataOf(list.body).company.apiKeys;
      expect(keys.map((k) => k.name)).toEqual(["admin key", "manager key", "viewer key", "reporting", "unused"]);
      expect(keys.find((k) => k.id === created.apiKey.id)!.prefix).toBe(created.apiKey.prefix);
      expect(list.text).not.toContain(secret);
      for (const admin of [co.keys.admin, co.keys.manager, co.keys.viewer]) expect(list.text).not.toContain(KEY_SHAPE.exec(admin)![2]);

      const noField = await t.gql("{ company { apiKeys { key } } }", {}, co.keys.admin);
      expect(codeOf(noField)).toBe("GRAPHQL_VALIDATION_FAILED");
      expect(noField.errors![0]!.message).toMatch(/Cannot query field "key" on type "ApiKey"/);
    });

    it("stores a SHA-256 of the secret and no column holds the secret or the key", async () => {
      const rows = await t.db.sql.query<Record<string, unknown>>("SELECT * FROM api_keys WHERE id = $1::uuid", [created.apiKey.id]);
      expect(rows).toHaveLength(1);
      const row = rows[0]!;
      expect(row.secret_hash).toBe(sha256(secret));
      expect(row.secret_hash).not.toBe(secret);
      for (const [column, value] of Object.entries(row)) {
        expect(String(value), `column ${column}`).not.toContain(secret);
        expect(String(value), `column ${column}`).not.toContain(created.key);
      }
      // Nor does the audit entry of its creation.
      const audit = await t.db.sql.query<Record<string, unknown>>("SELECT * FROM audit_log WHERE target = $1", [created.apiKey.id]);
      expect(audit).toHaveLength(1);
      expect(JSON.stringify(audit)).not.toContain(secret);
    });

    it("refuses a revoked key, and revoking twice keeps the first time", async () => {
      const first = dataOf(await t.gql<{ revokeApiKey: { id: string; revokedAt: string } }>(REVOKE_KEY, { id: created.apiKey.id }, co.keys.admin));
      expect(first.revokeApiKey.revokedAt).toEqual(expect.any(String));
      const res = await t.call("{ company { name } }", {}, created.key);
      expect(res.status).toBe(401);
      expect(codeOf(res.body)).toBe("UNAUTHENTICATED");
      expect(res.body.errors![0]!.message).toMatch(/revoked/);
      const again = dataOf(await t.gql<{ revokeApiKey: { revokedAt: string } }>(REVOKE_KEY, { id: created.apiKey.id }, co.keys.admin));
      expect(again.revokeApiKey.revokedAt).toBe(first.revokeApiKey.revokedAt);
    });

    it("rejects names that are empty, too long or hold control characters, and stores nothing", async () => {
      const before = await rowCounts(t.db, co.id);
      for (const name of ["", "   ", "x".repeat(101), "x".repeat(500), "a\u0000b", "tab\there"]) {
        const res = await t.gql(CREATE_KEY, { n: name, r: "ADMIN" }, co.keys.admin);
        expect(res.errors?.[0]?.extensions, JSON.stringify(name)).toMatchObject({ code: "BAD_USER_INPUT", field: "name" });
        expect(res.errors![0]!.message).toMatch(/^name: /);
      }
      expect(await rowCounts(t.db, co.id)).toEqual(before);
    });

    it("answers NOT_FOUND for an id that is no key (malformed or unknown)", async () => {
      for (const id of ["nope", "", "00000000-0000-4000-8000-000000000000", "a\u0000"]) {
        const res = await t.gql(REVOKE_KEY, { id }, co.keys.admin);
        expect(res.errors?.[0]?.extensions, JSON.stringify(id)).toMatchObject({ code: "NOT_FOUND", field: "id" });
      }
    });
  });

  describe("roles", () => {
    const CUSTOMERS = `{ company { customers(first: 10) { edges { node { name segment email phone attributes } } } } }`;
    type Customers = { company: { customers: { edges: { node: { name: string; segment: string; email: string | null; phone: string | null; attributes: unknown } }[] } } };

    it("lets a viewer read metrics", async () => {
      const q = `query($p: PeriodInput!) { company { metric(key: "revenue", period: $p) { value } teams { name metric(key: "revenue", period: $p) { value } } } }`;
      const data = dataOf(await t.gql<{ company: { metric: { value: number }; teams: { metric: { value: number } }[] } }>(q, { p: MARCH }, co.keys.viewer));
      // March: 120.50 + 80 = 200.5, all of it the one team's.
      expect(data.company.metric.value).toBe(200.5);
      expect(data.company.teams[0]!.metric.value).toBe(200.5);
    });

    it("hides customers' email, phone and free attributes from a viewer, field by field, and keeps the rest", async () => {
      const res = await t.gql<Customers>(CUSTOMERS, {}, co.keys.viewer);
      expect(res.errors!.length).toBe(6); // email, phone and attributes of two customers
      for (const e of res.errors!) {
        expect(e.extensions?.code).toBe("FORBIDDEN");
        expect(["email", "phone", "attributes"]).toContain(e.path![e.path!.length - 1]);
      }
      expect(res.data!.company.customers.edges.map((e) => e.node)).toEqual([
        { name: "Customer 1", segment: "smb", email: null, phone: null, attributes: null },
        { name: "Customer 2", segment: "smb", email: null, phone: null, attributes: null },
      ]);
      // A member's email is personal data too.
      const member = await t.gql(`{ company { members { name email } } }`, {}, co.keys.viewer);
      expect(member.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
      expect(member.errors?.[0]?.path).toEqual(["company", "members", 0, "email"]);
    });

    it("shows them to a manager and an admin", async () => {
      for (const key of [co.keys.manager, co.keys.admin]) {
        const data = dataOf(await t.gql<Customers>(CUSTOMERS, {}, key));
        expect(data.company.customers.edges.map((e) => [e.node.email, e.node.phone, e.node.attributes])).toEqual([
          ["c1@example.com", "+15550001", { wechat: "w1" }],
          ["c2@example.com", "+15550002", { wechat: "w2" }],
        ]);
      }
    });

    // Every admin-only operation, with what a successful admin call returns.
    const FRAMEWORK = { key: "team_review", name: "Team review", level: "team", items: [{ kpi: "revenue", weight: 1, score: { method: "target", target: 1000 } }] };
    const PLUGIN = {
      key: "big_orders", name: "Big orders", unit: "count", subjects: ["company", "team"],
      measures: { big: { source: "orders", aggregate: "count", where: { amount: { gte: 100 } } } }, formula: "big",
    };
    const adminOnly: { name: string; query: string; variables: () => Record<string, unknown>; path: string[] }[] = [
      { name: "createApiKey", query: CREATE_KEY, variables: () => ({ n: "escalation", r: "ADMIN" }), path: ["createApiKey"] },
      { name: "registerMetricPlugin", query: `mutation($d: JSON!) { registerMetricPlugin(document: $d) { key } }`, variables: () => ({ d: PLUGIN }), path: ["registerMetricPlugin"] },
      { name: "createFramework", query: `mutation($d: JSON!) { createFramework(document: $d, effectiveFrom: "2000-01-01T00:00:00Z") { key } }`, variables: () => ({ d: FRAMEWORK }), path: ["createFramework"] },
      {
        name: "createEmbedToken",
        query: `mutation($s: [ID!]!) { createEmbedToken(framework: "team_review", subjects: $s) { token } }`,
        variables: () => ({ s: [Buffer.from(`Team:${teamId}`).toString("base64")] }),
        path: ["createEmbedToken"],
      },
      { name: "auditLog", query: `{ company { auditLog(first: 10) { totalCount } } }`, variables: () => ({}), path: ["company", "auditLog"] },
      { name: "apiKeys", query: `{ company { apiKeys { prefix } } }`, variables: () => ({}), path: ["company", "apiKeys"] },
      { name: "embedTokens", query: `{ company { embedTokens { id } } }`, variables: () => ({}), path: ["company", "embedTokens"] },
      { name: "settings", query: `{ company { settings } }`, variables: () => ({}), path: ["company", "settings"] },
    ];

    it.each(adminOnly.flatMap((op) => (["viewer", "manager"] as const).map((role) => ({ ...op, role }))))(
      "refuses $name to a $role with FORBIDDEN and writes nothing",
      async ({ query, variables, path, role }) => {
        const before = await rowCounts(t.db, co.id);
        const res = await t.gql(query, variables(), co.keys[role]);
        expect(res.errors).toHaveLength(1);
        expect(res.errors![0]).toMatchObject({ path, extensions: { code: "FORBIDDEN" } });
        expect(res.errors![0]!.message).toMatch(/role may not/);
        expect(await rowCounts(t.db, co.id)).toEqual(before);
      },
    );

    // In order: the framework exists before the embed token names it.
    it("allows every one of them to an admin", async () => {
      for (const op of adminOnly) {
        const res = await t.gql(op.query, op.variables(), co.keys.admin);
        expect(res.errors, op.name).toBeUndefined();
      }
    });

    it("refuses revokeApiKey to a manager", async () => {
      const id = (await t.db.prisma.apiKey.findFirstOrThrow({ where: { companyId: co.id, name: "viewer key" } })).id;
      const res = await t.gql(REVOKE_KEY, { id }, co.keys.manager);
      expect(codeOf(res)).toBe("FORBIDDEN");
      expect((await t.db.prisma.apiKey.findUniqueOrThrow({ where: { id } })).revokedAt).toBeNull();
    });
  });

  describe("audit log", () => {
    it("records key creation and revocation, newest first, with the acting key", async () => {
      const log = dataOf(await t.gql<Audit>(AUDIT, {}, co.keys.admin)).company.auditLog;
      const reporting = await t.db.prisma.apiKey.findFirstOrThrow({ where: { companyId: co.id, name: "reporting" } });
      const escalation = await t.db.prisma.apiKey.findFirstOrThrow({ where: { companyId: co.id, name: "escalation" } });
      const entries = log.edges.map((e) => e.node);
      // Oldest to newest: create "reporting", revoke it (twice), then the admin's round of operations.
      expect(entries.map((e) => e.action).reverse()).toEqual([
        "apiKey.create", "apiKey.revoke", "apiKey.revoke", "apiKey.create", "plugin.register", "framework.create", "embedToken.create",
      ]);
      expect(entries.reverse().slice(0, 4).map((e) => e.target)).toEqual([reporting.id, reporting.id, reporting.id, escalation.id]);
      expect(new Set(entries.map((e) => e.actor))).toEqual(new Set([`apiKey:${adminKeyId}`]));
      expect(entries[0]!.details).toEqual({ name: "reporting", role: "viewer" });
      expect(log.totalCount).toBe(7);
    });

    it("records nothing for refused or rejected attempts", async () => {
      const before = await t.db.prisma.auditEntry.count({ where: { companyId: co.id } });
      await t.gql(CREATE_KEY, { n: "x", r: "ADMIN" }, co.keys.viewer);
      await t.gql(CREATE_KEY, { n: "", r: "ADMIN" }, co.keys.admin);
      await t.gql(REVOKE_KEY, { id: "00000000-0000-4000-8000-000000000000" }, co.keys.admin);
      expect(await t.db.prisma.auditEntry.count({ where: { companyId: co.id } })).toBe(before);
    });
  });

  it("never answered with a stack trace, a file path or SQL", () => {
    expect(t.seen.length).toBeGreaterThan(40);
    for (const text of t.seen) expectNoLeak(text);
  });
});
