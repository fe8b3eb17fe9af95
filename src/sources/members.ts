// The company's people: sales reps, support agents, managers.
import { defineSource } from "./declaration.js";

export const members = defineSource({
  name: "members",
  table: "members",
  description: "Members (people) of the company, each in at most one team.",
  columns: { team_id: "uuid", name: "text", email: "text", role: "text", active: "boolean", created_at: "timestamptz" },
  metric: undefined,
  export: { order: "t.created_at, t.id" },
});
