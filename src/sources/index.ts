// Every source, in import order (a kind names only records of kinds before it).
// Adding a source: a migration for its table, one declaration file here, and
// its entry in this list (docs/architecture.md, "Adding a source").
import { campaignCosts } from "./campaign-costs.js";
import { campaigns } from "./campaigns.js";
import { customers } from "./customers.js";
import type { ImportDeclaration, MetricDeclaration, SourceDeclaration } from "./declaration.js";
import { interactions } from "./interactions.js";
import { members } from "./members.js";
import { opportunities } from "./opportunities.js";
import { opportunityStages } from "./opportunity-stages.js";
import { orders } from "./orders.js";
import { ratings } from "./ratings.js";
import { surveys } from "./surveys.js";
import { teams } from "./teams.js";
import { tickets } from "./tickets.js";

export const DECLARATIONS = [
  teams, members, campaigns, customers, opportunities, opportunityStages, orders, interactions, tickets, surveys, campaignCosts, ratings,
] as const;

type Declared = (typeof DECLARATIONS)[number];

/** Catalogue names of the sources a plugin measure may aggregate. */
export type MetricSourceName = Declared extends infer D ? (D extends SourceDeclaration<infer N, MetricDeclaration> ? N : never) : never;

export const METRIC_DECLARATIONS = DECLARATIONS.filter(
  (d): d is Extract<Declared, SourceDeclaration<MetricSourceName, MetricDeclaration>> => d.metric !== undefined,
);

/** Sources that import, in import order. */
export const IMPORT_DECLARATIONS: readonly (SourceDeclaration & { import: ImportDeclaration })[] = DECLARATIONS.filter(
  (d): d is typeof d & { import: ImportDeclaration } => (d as SourceDeclaration).import !== undefined,
);

const BY_KIND = new Map(IMPORT_DECLARATIONS.map((d) => [d.import.kind, d]));

export function declarationOfKind(kind: string): SourceDeclaration & { import: ImportDeclaration } {
  const d = BY_KIND.get(kind);
  if (!d) throw new Error(`no import kind ${kind}`);
  return d;
}

export type { CleanedRow, ImportColumn, ImportDeclaration, MetricDeclaration, SourceDeclaration } from "./declaration.js";
