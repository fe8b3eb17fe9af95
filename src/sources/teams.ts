// The company's teams (the org chart's first level).
import { defineSource } from "./declaration.js";

export const teams = defineSource({
  name: "teams",
  table: "teams",
  description: "Teams; facts are attributed to the team of their member when they happened.",
  columns: { name: "text", created_at: "timestamptz" },
  metric: undefined,
  export: { order: "t.created_at, t.id" },
});
