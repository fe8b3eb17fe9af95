// What one data source is, declared once: its table and typed columns, what
// the metric catalogue may read of it (fields, which are filterable, dimensions,
// time fields, attribution per subject level), how a CSV or JSON row of it is
// read and cleaned (column names, English/Chinese/CRM aliases, cleaners, the
// batch writer), and how it is exported. The catalogue (src/metrics/catalog.ts),
// the importer and sync (src/import/*), the export and the docs tables are
// derived from these declarations (src/sources/index.ts lists them).
import type { SqlDriver } from "../db/driver.js";
import type { ImportIssue } from "../import/jobs.js";
import type { CleanEnv, Row } from "../import/row.js";
import type { StatEvent, StatsCollector } from "../import/stats.js";
import type { Dimension, FieldDef, SubjectLevel } from "../metrics/catalog.js";
import type { SqlType } from "../db/bulk.js";

type Exec = Pick<SqlDriver, "query">;

/** What the metric catalogue offers of a source (plugins select these by name). */
export interface MetricDeclaration {
  /** SQL expression of each subject level's column; absent = the source cannot be attributed at that level. */
  readonly subjects: Partial<Record<Exclude<SubjectLevel, "company">, string>>;
  /** Timestamp fields a measure may place in the period; the first is the default. */
  readonly timeFields: readonly string[];
  /** Supports `at: periodStart | periodEnd` (state at an instant, not events in a window). */
  readonly snapshot?: { readonly from: string; readonly until: string };
  /** Fields a measure may aggregate or filter on (every field is filterable). */
  readonly fields: Readonly<Record<string, FieldDef>>;
  readonly dimensions: Readonly<Partial<Record<Dimension, FieldDef>>>;
  /** Column naming the entity a row belongs to, for cohorts and nested aggregates (plugin-schema ENTITIES); absent = none. */
  readonly entities?: Readonly<Partial<Record<"customer" | "opportunity", string>>>;
}

/** One column a file (or a JSON record) may carry. */
export interface ImportColumn {
  /** Canonical name: the header a file should use, and the key of a JSON record. */
  readonly name: string;
  /** Other header spellings accepted (compared after headerKey(): lower case, `_` for spaces …). */
  readonly aliases: readonly string[];
  /** A row with this cell blank is refused. */
  readonly required?: boolean;
  /** The rule as docs/import.md states it (the docs table is generated from these). */
  readonly rule: string;
}

/** A cleaned row, ready for its kind's batch writer. */
export interface CleanedRow {
  readonly line: number;
  readonly warnings: readonly string[];
  readonly events: readonly StatEvent[];
}

export type RowOutcome = "inserted" | "updated" | "unchanged";

export interface BatchResult {
  /** Outcome per accepted row, by line. */
  outcomes: Map<number, RowOutcome>;
  rejects: ImportIssue[];
  /** Remarks on accepted rows (merged duplicates …). */
  warnings?: ImportIssue[];
}

export interface WriteContext {
  readonly companyId: string;
  /**
   * The import job, whose import_job_keys find duplicates of earlier batches of the
   * same file; null for a JSON sync batch (written whole, duplicates found in memory).
   */
  readonly jobId: string | null;
  readonly stats: StatsCollector;
}

/** How rows of a source come in: CSV files (npm run import, importCsv) and JSON batches (sync). */
export interface ImportDeclaration<R extends CleanedRow = CleanedRow, P = unknown> {
  /** The import kind (ImportKind enum value, lower case: "campaign_costs"). */
  readonly kind: string;
  readonly columns: readonly ImportColumn[];
  /** Header groups of which at least one column must be present; default: each required column. */
  readonly requiredGroups?: readonly (readonly string[])[];
  /** Import kinds whose records rows of this kind name: they must be imported first. */
  readonly after: readonly string[];
  /** Files may carry attr_<name> columns (customers). */
  readonly attributeColumns?: boolean;
  /** A paragraph docs/import.md prints under the table (how rows are matched, what they refer to). */
  readonly notes?: string;
  /** Loads what reading needs once per import or sync batch (a directory of names). */
  prepare?(sql: Exec, companyId: string): Promise<P>;
  /** Cleans one row; throws RowRejected(reason, field). */
  read(row: Row, prepared: P): R;
  /** Writes one batch of cleaned rows inside the caller's transaction. */
  write(tx: Exec, ctx: WriteContext, rows: readonly R[]): Promise<BatchResult>;
}

export interface ExportColumn {
  readonly header: string;
  readonly sql: string;
}

/** How `npm run export` writes the table: time order and the columns a re-import needs. */
export interface ExportDeclaration {
  /** ORDER BY over `t` (the id breaks ties, so the output is deterministic). */
  readonly order: string;
  /** external_id falls back to the row's Yardstick id when it has none. */
  readonly externalIdFallback?: boolean;
  /** Extra columns after the table's own, for a re-import (names instead of ids). */
  readonly extra?: readonly ExportColumn[];
  readonly joins?: readonly string[];
}

export interface SourceDeclaration<N extends string = string, M extends MetricDeclaration | undefined = MetricDeclaration | undefined> {
  /** Catalogue name (a plugin measure's `source`), camelCase. */
  readonly name: N;
  readonly table: string;
  readonly description: string;
  /** The table's columns the importer and the seed write (id and company_id aside), with their SQL types. */
  readonly columns: Readonly<Record<string, SqlType>>;
  readonly metric: M;
  readonly import?: ImportDeclaration;
  readonly export: ExportDeclaration;
}

/** Keeps the literal name and whether the source is a metric source in the type. */
export function defineSource<const N extends string, M extends MetricDeclaration | undefined>(d: SourceDeclaration<N, M>): SourceDeclaration<N, M> {
  return d;
}

/** A kind's reader and writer, typed for its own row shape; stored erased in the declaration. */
export function defineImport<R extends CleanedRow, P = undefined>(d: ImportDeclaration<R, P>): ImportDeclaration {
  return d as unknown as ImportDeclaration;
}

export type { CleanEnv };
