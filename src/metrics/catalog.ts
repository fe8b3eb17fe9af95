// The fixed catalogue of sources a measure may aggregate, and of the fields a
// measure may read or filter on. This file is the only place SQL identifiers
// and expressions come from: plugin text selects entries here by name and
// never becomes SQL text itself.
//
// The entries themselves are declared per source in src/sources/*.ts (one
// declaration drives the catalogue, import, sync, export and the docs tables).
//
// In expressions, `t` is the source row, `c` the row's customer (joined only
// when a breakdown or field needs it), `w.s`/`w.e` the window's bounds.

import { METRIC_DECLARATIONS, type MetricDeclaration, type MetricSourceName } from "../sources/index.js";

export type SubjectLevel = "company" | "team" | "member" | "customer";
export const SUBJECT_LEVELS: readonly SubjectLevel[] = ["company", "team", "member", "customer"];

export type FieldType = "number" | "string" | "boolean" | "timestamp" | "id";

export interface FieldDef {
  sql: string;
  type: FieldType;
  description: string;
  /** The expression reads the customer row `c`. */
  needsCustomer?: boolean;
}

/** Names of the sources a measure may aggregate: the declared sources with a metric part (src/sources). */
export type SourceName = MetricSourceName;

export type Dimension =
  | "channel"
  | "product"
  | "category"
  | "segment"
  | "lifecycleStage"
  | "funnelStage"
  | "campaign"
  | "acquisitionChannel"
  | "priority"
  | "surveyKind"
  | "question"
  | "direction";

export const DIMENSIONS: readonly Dimension[] = [
  "channel", "product", "category", "segment", "lifecycleStage", "funnelStage", "campaign",
  "acquisitionChannel", "priority", "surveyKind", "question", "direction",
];

export interface SourceDef extends MetricDeclaration {
  table: string;
  description: string;
}

/** The catalogue, derived from the source declarations (src/sources/*.ts). */
export const SOURCES = Object.fromEntries(
  METRIC_DECLARATIONS.map((d) => [d.name, { table: d.table, description: d.description, ...d.metric }]),
) as unknown as Record<SourceName, SourceDef>;

/**
 * Dimensions whose values are ids of another table: a breakdown shows the row's name
 * instead (campaign slices are keyed by campaign name, not by UUID).
 */
export const DIMENSION_NAMES: Partial<Record<Dimension, { table: string }>> = { campaign: { table: "campaigns" } };

/** SQL column behind a time field name (fields map holds it). */
export function timeColumn(source: SourceDef, field: string): string {
  const def = source.fields[field];
  if (!def || def.type !== "timestamp") throw new Error(`not a time field: ${field}`);
  return def.sql;
}

export function isSourceName(name: string): name is SourceName {
  return Object.prototype.hasOwnProperty.call(SOURCES, name);
}
