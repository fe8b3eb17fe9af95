// The batch writer of kinds keyed by (company_id, external_id) whose rows name
// other records by name or external id (campaigns, costs, opportunities, stage
// history): the kind resolves its references for the whole batch (one lookup
// per kind of reference), rows naming something unknown are rejected with the
// name, duplicates of earlier lines are rejected, and the rest are upserted —
// written only when a value differs, so a rerun changes nothing.
import type { SqlDriver } from "../db/driver.js";
import type { BatchResult, CleanedRow, RowOutcome, WriteContext } from "../sources/declaration.js";
import type { FactColumn } from "./facts.js";
import type { ImportIssue } from "./jobs.js";
import { claimKeys, duplicateReason } from "./write-facts.js";

type Exec = Pick<SqlDriver, "query">;

export interface KeyedRow extends CleanedRow {
  readonly externalId: string;
  /** The external id was derived from the row's content. */
  readonly derived: boolean;
}

export interface KeyedTable {
  readonly table: string;
  /** Columns besides id, company_id and external_id, in the order of a row's values. */
  readonly columns: readonly FactColumn[];
}

/** A row's table values (text, in KeyedTable.columns order), or why it cannot be written. */
export type Resolved = { values: readonly (string | null)[] } | { error: string; field: string };

const q = (n: string) => `"${n}"`;

function upsertSql(spec: KeyedTable): string {
  const cols = spec.columns;
  const names = ["id", "company_id", "external_id", ...cols.map((c) => c.name)].map(q).join(", ");
  const arrays = ["external_id", ...cols.map((_, i) => `c${i}`)];
  const unnest = arrays.map((_, i) => `$${i + 2}::text[]`).join(", ");
  const select = ["gen_random_uuid()", "$1::uuid", "u.external_id", ...cols.map((c, i) => `u.c${i}::${c.type}`)].join(", ");
  const data = cols.map((c) => q(c.name));
  return `INSERT INTO ${q(spec.table)} AS t (${names})
    SELECT ${select} FROM unnest(${unnest}) AS u(${arrays.join(", ")})
    ON CONFLICT ("company_id", "external_id") DO UPDATE SET ${data.map((c) => `${c} = EXCLUDED.${c}`).join(", ")}
    WHERE (${data.map((c) => `t.${c}`).join(", ")}) IS DISTINCT FROM (${data.map((c) => `EXCLUDED.${c}`).join(", ")})
    RETURNING t.external_id, (t.xmax = 0) AS inserted`;
}

const SQL_CACHE = new Map<KeyedTable, string>();

/** Upserts rows by external id; the answer says, per external id written, whether it was inserted (absent = unchanged). */
export async function upsertKeyed(tx: Exec, companyId: string, spec: KeyedTable, rows: readonly { externalId: string; values: readonly (string | null)[] }[]): Promise<Map<string, boolean>> {
  if (rows.length === 0) return new Map();
  let sql = SQL_CACHE.get(spec);
  if (!sql) SQL_CACHE.set(spec, (sql = upsertSql(spec)));
  const params = [companyId, rows.map((r) => r.externalId), ...spec.columns.map((_, i) => rows.map((r) => r.values[i] ?? null))];
  const written = await tx.query<{ external_id: string; inserted: boolean }>(sql, params);
  return new Map(written.map((w) => [w.external_id, w.inserted]));
}

export async function writeKeyedBatch<R extends KeyedRow>(
  tx: Exec,
  ctx: WriteContext,
  spec: KeyedTable,
  rows: readonly R[],
  resolve: (rows: readonly R[]) => Promise<Map<number, Resolved>>,
): Promise<BatchResult> {
  const rejects: ImportIssue[] = [];
  const outcomes = new Map<number, RowOutcome>();
  const resolved = await resolve(rows);
  const firstLine = new Map<string, number>();
  const candidates: (R & { values: readonly (string | null)[] })[] = [];
  for (const row of rows) {
    const r = resolved.get(row.line)!;
    if ("error" in r) {
      rejects.push({ line: row.line, reason: r.error, field: r.field });
      continue;
    }
    const seen = firstLine.get(row.externalId);
    if (seen !== undefined) {
      rejects.push({ line: row.line, reason: duplicateReason(row, seen), field: "external_id" });
      continue;
    }
    firstLine.set(row.externalId, row.line);
    candidates.push({ ...row, values: r.values });
  }
  const accepted = candidates.length > 0 ? await claimKeys(tx, ctx.jobId, candidates, rejects) : [];
  const written = await upsertKeyed(tx, ctx.companyId, spec, accepted);
  for (const r of accepted) {
    const w = written.get(r.externalId);
    outcomes.set(r.line, w === undefined ? "unchanged" : w ? "inserted" : "updated");
  }
  return { outcomes, rejects };
}
