// CSV import as a command, for files of any size (the file is streamed, never loaded).
//
//   npm run import -- --company demo --kind orders --file orders.csv [--day-first] [--restart]
//                     [--batch 2000] [--rejects rejected.csv] [--database-url URL]
//
// A progress bar on a terminal, one line per second otherwise. Ctrl-C stops after
// the current batch commits; running the same command again resumes after it.
import { createWriteStream, type WriteStream } from "node:fs";
import { access } from "node:fs/promises";
import { parseArgs } from "node:util";
import cliProgress from "cli-progress";
import { stringify } from "csv-stringify";
import { ImportInterrupted, runImport, type ImportProgress, type RejectedRow } from "../import/importer.js";
import type { ImportIssue, ImportJobState } from "../import/jobs.js";
import { IMPORT_KINDS, isImportKind } from "../import/kinds.js";
import { fileSource, fileSize } from "../import/source.js";
import type { CleaningStats } from "../import/stats.js";
import { companyBySlug, openCliDatabase, UsageError } from "./open.js";

const USAGE = `usage: import --company SLUG --kind ${IMPORT_KINDS.join("|")} --file FILE.csv [--day-first] [--restart] [--batch N] [--rejects FILE.csv] [--database-url URL]`;
const SHOWN_REJECTS = 20;

const n = (v: number) => v.toLocaleString("en-US");

