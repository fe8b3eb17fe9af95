import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueApiKey } from "../../src/auth/api-keys.js";
import { openDatabase, type Database } from "../../src/db/database.js";
import { createApp, type App } from "../../src/server.js";
import { createScratchPostgres, TEST_DB } from "../helpers/database.js";

/** A TCP proxy in front of PostgreSQL that the test can cut and restore: the database "stops" and "returns". */
class Cable {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  constructor(readonly port: number, private readonly target: { host: string; port: number }) {}
  async up(): Promise<void> {
    if (this.server?.listening) return;
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on("close", () => this.sockets.delete(s));
        s.on("error", () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, "127.0.0.1", resolve));
  }
  async down(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

// Faults need a database across a network: PostgreSQL only (the embedded database lives in-process).
describe.runIf(TEST_DB === "postgres")("database outage and recovery", () => {
  let cable: Cable;
  let db: Database;
  let app: App;
  let drop: () => Promise<void>;
  let key: string;
  const port = 45_000 + Math.floor(Math.random() * 10_000);

  beforeAll(async () => {
    const scratch = await createScratchPostgres();
    drop = scratch.drop;
    const real = new URL(scratch.url);
    cable = new Cable(port, { host: real.hostname, port: Number(real.port || 5432) });
    await cable.up();
    const viaCable = new URL(scratch.url);
    viaCable.port = String(port);
    db = await openDatabase({ url: viaCable.toString(), poolSize: 4 });
    app = createApp({ db, graphiql: false, limits: { requestTimeoutMs: 5_000 } });
    const company = await db.prisma.company.create({ data: { slug: "f", name: "F" } });
    key = (await issueApiKey(db.prisma, { companyId: company.id, name: "admin", role: "admin" })).key;
  });
  afterAll(async () => {
    await db.close();
    await cable.down();
    await drop();
  });

  const gql = async (query: string) => {
    const res = await app.fetch("http://f/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ query }),
    });
    return { status: res.status, body: (await res.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] } };
  };
  const ready = async () => (await app.fetch("http://f/ready")).status;

  it("answers clearly and quickly while the database is away, and recovers by itself", async () => {
    expect(await ready()).toBe(200);
    expect((await gql("{ company { slug } }")).body.data).toEqual({ company: { slug: "f" } });

    await cable.down();
    const t0 = Date.now();
    const during = await gql(`mutation { createApiKey(name: "during outage", role: VIEWER) { key } }`);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(during.body.errors?.[0]?.message).toBeDefined();
    // No SQL, stack or connection string reaches the client.
    expect(JSON.stringify(during.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|postgres|at .*\.ts/);
    expect(await ready()).toBe(503);
    expect((await app.fetch("http://f/health")).status).toBe(200);

    await cable.up();
    const deadline = Date.now() + 20_000;
    while ((await ready()) !== 200) {
      if (Date.now() > deadline) throw new Error("did not recover");
      await new Promise((r) => setTimeout(r, 200));
    }
    const after = await gql(`mutation { createApiKey(name: "after outage", role: VIEWER) { key } }`);
    expect(after.body.errors).toBeUndefined();
    // No lost or duplicated writes: the key made during the outage does not exist, the one after does, once.
    const names = (await db.prisma.apiKey.findMany({ select: { name: true } })).map((k) => k.name).sort();
    expect(names).toEqual(["admin", "after outage"]);
  }, 60_000);

  it("stops a request that runs past its deadline", async () => {
    // A 1 ms deadline: any request that reaches the database outlives it.
    const hasty = createApp({ db, graphiql: false, limits: { requestTimeoutMs: 1 } });
    const res = await hasty.fetch("http://f/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: `{ company { metric(key: "nps", period: { grain: YEAR }) { value } trend(key: "revenue", grain: DAY, last: 400) { value } } }` }),
    });
    const body = (await res.json()) as { errors?: { message: string; extensions?: { code?: string } }[] };
    expect(body.errors?.[0]?.extensions?.code).toBe("TIMEOUT");
    expect(body.errors?.[0]?.message).toMatch(/longer than 1 ms/);
  });
});
