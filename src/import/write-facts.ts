// Writes one batch of fact rows inside the batch's transaction: resolves each
// row's customer (company-scoped), refuses unknown customers and duplicates of
// earlier lines, then upserts on (company_id, external_id). A row already
// present with the same values is left alone and counted unchanged, so a rerun
// writes nothing; a changed row (a ticket resolved since the last export) is
// updated, keeping the team/member it was attributed to when first imported.
import type { SqlDriver } from "../db/driver.js";
import type { BatchResult, RowOutcome, WriteContext } from "../sources/declaration.js";
import type { FactRow, FactTable } from "./facts.js";
import type { ImportIssue } from "./jobs.js";
import type { CustomerRef } from "./row.js";

type Exec = Pick<SqlDriver, "query">;

export type { BatchResult, RowOutcome };

export interface CustomerHit {
  id: string;
  teamId: string | null;
  memberId: string | null;
}

export type Resolution = CustomerHit | { error: string };

export const refKey = (r: CustomerRef) => `${r.by}:${r.value}`;

/** Matching expressions: emails and phones compare normalised, so rows written by other means still match. */
const MATCH: Record<CustomerRef["by"], string> = {
  external_id: "external_id",
  email: "lower(email)",
  phone: "regexp_replace(phone, '[^0-9]', '', 'g')",
  name: "lower(name)",
};

const matchValue = (by: CustomerRef["by"], value: string) => (by === "phone" ? value.replace(/\D/g, "") : value);

/** Looks up the batch's customer references: one statement per kind of reference used. */
export async function resolveCustomers(tx: Exec, companyId: string, refs: readonly CustomerRef[]): Promise<Map<string, Resolution>> {
  const out = new Map<string, Resolution>();
  const wanted: Record<CustomerRef["by"], Set<string>> = { external_id: new Set(), email: new Set(), phone: new Set(), name: new Set() };
  for (const r of refs) wanted[r.by].add(r.value);
  for (const by of ["external_id", "email", "phone", "name"] as const) {
    if (wanted[by].size === 0) continue;
    const values = [...wanted[by]].map((v) => matchValue(by, v));
    const rows = await tx.query<{ id: string; matched: string; team_id: string | null; member_id: string | null }>(
      `SELECT id::text, ${MATCH[by]} AS matched, owner_team_id::text AS team_id, owner_member_id::text AS member_id
         FROM customers WHERE company_id = $1 AND ${MATCH[by]} = ANY($2::text[])`,
      [companyId, values],
    );
    const hits = new Map<string, CustomerHit[]>();
    for (const r of rows) {
      const list = hits.get(r.matched) ?? [];
      list.push({ id: r.id, teamId: r.team_id, memberId: r.member_id });
      hits.set(r.matched, list);
    }
    for (const value of wanted[by]) {
      const list = hits.get(matchValue(by, value)) ?? [];
      const column = `customer_${by}`;
      out.set(
        refKey({ by, value }),
        list.length === 1
          ? list[0]!
          : { error: list.length === 0 ? `unknown customer: ${column} "${value}"` : `${column} "${value}" matches ${list.length} customers` },
      );
    }
  }
  return out;
}

function upsertSql(spec: FactTable): string {
  const cols = spec.columns;
  const q = (n: string) => `"${n}"`;
  const names = ["id", "company_id", "external_id", "customer_id", "team_id", "member_id", ...cols.map((c) => c.name)].map(q).join(", ");
  const arrays = ["external_id", "customer_id", "team_id", "member_id", ...cols.map((_, i) => `c${i}`)];
  const unnest = arrays.map((_, i) => `$${i + 2}::text[]`).join(", ");
  const select = [
    "gen_random_uuid()", "$1::uuid", "u.external_id", "u.customer_id::uuid", "u.team_id::uuid", "u.member_id::uuid",
    ...cols.map((c, i) => `u.c${i}::${c.type}`),
  ].join(", ");
  const data = ["customer_id", ...cols.map((c) => c.name)].map(q);
  // Attribution is history: it changes only when the row now names another customer.
  const keepUnlessMoved = (col: string) => `${q(col)} = CASE WHEN t."customer_id" = EXCLUDED."customer_id" THEN t.${q(col)} ELSE EXCLUDED.${q(col)} END`;
  return `INSERT INTO ${q(spec.table)} AS t (${names})
    SELECT ${select} FROM unnest(${unnest}) AS u(${arrays.join(", ")})
    ON CONFLICT ("company_id", "external_id") DO UPDATE SET
      ${[...data.map((c) => `${c} = EXCLUDED.${c}`), keepUnlessMoved("team_id"), keepUnlessMoved("member_id")].join(",\n      ")}
    WHERE (${data.map((c) => `t.${c}`).join(", ")}) IS DISTINCT FROM (${data.map((c) => `EXCLUDED.${c}`).join(", ")})
    RETURNING t.external_id, (t.xmax = 0) AS inserted`;
}

