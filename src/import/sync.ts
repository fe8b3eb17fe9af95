// Programmatic sync: an integrator pushes a batch of a source's records as JSON
// objects (keys are the kind's canonical column names, docs/import.md) plus the
// external ids of records to delete. The batch goes through the same cleaner
// (src/import/clean.ts → the source declaration's read) and the same batch
// writer as a CSV import, so rows are cleaned, matched and rejected exactly as
// in a file; everything — upserts, deletions, the audit entry and the bump of
// the company's data version — commits in ONE transaction, so no process can
// serve a metric value computed before the change once it is visible.
// Idempotent: the same batch again finds every row unchanged (no version bump)
// and every deleted id gone.
import { randomUUID } from "node:crypto";
import type { SqlDriver } from "../db/driver.js";
import { bumpDataVersion } from "../metrics/data-version.js";
import { declarationOfKind, type CleanedRow } from "../sources/index.js";
import { loadCleanEnv, readRow } from "./clean.js";
import { objectCells } from "./row.js";
import { emptyStats, StatsCollector } from "./stats.js";
import { cleanCode } from "./text.js";

/** Largest batch one call may carry (upserts and deletions each): bounded request time and lock time. */
export const MAX_SYNC_ROWS = 1000;

export interface SyncRequest {
  kind: string;
  upsert: readonly Readonly<Record<string, unknown>>[];
  delete: readonly string[];
  dayFirst?: boolean;
  /** Any rejected row rolls the whole batch back (default: the others are written, as in a CSV import). */
  allOrNothing?: boolean;
  /** Who pushed it: "apiKey:<id>". */
  actor: string;
}

export interface SyncIssue {
  /** Position in `upsert` (or in `delete` for a deletion), from 0. */
  index: number;
  /** The record's column at fault, when one is. */
  field: string | null;
  reason: string;
}

export interface SyncOutcome {
  /** false when allOrNothing rolled the batch back. */
  committed: boolean;
  inserted: number;
  updated: number;
  unchanged: number;
  deleted: number;
  rejected: SyncIssue[];
  warnings: SyncIssue[];
  /** Deleted external ids that named no record (already deleted, or never synced): not an error. */
  notFound: string[];
  /** The company's data version after the batch. */
  dataVersion: number;
}

/** The request as a whole is refused (nothing read, nothing written). */
export class SyncRefused extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

class RolledBack extends Error {
  constructor(readonly outcome: SyncOutcome) {
    super("sync batch rolled back");
  }
}

/** Whether records of a kind can be deleted by external id (its table has one). */
export function deletableKind(kind: string): boolean {
  return "external_id" in declarationOfKind(kind).columns;
}

export async function runSync(db: { sql: SqlDriver }, companyId: string, req: SyncRequest): Promise<SyncOutcome> {
  const decl = declarationOfKind(req.kind);
  if (req.upsert.length > MAX_SYNC_ROWS) throw new SyncRefused("input.upsert", `at most ${MAX_SYNC_ROWS} records per call, got ${req.upsert.length}: split the batch`);
  if (req.delete.length > MAX_SYNC_ROWS) throw new SyncRefused("input.delete", `at most ${MAX_SYNC_ROWS} external ids per call, got ${req.delete.length}: split the batch`);
  if (req.delete.length > 0 && !deletableKind(req.kind)) throw new SyncRefused("input.delete", `${req.kind} have no external id to delete by`);

  try {
    return await db.sql.transaction(async (tx) => {
      // Serialises syncs and imports' writes of one company's org and customer directory.
      await tx.query("SELECT id FROM companies WHERE id = $1::uuid FOR UPDATE", [companyId]);
      const env = await loadCleanEnv(tx, companyId, { dayFirst: req.dayFirst ?? false });
      const prepared = decl.import.prepare ? await decl.import.prepare(tx, companyId) : undefined;

      // Cleaning: line = index + 1 (the writers key their outcomes by line).
      const rejected: SyncIssue[] = [];
      const clean: CleanedRow[] = [];
      req.upsert.forEach((record, index) => {
        const r = readRow(decl.import, objectCells(record), index + 1, env, prepared);
        if (r.ok) clean.push(r.row);
        else rejected.push({ index, field: r.field, reason: r.reason });
      });

      const counts = { inserted: 0, updated: 0, unchanged: 0 };
      const warnings: SyncIssue[] = [];
      if (clean.length > 0) {
        const result = await decl.import.write(tx, { companyId, jobId: null, stats: new StatsCollector(emptyStats()) }, clean);
        for (const o of result.outcomes.values()) counts[o]++;
        for (const x of result.rejects) rejected.push({ index: x.line - 1, field: null, reason: x.reason });
        for (const w of result.warnings ?? []) warnings.push({ index: w.line - 1, field: null, reason: w.reason });
        for (const row of clean) for (const w of row.warnings) if (result.outcomes.has(row.line)) warnings.push({ index: row.line - 1, field: null, reason: w });
      }

      // Deletions by external id, after the upserts (a batch that upserts and deletes one id ends without it).
      let deleted = 0;
      const notFound: string[] = [];
      if (req.delete.length > 0) {
        const ids: string[] = [];
        req.delete.forEach((raw, index) => {
          const id = cleanCode(raw);
          if (id === null) rejected.push({ index, field: "external_id", reason: "blank external id in input.delete" });
          else if (id.length > 200) rejected.push({ index, field: "external_id", reason: "external_id is longer than 200 characters" });
          else ids.push(id);
        });
        const unique = [...new Set(ids)];
        // The table name comes from the declaration, never from the request.
        const gone = await tx.query<{ external_id: string }>(
          `DELETE FROM ${decl.table} WHERE company_id = $1::uuid AND external_id = ANY($2::text[]) RETURNING external_id`,
          [companyId, unique],
        );
        deleted = gone.length;
        const found = new Set(gone.map((g) => g.external_id));
        notFound.push(...unique.filter((id) => !found.has(id)));
      }

      rejected.sort((a, b) => a.index - b.index);
      warnings.sort((a, b) => a.index - b.index);
      const changed = counts.inserted + counts.updated + deleted;
      if (req.allOrNothing && rejected.length > 0) {
        const version = await tx.query<{ v: number }>("SELECT data_version AS v FROM companies WHERE id = $1::uuid", [companyId]);
        throw new RolledBack({ committed: false, inserted: 0, updated: 0, unchanged: 0, deleted: 0, rejected, warnings: [], notFound: [], dataVersion: Number(version[0]!.v) });
      }
      if (changed > 0) {
        await tx.query("INSERT INTO audit_log (id, company_id, actor, action, target, details) VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6::jsonb)", [
          randomUUID(), companyId, req.actor, "sync.batch", req.kind,
          JSON.stringify({ ...counts, deleted, rejected: rejected.length }),
        ]);
        // In the same transaction as the rows: a cached value of the old data is never read again.
        await bumpDataVersion(tx, companyId);
      }
      const version = await tx.query<{ v: number }>("SELECT data_version AS v FROM companies WHERE id = $1::uuid", [companyId]);
      return { committed: true, ...counts, deleted, rejected, warnings, notFound, dataVersion: Number(version[0]!.v) };
    });
  } catch (err) {
    if (err instanceof RolledBack) return err.outcome;
    throw err;
  }
}
