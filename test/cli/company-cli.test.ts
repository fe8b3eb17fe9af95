import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/database.js";
import { createApp } from "../../src/server.js";
import { createScratchPostgres, TEST_DB } from "../helpers/database.js";

// `npm run company` as the person installing Yardstick runs it: a real process
// on a real, empty database (a PGlite folder, or a scratch PostgreSQL database).
const run = promisify(execFile);
const TSX = path.resolve("node_modules/.bin/tsx");

async function cli(args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(TSX, ["src/cli/company.ts", ...args], { env: { ...process.env, ...env, LOG_LEVEL: "silent" } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The key: the one line of stdout that is nothing but a key. */
function keyOf(stdout: string): string {
  const lines = stdout.split("\n").filter((l) => /^ys_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}$/.test(l));
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

// Each case starts a process that loads the database (PGlite: its WASM): slow on a loaded machine.
describe(`company CLI (${TEST_DB})`, { timeout: 240_000 }, () => {
  let dir: string;
  let env: Record<string, string>;
  let url: string | undefined;
  let drop: (() => Promise<void>) | undefined;

  const open = () => openDatabase({ url, dataDir: url ? undefined : path.join(dir, "db") });

  /** Row counts of every table the CLI writes. */
  async function counts() {
    const db = await open();
    try {
      const [companies, apiKeys, audit] = await Promise.all([db.prisma.company.count(), db.prisma.apiKey.count(), db.prisma.auditEntry.count()]);
      return { companies, apiKeys, audit };
    } finally {
      await db.close();
    }
  }

  /** Asks GraphQL who the key belongs to. */
  async function whoIs(key: string, query = "{ company { slug name timeZone currency apiKeys { name role } } }") {
    const db = await open();
    try {
      const app = createApp({ db, graphiql: false });
      const res = await app.fetch("http://yardstick.test/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify({ query }),
      });
      return (await res.json()) as { data?: { company: { slug: string; name: string; timeZone: string; currency: string; apiKeys: { name: string; role: string }[] } }; errors?: { extensions?: Record<string, unknown> }[] };
    } finally {
      await db.close();
    }
  }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ys-company-"));
    if (TEST_DB === "postgres") {
      const scratch = await createScratchPostgres();
      url = scratch.url;
      drop = scratch.drop;
      env = { DATABASE_URL: url };
    } else {
      env = { YARDSTICK_DATA_DIR: path.join(dir, "db"), DATABASE_URL: "" };
    }
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await drop?.();
  });

  it("creates a company on an empty database and prints its first admin key once, on a line of its own", async () => {
    const r = await cli(["create", "--slug", "acme", "--name", "Acme Ltd", "--time-zone", "Asia/Shanghai", "--currency", "CNY"], env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const key = keyOf(r.stdout);
    const who = await whoIs(key);
    expect(who.errors).toBeUndefined();
    expect(who.data!.company).toEqual({ slug: "acme", name: "Acme Ltd", timeZone: "Asia/Shanghai", currency: "CNY", apiKeys: [{ name: "first admin key", role: "ADMIN" }] });
    expect(await counts()).toEqual({ companies: 1, apiKeys: 1, audit: 2 });
  });

  it("issues another key of a given role, and lists the companies", async () => {
    const r = await cli(["key", "--slug", "acme", "--role", "manager", "--name", "CRM sync"], env);
    expect(r.code).toBe(0);
    const key = keyOf(r.stdout);
    expect((await whoIs(key, "{ company { slug } }")).data?.company.slug).toBe("acme");
    // A manager may not list keys: the key really has the MANAGER role.
    const keys = await whoIs(key, "{ company { apiKeys { name } } }");
    expect(keys.errors).toMatchObject([{ extensions: { code: "FORBIDDEN" } }]);

    const list = await cli(["list"], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^acme\tAcme Ltd\tAsia\/Shanghai\tCNY\t2 active keys\t/m);
  });

  const refusals: [string, string[], RegExp][] = [
    ["a bad slug", ["create", "--slug", "Acme Ltd!", "--name", "X"], /^--slug: "Acme Ltd!" is not a slug/],
    ["an unknown IANA time zone", ["create", "--slug", "beta", "--name", "Beta", "--time-zone", "Asia/Atlantis"], /^--time-zone: "Asia\/Atlantis" is not an IANA time zone/],
    ["a fixed offset for a zone", ["create", "--slug", "beta", "--name", "Beta", "--time-zone", "+08:00"], /^--time-zone: "\+08:00" is not an IANA time zone/],
    ["an unknown currency", ["create", "--slug", "beta", "--name", "Beta", "--currency", "XYZ"], /^--currency: "XYZ" is not an ISO 4217 currency code/],
    ["a duplicate slug", ["create", "--slug", "acme", "--name", "Acme again"], /^--slug: a company with slug "acme" already exists/],
    ["a missing name", ["create", "--slug", "beta"], /^--name: is required/],
    ["a blank name", ["create", "--slug", "beta", "--name", "  "], /^--name: must be 1–200 characters/],
    ["an unknown option", ["create", "--slug", "beta", "--name", "B", "--timezone", "UTC"], /--timezone/],
    ["a key for an unknown company", ["key", "--slug", "nobody", "--role", "admin"], /^--slug: no company with slug "nobody"/],
    ["a key with an unknown role", ["key", "--slug", "acme", "--role", "owner"], /^--role: "owner" is not a role: one of admin, manager, viewer/],
    ["an unknown command", ["delete", "--slug", "acme"], /unknown command "delete"/],
  ];

  it.each(refusals)("refuses %s: a message naming the option, exit 2, nothing written", async (_what, args, message) => {
    const before = await counts();
    const r = await cli(args, env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).not.toMatch(/ys_/);
    expect(await counts()).toEqual(before);
  });
});
