import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCompany, createTestApp, type TestApp, type TestCompany } from "../helpers/app.js";
import { TEST_DB } from "../helpers/database.js";
import { rowCounts } from "../auth/support.js";

// Finding 9's edges, sent as an attacker would: each answered with a code (and
// the right status), none changing anything.
describe(`edges (${TEST_DB})`, () => {
  let t: TestApp;
  let co: TestCompany;

  beforeAll(async () => {
    t = await createTestApp();
    co = await createCompany(t.db, "edges");
    await t.db.prisma.customer.createMany({ data: [{ companyId: co.id, name: "Alice" }, { companyId: co.id, name: "Bob" }, { companyId: co.id, name: "100% Tea_Shop" }] });
  });
  afterAll(() => t.close());

  async function post(body: string | object, headers: Record<string, string> = {}) {
    const res = await t.app.fetch("http://yardstick.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${co.keys.admin}`, ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, text, body: JSON.parse(text) as { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] } };
  }
  const count = async (nameContains: string) =>
    ((await post({ query: `query($n: String!) { company { customers(filter: { nameContains: $n }) { totalCount } } }`, variables: { n: nameContains } })).body.data!.company as { customers: { totalCount: number } })
      .customers.totalCount;

  it("nameContains: % and _ are literal characters, not wildcards", async () => {
    expect(await count("%")).toBe(1); // only "100% Tea_Shop"
    expect(await count("_")).toBe(1);
    expect(await count("a_s")).toBe(1); // the literal "a_S" of "Tea_Shop" (case-insensitive)
    expect(await count("b%b")).toBe(0); // as a wildcard it would have matched "Bob"
  });

  it("deeply nested JSON in a document: 400 BAD_USER_INPUT naming the variable, nothing stored", async () => {
    const before = await rowCounts(t.db, co.id);
    const deep = "[".repeat(20_000) + "1" + "]".repeat(20_000);
    for (const mutation of ["createFramework", "registerMetricPlugin"]) {
      const res = await post(`{"query":"mutation($d: JSON!) { ${mutation}(document: $d) { key } }","variables":{"d":{"key":"x","items":${deep}}}}`);
      expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "d" });
      expect(res.body.errors?.[0]?.message).toMatch(/nested deeper than 64 levels/);
      expect(res.text.length).toBeLessThan(1000);
    }
    expect(await rowCounts(t.db, co.id)).toEqual(before);
  });

  it("1,000 aliased __typename: refused as QUERY_TOO_COMPLEX before execution", async () => {
    const res = await post({ query: `{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: __typename`).join(" ")} }` });
    expect(res.body.data ?? null).toBeNull();
    expect(res.body.errors?.[0]?.extensions?.code).toBe("QUERY_TOO_COMPLEX");
    expect(res.body.errors?.[0]?.message).toMatch(/Aliases limit of 60/);
    // 60 still pass.
    expect((await post({ query: `{ ${Array.from({ length: 60 }, (_, i) => `a${i}: __typename`).join(" ")} }` })).body.errors ?? []).toEqual([]);
  });

  it("415 has a body saying what is accepted", async () => {
    const res = await t.app.fetch("http://yardstick.test/graphql", { method: "POST", headers: { "content-type": "text/plain", authorization: `Bearer ${co.keys.admin}` }, body: "{ __typename }" });
    expect(res.status).toBe(415);
    const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    expect(body.errors[0]!.message).toMatch(/application\/json/);
  });

  it("a 100 KB unknown key is not echoed back whole", async () => {
    const key = "a".repeat(100_000);
    const res = await post({ query: `query($k: String!) { company { metric(key: $k, period: { grain: MONTH, date: "2026-01-01" }) { value } } }`, variables: { k: key } });
    expect(res.body.errors?.[0]?.extensions?.code).toBe("UNKNOWN_METRIC");
    expect(res.text.length).toBeLessThan(2000);
    expect(res.body.errors?.[0]?.message).toMatch(/a{80}…" \(100000 characters\)/);
  });

  it("COST_LIMIT and the depth limit: 400 under application/graphql-response+json, 200 under application/json", async () => {
    const costly = { query: `{ company { customers(first: 100) { edges { node { trend(key: "revenue", grain: DAY, last: 2000, until: "2026-01-01") { value } } } } } }` };
    const deep = { query: "{ company { " + "teams { members { team { ".repeat(5) + "name" + " } } }".repeat(5) + " } }" };
    for (const [q, code] of [[costly, "COST_LIMIT"], [deep, "QUERY_TOO_COMPLEX"]] as const) {
      const spec = await post(q, { accept: "application/graphql-response+json" });
      expect(spec.status).toBe(400);
      expect(spec.body.errors?.[0]?.extensions?.code).toBe(code);
      expect(spec.body.data ?? null).toBeNull();
      const legacy = await post(q, { accept: "application/json" });
      expect(legacy.status).toBe(200);
      expect(legacy.body.errors?.[0]?.extensions?.code).toBe(code);
    }
  });

  it("an invalid time zone stored for the company: a coded error naming it, not an internal error", async () => {
    const bad = await createCompany(t.db, "edges-tz");
    await t.db.sql.query("UPDATE companies SET time_zone = 'Mars/Olympus' WHERE id = $1", [bad.id]);
    const res = await post({ query: `{ company { metric(key: "revenue", period: { grain: MONTH, date: "2026-01-01" }) { value } } }` }, { authorization: `Bearer ${bad.keys.admin}` });
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: "INVALID_TIME_ZONE", field: "company.timeZone" });
    expect(res.body.errors?.[0]?.message).toMatch(/Mars\/Olympus/);
    expect(res.text).not.toMatch(/INTERNAL_SERVER_ERROR|Unexpected error/);
  });
});
