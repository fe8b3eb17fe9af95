import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/database.js";
import { createApp, type App } from "../../src/server.js";
import { TEST_DB } from "../helpers/database.js";
import { adminClient, call, createScratchPostgres, LEAK, REVENUE, runningStatements, seedCompany, waitFor, type Answer } from "./support.js";

// A pool of 2 connections, both held by requests whose SQL waits on a lock
// another session holds. Further requests must not queue for ever: after the
// pool's connection timeout they are answered DATABASE_BUSY (HTTP 503, Retry-After),
// /health keeps answering, and once the holders finish new requests succeed.
describe.runIf(TEST_DB === "postgres")("an exhausted connection pool", () => {
  const CONNECTION_TIMEOUT = 1_000;
  const DEADLINE = 8_000;
  let scratch: Awaited<ReturnType<typeof createScratchPostgres>>;
  let db: Database;
  let app: App;
  let locker: pg.Client;
  let observer: pg.Client;
  let key: string;

  beforeAll(async () => {
    scratch = await createScratchPostgres({ migrated: true });
    db = await openDatabase({ url: scratch.url, poolSize: 2, connectionTimeoutMs: CONNECTION_TIMEOUT, statementTimeoutMs: DEADLINE });
    app = createApp({ db, graphiql: false, limits: { requestTimeoutMs: DEADLINE }, resultCache: false } as Parameters<typeof createApp>[0]);
    ({ key } = await seedCompany(db, "busy"));
    locker = await adminClient(scratch.url);
    observer = await adminClient(scratch.url);
  });
  afterAll(async () => {
    await locker?.end();
    await observer?.end();
    await db?.close();
    await scratch?.drop();
  });

  it("answers DATABASE_BUSY after the connection timeout, keeps /health up, and serves again when connections free up", async () => {
    await locker.query("BEGIN");
    await locker.query("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE");
    let holders: Promise<Answer>[] = [];
    try {
      // Two requests whose metric SQL waits on the lock: each holds one of the pool's two connections.
      holders = [call(app, REVENUE, key), call(app, REVENUE, key)];
      await waitFor("both pool connections to wait on the lock", async () => (await runningStatements(observer, scratch.name)).filter((s) => s.wait === "Lock").length === 2);

      const health0 = Date.now();
      expect((await app.fetch("http://ops.test/health")).status).toBe(200);
      const healthMs = Date.now() - health0;

      const extra = await Promise.all([call(app, `{ company { slug } }`, key), call(app, REVENUE, key), call(app, `mutation { createApiKey(name: "while busy", role: VIEWER) { key } }`, key)]);
      console.log(`pool exhausted: extra requests answered after ${extra.map((r) => r.ms).join(", ")} ms (connection timeout ${CONNECTION_TIMEOUT} ms); /health in ${healthMs} ms`);
      for (const r of extra) {
        expect(r.body.errors?.[0]).toMatchObject({
          message: "The database is busy: no connection became free in time. Try again in a moment.",
          extensions: { code: "DATABASE_BUSY" },
        });
        expect(r.body.data ?? null).toBeNull();
        expect(r.status).toBe(503);
        expect(r.headers.get("retry-after")).toBe("1");
        expect(r.ms).toBeGreaterThanOrEqual(CONNECTION_TIMEOUT - 50);
        expect(r.ms).toBeLessThan(CONNECTION_TIMEOUT + 1_500);
        expect(r.text).not.toMatch(LEAK);
      }
      // /ready says this process cannot reach its database in time.
      expect((await app.fetch("http://ops.test/ready")).status).toBe(503);
    } finally {
      await locker.query("COMMIT");
    }

    // The holders were only waiting: they finish with their answer.
    const t0 = Date.now();
    for (const held of await Promise.all(holders)) expect(held.body).toEqual({ data: { company: { metric: { value: 250 } } } });
    const after = await call(app, `{ company { slug } }`, key);
    console.log(`pool exhausted: holders answered ${Date.now() - t0} ms after the lock was released; next request ${after.ms} ms`);
    expect(after.body).toEqual({ data: { company: { slug: "busy" } } });
    expect((await app.fetch("http://ops.test/ready")).status).toBe(200);
    // The key refused while busy was not written.
    expect((await db.prisma.apiKey.findMany({ select: { name: true } })).map((k) => k.name)).toEqual(["admin"]);
  }, 30_000);
});
