// The import_jobs row: created or found again by (company, kind, file hash,
// options), advanced in the same transaction as each batch's rows, finished or
// failed at the end. Counters are written absolute from the importer's state,
// guarded by last_line, so two processes on one job cannot both commit a batch.
import type { SqlDriver } from "../db/driver.js";
import type { ImportKind } from "./kinds.js";
import { emptyStats, type CleaningStats } from "./stats.js";

export type JobStatus = "running" | "done" | "failed";

export interface ImportIssue {
  line: number;
  /** Why the row was rejected, or what the importer remarked about it. */
  reason: string;
  /** The column the reason is about, when it is about one (a sync names it; CSV jobs store line and reason). */
  field?: string | null;
}

export interface ImportOptionsKey {
  dayFirst: boolean;
}

export interface ImportJobState {
  id: string;
  companyId: string;
  kind: ImportKind;
  fileName: string | null;
  fileHash: string;
  options: ImportOptionsKey;
  status: JobStatus;
  totalLines: number;
  rowsProcessed: number;
  rowsImported: number;
  rowsUpdated: number;
  rowsUnchanged: number;
  rowsRejected: number;
  lastLine: number;
  /** Entries already stored in the job's rejects / warnings arrays. */
  rejectsStored: number;
  warningsStored: number;
  stats: CleaningStats;
  error: string | null;
  createdAt: Date;
}

/** Rejects and warnings kept on the job; the counters count them all. */
export const MAX_ISSUES_KEPT = 1000;

export class ImportConflict extends Error {}

type Exec = Pick<SqlDriver, "query">;

interface JobRow extends Record<string, unknown> {
  id: string;
  company_id: string;
  kind: ImportKind;
  file_name: string | null;
  file_hash: string;
  options: ImportOptionsKey | string;
  status: JobStatus;
  total_lines: number;
  rows_processed: number;
  rows_imported: number;
  rows_updated: number;
  rows_unchanged: number;
  rows_rejected: number;
  last_line: number;
  rejects_stored: number;
  warnings_stored: number;
  stats: CleaningStats | string;
  error: string | null;
  created_at: Date | string;
}

const COLUMNS = `id::text, company_id::text, kind, file_name, file_hash, options, status, total_lines, rows_processed,
  rows_imported, rows_updated, rows_unchanged, rows_rejected, last_line, jsonb_array_length(rejects) AS rejects_stored,
  jsonb_array_length(warnings) AS warnings_stored, stats, error, created_at`;

// node-postgres parses jsonb, PGlite too; strings are accepted in case a driver does not.
const json = <T>(v: T | string): T => (typeof v === "string" ? (JSON.parse(v) as T) : v);

function toState(r: JobRow): ImportJobState {
  return {
    id: r.id,
    companyId: r.company_id,
    kind: r.kind,
    fileName: r.file_name,
    fileHash: r.file_hash,
    options: json(r.options),
    status: r.status,
    totalLines: r.total_lines,
    rowsProcessed: r.rows_processed,
    rowsImported: r.rows_imported,
    rowsUpdated: r.rows_updated,
    rowsUnchanged: r.rows_unchanged,
    rowsRejected: r.rows_rejected,
    lastLine: r.last_line,
    rejectsStored: Number(r.rejects_stored),
    warningsStored: Number(r.warnings_stored),
    stats: { ...emptyStats(), ...json(r.stats) },
    error: r.error,
    createdAt: new Date(r.created_at),
  };
}

/** The latest job for this file, kind and options in the company, if any. */
export async function findJob(sql: Exec, companyId: string, kind: ImportKind, fileHash: string, options: ImportOptionsKey): Promise<ImportJobState | null> {
  const rows = await sql.query<JobRow>(
    `SELECT ${COLUMNS} FROM import_jobs
      WHERE company_id = $1 AND kind = $2 AND file_hash = $3 AND options = $4::jsonb
      ORDER BY created_at DESC, id DESC LIMIT 1`,
    [companyId, kind, fileHash, JSON.stringify(options)],
  );
  return rows[0] ? toState(rows[0]) : null;
}

export async function createJob(
  sql: Exec,
  job: { companyId: string; kind: ImportKind; fileName: string | null; fileHash: string; options: ImportOptionsKey; totalLines: number; createdBy: string | null },
): Promise<ImportJobState> {
  const rows = await sql.query<JobRow>(
    `INSERT INTO import_jobs (id, company_id, kind, file_name, file_hash, options, total_lines, stats, created_by)
     VALUES (gen_random_uuid(), $1, $2, $3, $4, $5::jsonb, $6, $7::jsonb, $8)
     RETURNING ${COLUMNS}`,
    [job.companyId, job.kind, job.fileName, job.fileHash, JSON.stringify(job.options), job.totalLines, JSON.stringify(emptyStats()), job.createdBy],
  );
  return toState(rows[0]!);
}

