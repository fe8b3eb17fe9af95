// Stage history of opportunities: one row each time one enters a stage.
import { defineSource } from "./declaration.js";
import { attribution, customerDims, customerExport, customerFields } from "./shared.js";

export const opportunityStages = defineSource({
  name: "opportunityStages",
  table: "opportunity_stages",
  description: "Stage history: one row each time an opportunity enters a funnel stage.",
  columns: {
    external_id: "text",
    opportunity_id: "uuid", customer_id: "uuid", team_id: "uuid", member_id: "uuid", stage: "text", stage_order: "int", entered_at: "timestamptz",
  },
  metric: {
    subjects: attribution,
    entities: { customer: "t.customer_id", opportunity: "t.opportunity_id" },
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
  export: { order: "t.entered_at, t.id", ...customerExport },
});
