import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/database.js";
import { runImport } from "../../src/import/importer.js";
import { fileSource } from "../../src/import/source.js";
import { createScratchPostgres, TEST_DB, prepareDataDir } from "../helpers/database.js";
import { makeCustomers, writeCustomersCsv, writeOrdersCsv, type OrdersFile } from "./fixtures.js";

// The import command killed with SIGKILL in the middle of a big file (no
// chance to clean up), then run again: the committed batches stay, the batch
// in flight leaves nothing behind, and the rerun resumes after the last
// committed line and finishes with every row exactly once.
/** Kill once this many lines are committed: several batches in, far from the end. */
const KILL_AFTER_LINE = 10_000;

describe(`import command killed and resumed (${TEST_DB})`, () => {
  let dir: string;
  let url: string | undefined;
  let drop: (() => Promise<void>) | undefined;
  let env: Record<string, string>;
  let orders: OrdersFile;

  const open = (): Promise<Database> => openDatabase({ url, dataDir: url ? undefined : path.join(dir, "db") });

  const run = (args: string[]): { child: ChildProcess; out: () => string; exit: Promise<number | null> } => {
    // node itself with tsx's loader, not the tsx launcher: SIGKILL must hit the process doing the import
    // (the launcher runs it as a child, which a SIGKILL to the launcher would leave running).
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/import.ts", ...args], { env: { ...process.env, ...env } });
    let out = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    return { child, out: () => out, exit };
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ys-import-resume-"));
    if (TEST_DB === "postgres") {
      const scratch = await createScratchPostgres({ migrated: true });
      url = scratch.url;
      drop = scratch.drop;
    }
    env = url ? { DATABASE_URL: url, LOG_LEVEL: "error" } : { DATABASE_URL: "", YARDSTICK_DATA_DIR: path.join(dir, "db"), LOG_LEVEL: "error" };
    if (!url) await prepareDataDir(path.join(dir, "db"));
    const db = await open();
    try {
      const company = await db.prisma.company.create({ data: { slug: "resume", name: "Resume", timeZone: "Asia/Shanghai", currency: "CNY" } });
      const team = await db.prisma.team.create({ data: { companyId: company.id, name: "Only" } });
      await db.prisma.member.create({ data: { companyId: company.id, teamId: team.id, name: "Owner", email: "owner@resume.example" } });
      const customers = makeCustomers(200, [{ email: "owner@resume.example", team: "Only" }]);
      await writeCustomersCsv(path.join(dir, "customers.csv"), customers);
      const c = await runImport(db, { companyId: company.id, kind: "customers", source: fileSource(path.join(dir, "customers.csv")) });
      expect(c.job.rowsImported).toBe(200);
      orders = await writeOrdersCsv(path.join(dir, "orders.csv"), { goodRows: 60_000, customers });
    } finally {
      await db.close();
    }
  }, 120_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await drop?.();
  });

  it("keeps the committed batches, leaves nothing half-written, and finishes on the rerun", async () => {
    const args = ["--company", "resume", "--kind", "orders", "--file", orders.file, "--batch", "1000"];
    const first = run(args);
    let poller: Database | null = null;
    try {
      if (TEST_DB === "postgres") {
        // Another process can watch PostgreSQL: kill once import_jobs shows a committed batch.
        poller = await open();
        for (;;) {
          const jobs = await poller.sql.query<{ last_line: number }>("SELECT last_line FROM import_jobs WHERE kind = 'orders'");
          if ((jobs[0]?.last_line ?? 0) >= KILL_AFTER_LINE) break;
          if (first.child.exitCode !== null) throw new Error(`import exited early: ${first.out()}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      } else {
        // The embedded database belongs to the child: watch its output for the first committed batch.
        const committed = () => Math.max(0, ...[...first.out().matchAll(/committed through line (\d+)/g)].map((m) => Number(m[1])));
        while (committed() < KILL_AFTER_LINE) {
          if (first.child.exitCode !== null) throw new Error(`import exited early: ${first.out()}`);
          await new Promise((r) => setTimeout(r, 20));
        }
      }
      first.child.kill("SIGKILL");
      expect(await first.exit).toBeNull();
    } finally {
      await poller?.close();
    }

    let db = await open();
    let jobId: string;
    try {
      const [job] = await db.sql.query<{ id: string; status: string; last_line: number; rows_processed: number; rows_imported: number; total_lines: number }>(
        "SELECT id::text, status, last_line, rows_processed, rows_imported, total_lines FROM import_jobs WHERE kind = 'orders'",
      );
      jobId = job!.id;
      // Killed midway: at least one batch committed, the file not finished.
      expect(job!.status).toBe("running");
      expect(job!.last_line).toBeGreaterThanOrEqual(KILL_AFTER_LINE);
      expect(job!.last_line).toBeLessThan(orders.lines);
      expect(job!.rows_processed % 1000).toBe(0);
      // Exactly the committed batches' rows are there: nothing of the batch in flight.
      const [n] = await db.sql.query<{ n: number; keys: number }>(
        "SELECT (SELECT count(*)::int FROM orders) AS n, (SELECT count(*)::int FROM import_job_keys WHERE job_id = $1) AS keys",
        [jobId],
      );
      expect(n!.n).toBe(job!.rows_imported);
      expect(n!.keys).toBe(job!.rows_imported);
      console.log(`[${TEST_DB}] killed after line ${job!.last_line} of ${orders.lines} (${job!.rows_imported} rows committed)`);
    } finally {
      await db.close();
    }

    const second = run(args);
    expect({ code: await second.exit, out: second.out() }).toMatchObject({ code: 0 });
    expect(second.out()).toMatch(/resuming after line/);
    expect(second.out()).toMatch(new RegExp(`rows ${orders.rows.toLocaleString("en-US")}: imported ${orders.goodRows.toLocaleString("en-US")}`));

    db = await open();
    try {
      const jobs = await db.sql.query<{ id: string; status: string; rows_processed: number; rows_imported: number; rows_rejected: number }>(
        "SELECT id::text, status, rows_processed, rows_imported, rows_rejected FROM import_jobs WHERE kind = 'orders'",
      );
      expect(jobs).toEqual([{ id: jobId, status: "done", rows_processed: orders.rows, rows_imported: orders.goodRows, rows_rejected: 0 }]);
      const [s] = await db.sql.query<{ n: number; distinct_ids: number; sum: string }>(
        "SELECT count(*)::int AS n, count(DISTINCT external_id)::int AS distinct_ids, sum(amount)::text AS sum FROM orders",
      );
      expect(s).toEqual({ n: orders.goodRows, distinct_ids: orders.goodRows, sum: `${orders.sumCents / 100n}.${String(orders.sumCents % 100n).padStart(2, "0")}` });
      // None missing, none extra: the given order ids are exactly the file's.
      const ids = await db.sql.query<{ external_id: string }>("SELECT external_id FROM orders WHERE external_id NOT LIKE 'row-%' ORDER BY external_id");
      expect(ids.map((r) => r.external_id)).toEqual([...orders.externalIds].sort());
    } finally {
      await db.close();
    }
  }, 400_000);
});
