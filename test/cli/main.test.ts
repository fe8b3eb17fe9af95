import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_SLUG } from "../../src/seed/demo.js";
import { createScratchPostgres, prepareDataDir, TEST_DB } from "../helpers/database.js";

// `npm start` as a user meets it: a real process seeds the demo company on
// first start, serves GraphiQL and GraphQL with the demo key, and exits cleanly
// on SIGTERM, closing the database.
describe(`the server process (${TEST_DB})`, () => {
  let dir: string;
  let env: Record<string, string>;
  let drop: (() => Promise<void>) | undefined;
  const port = 40_000 + Math.floor(Math.random() * 20_000);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ys-main-"));
    env = { PORT: String(port), YARDSTICK_DATA_DIR: path.join(dir, "pglite"), LOG_LEVEL: "info", DATABASE_URL: "" };
    if (TEST_DB === "postgres") {
      const scratch = await createScratchPostgres({ migrated: true });
      drop = scratch.drop;
      env = { ...env, DATABASE_URL: scratch.url, YARDSTICK_SEED_DEMO: "1" };
    } else {
      // Migrated already: the server's first start seeds the demo without running initdb.
      await prepareDataDir(path.join(dir, "pglite"));
    }
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await drop?.();
  });

  it("starts with a seeded demo company, answers, and shuts down cleanly", async () => {
    // node --import tsx, not the tsx wrapper: the wrapper SIGKILLs its child 30 ms after relaying
    // SIGTERM, before a loaded machine lets the server close its database (exit 143).
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], { env: { ...process.env, ...env } });
    let log = "";
    child.stderr.on("data", (d: Buffer) => (log += d.toString()));
    child.stdout.on("data", (d: Buffer) => (log += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      const deadline = Date.now() + 90_000;
      // "listening" and the demo key are two log lines: wait for both.
      while (!/listening/.test(log) || !/admin key ys_\S+\s/.test(log)) {
        if (Date.now() > deadline) throw new Error(`server did not start:\n${log}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      const key = /admin key (ys_\S+)/.exec(log)?.[1];
      expect(key).toBeDefined();

      const graphiql = await fetch(`http://127.0.0.1:${port}/graphql`, { headers: { accept: "text/html" } });
      expect(graphiql.status).toBe(200);
      expect(await graphiql.text()).toMatch(/GraphiQL|graphiql/);

      const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify({ query: `{ company { slug teams { name } revenue: metric(key: "revenue", period: { grain: MONTH, date: "2026-10-01" }) { value } } }` }),
      });
      const body = (await res.json()) as { data: { company: { slug: string; teams: unknown[]; revenue: { value: number } } } };
      expect(body.data.company.slug).toBe(DEMO_SLUG);
      expect(body.data.company.teams.length).toBeGreaterThan(0);
      expect(body.data.company.revenue.value).toBeGreaterThan(0);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    expect(log).toMatch(/shutting down/);
  }, 150_000);
});
