// Marketing campaigns: what acquired a customer, what a cost was spent on.
import { defineSource } from "./declaration.js";

export const campaigns = defineSource({
  name: "campaigns",
  table: "campaigns",
  description: "Marketing campaigns, by name and channel, with their dates.",
  columns: {
    external_id: "text", name: "text", channel: "text", starts_at: "timestamptz", ends_at: "timestamptz" },
  metric: undefined,
  export: { order: "t.starts_at, t.id" },
});
