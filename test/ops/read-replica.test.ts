// Metric reads on a read replica (src/db/read-routing.ts, docs/scale-out.md).
// There is no streaming replica on this machine, so a "replica" is a copy of
// the primary made with CREATE DATABASE … TEMPLATE: it holds the same rows and
// the same data_version, and — not being replicated — lags behind every later
// write to the primary until the same write is applied to it by hand. That is
// exactly the state the lag rule has to handle.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueApiKey } from "../../src/auth/api-keys.js";
import { openDatabase, type Database } from "../../src/db/database.js";
import { readRouterOf } from "../../src/db/read-routing.js";
import { runImport } from "../../src/import/importer.js";
import { textSource } from "../../src/import/source.js";
import { createApp, type App } from "../../src/server.js";
import { createScratchPostgres, TEST_DB } from "../helpers/database.js";
import { Cable } from "./cable.js";
import { call, LEAK } from "./support.js";

const revenue = (grain: string, date: string) => `{ company { metric(key: "revenue", period: { grain: ${grain}, date: "${date}" }) { value } } }`;
const MARCH = revenue("MONTH", "2026-03-01");
const Q1 = revenue("QUARTER", "2026-01-01");
const APRIL = revenue("MONTH", "2026-04-01");
const FEBRUARY = revenue("MONTH", "2026-02-01");

/** One more March order, 1000.00, imported first into the primary, later into the replica. */
const NEW_ORDERS = "order_id,customer,amount,date\nO-10,C-1,1000,2026-03-15\n";

async function withAdmin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const valueOf = (body: { data?: unknown }) => (body.data as { company: { metric: { value: number } } }).company.metric.value;

