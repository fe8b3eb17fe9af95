// Column lists of the tables the seed and the importer bulk-write (company_id and other per-company constants
// are sent once per statement, not per row). Column order = RowOf tuple order.
import { BulkTable, type ColumnSpec } from "./bulk.js";

const c = <N extends string, T extends ColumnSpec["type"]>(name: N, type: T) => ({ name, type }) as const;

export const TEAM_COLUMNS = [c("id", "uuid"), c("name", "text"), c("created_at", "timestamptz")] as const;

export const MEMBER_COLUMNS = [
  c("id", "uuid"), c("team_id", "uuid"), c("name", "text"), c("email", "text"), c("role", "text"),
  c("active", "boolean"), c("created_at", "timestamptz"),
] as const;

export const CAMPAIGN_COLUMNS = [
  c("id", "uuid"), c("name", "text"), c("channel", "text"), c("starts_at", "timestamptz"), c("ends_at", "timestamptz"),
] as const;

export const CAMPAIGN_COST_COLUMNS = [
  c("id", "uuid"), c("campaign_id", "uuid"), c("team_id", "uuid"), c("member_id", "uuid"), c("kind", "text"),
  c("amount", "numeric"), c("at", "timestamptz"),
] as const;

export const CUSTOMER_COLUMNS = [
  c("id", "uuid"), c("external_id", "text"), c("name", "text"), c("email", "text"), c("phone", "text"),
  c("owner_member_id", "uuid"), c("owner_team_id", "uuid"), c("segment", "text"), c("lifecycle_stage", "text"),
  c("acquisition_channel", "text"), c("campaign_id", "uuid"), c("acquired_at", "timestamptz"),
  c("churned_at", "timestamptz"), c("attributes", "jsonb"), c("notes", "text"), c("created_at", "timestamptz"),
] as const;

export const ORDER_COLUMNS = [
  c("id", "uuid"), c("customer_id", "uuid"), c("team_id", "uuid"), c("member_id", "uuid"), c("amount", "numeric"),
  c("product", "text"), c("category", "text"), c("channel", "text"), c("at", "timestamptz"),
] as const;

export const INTERACTION_COLUMNS = [
  c("id", "uuid"), c("customer_id", "uuid"), c("team_id", "uuid"), c("member_id", "uuid"), c("channel", "text"),
  c("direction", "text"), c("duration_seconds", "int"), c("outcome", "text"), c("responded_at", "timestamptz"),
  c("at", "timestamptz"),
] as const;

export const OPPORTUNITY_COLUMNS = [
  c("id", "uuid"), c("customer_id", "uuid"), c("team_id", "uuid"), c("member_id", "uuid"), c("name", "text"),
  c("value", "numeric"), c("source_channel", "text"), c("stage", "text"), c("status", "text"),
  c("created_at", "timestamptz"), c("closed_at", "timestamptz"),
] as const;

export const STAGE_COLUMNS = [
  c("id", "uuid"), c("opportunity_id", "uuid"), c("customer_id", "uuid"), c("team_id", "uuid"), c("member_id", "uuid"),
  c("stage", "text"), c("stage_order", "int"), c("entered_at", "timestamptz"),
] as const;

export const TICKET_COLUMNS = [
  c("id", "uuid"), c("customer_id", "uuid"), c("team_id", "uuid"), c("member_id", "uuid"), c("kind", "text"),
  c("category", "text"), c("priority", "text"), c("channel", "text"), c("subject", "text"), c("opened_at", "timestamptz"),
  c("first_response_at", "timestamptz"), c("resolved_at", "timestamptz"), c("due_at", "timestamptz"),
  c("escalated", "boolean"), c("reopened", "boolean"), c("satisfaction", "int"),
] as const;

export const SURVEY_COLUMNS = [
  c("id", "uuid"), c("customer_id", "uuid"), c("team_id", "uuid"), c("member_id", "uuid"), c("kind", "text"),
  c("question", "text"), c("score", "float8"), c("scale", "int"), c("comment", "text"), c("at", "timestamptz"),
] as const;

export const RATING_COLUMNS = [
  c("id", "uuid"), c("subject_type", "text"), c("team_id", "uuid"), c("member_id", "uuid"), c("item", "text"),
  c("score", "float8"), c("scale", "int"), c("period_start", "timestamptz"), c("period_end", "timestamptz"),
  c("rated_by", "text"), c("comment", "text"), c("created_at", "timestamptz"),
] as const;

export function createTables(companyId: string, currency: string) {
  const company = [{ name: "company_id", type: "uuid", value: companyId }] as const;
  return {
    teams: new BulkTable("teams", TEAM_COLUMNS, company),
    members: new BulkTable("members", MEMBER_COLUMNS, company),
    campaigns: new BulkTable("campaigns", CAMPAIGN_COLUMNS, company),
    campaign_costs: new BulkTable("campaign_costs", CAMPAIGN_COST_COLUMNS, company),
    customers: new BulkTable("customers", CUSTOMER_COLUMNS, company),
    opportunities: new BulkTable("opportunities", OPPORTUNITY_COLUMNS, company),
    opportunity_stages: new BulkTable("opportunity_stages", STAGE_COLUMNS, company),
    orders: new BulkTable("orders", ORDER_COLUMNS, [...company, { name: "currency", type: "text", value: currency }]),
    interactions: new BulkTable("interactions", INTERACTION_COLUMNS, company),
    tickets: new BulkTable("tickets", TICKET_COLUMNS, company),
    survey_responses: new BulkTable("survey_responses", SURVEY_COLUMNS, company),
    ratings: new BulkTable("ratings", RATING_COLUMNS, company),
  };
}

export type SeedTables = ReturnType<typeof createTables>;
export type SeedTableName = keyof SeedTables;

/** Insert order that satisfies the foreign keys. */
export const TABLE_ORDER: readonly SeedTableName[] = [
  "teams", "members", "campaigns", "campaign_costs", "customers", "opportunities",
  "opportunity_stages", "orders", "interactions", "tickets", "survey_responses", "ratings",
];
