// Catalogue pieces several sources share: the customer's dimensions and fields
// (joined only when a measure uses them) and the usual attribution columns.
import type { Dimension, FieldDef } from "../metrics/catalog.js";
import type { ImportColumn } from "./declaration.js";

export const hours = (from: string, to: string) => `(EXTRACT(EPOCH FROM (${to} - ${from})) / 3600.0)`;

/**
 * A customer's lifecycle stage at the window's end, from the stage history
 * (customer_lifecycle_stages, kept by a trigger); the current stage when the
 * history has nothing before the end.
 */
export const stageAtWindowEnd = (customer: string) =>
  `COALESCE((SELECT h.stage FROM customer_lifecycle_stages h WHERE h.customer_id = ${customer}.id AND h.entered_at < w.e ORDER BY h.entered_at DESC, h.stage LIMIT 1), ${customer}.lifecycle_stage)`;

/** Dimensions of the row's customer, marked *(customer)* in docs/plugins.md. */
export const customerDims: Partial<Record<Dimension, FieldDef>> = {
  segment: { sql: "c.segment", type: "string", description: "customer segment", needsCustomer: true },
  lifecycleStage: { sql: stageAtWindowEnd("c"), type: "string", description: "the customer's lifecycle stage at the period's end", needsCustomer: true },
  acquisitionChannel: {
    sql: "c.acquisition_channel",
    type: "string",
    description: "customer acquisition channel",
    needsCustomer: true,
  },
  campaign: { sql: "c.campaign_id::text", type: "string", description: "campaign that acquired the customer", needsCustomer: true },
};

/** Facts carry the team and member they were attributed to when they happened. */
export const attribution = { team: "t.team_id", member: "t.member_id", customer: "t.customer_id" } as const;

/** Fields of the row's customer, for filters on facts (joined only when used). */
export const customerFields: Record<string, FieldDef> = {
  customerCampaignId: { sql: "c.campaign_id::text", type: "string", description: "campaign that acquired the customer", needsCustomer: true },
  customerSegment: { sql: "c.segment", type: "string", description: "the customer's segment", needsCustomer: true },
  customerActive: {
    sql: "(c.acquired_at IS NOT NULL AND c.acquired_at < w.e AND (c.churned_at IS NULL OR c.churned_at >= w.e))",
    type: "boolean",
    description: "the customer is active (acquired, not churned) at the window's end",
    needsCustomer: true,
  },
};

/** Facts whose rows name a customer export its external id so the file re-imports. */
export const customerExport = {
  extra: [{ header: "customer_external_id", sql: "coalesce(c.external_id, c.id::text)" }],
  joins: ["LEFT JOIN customers c ON c.id = t.customer_id"],
} as const;

export const col = (name: string, aliases: readonly string[], rule: string, required = false): ImportColumn => ({ name, aliases, rule, required });
