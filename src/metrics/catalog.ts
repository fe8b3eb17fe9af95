// The fixed catalogue of sources a measure may aggregate, and of the fields a
// measure may read or filter on. This file is the only place SQL identifiers
// and expressions come from: plugin text selects entries here by name and
// never becomes SQL text itself.
//
// In expressions, `t` is the source row, `c` the row's customer (joined only
// when a breakdown or field needs it), `w.s`/`w.e` the window's bounds.

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

export type SourceName =
  | "customers"
  | "orders"
  | "interactions"
  | "opportunities"
  | "opportunityStages"
  | "tickets"
  | "surveys"
  | "campaignCosts"
  | "ratings";

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
  | "direction";

export const DIMENSIONS: readonly Dimension[] = [
  "channel", "product", "category", "segment", "lifecycleStage", "funnelStage", "campaign",
  "acquisitionChannel", "priority", "surveyKind", "direction",
];

export interface SourceDef {
  table: string;
  description: string;
  /** Column of each subject level; absent = the source cannot be attributed at that level. */
  subjects: Partial<Record<Exclude<SubjectLevel, "company">, string>>;
  /** Timestamp fields a measure may place in the period; the first is the default. */
  timeFields: string[];
  /** Supports `at: periodStart | periodEnd` (state at an instant, not events in a window). */
  snapshot?: { from: string; until: string };
  fields: Record<string, FieldDef>;
  dimensions: Partial<Record<Dimension, FieldDef>>;
}

const hours = (from: string, to: string) => `(EXTRACT(EPOCH FROM (${to} - ${from})) / 3600.0)`;

const customerDims: Partial<Record<Dimension, FieldDef>> = {
  segment: { sql: "c.segment", type: "string", description: "customer segment", needsCustomer: true },
  lifecycleStage: { sql: "c.lifecycle_stage", type: "string", description: "customer lifecycle stage", needsCustomer: true },
  acquisitionChannel: {
    sql: "c.acquisition_channel",
    type: "string",
    description: "customer acquisition channel",
    needsCustomer: true,
  },
  campaign: { sql: "c.campaign_id::text", type: "string", description: "campaign that acquired the customer", needsCustomer: true },
};

const attribution = { team: "t.team_id", member: "t.member_id", customer: "t.customer_id" } as const;

/** Fields of the row's customer, for filters on facts (joined only when used). */
const customerFields: Record<string, FieldDef> = {
  customerCampaignId: { sql: "c.campaign_id::text", type: "string", description: "campaign that acquired the customer", needsCustomer: true },
  customerSegment: { sql: "c.segment", type: "string", description: "the customer's segment", needsCustomer: true },
  customerActive: {
    sql: "(c.acquired_at IS NOT NULL AND c.acquired_at < w.e AND (c.churned_at IS NULL OR c.churned_at >= w.e))",
    type: "boolean",
    description: "the customer is active (acquired, not churned) at the window's end",
    needsCustomer: true,
  },
};

