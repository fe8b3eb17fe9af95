import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/database.js";
import { createScratchPostgres, TEST_DB, prepareDataDir } from "../helpers/database.js";

// The periodic report as a command: CSV and Markdown for a framework and period.
const run = promisify(execFile);

describe(`report command (${TEST_DB})`, () => {
  let dir: string;
  let env: Record<string, string>;
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ys-report-"));
    let url: string | undefined;
    if (TEST_DB === "postgres") {
      const scratch = await createScratchPostgres({ migrated: true });
      url = scratch.url;
      drop = scratch.drop;
    }
    env = url ? { DATABASE_URL: url } : { YARDSTICK_DATA_DIR: path.join(dir, "db"), DATABASE_URL: "" };
    if (!url) await prepareDataDir(path.join(dir, "db"));
    const db = await openDatabase({ url, dataDir: url ? undefined : path.join(dir, "db") });
    const c = await db.prisma.company.create({ data: { slug: "rep", name: "Rep" } });
    for (const [name, amount] of [["North", "900"], ["South", "300"]] as const) {
      const team = await db.prisma.team.create({ data: { companyId: c.id, name } });
      const cust = await db.prisma.customer.create({ data: { companyId: c.id, name: `${name} customer`, ownerTeamId: team.id } });
      await db.prisma.order.create({ data: { companyId: c.id, customerId: cust.id, teamId: team.id, amount, product: "p", category: "c", channel: "web", at: new Date("2026-05-10T00:00:00Z") } });
    }
    await db.prisma.framework.create({
      data: { companyId: c.id, key: "sales_review", version: 1, status: "PUBLISHED", effectiveFrom: new Date(0), document: { key: "sales_review", name: "Sales review", level: "team", items: [{ kpi: "revenue", weight: 1, score: { method: "target", target: 1000 } }] } },
    });
    await db.close();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await drop?.();
  });

  it("writes CSV and Markdown", async () => {
    const tsx = path.resolve("node_modules/.bin/tsx");
    const base = ["src/cli/report.ts", "--framework", "sales_review", "--period", "2026-05", "--company", "rep"];
    const out = path.join(dir, "report.csv");
    await run(tsx, [...base, "--format", "csv", "--out", out], { env: { ...process.env, ...env, LOG_LEVEL: "silent" } });
    // North 900 / 1000 → 90; South 300 / 1000 → 30.
    expect((await readFile(out, "utf8")).trim().split("\n")).toEqual([
      "rank,subject,total,grade,previous_total,change,revenue_value,revenue_score",
      "1,North,90,excellent,0,90,900,90",
      "2,South,30,fail,0,30,300,30",
    ]);
    const { stdout } = await run(tsx, base, { env: { ...process.env, ...env, LOG_LEVEL: "silent" } });
    expect(stdout).toMatch(/^# Sales review \(version 1\) — 2026-05/);
    expect(stdout).toMatch(/\| 1 \| North \| 90\.0 \| excellent \|/);
  });

  it("explains a missing framework", async () => {
    const err = await run(path.resolve("node_modules/.bin/tsx"), ["src/cli/report.ts", "--framework", "nope", "--period", "2026-05", "--company", "rep"], {
      env: { ...process.env, ...env, LOG_LEVEL: "silent" },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 1 });
    expect((err as { stderr: string }).stderr).toMatch(/no framework "nope"/);
  });
});
