// The company's people: sales reps, support agents, managers.
import { normalizeEmail } from "../import/contact.js";
import type { ImportIssue } from "../import/jobs.js";
import { nameKey, teamsByName } from "../import/lookup.js";
import { RowRejected } from "../import/row.js";
import { cleanLine, vocabKey } from "../import/text.js";
import { defineImport, defineSource, type CleanedRow, type RowOutcome } from "./declaration.js";
import { col } from "./shared.js";

interface MemberRow extends CleanedRow {
  readonly name: string;
  readonly email: string | null;
  readonly team: string | null;
  readonly role: string | null;
  readonly active: boolean | null;
}

interface MemberRecord {
  id: string;
  name: string;
  email: string | null;
  teamId: string | null;
  role: string;
  active: boolean;
  isNew: boolean;
  dirty: boolean;
}

const ROLE = /^[\p{L}\p{N}][\p{L}\p{N}_]{0,39}$/u;

export const members = defineSource({
  name: "members",
  table: "members",
  description: "Members (people) of the company, each in at most one team.",
  columns: { team_id: "uuid", name: "text", email: "text", role: "text", active: "boolean", created_at: "timestamptz" },
  metric: undefined,
  import: defineImport<MemberRow>({
    kind: "members",
    after: ["teams"],
    notes:
      "A row is the member with its `email` (ignoring case); failing that, the one member with its `name` that has no\n" +
      "other email. Several members of that name: the row is rejected as ambiguous (`ambiguous member: name \"Li Wei\"\n" +
      "names 2 members (give the email)`). No match: a new member. Blank cells never erase; a member moved to\n" +
      "another team keeps the facts already attributed to the old one. An unknown team rejects the row\n" +
      "(`unknown team: team \"Sales East\"`): import the teams first.",
    columns: [
      col("name", ["member", "member_name", "full_name", "姓名", "员工", "员工姓名", "成员"], "**required**; 1–200 characters", true),
      col("email", ["e_mail", "mail", "member_email", "邮箱", "电子邮件", "工作邮箱"], "normalised and validated; unique in the company"),
      col("team", ["team_name", "团队", "部门", "所属部门"], "a team's name (must exist); blank on a new member → no team"),
      col("role", ["title", "position", "角色", "职位", "岗位"], "lower_snake_case (`Account Manager` → `account_manager`); blank on a new member → `sales`"),
      col("active", ["is_active", "enabled", "status", "在职", "状态", "是否在职"], "yes/no (`active`, `在职` / `inactive`, `离职`); blank on a new member → yes"),
    ],
    read(row) {
      const name = row.text("name", true, 200).normalize("NFC");
      const email = row.email("email");
      const team = row.text("team", false, 200);
      let role: string | null = null;
      const rawRole = cleanLine(row.raw("role"));
      if (rawRole !== null) {
        role = vocabKey(rawRole);
        if (!ROLE.test(role)) throw new RowRejected(`role "${rawRole.slice(0, 60)}" is not a role: 1–40 letters, digits and underscores (e.g. sales, support, account_manager)`, "role");
      }
      let active: boolean | null = null;
      const rawActive = cleanLine(row.raw("active"));
      if (rawActive !== null) {
        const k = vocabKey(rawActive);
        if (k === "active" || k === "在职" || k === "正常" || k === "启用") active = true;
        else if (k === "inactive" || k === "离职" || k === "停用" || k === "disabled" || k === "deactivated") active = false;
        else active = row.boolean("active", true);
      }
      return { line: row.line, name, email, team, role, active, warnings: row.warnings, events: row.events };
    },
    async write(tx, ctx, rows) {
      const outcomes = new Map<number, RowOutcome>();
      const rejects: ImportIssue[] = [];
      await tx.query("SELECT id FROM companies WHERE id = $1 FOR UPDATE", [ctx.companyId]);
      const teams = await teamsByName(tx, ctx.companyId, rows.flatMap((r) => (r.team ? [r.team] : [])));
      const emails = rows.flatMap((r) => (r.email ? [r.email] : []));
      const names = rows.map((r) => nameKey(r.name));
      const found = await tx.query<{ id: string; name: string; email: string | null; team_id: string | null; role: string; active: boolean }>(
        `SELECT id::text, name, email, team_id::text, role, active FROM members
          WHERE company_id = $1 AND (lower(email) = ANY($2::text[]) OR lower(name) = ANY($3::text[])) ORDER BY created_at, id`,
        [ctx.companyId, emails, names],
      );
      const records: MemberRecord[] = found.map((m) => ({ id: m.id, name: m.name, email: m.email, teamId: m.team_id, role: m.role, active: m.active, isNew: false, dirty: false }));
      // Which line of the file first reached each member (earlier batches: import_job_keys).
      const firstLine = new Map<string, number>();
      if (ctx.jobId !== null && records.length > 0) {
        const seen = await tx.query<{ key: string; line: number }>("SELECT key, line FROM import_job_keys WHERE job_id = $1 AND key = ANY($2::text[])", [
          ctx.jobId, records.map((r) => `m:${r.id}`),
        ]);
        for (const s of seen) firstLine.set(s.key.slice(2), s.line);
      }
      const claimed: [string, number][] = [];
      for (const row of rows) {
        let teamId: string | null | undefined;
        if (row.team !== null) {
          teamId = teams.get(nameKey(row.team));
          if (teamId === undefined) {
            rejects.push({ line: row.line, reason: `unknown team: team "${row.team}"`, field: "team" });
            continue;
          }
        }
        let rec = row.email ? records.find((r) => r.email?.toLowerCase() === row.email) : undefined;
        if (!rec) {
          const sameName = records.filter((r) => r.name.toLowerCase() === nameKey(row.name) && (r.email === null || row.email === null));
          if (sameName.length > 1) {
            rejects.push({ line: row.line, reason: `ambiguous member: name "${row.name}" names ${sameName.length} members (give the email)`, field: "name" });
            continue;
          }
          rec = sameName[0];
        }
        if (rec) {
          const earlier = firstLine.get(rec.id);
          if (earlier !== undefined) {
            rejects.push({ line: row.line, reason: `duplicate of line ${earlier} (member "${rec.email ?? rec.name}")`, field: row.email ? "email" : "name" });
            continue;
          }
          const before = JSON.stringify([rec.name, rec.email, rec.teamId, rec.role, rec.active]);
          rec.name = row.name;
          if (row.email) rec.email = row.email;
          if (teamId !== undefined) rec.teamId = teamId;
          if (row.role) rec.role = row.role;
          if (row.active !== null) rec.active = row.active;
          const changed = JSON.stringify([rec.name, rec.email, rec.teamId, rec.role, rec.active]) !== before;
          if (changed) rec.dirty = true;
          outcomes.set(row.line, rec.isNew ? "inserted" : changed ? "updated" : "unchanged");
        } else {
          rec = { id: crypto.randomUUID(), name: row.name, email: row.email, teamId: teamId ?? null, role: row.role ?? "sales", active: row.active ?? true, isNew: true, dirty: true };
          records.push(rec);
          outcomes.set(row.line, "inserted");
        }
        firstLine.set(rec.id, row.line);
        claimed.push([rec.id, row.line]);
      }
      const created = records.filter((r) => r.isNew);
      const updated = records.filter((r) => !r.isNew && r.dirty);
      if (created.length > 0) {
        await tx.query(
          `INSERT INTO members (id, company_id, team_id, name, email, role, active, created_at)
           SELECT u.id::uuid, $1::uuid, u.team_id::uuid, u.name, u.email, u.role, u.active::boolean, now()
             FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS u(id, team_id, name, email, role, active)`,
          [ctx.companyId, created.map((r) => r.id), created.map((r) => r.teamId), created.map((r) => r.name), created.map((r) => r.email), created.map((r) => r.role), created.map((r) => String(r.active))],
        );
      }
      if (updated.length > 0) {
        await tx.query(
          `UPDATE members m SET team_id = u.team_id::uuid, name = u.name, email = u.email, role = u.role, active = u.active::boolean
             FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS u(id, team_id, name, email, role, active)
            WHERE m.company_id = $1 AND m.id = u.id::uuid`,
          [ctx.companyId, updated.map((r) => r.id), updated.map((r) => r.teamId), updated.map((r) => r.name), updated.map((r) => r.email), updated.map((r) => r.role), updated.map((r) => String(r.active))],
        );
      }
      if (ctx.jobId !== null && claimed.length > 0) {
        await tx.query("INSERT INTO import_job_keys (job_id, key, line) SELECT $1::uuid, k, l FROM unnest($2::text[], $3::int[]) AS u(k, l) ON CONFLICT DO NOTHING", [
          ctx.jobId, claimed.map(([id]) => `m:${id}`), claimed.map(([, l]) => l),
        ]);
      }
      return { outcomes, rejects };
    },
  }),
  export: {
    order: "t.created_at, t.id",
    extra: [{ header: "team", sql: "tm.name" }],
    joins: ["LEFT JOIN teams tm ON tm.id = t.team_id"],
  },
});
