import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ResultCache } from "../../src/metrics/result-cache.js";
import { createApp, type App } from "../../src/server.js";
import { createCompany, createTestApp, dataOf, type GraphQLResponse, type TestApp, type TestCompany } from "../helpers/app.js";
import { TEST_DB } from "../helpers/database.js";

// The metric result cache through the endpoint: a repeated query runs no metric
// SQL; an import for the company (which bumps companies.data_version in its
// transaction) changes the answer at once; another company's write leaves the
// company's entries alone and never shares values; a plugin update gives the
// new formula; with the cache off the answers are the same. All data goes in
// through the importCsv mutation, the path production writes take.
describe(`metric result cache (${TEST_DB})`, () => {
  let t: TestApp;
  let a: TestCompany;
  let b: TestCompany;

  const BIG_ORDERS = {
    key: "big_orders",
    name: "Big orders",
    unit: "count",
    subjects: ["company", "team"],
    formula: "big",
    measures: { big: { source: "orders", aggregate: "count", where: { amount: { gte: 50 } } } },
  };

  const QUERY = `{ company {
    revenue: metric(key: "revenue", period: { grain: MONTH, date: "2026-03-01" }) { value previous }
    big: metric(key: "big_orders", period: { grain: MONTH, date: "2026-03-01" }) { value }
    trend(key: "revenue", grain: MONTH, last: 3, until: "2026-03-31") { period { label } value } } }`;

  interface Answer {
    company: { revenue: { value: number | null; previous: number | null }; big: { value: number | null }; trend: { period: { label: string }; value: number | null }[] };
  }

  const post = async (app: App, key: string, query: string, variables: Record<string, unknown> = {}) => {
    const res = await app.fetch("http://yardstick.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as GraphQLResponse<never>;
  };

  const importCsv = async (co: TestCompany, kind: "CUSTOMERS" | "ORDERS", csv: string) => {
    const job = dataOf(
      await t.gql<{ importCsv: { status: string; rowsImported: number; rowsRejected: number } }>(
        `mutation ($kind: ImportKind!, $csv: String!) { importCsv(kind: $kind, csv: $csv) { status rowsImported rowsRejected } }`,
        { kind, csv },
        co.keys.manager,
      ),
    ).importCsv;
    expect(job).toMatchObject({ status: "DONE", rowsRejected: 0 });
    expect(job.rowsImported).toBeGreaterThan(0);
  };

  const dataVersion = async (co: TestCompany) =>
    (await t.db.prisma.company.findUniqueOrThrow({ where: { id: co.id }, select: { dataVersion: true } })).dataVersion;

  /** A metric request for another year: the catalogue, the schema and the subject counts (cost limit) are ready before anything is counted. */
  const warm = async (co: TestCompany, app: App = t.app) =>
    dataOf(await post(app, co.keys.viewer, `{ company { metric(key: "revenue", period: { grain: YEAR, date: "2020-01-01" }) { value } } }`));

  /** Runs the query once; statements = every SQL statement, metric = statements the metric engine ran. */
  const measured = async (co: TestCompany, app: App = t.app) => {
    const cache = app.caches.results;
    const s0 = t.db.statements.count;
    const c0 = cache?.stats();
    const data = dataOf(await post(app, co.keys.viewer, QUERY)) as Answer;
    const c1 = cache?.stats();
    return {
      data: data.company,
      statements: t.db.statements.count - s0,
      metric: c0 && c1 ? c1.misses - c0.misses : null,
      hits: c0 && c1 ? c1.hits - c0.hits : null,
    };
  };

  beforeAll(async () => {
    t = await createTestApp();
    a = await createCompany(t.db, "cache-a");
    b = await createCompany(t.db, "cache-b");
    await importCsv(a, "CUSTOMERS", "external_id,name\nA-1,Alice\nA-2,Bob");
    await importCsv(a, "ORDERS", "order_id,customer,amount,date\nA-O1,A-1,100,2026-03-03\nA-O2,A-2,50.5,2026-03-20\nA-O3,A-1,80,2026-02-10");
    await importCsv(b, "CUSTOMERS", "external_id,name\nB-1,Carol");
    await importCsv(b, "ORDERS", "order_id,customer,amount,date\nB-O1,B-1,7,2026-03-05\nB-O2,B-1,3,2026-02-01");
    // The same plugin key, the same document, in both companies.
    for (const co of [a, b]) {
      dataOf(await t.gql(`mutation ($d: JSON!) { registerMetricPlugin(document: $d) { key } }`, { d: BIG_ORDERS }, co.keys.admin));
    }
  });
  afterAll(() => t.close());

  it("bumps the company's data version with each import that writes rows", async () => {
    // customers + orders for each company: one batch each.
    expect(await dataVersion(a)).toBe(2);
    expect(await dataVersion(b)).toBe(2);
  });

  it("runs no metric SQL for a repeated query, with identical values", async () => {
    await warm(a);
    const first = await measured(a);
    // A, March (UTC): A-O1 100 + A-O2 50.5 = 150.5; February: A-O3 80; January: none → 0.
    // Orders ≥ 50 in March: A-O1 and A-O2 → 2.
    expect(first.data).toEqual({
      revenue: { value: 150.5, previous: 80 },
      big: { value: 2 },
      trend: [
        { period: { label: "2026-01" }, value: 0 },
        { period: { label: "2026-02" }, value: 80 },
        { period: { label: "2026-03" }, value: 150.5 },
      ],
    });
    expect(first.metric).toBeGreaterThan(0);
    expect(first.hits).toBe(0);

    const second = await measured(a);
    expect(second.data).toEqual(first.data);
    expect(second.metric).toBe(0);
    expect(second.hits).toBe(first.metric);
    // Only the key lookup and the like are left: every metric statement is gone.
    expect(second.statements).toBe(first.statements - first.metric!);
  });

  it("answers with the new rows right after an import for the company", async () => {
    const before = await dataVersion(a);
    await importCsv(a, "ORDERS", "order_id,customer,amount,date\nA-O4,A-2,25,2026-03-28");
    expect(await dataVersion(a)).toBe(before + 1);
    const after = await measured(a);
    // March: 100 + 50.5 + 25 = 175.5; February unchanged (80); A-O4 is under 50, so big orders stay 2.
    expect(after.data.revenue).toEqual({ value: 175.5, previous: 80 });
    expect(after.data.big).toEqual({ value: 2 });
    expect(after.data.trend.map((p) => p.value)).toEqual([0, 80, 175.5]);
    expect(after.metric).toBeGreaterThan(0);
  });

  it("does not bump the version for an import that changes nothing", async () => {
    const before = await dataVersion(a);
    // The same rows under another file (a header alias makes the bytes differ): every row unchanged.
    const job = dataOf(
      await t.gql<{ importCsv: { rowsImported: number } }>(
        `mutation ($csv: String!) { importCsv(kind: ORDERS, csv: $csv) { rowsImported } }`,
        { csv: "order_no,customer,amount,date\nA-O4,A-2,25,2026-03-28" },
        a.keys.manager,
      ),
    ).importCsv;
    expect(job.rowsImported).toBe(0);
    expect(await dataVersion(a)).toBe(before);
    expect((await measured(a)).metric).toBe(0);
  });

  it("keeps A's entries through B's write, and never gives A's numbers to B", async () => {
    await measured(a); // cached at A's current version
    const firstB = await measured(b);
    // B, March: B-O1 7; February: B-O2 3; no order ≥ 50. Same plugin key and period as A, B's own numbers.
    expect(firstB.data).toEqual({
      revenue: { value: 7, previous: 3 },
      big: { value: 0 },
      trend: [
        { period: { label: "2026-01" }, value: 0 },
        { period: { label: "2026-02" }, value: 3 },
        { period: { label: "2026-03" }, value: 7 },
      ],
    });
    expect(firstB.metric).toBeGreaterThan(0);

    await importCsv(b, "ORDERS", "order_id,customer,amount,date\nB-O3,B-1,60,2026-03-09");
    const againA = await measured(a);
    expect(againA.metric).toBe(0);
    expect(againA.data.revenue).toEqual({ value: 175.5, previous: 80 });

    const afterB = await measured(b);
    // B, March: 7 + 60 = 67; orders ≥ 50: B-O3 → 1.
    expect(afterB.data.revenue).toEqual({ value: 67, previous: 3 });
    expect(afterB.data.big).toEqual({ value: 1 });
    expect(afterB.metric).toBeGreaterThan(0);
  });

  it("gives the new formula's value after a plugin update, and the new filter's", async () => {
    await measured(a);
    // Same measures, new formula: the statement may be reused, the formula is not.
    dataOf(await t.gql(`mutation ($d: JSON!) { updateMetricPlugin(key: "big_orders", document: $d) { key } }`, { d: { ...BIG_ORDERS, formula: "big * 10" } }, a.keys.admin));
    expect((await measured(a)).data.big).toEqual({ value: 20 }); // 2 × 10
    // New filter: orders ≥ 90 in March: A-O1 (100) → 1.
    const gte90 = { ...BIG_ORDERS, measures: { big: { ...BIG_ORDERS.measures.big, where: { amount: { gte: 90 } } } } };
    dataOf(await t.gql(`mutation ($d: JSON!) { updateMetricPlugin(key: "big_orders", document: $d) { key } }`, { d: gte90 }, a.keys.admin));
    expect((await measured(a)).data.big).toEqual({ value: 1 });
    // B's plugin of the same key is untouched.
    expect((await measured(b)).data.big).toEqual({ value: 1 });
  });

  it("shares one statement between identical requests in flight", async () => {
    await importCsv(a, "ORDERS", "order_id,customer,amount,date\nA-O5,A-1,4.5,2026-01-15");
    const before = t.app.caches.results!.stats();
    const answers = await Promise.all(Array.from({ length: 5 }, () => post(t.app, a.keys.viewer, QUERY)));
    const after = t.app.caches.results!.stats();
    const values = answers.map((r) => (dataOf(r) as Answer).company.trend.map((p) => p.value));
    // January: A-O5 4.5.
    for (const v of values) expect(v).toEqual([4.5, 80, 175.5]);
    const misses = after.misses - before.misses;
    expect(misses).toBeGreaterThan(0);
    // Every request asks the same statements: the first asker runs each, the others join or hit.
    expect(after.hits - before.hits + (after.shared - before.shared)).toBe(4 * misses);
  });

  it("gives the same answers with the cache off, running the metric SQL every time", async () => {
    const off = createApp({ db: t.db, graphiql: false, resultCache: false });
    expect(off.caches.results).toBeNull();
    for (const co of [a, b]) {
      await warm(co);
      await warm(co, off);
      const cached = await measured(co);
      const first = await measured(co, off);
      const second = await measured(co, off);
      expect(first.data).toEqual(cached.data);
      expect(second.data).toEqual(cached.data);
      expect(second.statements).toBe(first.statements);
      expect(first.statements).toBeGreaterThan(cached.statements);
    }
  });
});

describe("ResultCache", () => {
  const scope = { companyId: "00000000-0000-0000-0000-000000000001", catalogVersion: 0, dataVersion: 0 };

  it("does not keep errors: the next lookup runs the statement again", async () => {
    const cache = new ResultCache();
    let calls = 0;
    const failing = () => {
      calls++;
      return Promise.reject(new Error("boom"));
    };
    await expect(cache.rows(scope, "SELECT 1", [], failing)).rejects.toThrow("boom");
    await expect(cache.rows(scope, "SELECT 1", [], failing)).rejects.toThrow("boom");
    expect(calls).toBe(2);
    const rows = await cache.rows(scope, "SELECT 1", [], async () => [{ x: 1 }]);
    expect(rows).toEqual([{ x: 1 }]);
    expect(cache.stats()).toMatchObject({ entries: 1, misses: 3 });
  });

  it("runs one statement for concurrent identical misses, and keys by versions and parameters", async () => {
    const cache = new ResultCache();
    let calls = 0;
    const slow = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 10));
      return [{ x: calls }];
    };
    const same = await Promise.all(Array.from({ length: 4 }, () => cache.rows(scope, "SELECT $1", [1], slow)));
    expect(calls).toBe(1);
    for (const r of same) expect(r).toBe(same[0]);
    expect(cache.stats()).toMatchObject({ misses: 1, shared: 3 });
    // Other parameters, other SQL text, another company: other entries.
    await cache.rows(scope, "SELECT $1", [2], slow);
    await cache.rows(scope, "SELECT $1 ", [1], slow);
    await cache.rows({ ...scope, companyId: "00000000-0000-0000-0000-000000000002" }, "SELECT $1", [1], slow);
    expect(calls).toBe(4);
    expect(await cache.rows(scope, "SELECT $1", [1], slow)).toBe(same[0]);
    expect(calls).toBe(4);
    expect(cache.stats().entries).toBe(4);
  });

  it("drops a company's entries of older versions at its first lookup at a newer one, and keeps other companies'", async () => {
    const cache = new ResultCache();
    let calls = 0;
    const run = async () => [{ n: ++calls }];
    const other = { ...scope, companyId: "00000000-0000-0000-0000-000000000002" };
    for (const sql of ["a", "b", "c"]) await cache.rows(scope, sql, [], run);
    await cache.rows(other, "a", [], run);
    expect(cache.stats().entries).toBe(4);
    // An import committed (data version 1): the three entries at 0 can never be asked for again.
    await cache.rows({ ...scope, dataVersion: 1 }, "a", [], run);
    expect(cache.stats().entries).toBe(2);
    // A plugin changed too (catalogue 1): the same again.
    await cache.rows({ ...scope, dataVersion: 1, catalogVersion: 1 }, "a", [], run);
    expect(cache.stats().entries).toBe(2);
    expect(calls).toBe(6);
    // A request that read its versions before the write still gets its answer, computed and not kept.
    expect(await cache.rows(scope, "b", [], run)).toEqual([{ n: 7 }]);
    expect(cache.stats().entries).toBe(2);
    // The other company's entry survived all of it.
    expect(await cache.rows(other, "a", [], run)).toEqual([{ n: 4 }]);
  });

  it("is bounded by entries and by size, evicting the least recently used", async () => {
    const byCount = new ResultCache({ maxEntries: 2 });
    for (const sql of ["a", "b", "c"]) await byCount.rows(scope, sql, [], async () => [{ v: sql }]);
    expect(byCount.stats().entries).toBe(2);
    let ran = false;
    await byCount.rows(scope, "a", [], async () => ((ran = true), [{ v: "a" }]));
    expect(ran).toBe(true);

    const bySize = new ResultCache({ maxBytes: 64 * 1024 });
    const big = Array.from({ length: 40 }, (_, i) => ({ wi: i, sid: "x".repeat(36), m0: i }));
    for (let i = 0; i < 50; i++) await bySize.rows(scope, `q${i}`, [], async () => big.map((r) => ({ ...r })));
    const s = bySize.stats();
    expect(s.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(s.entries).toBeLessThan(50);
    expect(s.entries).toBeGreaterThan(0);
  });
});