export const SOURCES: Record<SourceName, SourceDef> = {
  customers: {
    table: "customers",
    description: "Customers; events are acquisitions and churns, snapshots count customers active at an instant.",
    subjects: { team: "t.owner_team_id", member: "t.owner_member_id", customer: "t.id" },
    timeFields: ["acquiredAt", "churnedAt", "createdAt"],
    snapshot: { from: "t.acquired_at", until: "t.churned_at" },
    fields: {
      id: { sql: "t.id", type: "id", description: "customer id" },
      segment: { sql: "t.segment", type: "string", description: "segment" },
      lifecycleStage: { sql: "t.lifecycle_stage", type: "string", description: "lifecycle stage" },
      acquisitionChannel: { sql: "t.acquisition_channel", type: "string", description: "acquisition channel" },
      campaignId: { sql: "t.campaign_id::text", type: "string", description: "acquiring campaign" },
      acquiredAt: { sql: "t.acquired_at", type: "timestamp", description: "when the customer was won" },
      churnedAt: { sql: "t.churned_at", type: "timestamp", description: "when the customer was lost" },
      createdAt: { sql: "t.created_at", type: "timestamp", description: "when the record was created" },
      churned: { sql: "(t.churned_at IS NOT NULL AND t.churned_at < w.e)", type: "boolean", description: "churned before the window's end" },
    },
    dimensions: {
      segment: { sql: "t.segment", type: "string", description: "segment" },
      lifecycleStage: { sql: "t.lifecycle_stage", type: "string", description: "lifecycle stage" },
      acquisitionChannel: { sql: "t.acquisition_channel", type: "string", description: "acquisition channel" },
      channel: { sql: "t.acquisition_channel", type: "string", description: "acquisition channel" },
      campaign: { sql: "t.campaign_id::text", type: "string", description: "acquiring campaign" },
    },
  },
  orders: {
    table: "orders",
    description: "Orders (purchases) with amount, product, category and sales channel.",
    subjects: attribution,
    timeFields: ["at"],
    fields: {
      ...customerFields,
      id: { sql: "t.id", type: "id", description: "order id" },
      customerId: { sql: "t.customer_id", type: "id", description: "customer" },
      amount: { sql: "t.amount", type: "number", description: "order amount" },
      product: { sql: "t.product", type: "string", description: "product" },
      category: { sql: "t.category", type: "string", description: "product category" },
      channel: { sql: "t.channel", type: "string", description: "sales channel" },
      at: { sql: "t.at", type: "timestamp", description: "when the order was placed" },
      daysBeforeWindowEnd: { sql: "(EXTRACT(EPOCH FROM (w.e - t.at)) / 86400.0)", type: "number", description: "days from the order to the window's end (recency)" },
    },
    dimensions: {
      channel: { sql: "t.channel", type: "string", description: "sales channel" },
      product: { sql: "t.product", type: "string", description: "product" },
      category: { sql: "t.category", type: "string", description: "product category" },
      ...customerDims,
    },
  },
  interactions: {
    table: "interactions",
    description: "Communication with customers: phone, email, chat, visits, meetings, social.",
    subjects: attribution,
    timeFields: ["at"],
    fields: {
      ...customerFields,
      id: { sql: "t.id", type: "id", description: "interaction id" },
      customerId: { sql: "t.customer_id", type: "id", description: "customer" },
      channel: { sql: "t.channel", type: "string", description: "phone, email, chat, visit, meeting, social" },
      direction: { sql: "t.direction", type: "string", description: "inbound or outbound" },
      outcome: { sql: "t.outcome", type: "string", description: "outcome" },
      durationMinutes: { sql: "(t.duration_seconds / 60.0)", type: "number", description: "duration in minutes" },
      responded: { sql: "(t.responded_at IS NOT NULL)", type: "boolean", description: "inbound message was answered" },
      responseHours: { sql: hours("t.at", "t.responded_at"), type: "number", description: "hours until the answer" },
      at: { sql: "t.at", type: "timestamp", description: "when it happened" },
    },
    dimensions: {
      channel: { sql: "t.channel", type: "string", description: "channel" },
      direction: { sql: "t.direction", type: "string", description: "direction" },
      ...customerDims,
    },
  },
  opportunities: {
    table: "opportunities",
    description: "Sales opportunities: value, status (open, won, lost), created and closed dates.",
    subjects: attribution,
    timeFields: ["createdAt", "closedAt"],
    fields: {
      ...customerFields,
      id: { sql: "t.id", type: "id", description: "opportunity id" },
      customerId: { sql: "t.customer_id", type: "id", description: "customer" },
      value: { sql: "t.value", type: "number", description: "expected value" },
      status: { sql: "t.status", type: "string", description: "open, won or lost" },
      stage: { sql: "t.stage", type: "string", description: "current stage" },
      sourceChannel: { sql: "t.source_channel", type: "string", description: "lead source channel" },
      cycleDays: { sql: "(EXTRACT(EPOCH FROM (t.closed_at - t.created_at)) / 86400.0)", type: "number", description: "days from creation to close" },
      createdAt: { sql: "t.created_at", type: "timestamp", description: "when it was opened" },
      closedAt: { sql: "t.closed_at", type: "timestamp", description: "when it was won or lost" },
    },
    dimensions: {
      channel: { sql: "t.source_channel", type: "string", description: "lead source channel" },
      funnelStage: { sql: "t.stage", type: "string", description: "current stage" },
      ...customerDims,
    },
  },
  opportunityStages: {
    table: "opportunity_stages",
    description: "Stage history: one row each time an opportunity enters a funnel stage.",
    subjects: attribution,
    timeFields: ["enteredAt"],
    fields: {
      ...customerFields,
      opportunityId: { sql: "t.opportunity_id", type: "id", description: "opportunity" },
      customerId: { sql: "t.customer_id", type: "id", description: "customer" },
      stage: { sql: "t.stage", type: "string", description: "lead, qualified, proposal, negotiation, won, lost" },
      stageOrder: { sql: "t.stage_order", type: "number", description: "position in the funnel (1 = lead, 0 = lost)" },
      enteredAt: { sql: "t.entered_at", type: "timestamp", description: "when the stage was entered" },
    },
    dimensions: {
      funnelStage: { sql: "t.stage", type: "string", description: "funnel stage" },
      ...customerDims,
    },
  },
  tickets: {
    table: "tickets",
    description: "Service tickets and complaints with response and resolution times.",
    subjects: attribution,
    timeFields: ["openedAt", "resolvedAt", "firstResponseAt"],
    fields: {
      ...customerFields,
      id: { sql: "t.id", type: "id", description: "ticket id" },
      customerId: { sql: "t.customer_id", type: "id", description: "customer" },
      kind: { sql: "t.kind", type: "string", description: "complaint, question, request, incident" },
      category: { sql: "t.category", type: "string", description: "category" },
      priority: { sql: "t.priority", type: "string", description: "low, normal, high, urgent" },
      channel: { sql: "t.channel", type: "string", description: "channel" },
      escalated: { sql: "t.escalated", type: "boolean", description: "was escalated" },
      reopened: { sql: "t.reopened", type: "boolean", description: "was reopened" },
      satisfaction: { sql: "t.satisfaction", type: "number", description: "customer's rating of the handling, 1–5" },
      responded: { sql: "(t.first_response_at IS NOT NULL AND t.first_response_at < w.e)", type: "boolean", description: "answered before the window's end" },
      resolved: { sql: "(t.resolved_at IS NOT NULL AND t.resolved_at < w.e)", type: "boolean", description: "resolved before the window's end" },
      hasDeadline: { sql: "(t.due_at IS NOT NULL)", type: "boolean", description: "has a service-level deadline" },
      overdue: {
        sql: "(t.due_at IS NOT NULL AND t.due_at < w.e AND (t.resolved_at IS NULL OR t.resolved_at > t.due_at))",
        type: "boolean",
        description: "past its deadline unresolved, or resolved late",
      },
      firstResponseHours: { sql: hours("t.opened_at", "t.first_response_at"), type: "number", description: "hours to first response" },
      resolutionHours: { sql: hours("t.opened_at", "t.resolved_at"), type: "number", description: "hours to resolution" },
      openedAt: { sql: "t.opened_at", type: "timestamp", description: "when it was opened" },
      resolvedAt: { sql: "t.resolved_at", type: "timestamp", description: "when it was resolved" },
      firstResponseAt: { sql: "t.first_response_at", type: "timestamp", description: "when it was first answered" },
    },
    dimensions: {
      channel: { sql: "t.channel", type: "string", description: "channel" },
      category: { sql: "t.category", type: "string", description: "category" },
      priority: { sql: "t.priority", type: "string", description: "priority" },
      ...customerDims,
    },
  },
  surveys: {
    table: "survey_responses",
    description: "Survey answers: CSAT, NPS, CES and custom questions, with score and scale.",
    subjects: attribution,
    timeFields: ["at"],
    fields: {
      ...customerFields,
      customerId: { sql: "t.customer_id", type: "id", description: "customer" },
      kind: { sql: "t.kind", type: "string", description: "csat, nps, ces or custom" },
      question: { sql: "t.question", type: "string", description: "question" },
      score: { sql: "t.score", type: "number", description: "answer" },
      scale: { sql: "t.scale", type: "number", description: "top of the scale (5, 7 or 10)" },
      score100: { sql: "(t.score * 100.0 / NULLIF(t.scale, 0))", type: "number", description: "answer as a share of the scale, 0–100" },
      satisfied: { sql: "(t.score >= 0.8 * t.scale)", type: "boolean", description: "top-two-box on a 5-point scale (score ≥ 80 % of the scale)" },
      at: { sql: "t.at", type: "timestamp", description: "when it was answered" },
    },
    dimensions: {
      surveyKind: { sql: "t.kind", type: "string", description: "survey kind" },
      ...customerDims,
    },
  },
  campaignCosts: {
    table: "campaign_costs",
    description: "Money spent to acquire customers: campaign (marketing) spend and sales cost.",
    subjects: { team: "t.team_id", member: "t.member_id" },
    timeFields: ["at"],
    fields: {
      amount: { sql: "t.amount", type: "number", description: "amount spent" },
      kind: { sql: "t.kind", type: "string", description: "marketing or sales" },
      campaignId: { sql: "t.campaign_id::text", type: "string", description: "campaign" },
      at: { sql: "t.at", type: "timestamp", description: "when it was spent" },
    },
    dimensions: {
      campaign: { sql: "t.campaign_id::text", type: "string", description: "campaign" },
    },
  },
  ratings: {
    table: "ratings",
    description: "Managers' qualitative ratings of members, teams or customers for a period.",
    subjects: attribution,
    timeFields: ["periodStart"],
    fields: {
      item: { sql: "t.item", type: "string", description: "what was rated" },
      subjectType: { sql: "t.subject_type", type: "string", description: "member, team or customer" },
      score: { sql: "t.score", type: "number", description: "rating" },
      score100: { sql: "(t.score * 100.0 / NULLIF(t.scale, 0))", type: "number", description: "rating as a share of the scale, 0–100" },
      periodStart: { sql: "t.period_start", type: "timestamp", description: "start of the rated period" },
    },
    dimensions: {},
  },
};

/** SQL column behind a time field name (fields map holds it). */
export function timeColumn(source: SourceDef, field: string): string {
  const def = source.fields[field];
  if (!def || def.type !== "timestamp") throw new Error(`not a time field: ${field}`);
  return def.sql;
}

export function isSourceName(name: string): name is SourceName {
  return Object.prototype.hasOwnProperty.call(SOURCES, name);
}
