// Writes a company's raw tables as CSV files, streaming: each table is read
// through a server-side cursor in batches inside ONE repeatable-read
// transaction (every file is from the same snapshot) and written with
// back-pressure, so memory does not grow with the table.
//
// Columns are the table's own (company_id left out: it means nothing outside
// this database), timestamps in ISO 8601 UTC, plus what a re-import needs:
// external_id falls back to the row's Yardstick id when it has none, facts carry
// customer_external_id, customers carry owner (member email), team and campaign
// by name. `npm run import` reads these files back as they are. A text cell that
// a spreadsheet would run as a formula (=, +, -, @, tab, CR first) starts with an
// apostrophe, the spreadsheets' text mark; the importer removes it (src/text/escape.ts).
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { stringify } from "csv-stringify";
import type { SqlDriver } from "../db/driver.js";
import { spreadsheetSafe } from "../text/escape.js";
import { DECLARATIONS, type SourceDeclaration } from "../sources/index.js";

/** Tables written, in import order (the files import back in this order); from the source declarations. */
export const EXPORT_TABLES: readonly string[] = DECLARATIONS.map((d) => d.table);
export type ExportTable = string;

export function isExportTable(value: string): value is ExportTable {
  return EXPORT_TABLES.includes(value);
}

const BY_TABLE = new Map<string, SourceDeclaration>(DECLARATIONS.map((d) => [d.table, d]));

type Exec = Pick<SqlDriver, "query">;

/** The SELECT for one table: every column as text, then the re-import helpers. */
async function selectFor(tx: Exec, table: ExportTable): Promise<{ sql: string; header: string[] }> {
  const spec = BY_TABLE.get(table)!.export;
  const cols = await tx.query<{ column_name: string; data_type: string }>(
    `SELECT column_name, data_type FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = $1 AND column_name <> 'company_id'
      ORDER BY ordinal_position`,
    [table],
  );
  const header: string[] = [];
  const exprs: string[] = [];
  for (const c of cols) {
    const ref = `t."${c.column_name}"`;
    header.push(c.column_name);
    if (c.column_name === "external_id" && spec.externalIdFallback) exprs.push(`coalesce(${ref}, t.id::text)`);
    else if (c.data_type === "timestamp with time zone") exprs.push(`to_char(${ref} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);
    else exprs.push(`${ref}::text`);
  }
  for (const x of spec.extra ?? []) {
    header.push(x.header);
    exprs.push(x.sql);
  }
  const joins = spec.joins ?? [];
  // Aliases: two expressions may otherwise share a result name and overwrite each other in the row object.
  const sql = `SELECT ${exprs.map((e, i) => `${e} AS c${i}`).join(", ")} FROM "${table}" t ${joins.join(" ")} WHERE t.company_id = $1 ORDER BY ${spec.order}`;
  return { sql, header };
}

export interface ExportOptions {
  tables?: readonly ExportTable[];
  /** Rows fetched per cursor round trip. */
  batchRows?: number;
  /** Start each file with a UTF-8 byte-order mark (Excel then reads Chinese text right). */
  bom?: boolean;
  onTable?: (table: ExportTable, rows: number, file: string) => void;
}

export type ExportSummary = Record<ExportTable, { rows: number; file: string } | undefined>;

export async function exportCompany(db: { sql: SqlDriver }, companyId: string, outDir: string, options: ExportOptions = {}): Promise<ExportSummary> {
  await mkdir(outDir, { recursive: true });
  const tables = options.tables ?? EXPORT_TABLES;
  const batch = options.batchRows ?? 5000;
  const summary = {} as ExportSummary;
  await db.sql.transaction(async (tx) => {
    // One snapshot for every file; the statements below run in it.
    await tx.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    for (const table of tables) {
      const { sql, header } = await selectFor(tx, table);
      const file = path.join(outDir, `${table}.csv`);
      const out = createWriteStream(file);
      const csv = stringify({ header: true, columns: header, bom: options.bom ?? false });
      csv.pipe(out);
      const cursor = `export_${table}`;
      await tx.query(`DECLARE ${cursor} NO SCROLL CURSOR FOR ${sql}`, [companyId]);
      let rows = 0;
      for (;;) {
        const chunk = await tx.query<Record<string, string | null>>(`FETCH ${batch} FROM ${cursor}`);
        for (const r of chunk) {
          // Waiting for the file to drain keeps at most one fetched batch in memory.
          // A name like =HYPERLINK(…) must reach the spreadsheet as text (`npm run import` drops the mark again).
          const cells = header.map((_, i) => {
            const v = r[`c${i}`];
            return v == null ? null : spreadsheetSafe(v);
          });
          if (!csv.write(cells)) await once(csv, "drain");
        }
        rows += chunk.length;
        if (chunk.length < batch) break;
      }
      await tx.query(`CLOSE ${cursor}`);
      csv.end();
      await once(out, "close");
      summary[table] = { rows, file };
      options.onTable?.(table, rows, file);
    }
  });
  return summary;
}
