import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/database.js";
import { createScratchPostgres, TEST_DB, prepareDataDir } from "../helpers/database.js";

// The plugin CLI as an admin runs it: a real process, a real database
// (a PGlite folder, or a scratch PostgreSQL database).
const run = promisify(execFile);
const TSX = path.resolve("node_modules/.bin/tsx");

async function cli(args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(TSX, ["src/cli/plugin.ts", ...args], { env: { ...process.env, ...env, LOG_LEVEL: "silent" } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe(`plugin CLI (${TEST_DB})`, () => {
  let dir: string;
  let env: Record<string, string>;
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ys-cli-"));
    let url: string | undefined;
    if (TEST_DB === "postgres") {
      const scratch = await createScratchPostgres({ migrated: true });
      url = scratch.url;
      drop = scratch.drop;
      env = { DATABASE_URL: url };
    } else {
      env = { YARDSTICK_DATA_DIR: path.join(dir, "db"), DATABASE_URL: "" };
      await prepareDataDir(path.join(dir, "db"));
    }
    const db = await openDatabase({ url, dataDir: url ? undefined : path.join(dir, "db") });
    const c = await db.prisma.company.create({ data: { slug: "cli", name: "CLI Co" } });
    const cust = await db.prisma.customer.create({ data: { companyId: c.id, name: "x" } });
    await db.prisma.order.createMany({
      data: [120, 80, 300].map((amount, i) => ({ companyId: c.id, customerId: cust.id, amount: String(amount), product: "p", category: "c", channel: "web", at: new Date(`2026-05-0${i + 1}T00:00:00Z`) })),
    });
    await db.close();
    await writeFile(path.join(dir, "good.json"), JSON.stringify({
      key: "big_orders", name: "Big orders", unit: "count", subjects: ["company"],
      measures: { big: { source: "orders", aggregate: "count", where: { amount: { gte: 100 } } }, all: { source: "orders", aggregate: "count" } },
      formula: "big / all * 100",
    }));
    await writeFile(path.join(dir, "bad.json"), JSON.stringify({ key: "x", name: "X", unit: "count", subjects: ["company"], measures: { a: { source: "nope", aggregate: "count" } }, formula: "b" }));
    await writeFile(path.join(dir, "broken.json"), "{ not json");
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await drop?.();
  });

  it("validates a good file", async () => {
    const r = await cli(["validate", path.join(dir, "good.json")], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/valid plugin "big_orders" \(2 measures\)/);
  });

  it("lists every fault of a bad file with its path, and explains a non-JSON file", async () => {
    const r = await cli(["validate", path.join(dir, "bad.json")], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/key: must be lower_snake_case/);
    const broken = await cli(["validate", path.join(dir, "broken.json")], env);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/is not JSON/);
  });

  it("evaluates against the database, printing measures and result", async () => {
    // May 2026: orders 120, 80, 300 → big = 2, all = 3 → 2 / 3 × 100 = 66.6667
    const r = await cli(["evaluate", path.join(dir, "good.json"), "--period", "2026-05", "--company", "cli"], env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/big_orders for cli, 2026-05/);
    expect(r.stdout).toMatch(/'CLI Co'\s*│\s*2\s*│\s*3\s*│\s*66\.6667/);
  });
});
