// Money spent to acquire customers.
import { defineSource } from "./declaration.js";

export const campaignCosts = defineSource({
  name: "campaignCosts",
  table: "campaign_costs",
  description: "Money spent to acquire customers: campaign (marketing) spend and sales cost.",
  columns: {
    external_id: "text", campaign_id: "uuid", team_id: "uuid", member_id: "uuid", kind: "text", amount: "numeric", at: "timestamptz" },
  metric: {
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
  export: { order: "t.at, t.id" },
});