describe.runIf(TEST_DB === "postgres")("read replica for metric reads", () => {
  let primary: { name: string; url: string; drop(): Promise<void> };
  let replicaName: string;
  let replicaUrl: string;
  let cable: Cable;
  let db: Database;
  let app: App;
  let key: string;
  let companyId: string;

  const dataVersion = async (url: string) => {
    const d = new pg.Client({ connectionString: url });
    await d.connect();
    try {
      return Number((await d.query("SELECT data_version FROM companies WHERE id = $1", [companyId])).rows[0].data_version);
    } finally {
      await d.end();
    }
  };

  beforeAll(async () => {
    primary = await createScratchPostgres({ migrated: true });
    // Seed the primary, then close it: TEMPLATE needs the source database without connections.
    const seed = await openDatabase({ url: primary.url, poolSize: 2 });
    const company = await seed.prisma.company.create({ data: { slug: "rr", name: "RR" } });
    companyId = company.id;
    key = (await issueApiKey(seed.prisma, { companyId, name: "admin", role: "admin" })).key;
    const customer = await seed.prisma.customer.create({
      data: { companyId, externalId: "C-1", name: "c", acquiredAt: new Date("2026-01-01T00:00:00Z") },
    });
    for (const [amount, at] of [["250", "2026-03-10"], ["100", "2026-03-20"], ["40", "2026-04-02"]] as const) {
      await seed.prisma.order.create({
        data: { companyId, customerId: customer.id, amount, product: "p", category: "c", channel: "web", at: new Date(`${at}T00:00:00Z`) },
      });
    }
    await seed.close();

    replicaName = `${primary.name}_replica`;
    await withAdmin(primary.url, (c) => c.query(`CREATE DATABASE ${replicaName} TEMPLATE ${primary.name}`));
    const r = new URL(primary.url);
    r.pathname = `/${replicaName}`;
    replicaUrl = r.toString();

    // The app reaches the replica through a cable the test can cut.
    const through = await Cable.inFrontOf(replicaUrl);
    cable = through.cable;
    db = await openDatabase({ url: primary.url, readUrl: through.url, poolSize: 4 });
    app = createApp({ db, graphiql: false, limits: { requestTimeoutMs: 10_000 } });
  });

  afterAll(async () => {
    await db?.close();
    await cable?.down();
    if (replicaName) await withAdmin(primary.url, (c) => c.query(`DROP DATABASE IF EXISTS ${replicaName} WITH (FORCE)`));
    await primary?.drop();
  });

  it("answers a KPI from the replica when it is up to date, with no metric SQL on the primary", async () => {
    expect(db.readSql).toBeDefined();
    const router = readRouterOf(db)!;
    const readBefore = db.readStatements.count;
    const res = await call(app, MARCH, key);
    expect(res.body.errors).toBeUndefined();
    // March: 250 + 100 (the April 40 is outside).
    expect(valueOf(res.body)).toBe(350);
    const stats = router.stats();
    expect(stats.replicaStatements).toBeGreaterThanOrEqual(1);
    expect(stats.primaryStatements).toBe(0);
    // The version check and the metric statement(s), on the read pool.
    expect(db.readStatements.count - readBefore).toBeGreaterThanOrEqual(2);

    // The same question again is a result-cache hit: no SQL on either side.
    const again = await call(app, MARCH, key);
    expect(valueOf(again.body)).toBe(350);
    expect(router.stats()).toEqual(stats);
  });

  it("sends a request to the primary while the replica lags behind a write it could know of", async () => {
    const router = readRouterOf(db)!;
    const before = router.stats();
    const v0 = await dataVersion(primary.url);
    await runImport(db, { companyId, kind: "orders", source: textSource(NEW_ORDERS, "new-orders.csv") });
    expect(await dataVersion(primary.url)).toBeGreaterThan(v0);
    // The replica did not get the write: it still has the old version and the old rows.
    expect(await dataVersion(replicaUrl)).toBe(v0);

    // March is now 250 + 100 + 1000. The replica would say 350: the lag rule sends the SQL to the primary.
    const res = await call(app, MARCH, key);
    expect(res.body.errors).toBeUndefined();
    expect(valueOf(res.body)).toBe(1350);
    const after = router.stats();
    expect(after.lagged).toBe(before.lagged + 1);
    expect(after.replicaStatements).toBe(before.replicaStatements);
    expect(after.primaryStatements).toBeGreaterThan(before.primaryStatements);

    // What got cached under the new version is the primary's answer, not the replica's.
    expect(valueOf((await call(app, MARCH, key)).body)).toBe(1350);
    const fresh = createApp({ db, graphiql: false });
    expect(valueOf((await call(fresh, MARCH, key)).body)).toBe(1350);
  });

  it("goes back to the replica once it has replayed the write", async () => {
    const router = readRouterOf(db)!;
    // "Replication": the same import applied to the replica database bumps its data_version the same way.
    const replica = await openDatabase({ url: replicaUrl, poolSize: 2, migrate: false });
    try {
      await runImport(replica, { companyId, kind: "orders", source: textSource(NEW_ORDERS, "new-orders.csv") });
    } finally {
      await replica.close();
    }
    expect(await dataVersion(replicaUrl)).toBe(await dataVersion(primary.url));

    const before = router.stats();
    // Q1 (not cached yet): 250 + 100 + 1000.
    const res = await call(app, Q1, key);
    expect(res.body.errors).toBeUndefined();
    expect(valueOf(res.body)).toBe(1350);
    const after = router.stats();
    expect(after.replicaStatements).toBeGreaterThan(before.replicaStatements);
    expect(after.primaryStatements).toBe(before.primaryStatements);
    expect(after.lagged).toBe(before.lagged);
  });

  it("serves from the primary when the replica goes away, without an error to the client", async () => {
    const router = readRouterOf(db)!;
    await cable.down();
    const before = router.stats();
    const res = await call(app, APRIL, key);
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(valueOf(res.body)).toBe(40);
    expect(router.stats().primaryStatements).toBeGreaterThan(before.primaryStatements);
    expect(router.unhealthy).toBe(true);

    // While it is benched, requests do not even try it.
    const readBefore = db.readStatements.count;
    const feb = await call(app, FEBRUARY, key);
    expect(feb.body.errors).toBeUndefined();
    expect(valueOf(feb.body)).toBe(0);
    expect(db.readStatements.count).toBe(readBefore);
    await cable.up();
  });

  it("serves from the primary when the replica was never reachable", async () => {
    // Port 1 on localhost: connection refused.
    const dead = await openDatabase({ url: primary.url, readUrl: "postgresql://postgres@127.0.0.1:1/nothing", poolSize: 2, migrate: false });
    try {
      const other = createApp({ db: dead, graphiql: false });
      const res = await call(other, MARCH, key);
      expect(res.status).toBe(200);
      expect(res.body.errors).toBeUndefined();
      expect(res.text).not.toMatch(LEAK);
      expect(valueOf(res.body)).toBe(1350);
      expect(readRouterOf(dead)!.stats()).toMatchObject({ replicaStatements: 0 });
      expect(readRouterOf(dead)!.unhealthy).toBe(true);
    } finally {
      await dead.close();
    }
  });
});