/** Terminal: a bar redrawn in place. Pipes and logs: a plain line at most once a second (and after the first batch). */
function progressReporter(tty: boolean) {
  let bar: cliProgress.SingleBar | null = null;
  let lastPrint = 0;
  let printed = 0;
  return {
    start(job: Readonly<ImportJobState>) {
      if (!tty) return;
      bar = new cliProgress.SingleBar(
        {
          format: "{bar} {percentage}% | line {value}/{total} | {rate} rows/s | imported {imported} | rejected {rejected} | ETA {eta_formatted}",
          hideCursor: true,
          etaBuffer: 20,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(Math.max(job.totalLines, 1), job.lastLine, { rate: "0", imported: n(job.rowsImported), rejected: n(job.rowsRejected) });
    },
    update(p: ImportProgress) {
      const payload = { rate: n(Math.round(p.rowsPerSecond)), imported: n(p.job.rowsImported), rejected: n(p.job.rowsRejected) };
      if (bar) {
        bar.update(p.job.lastLine, payload);
        return;
      }
      const now = Date.now();
      if (printed > 0 && now - lastPrint < 1000) return;
      lastPrint = now;
      printed++;
      const pct = p.job.totalLines > 0 ? Math.floor((100 * p.job.lastLine) / p.job.totalLines) : 0;
      console.log(`committed through line ${p.job.lastLine}/${p.job.totalLines} (${pct}%) | ${payload.rate} rows/s | imported ${payload.imported} | rejected ${payload.rejected}`);
    },
    stop() {
      bar?.stop();
    },
  };
}

function describeStats(stats: CleaningStats): string[] {
  const out: string[] = [];
  const other = Object.entries(stats.mappedToOther);
  if (other.length > 0) {
    const parts = other.map(([col, values]) => {
      const total = Object.values(values).reduce((a, b) => a + b, 0);
      const top = Object.entries(values).sort((a, b) => b[1] - a[1]).slice(0, 5).map(([v, c]) => `"${v}" ×${n(c)}`);
      return `${col}: ${n(total)} (${top.join(", ")})`;
    });
    out.push(`mapped to a fallback ("other", "normal", "custom"): ${parts.join("; ")}`);
  }
  const formats = Object.entries(stats.dateFormats).map(([f, c]) => `${f} ${n(c ?? 0)}`);
  if (formats.length > 0) out.push(`dates read as: ${formats.join(", ")}`);
  const filled = Object.entries(stats.filled).map(([c, k]) => `${c} ${n(k)}`);
  if (filled.length > 0) out.push(`blank cells filled: ${filled.join(", ")}`);
  const counters: [string, number][] = [
    ["emails normalised", stats.emailsNormalised], ["phones normalised", stats.phonesNormalised],
    ["phones without a country code", stats.phonesWithoutCountry], ["external ids derived from row content", stats.derivedExternalIds],
    ["customer rows merged into an earlier line's customer", stats.customersMerged], ["blank lines skipped", stats.blankLines],
  ];
  for (const [label, v] of counters) if (v > 0) out.push(`${label}: ${n(v)}`);
  if (stats.ignoredColumns.length > 0) out.push(`columns ignored (not part of this kind): ${stats.ignoredColumns.join(", ")}`);
  return out;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      company: { type: "string", default: "demo" },
      kind: { type: "string" },
      file: { type: "string" },
      "day-first": { type: "boolean", default: false },
      restart: { type: "boolean", default: false },
      batch: { type: "string" },
      rejects: { type: "string" },
      "database-url": { type: "string" },
    },
  });
  if (!values.kind || !values.file) throw new UsageError(USAGE);
  if (!isImportKind(values.kind)) throw new UsageError(`--kind: one of ${IMPORT_KINDS.join(", ")}`);
  const batchRows = values.batch === undefined ? undefined : Number(values.batch);
  if (batchRows !== undefined && (!Number.isInteger(batchRows) || batchRows < 1 || batchRows > 50_000)) throw new UsageError("--batch: 1–50000 rows");
  const file = values.file;
  await access(file).catch(() => {
    throw new UsageError(`--file: cannot read ${file}`);
  });

  const db = await openCliDatabase(values["database-url"]);
  let rejectsOut: { csv: ReturnType<typeof stringify>; file: WriteStream } | null = null;
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
    console.error("\nstopping after the current batch commits (Ctrl-C again to quit at once; the import resumes either way)…");
  };
  process.on("SIGINT", onSigint);
  const progress = progressReporter(process.stdout.isTTY === true);
  try {
    const company = await companyBySlug(db, values.company);
    if (values.rejects) {
      const out = createWriteStream(values.rejects);
      const csv = stringify({ header: false });
      csv.pipe(out);
      csv.write(["line", "reason", "cells…"]);
      rejectsOut = { csv, file: out };
    }
    const size = await fileSize(file);
    const outcome = await runImport(db, {
      companyId: company.id,
      kind: values.kind,
      source: fileSource(file),
      dayFirst: values["day-first"],
      restart: values.restart,
      batchRows,
      createdBy: "cli",
      signal: controller.signal,
      onStart: (job, from) => {
        console.log(`importing ${values.kind} from ${file} (${n(size)} bytes, ${n(job.totalLines)} lines) into ${company.slug} — job ${job.id}`);
        if (from > 0) console.log(`resuming after line ${n(from)} (${n(job.rowsProcessed)} rows already committed)`);
        progress.start(job);
      },
      onBatch: (p) => progress.update(p),
      onReject: (r: RejectedRow) => rejectsOut?.csv.write([String(r.line), r.reason, ...(r.cells ?? [])]),
    });
    progress.stop();
    const { job } = outcome;
    if (outcome.alreadyDone) {
      console.log(`${file} was imported already (job ${job.id}, started ${job.createdAt.toISOString()}): nothing to do; --restart processes it again.`);
    }
    if (job.status === "failed") {
      console.error(`import failed: ${job.error ?? "unknown error"}`);
      return 1;
    }
    const seconds = outcome.elapsedMs / 1000;
    const rate = seconds > 0 ? Math.round(outcome.rowsThisRun / seconds) : 0;
    if (!outcome.alreadyDone) {
      console.log(`done in ${seconds.toFixed(1)} s: ${n(outcome.rowsThisRun)} rows this run (${n(rate)} rows/s)`);
    }
    console.log(
      `rows ${n(job.rowsProcessed)}: imported ${n(job.rowsImported)} (of which updated ${n(job.rowsUpdated)}), unchanged ${n(job.rowsUnchanged)}, rejected ${n(job.rowsRejected)}`,
    );
    const stored = await db.sql.query<{ rejects: ImportIssue[] | string }>("SELECT rejects FROM import_jobs WHERE id = $1", [job.id]);
    const raw = stored[0]?.rejects ?? [];
    const rejects = (typeof raw === "string" ? JSON.parse(raw) : raw) as ImportIssue[];
    if (job.rowsRejected > 0) {
      console.log(`rejected rows (first ${Math.min(SHOWN_REJECTS, rejects.length)} of ${n(job.rowsRejected)}):`);
      for (const r of rejects.slice(0, SHOWN_REJECTS)) console.log(`  line ${r.line}: ${r.reason}`);
      if (values.rejects) console.log(`every row rejected in this run is in ${values.rejects}`);
    }
    for (const line of describeStats(job.stats)) console.log(`cleaning: ${line}`);
    return 0;
  } catch (err) {
    progress.stop();
    if (err instanceof ImportInterrupted) {
      console.error(`${err.message}: run the same command again to resume.`);
      return 130;
    }
    throw err;
  } finally {
    process.off("SIGINT", onSigint);
    if (rejectsOut) {
      const { csv, file: out } = rejectsOut;
      await new Promise<void>((resolve) => {
        out.on("close", () => resolve());
        csv.end();
      });
    }
    await db.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
