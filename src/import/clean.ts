// Row cleaning as an API, for CSV records and JSON sync records alike: one
// record in (cells by canonical column name), a cleaned row or a rejection naming
// the field and the reason out. The importer calls it per CSV record; a sync
// mutation calls it per object of its batch, then the kind's writer.
import { z } from "zod";
import type { SqlDriver } from "../db/driver.js";
import { declarationOfKind, type CleanedRow, type ImportDeclaration } from "../sources/index.js";
import { countryCodeForZone } from "./contact.js";
import { objectCells, Row, RowRejected, type CleanEnv, type RowCells } from "./row.js";
import { VocabularySet } from "./vocab.js";

const CompanySettings = z.object({
  import: z
    .object({
      vocabularies: z.record(z.string(), z.array(z.string())).optional(),
      defaultCountryCode: z.string().regex(/^[1-9]\d{0,2}$/).optional(),
    })
    .optional(),
});

/** The company's cleaning settings: time zone, currency, default phone country, own vocabulary values. */
export async function loadCleanEnv(sql: Pick<SqlDriver, "query">, companyId: string, options: { dayFirst?: boolean } = {}): Promise<CleanEnv> {
  const rows = await sql.query<{ time_zone: string; currency: string; settings: unknown }>("SELECT time_zone, currency, settings FROM companies WHERE id = $1", [
    companyId,
  ]);
  const company = rows[0];
  if (!company) throw new Error(`no company ${companyId}`);
  const settings = CompanySettings.safeParse(typeof company.settings === "string" ? JSON.parse(company.settings) : company.settings);
  const importSettings = settings.success ? settings.data.import : undefined;
  return {
    zone: company.time_zone,
    dayFirst: options.dayFirst ?? false,
    defaultCountry: importSettings?.defaultCountryCode ?? countryCodeForZone(company.time_zone),
    currency: company.currency,
    vocab: new VocabularySet(importSettings?.vocabularies),
  };
}

export type CleanResult<R extends CleanedRow = CleanedRow> = { ok: true; row: R } | { ok: false; field: string | null; reason: string };

/** Cleans one record with a kind's declared cleaner. `prepared` is what decl.prepare loaded (once per batch). */
export function readRow(decl: ImportDeclaration, cells: RowCells, line: number, env: CleanEnv, prepared: unknown): CleanResult {
  try {
    return { ok: true, row: decl.read(new Row(cells, line, env), prepared) };
  } catch (err) {
    if (err instanceof RowRejected) return { ok: false, field: err.field, reason: err.reason };
    throw err;
  }
}

/**
 * A kind's cleaner over plain objects (a JSON sync batch): keys are the kind's
 * canonical column names (docs/import.md), values text, numbers or booleans.
 * `index` is the record's position, reported as its line.
 */
export async function cleanRecords(
  sql: Pick<SqlDriver, "query">,
  companyId: string,
  kind: string,
  records: readonly Readonly<Record<string, unknown>>[],
  options: { dayFirst?: boolean; env?: CleanEnv } = {},
): Promise<CleanResult[]> {
  const decl = declarationOfKind(kind).import;
  const env = options.env ?? (await loadCleanEnv(sql, companyId, options));
  const prepared = decl.prepare ? await decl.prepare(sql, companyId) : undefined;
  return records.map((record, i) => readRow(decl, objectCells(record), i + 1, env, prepared));
}
