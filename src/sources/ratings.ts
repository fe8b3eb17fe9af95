// Managers' qualitative ratings.
import { defineSource } from "./declaration.js";
import { attribution } from "./shared.js";

export const ratings = defineSource({
  name: "ratings",
  table: "ratings",
  description: "Managers' qualitative ratings of members, teams or customers for a period.",
  columns: {
    subject_type: "text", team_id: "uuid", member_id: "uuid", customer_id: "uuid", item: "text", score: "float8", scale: "int",
    period_start: "timestamptz", period_end: "timestamptz", rated_by: "text", comment: "text", created_at: "timestamptz",
  },
  metric: {
    subjects: attribution,
    entities: { customer: "t.customer_id" },
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
  export: { order: "t.period_start, t.id" },
});
