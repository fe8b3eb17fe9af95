// CSV import through the API: managers send a CSV (as text, or as a file in a
// GraphQL multipart request) and get the import job back; the job's progress,
// rejected lines and cleaning counters stay readable afterwards. Large files are
// for the CLI (`npm run import`): a request is bounded by the server's size limit.
import { GraphQLError } from "graphql";
import { audit } from "../auth/audit.js";
import type { Viewer } from "../auth/viewer.js";
import { runImport, type ImportOutcome } from "../import/importer.js";
import { ImportConflict, type ImportIssue, type ImportJobState } from "../import/jobs.js";
import type { ImportKind } from "../import/kinds.js";
import { IMPORT_DECLARATIONS } from "../sources/index.js";
import { blobSource, textSource, type ImportSource } from "../import/source.js";
import { logger } from "../logger.js";
import { builder } from "./builder.js";
import { CompanyRef } from "./company.js";
import { companyOf, type Context } from "./context.js";
import { userError } from "./errors.js";
import { uuidOrNil } from "./ids.js";

function isFileLike(value: unknown): value is File {
  const v = value as Partial<File> | null;
  return typeof v === "object" && v !== null && typeof v.arrayBuffer === "function" && typeof v.size === "number";
}

builder.scalarType("File", {
  description: "A file sent in a GraphQL multipart request (input only).",
  serialize: () => {
    throw new GraphQLError("File is an input-only scalar");
  },
  // Yoga has already parsed the multipart body into a WHATWG File (its fetch ponyfill's, so
  // not necessarily an instance of Node's global File: recognised by shape).
  parseValue: (value) => {
    if (isFileLike(value)) return value;
    throw new GraphQLError("File: send the file as a part of a GraphQL multipart request");
  },
});

export const ImportKindEnum = builder.enumType("ImportKind", {
  description: "What a CSV import holds; docs/import.md lists each kind's columns and the order to import them in.",
  values: Object.fromEntries(IMPORT_DECLARATIONS.map((d) => [d.import.kind.toUpperCase(), { value: d.import.kind, description: d.description }])) as Record<
    Uppercase<ImportKind>,
    { value: ImportKind; description: string }
  >,
});

const ImportStatusEnum = builder.enumType("ImportStatus", {
  values: {
    RUNNING: { value: "running", description: "Running, or interrupted: importing the same file again resumes it." },
    DONE: { value: "done" },
    FAILED: { value: "failed", description: "Stopped; `error` says why. Importing the same file again resumes after lastLine." },
  } as const,
});

const ImportIssueRef = builder.objectRef<ImportIssue>("ImportIssue").implement({
  description: "A line of the file and what happened to it.",
  fields: (t) => ({
    line: t.exposeInt("line", { description: "Physical line in the file; the header is line 1." }),
    reason: t.exposeString("reason"),
  }),
});

function issues(value: unknown, first: number): ImportIssue[] {
  const list = Array.isArray(value) ? (value as ImportIssue[]) : [];
  return list.slice(0, Math.max(0, first));
}