const SQL_CACHE = new Map<FactTable, string>();

type Accepted = FactRow & { customerHit: CustomerHit };

/**
 * Claims each row's key for this file; a key an earlier batch claimed is a
 * duplicate line. The insert does the probe too, and the earlier lines are read
 * only for the (rare) losers.
 */
export async function claimKeys<T extends { line: number; externalId: string; derived: boolean }>(tx: Exec, jobId: string | null, rows: readonly T[], rejects: ImportIssue[]): Promise<T[]> {
  // A sync batch has no job: it is one call, and its duplicates were found in memory.
  if (jobId === null) return [...rows];
  const claimed = await tx.query<{ key: string }>(
    `INSERT INTO import_job_keys (job_id, key, line) SELECT $1::uuid, k, l FROM unnest($2::text[], $3::int[]) AS u(k, l)
     ON CONFLICT (job_id, key) DO NOTHING RETURNING key`,
    [jobId, rows.map((r) => `x:${r.externalId}`), rows.map((r) => r.line)],
  );
  if (claimed.length === rows.length) return [...rows];
  const won = new Set(claimed.map((c) => c.key.slice(2)));
  const lost = rows.filter((r) => !won.has(r.externalId));
  const earlier = await tx.query<{ key: string; line: number }>("SELECT key, line FROM import_job_keys WHERE job_id = $1 AND key = ANY($2::text[])", [
    jobId, lost.map((r) => `x:${r.externalId}`),
  ]);
  const lines = new Map(earlier.map((e) => [e.key.slice(2), e.line]));
  for (const row of lost) rejects.push({ line: row.line, reason: duplicateReason(row, lines.get(row.externalId) ?? 0), field: "external_id" });
  return rows.filter((r) => won.has(r.externalId));
}

export async function writeFactBatch(tx: Exec, ctx: WriteContext, spec: FactTable, rows: readonly FactRow[]): Promise<BatchResult> {
  const { companyId, jobId } = ctx;
  const rejects: ImportIssue[] = [];
  const outcomes = new Map<number, RowOutcome>();
  const customers = await resolveCustomers(tx, companyId, rows.map((r) => r.customer));

  // Unknown customers, then duplicates within the batch; claimKeys finds duplicates of earlier batches.
  const candidates: Accepted[] = [];
  const firstLine = new Map<string, number>();
  for (const row of rows) {
    const hit = customers.get(refKey(row.customer))!;
    if ("error" in hit) {
      rejects.push({ line: row.line, reason: hit.error, field: `customer_${row.customer.by}` });
      continue;
    }
    const seen = firstLine.get(row.externalId);
    if (seen !== undefined) {
      rejects.push({ line: row.line, reason: duplicateReason(row, seen), field: "external_id" });
      continue;
    }
    firstLine.set(row.externalId, row.line);
    candidates.push({ ...row, customerHit: hit });
  }
  const accepted = candidates.length > 0 ? await claimKeys(tx, jobId, candidates, rejects) : [];
  if (accepted.length === 0) return { outcomes, rejects };

  const params = [
    companyId,
    accepted.map((r) => r.externalId),
    accepted.map((r) => r.customerHit.id),
    accepted.map((r) => r.customerHit.teamId),
    accepted.map((r) => r.customerHit.memberId),
    ...spec.columns.map((_, i) => accepted.map((r) => r.values[i] ?? null)),
  ];
  let sql = SQL_CACHE.get(spec);
  if (!sql) SQL_CACHE.set(spec, (sql = upsertSql(spec)));
  // Only inserted or changed rows come back: the rest were present with the same values.
  const written = await tx.query<{ external_id: string; inserted: boolean }>(sql, params);
  const byExt = new Map(written.map((w) => [w.external_id, w.inserted]));
  for (const r of accepted) {
    const w = byExt.get(r.externalId);
    outcomes.set(r.line, w === undefined ? "unchanged" : w ? "inserted" : "updated");
  }
  return { outcomes, rejects };
}

export function duplicateReason(row: { derived: boolean; externalId: string }, firstLine: number): string {
  return row.derived ? `duplicate of line ${firstLine} (identical row)` : `duplicate of line ${firstLine} (external_id "${row.externalId}")`;
}
