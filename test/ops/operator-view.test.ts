import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type App } from "../../src/server.js";
import { openTestDatabase, TEST_DB, type TestDatabase } from "../helpers/database.js";
import { seedCompany } from "./support.js";

// Through the real endpoint (app.fetch on the Yoga pipeline) and a real database:
// X-Request-Id, /metrics on the API port, the figures a request leaves in it, and
// /ready while draining. The log lines themselves are read from a real process
// in test/ops/operator-process.test.ts.
describe(`the operator's view of requests (${TEST_DB})`, () => {
  const TOKEN = "metrics-token-0123456789abcdef";
  let db: TestDatabase;
  let app: App;
  let key: string;

  beforeAll(async () => {
    db = await openTestDatabase();
    app = createApp({ db, graphiql: false, ops: { metricsToken: TOKEN } });
    ({ key } = await seedCompany(db, "ops-view"));
  });
  afterAll(async () => {
    await db?.close();
  });

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    app.fetch("http://ops.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}`, ...headers },
      body: JSON.stringify(body),
    });
  const REVENUE = { query: `query Revenue { company { metric(key: "revenue", period: { grain: MONTH, date: "2026-03-01" }) { value } } }`, operationName: "Revenue" };

  async function scrape(): Promise<string> {
    const res = await app.fetch("http://ops.test/metrics", { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.text();
  }
  /** The value of one sample line (name{labels} value), 0 when absent. */
  function sample(text: string, series: string): number {
    const line = text.split("\n").find((l) => l.startsWith(`${series} `));
    return line ? Number(line.slice(series.length + 1)) : 0;
  }

  it("returns the caller's X-Request-Id when well-formed, and a fresh UUID otherwise", async () => {
    const given = await post(REVENUE, { "x-request-id": "edge-7f3a.42:req_1" });
    expect(given.status).toBe(200);
    expect(given.headers.get("x-request-id")).toBe("edge-7f3a.42:req_1");

    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const none = await post(REVENUE);
    expect(none.headers.get("x-request-id")).toMatch(uuid);
    const other = await post(REVENUE);
    expect(other.headers.get("x-request-id")).not.toBe(none.headers.get("x-request-id"));

    // Spaces, quotes, control characters, overlong values: replaced, never echoed.
    for (const bad of ["two words", 'x"}{"admin":true', "a".repeat(129), "ok\u0007bell", "é"]) {
      const res = await app.fetch("http://ops.test/health", { headers: { "x-request-id": bad } });
      expect(res.status).toBe(200);
      expect(res.headers.get("x-request-id")).toMatch(uuid);
    }
    // Every route carries one: health, a 404, an authentication failure.
    expect((await app.fetch("http://ops.test/nowhere")).headers.get("x-request-id")).toMatch(uuid);
    expect((await post(REVENUE, { authorization: "Bearer ys_wrong" })).headers.get("x-request-id")).toMatch(uuid);
  });

  it("serves /metrics on the API port only with the metrics token", async () => {
    expect((await app.fetch("http://ops.test/metrics")).status).toBe(401);
    expect((await app.fetch("http://ops.test/metrics", { headers: { authorization: `Bearer ${key}` } })).status).toBe(401);
    expect((await app.fetch("http://ops.test/metrics", { headers: { authorization: "Bearer metrics-token-0123456789abcdeX" } })).status).toBe(401);

    // Without a configured token the path does not exist on the API port at all.
    const closed = createApp({ db, graphiql: false });
    expect((await closed.fetch("http://ops.test/metrics")).status).toBe(404);
    expect((await closed.fetch("http://ops.test/metrics", { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
  });

  it("counts each request's duration, SQL statements, cache hits and error codes by operation", async () => {
    // A question not asked before in this file (Q1 2026 holds the one 250.00 order): one cache miss.
    const QUARTER = { query: REVENUE.query.replace("MONTH", "QUARTER"), operationName: "Revenue" };
    const before = await scrape();
    const first = await post(QUARTER);
    expect(await first.json()).toEqual({ data: { company: { metric: { value: 250 } } } });
    // The same question again: its metric statement is answered by the result cache.
    expect(await (await post(QUARTER)).json()).toEqual({ data: { company: { metric: { value: 250 } } } });
    const refused = await post(REVENUE, { authorization: "Bearer ys_not_a_key" });
    expect(refused.status).toBe(401);
    const after = await scrape();

    const delta = (series: string) => sample(after, series) - sample(before, series);
    expect(delta('yardstick_request_duration_seconds_count{route="graphql",operation="Revenue",status="200"}')).toBe(2);
    expect(delta('yardstick_request_duration_seconds_count{route="graphql",operation="Revenue",status="401"}')).toBe(1);
    expect(delta('yardstick_request_sql_statements_count{operation="Revenue"}')).toBe(3);
    // Authentication reads the key and the company; the first request also runs the metric statement.
    expect(delta('yardstick_request_sql_statements_sum{operation="Revenue"}')).toBeGreaterThanOrEqual(3);
    expect(delta('yardstick_result_cache_lookups_total{result="miss"}')).toBe(1);
    expect(delta('yardstick_result_cache_lookups_total{result="hit"}')).toBe(1);
    expect(sample(after, "yardstick_result_cache_hit_ratio")).toBeGreaterThan(0);
    expect(delta('yardstick_graphql_errors_total{code="UNAUTHENTICATED"}')).toBe(1);
    expect(delta("yardstick_sql_statements_total")).toBeGreaterThanOrEqual(3);
    expect(delta('yardstick_request_formula_seconds_count{operation="Revenue"}')).toBeGreaterThanOrEqual(1);
    // The process' own figures come along (event-loop lag matters on the embedded database).
    expect(after).toMatch(/^nodejs_eventloop_lag_seconds /m);
    if (TEST_DB === "postgres") {
      expect(sample(after, 'yardstick_db_pool_connections{pool="primary",state="max"}')).toBeGreaterThanOrEqual(4);
      expect(after).toMatch(/yardstick_db_pool_connections\{pool="primary",state="idle"\} \d+/);
    }
    // Nothing secret in the exposition: no key, no token.
    expect(after).not.toContain(key);
    expect(after).not.toContain("ys_not_a_key");
  });

  it("keeps client-chosen operation names from growing the registry", async () => {
    for (let i = 0; i < 5; i++) await post({ query: "query X { __typename }", operationName: `x"y${i}` });
    const text = await scrape();
    expect(text).not.toMatch(/operation="x\\"y/);
  });

  it("answers /ready 503 once draining, while /health and GraphQL still answer", async () => {
    expect((await app.fetch("http://ops.test/ready")).status).toBe(200);
    const draining = createApp({ db, graphiql: false });
    draining.lifecycle.startDraining();
    const ready = await draining.fetch("http://ops.test/ready");
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: "draining" });
    expect((await draining.fetch("http://ops.test/health")).status).toBe(200);
    const res = await draining.fetch("http://ops.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify(REVENUE),
    });
    expect(await res.json()).toEqual({ data: { company: { metric: { value: 250 } } } });
  });
});
