// A company's raw tables as CSV files, one per table, streamed from one snapshot.
//
//   npm run export -- --company demo --out dir/ [--tables customers,orders] [--bom] [--database-url URL]
//
// The customers, orders, interactions, tickets and survey_responses files import
// back with `npm run import` (into another company too).
import { parseArgs } from "node:util";
import { EXPORT_TABLES, exportCompany, isExportTable, type ExportTable } from "../import/export.js";
import { companyBySlug, openCliDatabase, UsageError } from "./open.js";

const USAGE = `usage: export --company SLUG --out DIR [--tables ${EXPORT_TABLES.join(",")}] [--bom] [--database-url URL]`;

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      company: { type: "string", default: "demo" },
      out: { type: "string" },
      tables: { type: "string" },
      bom: { type: "boolean", default: false },
      "database-url": { type: "string" },
    },
  });
  if (!values.out) throw new UsageError(USAGE);
  let tables: ExportTable[] | undefined;
  if (values.tables) {
    const names = values.tables.split(",").map((t) => t.trim()).filter((t) => t.length > 0);
    const unknown = names.filter((t) => !isExportTable(t));
    if (unknown.length > 0) throw new UsageError(`--tables: unknown ${unknown.join(", ")} (known: ${EXPORT_TABLES.join(", ")})`);
    tables = names.filter(isExportTable);
  }
  const db = await openCliDatabase(values["database-url"]);
  try {
    const company = await companyBySlug(db, values.company);
    const started = Date.now();
    let total = 0;
    await exportCompany(db, company.id, values.out, {
      tables,
      bom: values.bom,
      onTable: (table, rows, file) => {
        total += rows;
        console.log(`${table.padEnd(20)} ${rows.toLocaleString("en-US").padStart(12)} rows → ${file}`);
      },
    });
    const seconds = (Date.now() - started) / 1000;
    console.log(`exported ${total.toLocaleString("en-US")} rows of ${company.slug} in ${seconds.toFixed(1)} s`);
  } finally {
    await db.close();
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
