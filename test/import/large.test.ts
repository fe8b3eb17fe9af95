import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runImport } from "../../src/import/importer.js";
import type { ImportIssue } from "../../src/import/jobs.js";
import { fileSource } from "../../src/import/source.js";
import { openTestDatabase, TEST_DB, type TestDatabase } from "../helpers/database.js";
import { makeCustomers, writeCustomersCsv, writeOrdersCsv, type CustomerFixture, type OrdersFile } from "./fixtures.js";

// A generated file of 200,000 orders in mixed real-world formats with faulty
// rows planted at known lines: the reject report must name exactly those lines
// with exactly those reasons, and the good rows must add up. Then: the same file
// again changes nothing, and a restart that re-reads every row writes nothing.
describe(`import of a large generated orders file (${TEST_DB})`, () => {
  let db: TestDatabase;
  let dir: string;
  let companyId: string;
  let customers: CustomerFixture[];
  let orders: OrdersFile;
  const teamIds = new Map<string, string>();

  const state = async () => {
    const [r] = await db.sql.query<{ n: number; sum: string | null; distinct_ids: number }>(
      "SELECT count(*)::int AS n, sum(amount)::text AS sum, count(DISTINCT external_id)::int AS distinct_ids FROM orders WHERE company_id = $1",
      [companyId],
    );
    return r!;
  };
  const rejectsOf = async (jobId: string) => {
    const [r] = await db.sql.query<{ rejects: ImportIssue[] }>("SELECT rejects FROM import_jobs WHERE id = $1", [jobId]);
    return r!.rejects;
  };
  const cents = (sum: string | null) => BigInt((sum ?? "0").replace(".", ""));

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ys-import-large-"));
    db = await openTestDatabase();
    const company = await db.prisma.company.create({ data: { slug: "bulk", name: "Bulk", timeZone: "Asia/Shanghai", currency: "CNY" } });
    companyId = company.id;
    const owners: { email: string; team: string }[] = [];
    for (const name of ["North", "South"]) {
      const team = await db.prisma.team.create({ data: { companyId, name } });
      teamIds.set(name, team.id);
      for (const k of [1, 2]) {
        const email = `${name.toLowerCase()}${k}@bulk.example`;
        await db.prisma.member.create({ data: { companyId, teamId: team.id, name: `${name} ${k}`, email } });
        owners.push({ email, team: name });
      }
    }
    customers = makeCustomers(300, owners);
    await writeCustomersCsv(path.join(dir, "customers.csv"), customers);
    const imported = await runImport(db, { companyId, kind: "customers", source: fileSource(path.join(dir, "customers.csv")) });
    expect(imported.job).toMatchObject({ status: "done", rowsImported: 300, rowsRejected: 0 });
    orders = await writeOrdersCsv(path.join(dir, "orders.csv"), { goodRows: 200_000, customers, plantEvery: 4_000 });
  }, 120_000);
  afterAll(async () => {
    await db?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("imports the good rows and reports every planted row by line and reason", async () => {
    expect(orders.goodRows).toBe(200_000);
    expect(orders.planted.length).toBe(50);
    const started = Date.now();
    const out = await runImport(db, { companyId, kind: "orders", source: fileSource(orders.file) });
    const seconds = (Date.now() - started) / 1000;
    console.log(`[${TEST_DB}] ${orders.rows} rows in ${seconds.toFixed(1)} s: ${Math.round(orders.rows / seconds)} rows/s`);

    expect(out.job).toMatchObject({
      status: "done",
      rowsProcessed: orders.rows,
      rowsImported: orders.goodRows,
      rowsUpdated: 0,
      rowsUnchanged: 0,
      rowsRejected: orders.planted.length,
      lastLine: orders.lines,
      totalLines: orders.lines,
    });
    expect(await rejectsOf(out.job.id)).toEqual(orders.planted);

    const s = await state();
    expect(s.n).toBe(orders.goodRows);
    expect(s.distinct_ids).toBe(orders.goodRows);
    expect(cents(s.sum)).toBe(orders.sumCents);

    // Each order is attributed to its customer's owner (team and member).
    const byTeam = await db.sql.query<{ team_id: string; sum: string; unattributed: number }>(
      "SELECT team_id::text, sum(amount)::text AS sum, count(*) FILTER (WHERE member_id IS NULL)::int AS unattributed FROM orders WHERE company_id = $1 GROUP BY team_id",
      [companyId],
    );
    for (const [team, sum] of orders.sumCentsByTeam) {
      const row = byTeam.find((r) => r.team_id === teamIds.get(team));
      expect(cents(row?.sum ?? null), team).toBe(sum);
      expect(row?.unattributed).toBe(0);
    }

    // Given order ids are kept; rows without one got a derived id.
    const ids = await db.sql.query<{ given: number; derived: number }>(
      "SELECT count(*) FILTER (WHERE external_id LIKE 'O%')::int AS given, count(*) FILTER (WHERE external_id LIKE 'row-%')::int AS derived FROM orders WHERE company_id = $1",
      [companyId],
    );
    expect(ids[0]).toEqual({ given: orders.externalIds.length, derived: orders.derivedRows });

    const stats = out.job.stats;
    const sumOf = (m: Record<string, number> | undefined) => Object.values(m ?? {}).reduce((a, b) => a + b, 0);
    expect(stats.mappedToOther.channel).toEqual({ fax: orders.otherChannels });
    expect(sumOf(stats.mappedToOther.category) + (stats.filled.category ?? 0)).toBe(orders.otherCategories);
    expect(stats.blankLines).toBe(2);
    expect(stats.derivedExternalIds).toBeGreaterThanOrEqual(orders.derivedRows);
    expect(Object.keys(stats.dateFormats).sort()).toEqual(["cn", "dmy", "iso", "mdy", "ymd"]);
    // The per-file duplicate keys are dropped when the job is done.
    const keys = await db.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM import_job_keys WHERE job_id = $1", [out.job.id]);
    expect(keys[0]!.n).toBe(0);
    // ~45 s on an idle 2-core machine; the limit leaves room for a loaded CI host.
  }, 400_000);

  it("changes nothing when the same file is imported again", async () => {
    const before = await state();
    const again = await runImport(db, { companyId, kind: "orders", source: fileSource(orders.file) });
    expect(again.alreadyDone).toBe(true);
    expect(again.rowsThisRun).toBe(0);
    expect(await state()).toEqual(before);
  });

  it("writes nothing on a restart that re-reads every row, and imports only what a longer file adds", async () => {
    // A smaller file of the same shape keeps this under a minute on the embedded database.
    const small = await writeOrdersCsv(path.join(dir, "small.csv"), { goodRows: 20_000, customers, plantEvery: 1_000, firstId: 500_000 });
    const first = await runImport(db, { companyId, kind: "orders", source: fileSource(small.file) });
    expect(first.job).toMatchObject({ status: "done", rowsImported: small.goodRows, rowsRejected: small.planted.length });
    const before = await state();

    const restart = await runImport(db, { companyId, kind: "orders", source: fileSource(small.file), restart: true });
    expect(restart.job.id).not.toBe(first.job.id);
    expect(restart.job).toMatchObject({ status: "done", rowsImported: 0, rowsUpdated: 0, rowsUnchanged: small.goodRows, rowsRejected: small.planted.length });
    expect(await rejectsOf(restart.job.id)).toEqual(small.planted);
    expect(await state()).toEqual(before);

    // The same orders plus 1,000 more (a later export): only the new ones land.
    const longer = await writeOrdersCsv(path.join(dir, "longer.csv"), { goodRows: 21_000, customers, plantEvery: 1_000, firstId: 500_000 });
    const grown = await runImport(db, { companyId, kind: "orders", source: fileSource(longer.file) });
    expect(grown.job).toMatchObject({ status: "done", rowsImported: 1_000, rowsUnchanged: small.goodRows });
    const after = await state();
    expect(after.n).toBe(before.n + 1_000);
    expect(cents(after.sum) - cents(before.sum)).toBe(longer.sumCents - small.sumCents);
  }, 300_000);
});
