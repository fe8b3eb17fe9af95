import { spawn } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/database.js";
import { EXPORT_TABLES } from "../../src/import/export.js";
import { runImport } from "../../src/import/importer.js";
import { fileSource } from "../../src/import/source.js";
import { seedDemoCompany } from "../../src/seed/generate.js";
import { createScratchPostgres, TEST_DB, prepareDataDir } from "../helpers/database.js";

// `npm run export` writes every raw table of a company as CSV; the files import
// back (`npm run import`) into a fresh company with the same counts and sums.
describe(`export and re-import (${TEST_DB})`, () => {
  let dir: string;
  let url: string | undefined;
  let drop: (() => Promise<void>) | undefined;
  let env: Record<string, string>;
  let sourceId: string;
  let copyId: string;

  const open = (): Promise<Database> => openDatabase({ url, dataDir: url ? undefined : path.join(dir, "db") });
  const cli = (script: string, args: string[]) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, ["--import", "tsx", script, ...args], { env: { ...process.env, ...env } });
      let out = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      child.stderr.on("data", (d: Buffer) => (out += d.toString()));
      child.on("exit", (code) => resolve({ code, out }));
    });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ys-export-"));
    if (TEST_DB === "postgres") {
      const scratch = await createScratchPostgres({ migrated: true });
      url = scratch.url;
      drop = scratch.drop;
    }
    env = url ? { DATABASE_URL: url, LOG_LEVEL: "error" } : { DATABASE_URL: "", YARDSTICK_DATA_DIR: path.join(dir, "db"), LOG_LEVEL: "error" };
    if (!url) await prepareDataDir(path.join(dir, "db"));
    const db = await open();
    try {
      const seeded = await seedDemoCompany(db, { seed: 11, size: { teams: 2, membersPerTeam: 3, customers: 250, months: 12 }, slug: "source", analyze: false });
      sourceId = seeded.companyId;
      const source = await db.prisma.company.findUniqueOrThrow({ where: { id: sourceId } });
      const copy = await db.prisma.company.create({ data: { slug: "copy", name: "Copy", timeZone: source.timeZone, currency: source.currency } });
      copyId = copy.id;
      // The fresh company gets its org chart, campaigns and facts from the exported files alone; its ratings
      // need a framework that defines the demo's rating items (monthly, 1–5).
      await db.prisma.framework.create({
        data: {
          companyId: copyId, key: "review", version: 1, status: "PUBLISHED", effectiveFrom: new Date(0), publishedAt: new Date(),
          document: { key: "review", name: "Review", level: "member", items: [{ rating: "communication_quality", weight: 1, scale: 5 }, { rating: "professionalism", weight: 1, scale: 5 }] },
        },
      });
    } finally {
      await db.close();
    }
  }, 120_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await drop?.();
  });

  it("exports every raw table and re-imports every kind, in import order, with the same counts and sums", async () => {
    const out = path.join(dir, "export");
    const exported = await cli("src/cli/export.ts", ["--company", "source", "--out", out]);
    expect(exported).toMatchObject({ code: 0 });
    expect((await readdir(out)).sort()).toEqual(EXPORT_TABLES.map((t) => `${t}.csv`).sort());

    let db = await open();
    try {
      for (const table of EXPORT_TABLES) {
        const [r] = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}" WHERE company_id = $1`, [sourceId]);
        expect(exported.out, table).toMatch(new RegExp(`${table}\\s+${r!.n.toLocaleString("en-US")} rows`));
      }
    } finally {
      await db.close();
    }

    for (const kind of ["teams", "members", "campaigns", "customers", "orders"]) {
      const imported = await cli("src/cli/import.ts", ["--company", "copy", "--kind", kind, "--file", path.join(out, `${kind}.csv`)]);
      expect(imported, kind).toMatchObject({ code: 0 });
      expect(imported.out).toMatch(/rejected 0\n/);
    }
    // The same file again: nothing to do.
    const again = await cli("src/cli/import.ts", ["--company", "copy", "--kind", "orders", "--file", path.join(out, "orders.csv")]);
    expect(again.out).toMatch(/was imported already/);

    db = await open();
    try {
      for (const kind of ["opportunities", "opportunity_stages", "interactions", "tickets", "survey_responses", "campaign_costs", "ratings"] as const) {
        const r = await runImport(db, { companyId: copyId, kind, source: fileSource(path.join(out, `${kind}.csv`)) });
        expect(r.job, kind).toMatchObject({ status: "done", rowsRejected: 0 });
      }
      const totals = (companyId: string) =>
        db.sql.query<Record<string, string | number>>(
          `SELECT (SELECT count(*)::int FROM customers WHERE company_id = $1) AS customers,
                  (SELECT count(*)::int FROM customers WHERE company_id = $1 AND owner_member_id IS NOT NULL) AS owned,
                  (SELECT count(*)::int FROM orders WHERE company_id = $1) AS orders,
                  (SELECT sum(amount)::text FROM orders WHERE company_id = $1) AS order_amount,
                  (SELECT count(*)::int FROM interactions WHERE company_id = $1) AS interactions,
                  (SELECT sum(duration_seconds)::int FROM interactions WHERE company_id = $1) AS seconds,
                  (SELECT count(*)::int FROM tickets WHERE company_id = $1) AS tickets,
                  (SELECT sum(satisfaction)::int FROM tickets WHERE company_id = $1) AS satisfaction,
                  (SELECT count(*)::int FROM survey_responses WHERE company_id = $1) AS surveys,
                  (SELECT sum(score)::float8 FROM survey_responses WHERE company_id = $1) AS score,
                  (SELECT count(*)::int FROM teams WHERE company_id = $1) AS teams,
                  (SELECT count(*)::int FROM members WHERE company_id = $1 AND team_id IS NOT NULL) AS members,
                  (SELECT count(*)::int FROM campaigns WHERE company_id = $1) AS campaigns,
                  (SELECT count(*)::int FROM customers WHERE company_id = $1 AND campaign_id IS NOT NULL) AS acquired_by_campaign,
                  (SELECT count(*)::int FROM opportunities WHERE company_id = $1) AS opportunities,
                  (SELECT sum(value)::text FROM opportunities WHERE company_id = $1 AND status = 'won') AS won_value,
                  (SELECT count(*)::int FROM opportunity_stages WHERE company_id = $1) AS stages,
                  (SELECT count(*)::int FROM campaign_costs WHERE company_id = $1) AS costs,
                  (SELECT sum(amount)::text FROM campaign_costs WHERE company_id = $1) AS cost_amount,
                  (SELECT count(*)::int FROM ratings WHERE company_id = $1) AS ratings,
                  (SELECT sum(score)::float8 FROM ratings WHERE company_id = $1) AS rating_score`,
          [companyId],
        );
      const [source] = await totals(sourceId);
      const [copy] = await totals(copyId);
      expect(copy).toEqual(source);
      expect(Number(source!.orders)).toBeGreaterThan(100);

      // Imported facts are attributed to the customer's current owner: the copy's team totals
      // equal the source's orders grouped by their customer's owner team.
      const byOwnerTeam = (companyId: string, attribution: "customer" | "row") =>
        db.sql.query<{ team: string; amount: string }>(
          `SELECT tm.name AS team, sum(o.amount)::text AS amount FROM orders o JOIN customers c ON c.id = o.customer_id
             JOIN teams tm ON tm.id = ${attribution === "customer" ? "c.owner_team_id" : "o.team_id"}
            WHERE o.company_id = $1 GROUP BY tm.name ORDER BY tm.name`,
          [companyId],
        );
      expect(await byOwnerTeam(copyId, "row")).toEqual(await byOwnerTeam(sourceId, "customer"));
    } finally {
      await db.close();
    }
  }, 240_000);
});