const ImportJobRef = builder.prismaObject("ImportJob", {
  description: "One CSV import: progress, counts, and the first rejected lines with their reasons.",
  fields: (t) => ({
    id: t.exposeID("id"),
    kind: t.field({ type: ImportKindEnum, resolve: (j) => j.kind as ImportKind }),
    fileName: t.exposeString("fileName", { nullable: true }),
    fileHash: t.exposeString("fileHash", { description: "SHA-256 of the file; the same file imported again resumes or is a no-op." }),
    status: t.field({ type: ImportStatusEnum, resolve: (j) => j.status as "running" | "done" | "failed" }),
    dayFirst: t.boolean({ resolve: (j) => (j.options as { dayFirst?: boolean } | null)?.dayFirst === true }),
    totalLines: t.exposeInt("totalLines", { description: "Physical lines in the file, header included." }),
    lastLine: t.exposeInt("lastLine", { description: "Last line of the last committed batch." }),
    progress: t.float({
      description: "Share of the file's lines committed, 0–1.",
      resolve: (j) => (j.status === "done" ? 1 : j.totalLines > 0 ? Math.min(1, j.lastLine / j.totalLines) : 0),
    }),
    rowsProcessed: t.exposeInt("rowsProcessed"),
    rowsImported: t.exposeInt("rowsImported", { description: "Rows inserted or changed." }),
    rowsUpdated: t.exposeInt("rowsUpdated", { description: "Of rowsImported, rows that changed an existing record." }),
    rowsUnchanged: t.exposeInt("rowsUnchanged", { description: "Rows already present with the same values." }),
    rowsRejected: t.exposeInt("rowsRejected"),
    rejects: t.field({
      type: [ImportIssueRef],
      description: "Rejected lines with the reason, in file order (the job keeps the first 1,000).",
      args: { first: t.arg.int({ defaultValue: 100 }) },
      resolve: (j, { first }) => issues(j.rejects, first ?? 100),
    }),
    warnings: t.field({
      type: [ImportIssueRef],
      description: "Imported lines with a remark: merged duplicates, unknown owners … (the first 1,000).",
      args: { first: t.arg.int({ defaultValue: 100 }) },
      resolve: (j, { first }) => issues(j.warnings, first ?? 100),
    }),
    stats: t.expose("stats", { type: "JSON", description: "What cleaning did: values mapped to \"other\", dates by format, blanks filled …" }),
    error: t.exposeString("error", { nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
    finishedAt: t.expose("finishedAt", { type: "DateTime", nullable: true }),
  }),
});

const manager = { manager: true } as const;

builder.prismaObjectField(CompanyRef, "importJobs", (t) =>
  t.prismaField({
    type: [ImportJobRef],
    authScopes: manager,
    description: "The company's CSV imports, newest first.",
    args: { first: t.arg.int({ defaultValue: 20 }), kind: t.arg({ type: ImportKindEnum }) },
    resolve: (query, company, { first, kind }, ctx) =>
      ctx.prisma.importJob.findMany({
        ...query,
        where: { companyId: company.id, ...(kind ? { kind } : {}) },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        take: Math.min(Math.max(first ?? 20, 0), 100),
      }),
  }),
);

builder.queryField("importJob", (t) =>
  t.prismaField({
    type: ImportJobRef,
    nullable: true,
    authScopes: manager,
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, { id }, ctx) => ctx.prisma.importJob.findFirst({ ...query, where: { id: uuidOrNil(String(id)), companyId: companyOf(ctx) } }),
  }),
);

const CONTROL = /[\u0000-\u001f\u007f]/;

function checkFileName(fileName: string | null | undefined): string | null {
  if (fileName === null || fileName === undefined) return null;
  const name = fileName.trim();
  if (!name || name.length > 255 || CONTROL.test(name)) throw userError("BAD_USER_INPUT", "fileName", "fileName: 1–255 characters, without control characters");
  return name;
}

/**
 * Runs the import; with `wait` the answer is the finished job, without it the
 * job as soon as it exists (poll importJob(id) for progress).
 */
async function startImport(ctx: Context, kind: ImportKind, source: ImportSource, fileName: string | null, flags: { dayFirst: boolean; restart: boolean; wait: boolean }) {
  const viewer: Viewer = ctx.viewer!;
  let started: (job: ImportJobState) => void = () => undefined;
  const jobReady = new Promise<ImportJobState>((resolve) => (started = resolve));
  const run = runImport(ctx.db, {
    companyId: companyOf(ctx),
    kind,
    source,
    fileName,
    dayFirst: flags.dayFirst,
    restart: flags.restart,
    createdBy: `apiKey:${viewer.keyId}`,
    onStart: (job) => started(job),
  });
  let job: ImportJobState;
  let alreadyDone = false;
  try {
    if (flags.wait) {
      const outcome: ImportOutcome = await run;
      job = outcome.job;
      alreadyDone = outcome.alreadyDone;
    } else {
      run.catch((err: unknown) => logger.error({ err, kind }, "background import failed"));
      // A file imported already finishes without (re)opening a job: then `run` answers first.
      ({ job, alreadyDone } = await Promise.race([
        jobReady.then((j) => ({ job: j, alreadyDone: false })),
        run.then((o) => ({ job: o.job, alreadyDone: o.alreadyDone })),
      ]));
    }
  } catch (err) {
    if (err instanceof ImportConflict) throw userError("IMPORT_IN_PROGRESS", "csv", "This file is being imported by another request or process; try again when it is done.");
    throw err;
  }
  if (!alreadyDone) await audit(ctx.prisma, viewer, "import.csv", kind, { jobId: job.id, fileName: job.fileName, fileHash: job.fileHash });
  return job.id;
}

const importArgs = (t: Parameters<Parameters<typeof builder.mutationField>[1]>[0]) => ({
  kind: t.arg({ type: ImportKindEnum, required: true }),
  dayFirst: t.arg.boolean({ defaultValue: false, description: "Read 03/05/2026 as 3 May (day first) instead of 5 March." }),
  restart: t.arg.boolean({ defaultValue: false, description: "Process the file again although it was imported already (changes nothing unless the data changed)." }),
  wait: t.arg.boolean({ defaultValue: true, description: "Answer when the import is done; false answers at once with the running job." }),
});

builder.mutationField("importCsv", (t) =>
  t.prismaField({
    type: ImportJobRef,
    authScopes: manager,
    description: "Imports CSV text for the caller's company. The same text again is a no-op; an interrupted import resumes.",
    args: { ...importArgs(t), csv: t.arg.string({ required: true }), fileName: t.arg.string() },
    resolve: async (query, _root, args, ctx) => {
      if (args.csv.trim() === "") throw userError("BAD_USER_INPUT", "csv", "csv: the CSV text is empty");
      const fileName = checkFileName(args.fileName);
      const id = await startImport(ctx, args.kind, textSource(args.csv, fileName), fileName, {
        dayFirst: args.dayFirst ?? false, restart: args.restart ?? false, wait: args.wait ?? true,
      });
      return ctx.prisma.importJob.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);

builder.mutationField("importCsvFile", (t) =>
  t.prismaField({
    type: ImportJobRef,
    authScopes: manager,
    description: "Like importCsv, with the CSV as an uploaded file (GraphQL multipart request).",
    args: { ...importArgs(t), file: t.arg({ type: "File", required: true }) },
    resolve: async (query, _root, args, ctx) => {
      if (args.file.size === 0) throw userError("BAD_USER_INPUT", "file", "file: the file is empty");
      const fileName = checkFileName(args.file.name || null);
      const id = await startImport(ctx, args.kind, blobSource(args.file, fileName), fileName, {
        dayFirst: args.dayFirst ?? false, restart: args.restart ?? false, wait: args.wait ?? true,
      });
      return ctx.prisma.importJob.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);
