// The import kinds and the columns each reads, derived from the source
// declarations (src/sources): their column names, the header spellings accepted
// (English, Chinese, CRM exports) and which must be present. docs/import.md's
// tables are generated from the same declarations (scripts/docs-import.ts).
import { CUSTOMER_REF_COLUMNS } from "./facts.js";
import { IMPORT_DECLARATIONS, type ImportColumn } from "../sources/index.js";

/** Import kinds in import order: a kind's rows name records of kinds before it only. */
export const IMPORT_KINDS: readonly string[] = IMPORT_DECLARATIONS.map((d) => d.import.kind);
export type ImportKind = string;

export function isImportKind(value: string): value is ImportKind {
  return IMPORT_KINDS.includes(value);
}

export type ColumnDef = ImportColumn;

export { CUSTOMER_REF_COLUMNS };

export const COLUMNS: Readonly<Record<ImportKind, readonly ColumnDef[]>> = Object.fromEntries(
  IMPORT_DECLARATIONS.map((d) => [d.import.kind, d.import.columns]),
);

/** Header groups of which at least one column must be present. */
export function requiredColumnGroups(kind: ImportKind): (readonly string[])[] {
  const decl = IMPORT_DECLARATIONS.find((d) => d.import.kind === kind)!;
  return [...(decl.import.requiredGroups ?? decl.import.columns.filter((c) => c.required).map((c) => [c.name]))];
}
