import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type App } from "../../src/server.js";
import { createCompany, type TestCompany } from "../helpers/app.js";
import { openTestDatabase, TEST_DB, type TestDatabase } from "../helpers/database.js";
import { rowCounts } from "../auth/support.js";

// Guessing keys: failures are throttled per client address and per key prefix,
// the owner's valid key keeps working, and a known prefix costs the same work
// as an unknown one (no timing oracle from an extra statement).
describe(`failed authentication (${TEST_DB})`, () => {
  let db: TestDatabase;
  let co: TestCompany;
  let app: App;

  beforeAll(async () => {
    db = await openTestDatabase();
    co = await createCompany(db, "throttle");
    app = createApp({ db, graphiql: false, trustProxy: true, authThrottle: { failuresPerMinutePerAddress: 20, failuresPerMinutePerPrefix: 10 } });
  });
  afterAll(() => db.close());

  const call = async (key: string, address: string) => {
    const res = await app.fetch("http://yardstick.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}`, "x-forwarded-for": address },
      body: JSON.stringify({ query: "{ company { slug } }" }),
    });
    return { status: res.status, retryAfter: res.headers.get("retry-after"), body: (await res.json()) as { errors?: { extensions?: { code?: string } }[] } };
  };
  const wrong = (i: number) => `ys_${`W${String(i).padStart(11, "0")}`}_${"x".repeat(43)}`;

  it("one address trying 60 wrong keys: 401 until its 20 failures are spent, then 429 with Retry-After; other addresses unaffected", async () => {
    const before = await rowCounts(db, co.id);
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await call(wrong(i), "203.0.113.7")).status);
    // The 20th failure spends the budget (its own answer already says 429).
    expect(statuses.slice(0, 19).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
    const last = await call(wrong(99), "203.0.113.7");
    expect(last.body.errors?.[0]?.extensions?.code).toBe("RATE_LIMITED");
    expect(Number(last.retryAfter)).toBeGreaterThan(0);
    expect((await call(co.keys.viewer, "198.51.100.1")).status).toBe(200);
    expect(await rowCounts(db, co.id)).toEqual(before);
  });

  it("many addresses on one key's prefix: failures turn 429 after 10, the owner's valid key still passes", async () => {
    const prefix = /^ys_([A-Za-z0-9]{12})_/.exec(co.keys.manager)![1]!;
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) statuses.push((await call(`ys_${prefix}_${"y".repeat(42)}${i % 10}`, `192.0.2.${i + 1}`)).status);
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(11).every((s) => s === 429)).toBe(true);
    expect((await call(co.keys.manager, "192.0.2.200")).status).toBe(200);
  });

  it("a known prefix with a wrong secret issues as many statements as an unknown prefix", async () => {
    const prefix = /^ys_([A-Za-z0-9]{12})_/.exec(co.keys.admin)![1]!;
    const statementsOf = async (key: string, address: string) => {
      const before = db.statements.count;
      expect((await call(key, address)).status).toBe(401);
      return db.statements.count - before;
    };
    const known = await statementsOf(`ys_${prefix}_${"z".repeat(43)}`, "10.0.0.1");
    const unknown = await statementsOf(`ys_UNKNOWNPREFI_${"z".repeat(43)}`, "10.0.0.2");
    expect(known).toBe(unknown);
  });
});
