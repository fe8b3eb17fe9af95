// The company's teams (the org chart's first level).
import type { ImportIssue } from "../import/jobs.js";
import { nameKey, teamsByName } from "../import/lookup.js";
import { RowRejected } from "../import/row.js";
import { defineImport, defineSource, type CleanedRow, type RowOutcome } from "./declaration.js";
import { col } from "./shared.js";

interface TeamRow extends CleanedRow {
  readonly name: string;
}

export const teams = defineSource({
  name: "teams",
  table: "teams",
  description: "Teams; facts are attributed to the team of their member when they happened.",
  columns: { name: "text", created_at: "timestamptz" },
  metric: undefined,
  import: defineImport<TeamRow>({
    kind: "teams",
    after: [],
    notes: "A team is matched by its name, ignoring case: a team that exists already is left as it is (`rowsUnchanged`). Teams are renamed with `renameTeam`, not by import.",
    columns: [col("name", ["team", "team_name", "团队", "团队名称", "部门", "部门名称"], "**required**; 1–200 characters", true)],
    read(row) {
      const name = row.text("name", true, 200).normalize("NFC");
      if (name.length === 0) throw new RowRejected("missing name", "name");
      return { line: row.line, name, warnings: row.warnings, events: row.events };
    },
    async write(tx, ctx, rows) {
      const outcomes = new Map<number, RowOutcome>();
      const rejects: ImportIssue[] = [];
      // Serialised with the org-chart mutations (src/org/org-chart.ts lock the company row too).
      await tx.query("SELECT id FROM companies WHERE id = $1 FOR UPDATE", [ctx.companyId]);
      const existing = await teamsByName(tx, ctx.companyId, rows.map((r) => r.name));
      const fresh = new Map<string, TeamRow>();
      for (const r of rows) {
        const k = nameKey(r.name);
        if (existing.has(k) || fresh.has(k)) outcomes.set(r.line, "unchanged");
        else {
          fresh.set(k, r);
          outcomes.set(r.line, "inserted");
        }
      }
      if (fresh.size > 0) {
        await tx.query(
          "INSERT INTO teams (id, company_id, name, created_at) SELECT gen_random_uuid(), $1::uuid, n, now() FROM unnest($2::text[]) AS u(n)",
          [ctx.companyId, [...fresh.values()].map((r) => r.name)],
        );
      }
      return { outcomes, rejects };
    },
  }),
  export: { order: "t.created_at, t.id" },
});
