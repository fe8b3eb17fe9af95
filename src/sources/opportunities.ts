// Sales opportunities of a customer.
import { defineSource } from "./declaration.js";
import { attribution, customerDims, customerExport, customerFields } from "./shared.js";

export const opportunities = defineSource({
  name: "opportunities",
  table: "opportunities",
  description: "Sales opportunities: value, status (open, won, lost), created and closed dates.",
  columns: {
    external_id: "text",
    customer_id: "uuid", team_id: "uuid", member_id: "uuid", name: "text", value: "numeric", source_channel: "text", stage: "text",
    status: "text", created_at: "timestamptz", closed_at: "timestamptz",
  },
  metric: {
    subjects: attribution,
    entities: { customer: "t.customer_id", opportunity: "t.id" },
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
  export: { order: "t.created_at, t.id", ...customerExport },
});
