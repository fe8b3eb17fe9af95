import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database.js";
import { createApp } from "../../src/server.js";
import { openTestDatabase, TEST_DB } from "../helpers/database.js";

// The embedded database runs SQL on the main thread. Statements sent together
// used to run back to back without giving the event loop a turn, so /health (a
// real socket) waited for all of them; now it is answered between two
// statements (src/db/pglite-turns.ts). Checked by order, not by timing: the
// probe's answer arrives before the last of six statements sent with it.
describe.runIf(TEST_DB === "pglite")("the embedded database under a heavy request", () => {
  const HEAVY = "SELECT count(*)::int AS n FROM generate_series(1, 600000) g WHERE g % 7 = 3";

  async function serve(db: Database): Promise<{ server: Server; url: string }> {
    const server = createServer(createApp({ db, graphiql: false }));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  }

  /** Probes /health and, in the same tick, sends six heavy statements; returns the order things finished in. */
  async function race(db: Database, url: string): Promise<string[]> {
    await fetch(`${url}/health`); // the connection and Yoga's first-request work, outside the race
    const order: string[] = [];
    const probe = fetch(`${url}/health`).then((res) => order.push(`health ${res.status}`));
    const statements = [0, 1, 2, 3, 4, 5].map((i) => db.sql.query<{ n: number }>(HEAVY).then(() => order.push(`sql${i}`)));
    await Promise.all([...statements, probe]);
    return order;
  }

  let db: Database;
  let before: Database;
  let servers: Server[] = [];

  beforeAll(async () => {
    db = await openTestDatabase();
    before = await openTestDatabase({ pgliteTurns: false });
  }, 300_000);
  afterAll(async () => {
    for (const s of servers) s.close();
    await db?.close();
    await before?.close();
  });

  it("answers /health between two statements, not after all of them", async () => {
    const { server, url } = await serve(db);
    servers.push(server);
    const order = await race(db, url);
    expect(order).toHaveLength(7);
    // Client and server share this process: the probe needs a few turns (request out, request in,
    // answer out, answer in), each between two statements — still well before the last one.
    expect(order.indexOf("health 200")).toBeLessThan(5);
    // The statements still all ran, in the order they were sent.
    expect(order.filter((o) => o.startsWith("sql"))).toEqual(["sql0", "sql1", "sql2", "sql3", "sql4", "sql5"]);
  }, 120_000);

  it("(without the turns, as before, the probe waited for every statement)", async () => {
    const { server, url } = await serve(before);
    servers.push(server);
    const order = await race(before, url);
    expect(order.at(-1)).toBe("health 200");
  }, 120_000);
});
