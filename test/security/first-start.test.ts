import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { legacyDemoPrefix } from "../../src/seed/demo.js";
import { createScratchPostgres, TEST_DB } from "../helpers/database.js";

// `npm start` twice, as an installation lives: the first start issues random
// demo keys, shows them once (console, not the log), keeps the admin key in a
// 0600 file in the data folder; the second start shows no key anywhere and
// still pre-fills GraphiQL on localhost. No JSON log line ever holds a key, no
// file of the data folder is open to other accounts, and a start in production
// mode, or listening beyond loopback, pre-fills nothing.
describe(`first and later starts (${TEST_DB})`, () => {
  let dir: string;
  let dataDir: string;
  let env: Record<string, string>;
  let drop: (() => Promise<void>) | undefined;
  let pgUrl: string | undefined;
  const port = 40_000 + Math.floor(Math.random() * 20_000);
  const KEY = /ys_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}/;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ys-first-"));
    dataDir = path.join(dir, "data", "pglite");
    env = { PORT: String(port), YARDSTICK_DATA_DIR: dataDir, LOG_LEVEL: "info", DATABASE_URL: "", NODE_ENV: "development", HOST: "" };
    if (TEST_DB === "postgres") {
      const scratch = await createScratchPostgres();
      drop = scratch.drop;
      pgUrl = scratch.url;
      env = { ...env, DATABASE_URL: scratch.url, YARDSTICK_SEED_DEMO: "1", HOST: "127.0.0.1" };
    }
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await drop?.();
  });

  /** Runs the server until `ready` matches its output, calls `during`, stops it; returns stdout and stderr. */
  async function start(extra: Record<string, string>, during: () => Promise<void>): Promise<{ stdout: string; stderr: string }> {
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], { env: { ...process.env, ...env, ...extra } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      const deadline = Date.now() + 120_000;
      while (!/listening/.test(stderr) || !/demo admin key|admin key ys_/.test(stdout + stderr)) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`server did not start:\n${stdout}\n${stderr}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      await during();
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    return { stdout, stderr };
  }

  /** GET /graphql as a browser, with the Host header given (a DNS-rebound name reaches 127.0.0.1 too). */
  function graphiql(host = `localhost:${port}`): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, path: "/graphql", headers: { accept: "text/html", host } }, (res) => {
        let body = "";
        res.on("data", (d: Buffer) => (body += d.toString()));
        res.on("end", () => resolve(body));
      });
      req.on("error", reject);
      req.end();
    });
  }

  async function loosePermissions(root: string): Promise<string[]> {
    const out: string[] = [];
    const visit = async (p: string) => {
      const st = await stat(p);
      if (st.mode & 0o077) out.push(`${(st.mode & 0o777).toString(8)} ${p}`);
      if (st.isDirectory()) for (const n of await readdir(p)) await visit(path.join(p, n));
    };
    await visit(root);
    return out;
  }

  const logKeys = (stderr: string) =>
    stderr
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .filter((l) => KEY.test(l));

  it("first start: random keys shown once on the console, kept 0600, never logged; GraphiQL pre-filled on localhost only", async () => {
    let page = "";
    let rebound = "";
    const first = await start({}, async () => {
      page = await graphiql();
      rebound = await graphiql(`attacker.example:${port}`);
    });
    const shown = /admin key (ys_\S+)/.exec(first.stdout)?.[1];
    const viewer = /viewer key (ys_\S+)/.exec(first.stdout)?.[1];
    expect(shown).toMatch(KEY);
    expect(viewer).toMatch(KEY);
    // Not the keys earlier versions derived from a constant.
    expect(shown).not.toContain(legacyDemoPrefix("admin"));
    expect(logKeys(first.stderr)).toEqual([]);
    const keyFile = path.join(dataDir, "demo-admin-key");
    expect((await readFile(keyFile, "utf8")).trim()).toBe(shown);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect(page).toContain(shown);
    expect(rebound).not.toMatch(KEY);
    if (TEST_DB === "pglite") {
      expect((await stat(path.join(dataDir, "token-secret"))).mode & 0o777).toBe(0o600);
      expect(await loosePermissions(dataDir)).toEqual([]);
    } else {
      // On PostgreSQL the secret lives in the database, shared by every process.
      const client = new pg.Client({ connectionString: pgUrl });
      await client.connect();
      const rows = await client.query("SELECT length(value) AS n FROM instance_secrets WHERE name = 'embed_token_secret'");
      await client.end();
      expect(Number(rows.rows[0].n)).toBeGreaterThanOrEqual(32);
    }
    (globalThis as { __demoKey?: string }).__demoKey = shown;
  }, 200_000);

  it("later start: no key on the console or in the log, GraphiQL still pre-filled on localhost", async () => {
    const key = (globalThis as { __demoKey?: string }).__demoKey!;
    let page = "";
    const again = await start({}, async () => {
      page = await graphiql();
    });
    expect(again.stdout).not.toMatch(KEY);
    expect(again.stderr).not.toMatch(KEY);
    expect(page).toContain(key);
  }, 200_000);

  it("production mode, or listening beyond loopback: GraphiQL pre-fills nothing", async () => {
    let page = "";
    await start({ NODE_ENV: "production" }, async () => {
      page = await graphiql();
    });
    expect(page).toMatch(/graphiql/i);
    expect(page).not.toMatch(KEY);
    await start({ HOST: "0.0.0.0" }, async () => {
      page = await graphiql();
    });
    expect(page).not.toMatch(KEY);
  }, 300_000);
});
