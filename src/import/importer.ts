// Runs one CSV import: scan (hash, encoding, delimiter) → find or create the
// job → stream records → clean → batches of rows, each written in ONE
// transaction together with the job's progress. A crash loses at most the
// uncommitted batch; importing the same file again resumes after the job's
// last committed line, and a file already imported is a no-op.
import type { SqlDriver } from "../db/driver.js";
import { declarationOfKind, type CleanedRow, type ImportDeclaration } from "../sources/index.js";
import { loadCleanEnv, readRow } from "./clean.js";
import { HeaderError, resolveHeader, type HeaderMap } from "./header.js";
import {
  failJob, finishJob, ImportConflict, lockJob, openJob, saveProgress,
  type ImportIssue, type ImportJobState,
} from "./jobs.js";
import type { ImportKind } from "./kinds.js";
import { readCsv } from "./reader.js";
import { csvCells, type CleanEnv } from "./row.js";
import { scanSource, type ImportSource } from "./source.js";
import { bumpDataVersion } from "../metrics/data-version.js";
import { noteImportRows } from "../telemetry/request-context.js";
import { StatsCollector } from "./stats.js";
import { cleanLine } from "./text.js";
import type { RowOutcome } from "./write-facts.js";

export const DEFAULT_BATCH_ROWS = 2000;

export interface ImportProgress {
  job: Readonly<ImportJobState>;
  /** Rows processed by this run (a resume does not count the lines it skipped). */
  rowsThisRun: number;
  elapsedMs: number;
  rowsPerSecond: number;
}

export interface RejectedRow extends ImportIssue {
  /** The record's cells as read (null when the parser could not read it). */
  cells: readonly string[] | null;
}

export interface RunImportOptions {
  companyId: string;
  kind: ImportKind;
  source: ImportSource;
  fileName?: string | null;
  /** Read d/m/yyyy instead of m/d/yyyy when both could be meant. */
  dayFirst?: boolean;
  batchRows?: number;
  /** Process the file again even though a job already finished it (still idempotent). */
  restart?: boolean;
  createdBy?: string | null;
  /** The job exists (created or found); `resumedFrom` is the line processing continues after. */
  onStart?: (job: Readonly<ImportJobState>, resumedFrom: number) => void;
  /** After each committed batch. */
  onBatch?: (progress: ImportProgress) => void;
  /** After each committed batch, for each of its rejected rows (the job keeps only the first ones). */
  onReject?: (row: RejectedRow) => void;
  /** Stops after the batch being read commits; the job stays resumable. */
  signal?: AbortSignal;
}

/** The import was stopped on request between batches; importing the file again resumes it. */
export class ImportInterrupted extends Error {}

export interface ImportOutcome {
  job: ImportJobState;
  /** The same file was imported already: nothing was done. */
  alreadyDone: boolean;
  resumedFrom: number;
  rowsThisRun: number;
  elapsedMs: number;
}

interface Batch {
  rows: Pending[];
  rejects: RejectedRow[];
  /** Rows in the batch, rejected ones included (blank lines are not rows). */
  count: number;
  /** Last physical line the batch covers: the job's lastLine once it commits. */
  endLine: number;
  /** Lines with no value in any cell. */
  blankLines: number;
}

const newBatch = (after: number): Batch => ({ rows: [], rejects: [], count: 0, endLine: after, blankLines: 0 });

interface Pending {
  line: number;
  cells: readonly string[];
  row: CleanedRow;
}

