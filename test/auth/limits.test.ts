import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCompany, dataOf, type TestCompany } from "../helpers/app.js";
import { TEST_DB } from "../helpers/database.js";
import { clientFor, expectNoLeak, globalId, openAuthApp, type AuthTestApp, type Client } from "./support.js";

// The limits that keep one request from costing the server too much: depth,
// aliases, tokens, body size, rate per key, and the metric cost estimate that
// refuses a request before any metric SQL runs.
const MARCH = { grain: "MONTH", date: "2026-03-01" };

/** A query `depth` fields deep: company → teams → members → team → members → … → name. */
function nested(depth: number): string {
  const chain = ["company", "teams"];
  while (chain.length < depth - 1) chain.push(chain.length % 2 === 0 ? "members" : "team");
  return `{ ${chain.join(" { ")} { name ${"} ".repeat(chain.length)}}`;
}

const trend = (alias: string, last: number) => `${alias}: trend(key: "revenue", grain: DAY, last: ${last}, until: "2026-03-31") { value }`;
const HEAVY = `{ company { customers(first: 100) { edges { node { ${trend("a", 400)} ${trend("b", 400)} ${trend("c", 400)} } } } } }`;

describe(`request limits (${TEST_DB})`, () => {
  let t: AuthTestApp;
  let co: TestCompany;
  let customerGid: string;

  /** Statements the database ran for one request. */
  async function statementsOf<T>(fn: () => Promise<T>): Promise<{ result: T; statements: number }> {
    const before = t.db.statements.count;
    const result = await fn();
    return { result, statements: t.db.statements.count - before };
  }

  beforeAll(async () => {
    t = await openAuthApp();
    co = await createCompany(t.db, "limits");
    const p = t.db.prisma;
    for (const [name, amounts] of [["North", [100, 250]], ["South", [40]]] as const) {
      const team = await p.team.create({ data: { companyId: co.id, name } });
      const member = await p.member.create({ data: { companyId: co.id, teamId: team.id, name: `${name} lead` } });
      for (let i = 0; i < 15; i++) {
        const c = await p.customer.create({ data: { companyId: co.id, name: `${name} ${i}`, ownerTeamId: team.id, ownerMemberId: member.id } });
        if (i === 0) customerGid = globalId("Customer", c.id);
        if (i < amounts.length) {
          await p.order.create({ data: { companyId: co.id, customerId: c.id, teamId: team.id, memberId: member.id, amount: String(amounts[i]),
            product: "p", category: "c", channel: "web", at: new Date("2026-03-03T00:00:00Z") } });
        }
      }
    }
  });
  afterAll(() => t.close());

  describe("query shape (graphql-armor)", () => {
    it("runs a query exactly 12 levels deep", async () => {
      const res = await t.gql(nested(12), {}, co.keys.viewer);
      expect(res.errors).toBeUndefined();
    });

    it("refuses a query 13 levels deep without running it", async () => {
      const { result, statements } = await statementsOf(() => t.gql(nested(13), {}, co.keys.viewer));
      expect(result.data ?? null).toBeNull();
      expect(result.errors).toHaveLength(1);
      expect(result.errors![0]!.message).toMatch(/depth limit of 12 exceeded, found 13/);
      expect(statements).toBeLessThanOrEqual(3); // at most the key lookup and the catalogue, no resolver
    });

    it("refuses more than 60 aliases, and runs 60", async () => {
      const aliases = (n: number) => `{ company { ${Array.from({ length: n }, (_, i) => `a${i}: name`).join(" ")} } }`;
      expect((await t.gql(aliases(60), {}, co.keys.viewer)).errors).toBeUndefined();
      const res = await t.gql(aliases(61), {}, co.keys.viewer);
      expect(res.data ?? null).toBeNull();
      expect(res.errors![0]!.message).toMatch(/Aliases limit of 60 exceeded, found 61/);
    });

    it("refuses more than 4000 tokens and more than 20 directives", async () => {
      const tokens = await t.gql(`{ company { ${"name ".repeat(4100)} } }`, {}, co.keys.viewer);
      expect(tokens.errors![0]!.message).toMatch(/Token limit of 4000 exceeded/);
      const directives = await t.gql(`{ company { name ${"@include(if: true) ".repeat(21)} } }`, {}, co.keys.viewer);
      expect(directives.errors![0]!.message).toMatch(/Directives limit of 20 exceeded/);
    });

    it("gives graphql-armor's refusals a code: QUERY_TOO_COMPLEX, or GRAPHQL_PARSE_FAILED for the token limit (it stops the parser)", async () => {
      const cases: [string, string][] = [
        [nested(13), "QUERY_TOO_COMPLEX"],
        [`{ company { ${Array.from({ length: 61 }, (_, i) => `a${i}: name`).join(" ")} } }`, "QUERY_TOO_COMPLEX"],
        [`{ company { name ${"@include(if: true) ".repeat(21)} } }`, "QUERY_TOO_COMPLEX"],
        [`{ company { ${"name ".repeat(4100)} } }`, "GRAPHQL_PARSE_FAILED"],
      ];
      for (const [q, code] of cases) {
        const res = await t.gql(q, {}, co.keys.viewer);
        expect(res.errors?.[0]?.extensions?.code, q.slice(0, 40)).toBe(code);
      }
    });
  });

  describe("request size", () => {
    const body = (padding: number) => JSON.stringify({ query: "{ company { name } }", variables: { pad: "x".repeat(padding) } });
    const headers = (extra: Record<string, string> = {}) => ({ "content-type": "application/json", authorization: `Bearer ${co.keys.viewer}`, ...extra });
    const stream = (text: string) =>
      new ReadableStream<Uint8Array>({
        start(c) {
          // In several chunks, as a chunked upload arrives.
          const bytes = new TextEncoder().encode(text);
          for (let i = 0; i < bytes.length; i += 64 * 1024) c.enqueue(bytes.slice(i, i + 64 * 1024));
          c.close();
        },
      });

    it("answers 413 REQUEST_TOO_LARGE for a body over 256 KiB with a Content-Length", async () => {
      const text = body(300 * 1024);
      const { result, statements } = await statementsOf(() =>
        t.raw({ method: "POST", headers: headers({ "content-length": String(Buffer.byteLength(text)) }), body: text }));
      expect(result.status).toBe(413);
      expect(result.body.errors![0]).toMatchObject({ extensions: { code: "REQUEST_TOO_LARGE" } });
      expect(result.body.errors![0]!.message).toMatch(/limit is 262144/);
      expect(statements).toBe(0);
    });

    it("answers 413 for a body over the limit sent without a length (chunked)", async () => {
      const res = await t.raw({ method: "POST", headers: headers(), body: stream(body(300 * 1024)), duplex: "half" } as RequestInit);
      expect(res.status).toBe(413);
      expect(res.body.errors![0]!.extensions?.code).toBe("REQUEST_TOO_LARGE");
    });

    it("accepts a body under the limit, with or without a length", async () => {
      const text = body(200 * 1024);
      const sized = await t.raw({ method: "POST", headers: headers({ "content-length": String(Buffer.byteLength(text)) }), body: text });
      expect(dataOf(sized.body)).toEqual({ company: { name: "limits" } });
      const chunked = await t.raw({ method: "POST", headers: headers(), body: stream(text), duplex: "half" } as RequestInit);
      expect(dataOf(chunked.body)).toEqual({ company: { name: "limits" } });
    });
  });

  describe("rate limit", () => {
    let limited: Client;
    beforeAll(() => {
      limited = clientFor(t.db, { limits: { requestsPerMinutePerKey: 3 } });
    });

    it("answers the 4th request of a key within a minute with 429 RATE_LIMITED, and other keys go on", async () => {
      for (let i = 0; i < 3; i++) expect(dataOf((await limited.call("{ company { name } }", {}, co.keys.viewer)).body)).toEqual({ company: { name: "limits" } });
      const fourth = await limited.call("{ company { name } }", {}, co.keys.viewer);
      expect(fourth.status).toBe(429);
      expect(fourth.body.data ?? null).toBeNull();
      expect(fourth.body.errors![0]).toMatchObject({ extensions: { code: "RATE_LIMITED" } });
      expect(fourth.body.errors![0]!.message).toMatch(/at most 3 requests a minute per key/);
      // The budget is per key: the same company's manager key is untouched.
      expect(dataOf((await limited.call("{ company { name } }", {}, co.keys.manager)).body)).toEqual({ company: { name: "limits" } });
      // And still refused for the first key.
      expect((await limited.call("{ company { name } }", {}, co.keys.viewer)).status).toBe(429);
      for (const text of limited.seen) expectNoLeak(text);
    });
  });

  describe("metric cost", () => {
    it("runs a normal dashboard", async () => {
      const q = `query($p: PeriodInput!) { company {
        metrics(keys: ["revenue", "retention_rate", "nps"], period: $p) { key value }
        teams { name kpis { revenue(period: $p) { value score } } trend(key: "revenue", grain: MONTH, last: 12, until: "2026-03-31") { value } }
        customers(first: 20) { edges { node { name metric(key: "revenue", period: $p) { value } } } } } }`;
      type Dashboard = { company: { metrics: { key: string; value: number | null }[];
        teams: { name: string; kpis: { revenue: { value: number } }; trend: { value: number }[] }[] } };
      const data = dataOf(await t.gql<Dashboard>(q, { p: MARCH }, co.keys.viewer)).company;
      // March: North 100 + 250, South 40.
      expect(data.metrics[0]).toEqual({ key: "revenue", value: 390 });
      expect(data.teams.map((x) => [x.name, x.kpis.revenue.value, x.trend.at(-1)!.value, x.trend.length])).toEqual([
        ["North", 350, 350, 12],
        ["South", 40, 40, 12],
      ]);
    });

    it("refuses 100 customers × 3 trends × 400 days before any metric SQL runs, with the count", async () => {
      await t.gql("{ company { name } }", {}, co.keys.viewer); // warm the key's company caches
      const { result, statements } = await statementsOf(() => t.gql(HEAVY, {}, co.keys.viewer));
      expect(result.data ?? null).toBeNull();
      expect(result.errors).toHaveLength(1);
      expect(result.errors![0]!.extensions).toMatchObject({ code: "COST_LIMIT", cost: 120_000, limit: 100_000 });
      expect(result.errors![0]!.message).toMatch(/about 120000 metric values .* the limit is 100000/);
      // The key lookup and the subject counts; no metric query.
      expect(statements).toBeLessThanOrEqual(3);
    });

    it("counts through variables and fragments", async () => {
      const q = `query($n: Int!, $last: Int!) { company { customers(first: $n) { edges { node { ...T } } } } }
        fragment T on Customer { a: trend(key: "revenue", grain: DAY, last: $last) { value } ...U }
        fragment U on Customer { b: trend(key: "revenue", grain: DAY, last: $last) { value } ... on Customer { c: trend(key: "revenue", grain: DAY, last: $last) { value } } }`;
      const res = await t.gql(q, { n: 100, last: 400 }, co.keys.viewer);
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: "COST_LIMIT", cost: 120_000 }); // 100 × 3 × 400
    });

    it("counts nodes(ids:) once per id (a list of the same customer is no way around it)", async () => {
      const q = `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Customer { ${trend("a", 400)} ${trend("b", 400)} ${trend("c", 400)} } } }`;
      const { result, statements } = await statementsOf(() => t.gql(q, { ids: Array.from({ length: 100 }, () => customerGid) }, co.keys.viewer));
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: "COST_LIMIT", cost: 120_000 });
      expect(statements).toBeLessThanOrEqual(3);
      // One id is an ordinary request.
      expect((await t.gql(q, { ids: [customerGid] }, co.keys.viewer)).errors).toBeUndefined();
    });

    it("rejects trend(last:) outside 1–400 as BAD_PERIOD on `last`", async () => {
      for (const last of [5000, 401, 0, -1]) {
        const res = await t.gql(`{ company { ${trend("t", last)} } }`, {}, co.keys.viewer);
        expect(res.errors?.[0]?.extensions, String(last)).toMatchObject({ code: "BAD_PERIOD", field: "last" });
        expect(res.errors![0]!.message).toMatch(/^last: must be between 1 and 400/);
      }
    });
  });

  describe("formula limits (JSONata)", () => {
    const REGISTER = `mutation($d: JSON!) { registerMetricPlugin(document: $d) { key } }`;
    const base = { key: "looping", name: "Looping", unit: "count", subjects: ["company"], measures: { n: { source: "orders", aggregate: "count" } } };

    it("refuses a formula that never ends, and one that builds a huge range, storing nothing", async () => {
      const loop = await t.gql(REGISTER, { d: { ...base, formula: "($f := function($x) { $f($x + n) }; $f(1))" } }, co.keys.admin);
      expect(loop.errors?.[0]?.extensions).toMatchObject({ code: "INVALID_PLUGIN", field: "formula" });
      expect(loop.errors![0]!.message).toMatch(/formula (stopped after|nested deeper|ran longer)/);
      const range = await t.gql(REGISTER, { d: { ...base, formula: "$count([1..100000000]) + n" } }, co.keys.admin);
      expect(range.errors?.[0]?.extensions).toMatchObject({ code: "INVALID_PLUGIN", field: "formula" });
      expect(range.errors![0]!.message).toMatch(/a range may hold at most 10000 items/);
      expect(await t.db.prisma.metricPlugin.count()).toBe(0);
    });
  });

  it("never answered with a stack trace, a file path or SQL", () => {
    expect(t.seen.length).toBeGreaterThan(15);
    for (const text of t.seen) expectNoLeak(text);
  });
});
