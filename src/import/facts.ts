// Facts that belong to a customer (orders, interactions, tickets, survey
// answers): each names its customer (external id, email or phone) and has an
// external id, given or derived from its content. factImport() turns a
// source's fact columns and its cleaner into the source's import declaration;
// the writer (write-facts.ts) resolves the customer and copies the customer's
// current owner onto the row.
import type { SqlType } from "../db/bulk.js";
import type { CleanedRow, ImportColumn, ImportDeclaration } from "../sources/declaration.js";
import { defineImport } from "../sources/declaration.js";
import { derivedId, Row, RowRejected, type CustomerRef } from "./row.js";
import { writeFactBatch } from "./write-facts.js";

export interface FactColumn {
  readonly name: string;
  readonly type: SqlType;
}

export interface FactRow extends CleanedRow {
  readonly externalId: string;
  /** The external id was derived from the row's content. */
  readonly derived: boolean;
  readonly customer: CustomerRef;
  /** Text values of the kind's columns, in FactTable.columns order. */
  readonly values: readonly (string | null)[];
}

/** Where a kind's facts go: the table and the columns besides id, company_id, external_id, customer_id, team_id, member_id. */
export interface FactTable {
  readonly kind: string;
  readonly table: string;
  readonly columns: readonly FactColumn[];
}

export const iso = (d: Date | null) => (d === null ? null : d.toISOString());

export function notBefore(later: Date | null, laterName: string, earlier: Date, earlierName: string): void {
  if (later !== null && later.getTime() < earlier.getTime()) throw new RowRejected(`${laterName} is before ${earlierName}`, laterName);
}

const col = (name: string, aliases: readonly string[], rule: string, required = false): ImportColumn => ({ name, aliases, rule, required });

/** How a fact row names its customer: any one of these columns (external id first, then email, then phone). */
export const CUSTOMER_REF: readonly ImportColumn[] = [
  col("customer_external_id", ["customer", "customer_id", "customer_code", "customer_no", "client_id", "客户编号", "客户id", "客户代码"], "see [Facts name their customer](#facts-name-their-customer)"),
  col("customer_email", ["email", "customer_mail", "客户邮箱", "邮箱"], ""),
  col("customer_phone", ["phone", "mobile", "customer_mobile", "客户电话", "客户手机", "手机", "电话"], ""),
];
export const CUSTOMER_REF_COLUMNS = CUSTOMER_REF.map((c) => c.name);

export interface FactImportSpec {
  readonly kind: string;
  readonly table: string;
  /** The external_id column (its aliases and rule); the customer columns follow it. */
  readonly externalId: ImportColumn;
  /** The kind's own columns, after the customer columns. */
  readonly columns: readonly ImportColumn[];
  /** Table columns filled from read()'s values, in that order. */
  readonly tableColumns: readonly FactColumn[];
  readonly after?: readonly string[];
  /** Cleans the kind's own cells into text values in tableColumns order. */
  read(row: Row): (string | null)[];
}

/** The import declaration of a customer fact kind. */
export function factImport(spec: FactImportSpec): ImportDeclaration {
  const table: FactTable = { kind: spec.kind, table: spec.table, columns: spec.tableColumns };
  const required = spec.columns.filter((c) => c.required).map((c) => [c.name]);
  return defineImport<FactRow>({
    kind: spec.kind,
    columns: [spec.externalId, ...CUSTOMER_REF, ...spec.columns],
    requiredGroups: [CUSTOMER_REF_COLUMNS, ...required],
    after: spec.after ?? ["customers"],
    read: (row) => readFact(spec.kind, spec.read, row),
    write: (tx, ctx, rows) => writeFactBatch(tx, ctx, table, rows),
  });
}

/** Cleans one fact record; throws RowRejected with the reason. */
export function readFact(kind: string, read: (row: Row) => (string | null)[], row: Row): FactRow {
  const customer = row.customerRef();
  const given = row.id("external_id");
  const values = read(row);
  let externalId = given;
  if (externalId === null) {
    externalId = derivedId(kind, [`${customer.by}:${customer.value}`, ...values]);
    row.events.push({ k: "derived" });
  }
  return { line: row.line, externalId, derived: given === null, customer, values, warnings: row.warnings, events: row.events };
}
