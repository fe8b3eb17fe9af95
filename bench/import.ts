// Benchmark (c), import: a generated customers file and a ~100,000-row orders
// file in the mixed formats real exports have (dates in six styles, amounts with
// currency signs and thousands separators, category and channel spellings to
// map, a faulty row planted every 4,000) imported with runImport — the code
// behind `npm run import` and the importCsvFile mutation — into a fresh company.
// Rows per second = rows in the file / wall-clock time of runImport (the
// hashing pass, parsing, cleaning, batched writes and job progress included).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Database } from "../src/db/database.js";
import { runImport } from "../src/import/importer.js";
import { fileSource } from "../src/import/source.js";
import { makeCustomers, writeCustomersCsv, writeOrdersCsv } from "../test/import/fixtures.js";
import { time } from "./measure.js";

export interface ImportThroughput {
  kind: "customers" | "orders";
  /** Rows (records) in the file, faulty ones included. */
  rows: number;
  imported: number;
  rejected: number;
  ms: number;
  rowsPerSecond: number;
}

export async function runImportBench(db: Database, options: { customers: number; orders: number; teams?: number }): Promise<ImportThroughput[]> {
  const dir = await mkdtemp(path.join(tmpdir(), "ys-bench-import-"));
  try {
    const company = await db.prisma.company.create({ data: { slug: "bench-import", name: "Import benchmark", timeZone: "Asia/Shanghai", currency: "CNY" } });
    const companyId = company.id;
    const owners: { email: string; team: string }[] = [];
    for (let t = 1; t <= (options.teams ?? 5); t++) {
      const team = await db.prisma.team.create({ data: { companyId, name: `Team ${t}` } });
      for (let m = 1; m <= 4; m++) {
        const email = `t${t}m${m}@import.example`;
        await db.prisma.member.create({ data: { companyId, teamId: team.id, name: `Member ${t}.${m}`, email } });
        owners.push({ email, team: team.name });
      }
    }
    const customers = makeCustomers(options.customers, owners);
    const customersFile = path.join(dir, "customers.csv");
    await writeCustomersCsv(customersFile, customers);
    const orders = await writeOrdersCsv(path.join(dir, "orders.csv"), { goodRows: options.orders, customers, plantEvery: 4_000 });

    const out: ImportThroughput[] = [];
    for (const [kind, file, rows] of [["customers", customersFile, customers.length], ["orders", orders.file, orders.rows]] as const) {
      const { ms, result } = await time(() => runImport(db, { companyId, kind, source: fileSource(file) }));
      if (result.job.status !== "done") throw new Error(`${kind} import ended ${result.job.status}`);
      if (result.job.rowsProcessed !== rows) throw new Error(`${kind} import processed ${result.job.rowsProcessed} rows of ${rows}`);
      out.push({ kind, rows, imported: result.job.rowsImported, rejected: result.job.rowsRejected, ms, rowsPerSecond: (rows * 1000) / ms });
    }
    const expectedRejects = orders.planted.length;
    const ordersOut = out[1]!;
    if (ordersOut.imported !== orders.goodRows || ordersOut.rejected !== expectedRejects) {
      throw new Error(`orders import: ${ordersOut.imported} imported / ${ordersOut.rejected} rejected, expected ${orders.goodRows} / ${expectedRejects}`);
    }
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