export async function runImport(db: { sql: SqlDriver }, options: RunImportOptions): Promise<ImportOutcome> {
  const { sql } = db;
  const started = Date.now();
  const decl = declarationOfKind(options.kind).import;
  const key = { dayFirst: options.dayFirst ?? false };
  const env: CleanEnv = await loadCleanEnv(sql, options.companyId, key);

  const scan = await scanSource(options.source);
  const opened = await openJob(
    sql,
    {
      companyId: options.companyId, kind: options.kind, fileName: options.fileName ?? options.source.name, fileHash: scan.hash,
      options: key, totalLines: scan.lines, createdBy: options.createdBy ?? null,
    },
    options.restart ?? false,
  );
  const job = opened.job;
  if (opened.alreadyDone) return { job, alreadyDone: true, resumedFrom: job.lastLine, rowsThisRun: 0, elapsedMs: Date.now() - started };
  const resumedFrom = job.lastLine;
  options.onStart?.(job, resumedFrom);

  const stats = new StatsCollector(job.stats);
  stats.data.encoding = scan.encoding;
  stats.data.delimiter = scan.delimiter === "\t" ? "tab" : scan.delimiter;

  let rowsThisRun = 0;
  // While one batch commits, the next one is read and cleaned (the database and
  // the parser then work at the same time on PostgreSQL). Commits stay in order.
  let inflight: Promise<void> = Promise.resolve();

  const commit = async (b: Batch): Promise<void> => {
    const counts = { inserted: 0, updated: 0, unchanged: 0 };
    const rejects = [...b.rejects];
    const warnings: ImportIssue[] = [];
    await sql.transaction(async (tx) => {
      await lockJob(tx, job);
      let outcomes = new Map<number, RowOutcome>();
      if (b.rows.length > 0) {
        const r = await decl.write(tx, { companyId: options.companyId, jobId: job.id, stats }, b.rows.map((p) => p.row));
        outcomes = r.outcomes;
        warnings.push(...(r.warnings ?? []));
        const cells = new Map(b.rows.map((p) => [p.line, p.cells]));
        rejects.push(...r.rejects.map((x) => ({ ...x, cells: cells.get(x.line) ?? null })));
      }
      for (const p of b.rows) {
        const o = outcomes.get(p.line);
        if (o === undefined) continue;
        counts[o]++;
        stats.apply(p.row.events);
        for (const w of p.row.warnings) warnings.push({ line: p.line, reason: w });
      }
      rejects.sort((x, y) => x.line - y.line);
      warnings.sort((x, y) => x.line - y.line);
      job.rowsProcessed += b.count;
      job.rowsImported += counts.inserted + counts.updated;
      job.rowsUpdated += counts.updated;
      job.rowsUnchanged += counts.unchanged;
      job.rowsRejected += rejects.length;
      job.lastLine = b.endLine;
      stats.data.blankLines += b.blankLines;
      await saveProgress(tx, job, rejects.map(({ line, reason }) => ({ line, reason })), warnings);
      // The company's metrics change with this commit: cached results of the old data stop being read.
      if (counts.inserted + counts.updated > 0) await bumpDataVersion(tx, options.companyId);
    });
    rowsThisRun += b.count;
    // Committed: counted in /metrics (src/ops/metrics.ts) by kind and outcome.
    noteImportRows(options.kind, { inserted: counts.inserted, updated: counts.updated, unchanged: counts.unchanged, rejected: rejects.length });
    for (const r of rejects) options.onReject?.(r);
    const elapsedMs = Date.now() - started;
    options.onBatch?.({ job, rowsThisRun, elapsedMs, rowsPerSecond: elapsedMs > 0 ? (rowsThisRun * 1000) / elapsedMs : 0 });
  };

  const submit = async (b: Batch): Promise<void> => {
    await inflight;
    const p = commit(b);
    inflight = p;
    p.catch(() => undefined); // surfaced by the next `await inflight`
  };

  try {
    // An archive, a workbook or binary data: the job fails at once, saying what the file is.
    if (scan.notText) throw new HeaderError(scan.notText);
    const prepared = decl.prepare ? await decl.prepare(sql, options.companyId) : undefined;
    const limit = options.batchRows ?? DEFAULT_BATCH_ROWS;
    let header: HeaderMap | null = null;
    let b = newBatch(resumedFrom);
    const close = () => {
      const full = b;
      b = newBatch(b.endLine);
      return submit(full);
    };

    for await (const item of readCsv(options.source, scan)) {
      if (header === null) {
        // The header is read on every run (a resume too): it maps the columns.
        if (item.kind === "problem") throw new HeaderError(`the header could not be read: ${item.reason}`);
        if (item.cells.every((c) => cleanLine(c) === null)) continue;
        // PostgreSQL text and jsonb cannot hold NUL: a header with one would fail every write of the job.
        if (item.cells.some((c) => c.includes("\u0000"))) throw new HeaderError("this is not a CSV text file: its header holds a NUL byte");
        header = resolveHeader(options.kind, item.cells);
        stats.data.ignoredColumns = [...header.ignored];
        continue;
      }
      if (item.line <= resumedFrom) continue;
      b.endLine = item.endLine;
      if (item.kind === "problem") {
        b.count++;
        b.rejects.push({ line: item.line, reason: item.reason, cells: null });
      } else if (item.cells.every((c) => cleanLine(c) === null)) {
        b.blankLines++;
        continue;
      } else {
        b.count++;
        const pending = readRecord(item.cells, item.line, item.endLine, header, env, decl, prepared);
        if ("reason" in pending) b.rejects.push(pending);
        else b.rows.push(pending);
      }
      if (b.count >= limit) {
        await close();
        if (options.signal?.aborted) {
          await inflight;
          throw new ImportInterrupted(`interrupted after line ${job.lastLine}`);
        }
      }
    }
    if (header === null) throw new HeaderError("the file is empty (no header row)");
    if (b.count > 0 || b.blankLines > 0) await close();
    await inflight;
    await finishJob(sql, job);
  } catch (err) {
    await inflight.catch(() => undefined);
    // Another process owns the job, or a stop was asked for: the job stays as it is, resumable.
    if (err instanceof ImportConflict || err instanceof ImportInterrupted) throw err;
    const message = err instanceof Error ? err.message : String(err);
    await failJob(sql, job, message).catch(() => undefined);
    if (!(err instanceof HeaderError)) throw err;
  }
  return { job, alreadyDone: false, resumedFrom, rowsThisRun, elapsedMs: Date.now() - started };
}

function readRecord(
  raw: string[],
  line: number,
  endLine: number,
  header: HeaderMap,
  env: CleanEnv,
  decl: ImportDeclaration,
  prepared: unknown,
): Pending | RejectedRow {
  let cells = raw;
  if (cells.length > header.width && cells.slice(header.width).every((c) => cleanLine(c) === null)) {
    // Trailing empty cells (a spreadsheet's ",,," after the last column) are not extra columns.
    cells = cells.slice(0, header.width);
  }
  if (cells.length !== header.width) {
    const span = endLine > line ? ` (record spans lines ${line}–${endLine}: check for an unbalanced quote)` : "";
    return { line, reason: `expected ${header.width} columns, found ${cells.length}${span}`, cells: raw };
  }
  const r = readRow(decl, csvCells(cells, header), line, env, prepared);
  if (!r.ok) return { line, reason: r.reason, field: r.field, cells };
  return { line, cells, row: r.row };
}
