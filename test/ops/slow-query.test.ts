import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/database.js";
import { createApp, type App } from "../../src/server.js";
import { TEST_DB } from "../helpers/database.js";
import { Cable } from "./cable.js";
import { adminClient, call, createScratchPostgres, LEAK, REVENUE, runningStatements, seedCompany, waitFor } from "./support.js";

// A slow database, made slow for real: another session holds a lock the
// request's SQL must wait for, or the network between the API and PostgreSQL
// holds every packet. The client gets TIMEOUT at the deadline (not a hang, not a
// 500), the process keeps answering, the blocked SQL is ended by the database,
// and the same request succeeds once the database is fast again.
describe.runIf(TEST_DB === "postgres")("a slow database", () => {
  const DEADLINE = 1_500;
  let scratch: Awaited<ReturnType<typeof createScratchPostgres>>;
  let db: Database;
  let app: App;
  /** Takes locks, in a transaction; */
  let locker: pg.Client;
  /** reads pg_stat_activity, outside any transaction (a transaction sees a snapshot of it, taken once). */
  let admin: pg.Client;
  let key: string;

  beforeAll(async () => {
    scratch = await createScratchPostgres({ migrated: true });
    // The pool's statement_timeout is the request deadline: what production gets by default (src/db/timeouts.ts).
    db = await openDatabase({ url: scratch.url, poolSize: 4, statementTimeoutMs: DEADLINE });
    // No result cache: every request must reach the database.
    app = createApp({ db, graphiql: false, limits: { requestTimeoutMs: DEADLINE }, resultCache: false } as Parameters<typeof createApp>[0]);
    ({ key } = await seedCompany(db, "slow"));
    locker = await adminClient(scratch.url);
    admin = await adminClient(scratch.url);
  });
  afterAll(async () => {
    await locker?.end();
    await admin?.end();
    await db?.close();
    await scratch?.drop();
  });

  /** Holds an ACCESS EXCLUSIVE lock on `table` in an open transaction until the returned function is called. */
  async function lock(table: string): Promise<() => Promise<void>> {
    await locker.query("BEGIN");
    await locker.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
    return async () => void (await locker.query("COMMIT"));
  }

  it("answers TIMEOUT at the deadline while the metric SQL waits on a lock, and the database ends that SQL", async () => {
    expect((await call(app, REVENUE, key)).body).toEqual({ data: { company: { metric: { value: 250 } } } });

    const release = await lock("orders");
    try {
      const pending = call(app, REVENUE, key);
      // While the request waits, the process answers /health at once, and the SQL is seen waiting on the lock.
      await waitFor("the metric SQL to wait on the lock", async () => (await runningStatements(admin, scratch.name)).some((s) => s.wait === "Lock"));
      const h0 = Date.now();
      expect((await app.fetch("http://ops.test/health")).status).toBe(200);
      expect(Date.now() - h0).toBeLessThan(200);

      const slow = await pending;
      console.log(`lock on orders: TIMEOUT after ${slow.ms} ms (deadline ${DEADLINE} ms)`);
      expect(slow.body.errors?.[0]).toMatchObject({ message: `The request took longer than ${DEADLINE} ms and was stopped.`, extensions: { code: "TIMEOUT" } });
      expect(slow.status).toBe(503);
      expect(slow.ms).toBeGreaterThanOrEqual(DEADLINE - 50);
      expect(slow.ms).toBeLessThan(DEADLINE + 1_000);
      expect(slow.text).not.toMatch(LEAK);

      // The lock is still held, yet the statement is gone: statement_timeout cancelled it, not the lock's release.
      const gone = await waitFor("the blocked SQL to end", async () => (await runningStatements(admin, scratch.name)).length === 0, 5_000);
      console.log(`lock on orders: blocked SQL ended ${gone} ms after the TIMEOUT answer`);
      expect(gone).toBeLessThan(2_000);
      const { rows } = await admin.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'orders' AND l.mode = 'AccessExclusiveLock' AND l.granted",
      );
      expect(rows[0]!.n).toBe(1);
    } finally {
      await release();
    }

    const t0 = Date.now();
    const again = await call(app, REVENUE, key);
    expect(again.body).toEqual({ data: { company: { metric: { value: 250 } } } });
    console.log(`lock on orders: same request after release answered in ${Date.now() - t0} ms`);
  }, 30_000);

  it("bounds authentication too: a lock on api_keys is a TIMEOUT at the deadline, not a hang", async () => {
    const release = await lock("api_keys");
    let slow;
    try {
      slow = await call(app, `{ company { slug } }`, key);
      await waitFor("the blocked authentication to end", async () => (await runningStatements(admin, scratch.name)).length === 0, 5_000);
    } finally {
      await release();
    }
    console.log(`lock on api_keys: TIMEOUT after ${slow.ms} ms`);
    expect(slow.body.errors?.[0]).toMatchObject({ extensions: { code: "TIMEOUT" } });
    expect(slow.status).toBe(503);
    expect(slow.ms).toBeLessThan(DEADLINE + 1_000);
    expect(slow.text).not.toMatch(LEAK);
    expect((await call(app, `{ company { slug } }`, key)).body).toEqual({ data: { company: { slug: "slow" } } });
  }, 30_000);

  it("maps a statement the database cancelled to TIMEOUT with a clear message", async () => {
    // A deadline far away, a short statement_timeout: the database's cancellation is what the client hears about.
    const strict = await openDatabase({ url: scratch.url, poolSize: 2, statementTimeoutMs: 300, migrate: false });
    try {
      const patient = createApp({ db: strict, graphiql: false, limits: { requestTimeoutMs: 10_000 }, resultCache: false } as Parameters<typeof createApp>[0]);
      const release = await lock("orders");
      let res;
      try {
        res = await call(patient, REVENUE, key);
      } finally {
        await release();
      }
      console.log(`statement_timeout 300 ms: answered after ${res.ms} ms`);
      expect(res.body.errors?.[0]).toMatchObject({
        message: expect.stringMatching(/database query ran past its time limit and was stopped/),
        path: ["company", "metric"],
        extensions: { code: "TIMEOUT" },
      });
      expect(res.status).toBe(503);
      expect(res.ms).toBeLessThan(2_000);
      expect(res.text).not.toMatch(LEAK);
    } finally {
      await strict.close();
    }
  }, 30_000);

  it("answers TIMEOUT while the network to the database is slow, /ready says so, and recovers when it is fast again", async () => {
    const { cable, url } = await Cable.inFrontOf(scratch.url);
    const remote = await openDatabase({ url, poolSize: 2, statementTimeoutMs: DEADLINE, migrate: false });
    try {
      const far = createApp({ db: remote, graphiql: false, limits: { requestTimeoutMs: DEADLINE }, resultCache: false } as Parameters<typeof createApp>[0]);
      expect((await call(far, REVENUE, key)).body).toEqual({ data: { company: { metric: { value: 250 } } } });

      // Every packet held 2.5 s each way: longer than /ready's 2 s and the request deadline.
      cable.latencyMs = 2_500;
      const [slow, ready, health] = await Promise.all([
        call(far, REVENUE, key),
        (async () => {
          const t0 = Date.now();
          const r = await far.fetch("http://ops.test/ready");
          return { status: r.status, ms: Date.now() - t0, body: await r.text() };
        })(),
        (async () => {
          const t0 = Date.now();
          const r = await far.fetch("http://ops.test/health");
          return { status: r.status, ms: Date.now() - t0 };
        })(),
      ]);
      console.log(`latency 2.5 s: TIMEOUT after ${slow.ms} ms, /ready ${ready.status} after ${ready.ms} ms, /health ${health.status} after ${health.ms} ms`);
      expect(slow.body.errors?.[0]?.extensions?.code).toBe("TIMEOUT");
      expect(slow.status).toBe(503);
      expect(slow.ms).toBeLessThan(DEADLINE + 1_000);
      expect(ready.status).toBe(503);
      expect(ready.ms).toBeLessThan(3_000);
      expect(health).toMatchObject({ status: 200 });
      expect(health.ms).toBeLessThan(200);

      cable.latencyMs = 0;
      const t0 = Date.now();
      await waitFor("the API to answer again", async () => !(await call(far, REVENUE, key)).body.errors, 20_000);
      console.log(`latency removed: answering again after ${Date.now() - t0} ms`);
      expect((await far.fetch("http://ops.test/ready")).status).toBe(200);
    } finally {
      cable.latencyMs = 0;
      await remote.close();
      await cable.down();
    }
  }, 60_000);
});