/** Marks a found job as running again (a resume), clearing a previous failure. */
export async function reopenJob(sql: Exec, job: ImportJobState): Promise<void> {
  await sql.query("UPDATE import_jobs SET status = 'running', error = NULL, finished_at = NULL, updated_at = now() WHERE id = $1", [job.id]);
  job.status = "running";
  job.error = null;
}

export type NewJob = Parameters<typeof createJob>[1];

/**
 * The job to run for this file: the finished one (nothing to do), an unfinished
 * one to resume, or a new one. Serialised per file by an advisory lock, so two
 * processes starting the same file at once share one job (and the batch lock
 * then lets only one of them advance it).
 */
export async function openJob(sql: Pick<SqlDriver, "transaction">, spec: NewJob, restart: boolean): Promise<{ job: ImportJobState; alreadyDone: boolean }> {
  return sql.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`yardstick-import:${spec.companyId}:${spec.kind}:${spec.fileHash}`]);
    const found = restart ? null : await findJob(tx, spec.companyId, spec.kind, spec.fileHash, spec.options);
    if (found?.status === "done") return { job: found, alreadyDone: true };
    if (found) {
      await reopenJob(tx, found);
      return { job: found, alreadyDone: false };
    }
    return { job: await createJob(tx, spec), alreadyDone: false };
  });
}

/**
 * First statement of a batch's transaction: locks the job row and checks that no
 * other process advanced it since this one read it.
 */
export async function lockJob(tx: Exec, job: ImportJobState): Promise<void> {
  const rows = await tx.query<{ last_line: number; status: string }>("SELECT last_line, status FROM import_jobs WHERE id = $1 FOR UPDATE", [job.id]);
  const row = rows[0];
  if (!row || row.last_line !== job.lastLine || row.status !== "running") {
    throw new ImportConflict(`import job ${job.id} was advanced by another process (at line ${row?.last_line ?? "?"}, ${row?.status ?? "deleted"})`);
  }
}

/** Writes the job's counters and the batch's issues; call inside the batch's transaction. */
export async function saveProgress(tx: Exec, job: ImportJobState, rejects: readonly ImportIssue[], warnings: readonly ImportIssue[]): Promise<void> {
  const newRejects = rejects.slice(0, Math.max(0, MAX_ISSUES_KEPT - job.rejectsStored));
  const newWarnings = warnings.slice(0, Math.max(0, MAX_ISSUES_KEPT - job.warningsStored));
  await tx.query(
    `UPDATE import_jobs SET rows_processed = $2, rows_imported = $3, rows_updated = $4, rows_unchanged = $5,
        rows_rejected = $6, last_line = $7, rejects = rejects || $8::jsonb, warnings = warnings || $9::jsonb,
        stats = $10::jsonb, updated_at = now()
      WHERE id = $1`,
    [
      job.id, job.rowsProcessed, job.rowsImported, job.rowsUpdated, job.rowsUnchanged, job.rowsRejected, job.lastLine,
      JSON.stringify(newRejects), JSON.stringify(newWarnings), JSON.stringify(job.stats),
    ],
  );
  job.rejectsStored += newRejects.length;
  job.warningsStored += newWarnings.length;
}

/** Done: the per-file duplicate keys are no longer needed. */
export async function finishJob(sql: Pick<SqlDriver, "transaction">, job: ImportJobState): Promise<void> {
  await sql.transaction(async (tx) => {
    await lockJob(tx, job);
    await tx.query("DELETE FROM import_job_keys WHERE job_id = $1", [job.id]);
    await tx.query("UPDATE import_jobs SET status = 'done', stats = $2::jsonb, finished_at = now(), updated_at = now() WHERE id = $1", [job.id, JSON.stringify(job.stats)]);
  });
  job.status = "done";
}

/**
 * The job's error as PostgreSQL stores it: no NUL (text and jsonb refuse it) or other control
 * characters, at most 2,000 characters (an error may quote a hostile header).
 */
export function storableError(error: string): string {
  const clean = error.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "\ufffd");
  return clean.length > 2000 ? `${clean.slice(0, 2000)}…` : clean;
}

export async function failJob(sql: Exec, job: ImportJobState, error: string): Promise<void> {
  const message = storableError(error);
  const fail = (text: string) =>
    sql.query("UPDATE import_jobs SET status = 'failed', error = $2, updated_at = now() WHERE id = $1 AND status = 'running'", [job.id, text]);
  // A job is never left RUNNING because its error could not be written: then a plain one.
  await fail(message).catch(() => fail("the import failed (its error could not be stored)"));
  job.status = "failed";
  job.error = message;
}
