// Managers' qualitative ratings: one score per subject × rating item × period.
import { DateTime } from "luxon";
import type { SqlDriver } from "../db/driver.js";
import type { ImportIssue } from "../import/jobs.js";
import { membersByRef, nameKey, oneMember, teamsByName } from "../import/lookup.js";
import { RowRejected } from "../import/row.js";
import { refKey, resolveCustomers } from "../import/write-facts.js";
import { parsePeriodString, PeriodError, periodOf, type Grain } from "../metrics/period.js";
import { defineImport, defineSource, type CleanedRow, type RowOutcome } from "./declaration.js";
import { attribution, col } from "./shared.js";

type Exec = Pick<SqlDriver, "query">;

interface RatingItemInfo {
  readonly framework: string;
  readonly level: "member" | "team" | "customer";
  readonly scale: number;
  readonly grain: Grain;
}

type Level = RatingItemInfo["level"];

interface RatingRow extends CleanedRow {
  readonly level: Level;
  readonly subject: string;
  readonly item: string;
  readonly score: number;
  readonly scale: number;
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly ratedBy: string;
  readonly comment: string | null;
}

/** Rating items of the company's frameworks (latest version of each, drafts included), by item key. */
async function loadRatingItems(sql: Exec, companyId: string): Promise<Map<string, RatingItemInfo[]>> {
  // Loaded when needed: the framework schema reads the metric catalogue, which is built from these declarations.
  const { frameworkSchema, isRatingItem } = await import("../frameworks/framework-schema.js");
  const rows = await sql.query<{ key: string; document: unknown }>(
    `SELECT DISTINCT ON (key) key, document FROM frameworks WHERE company_id = $1 AND deleted_at IS NULL ORDER BY key, version DESC`,
    [companyId],
  );
  const out = new Map<string, RatingItemInfo[]>();
  for (const r of rows) {
    const parsed = frameworkSchema.safeParse(typeof r.document === "string" ? JSON.parse(r.document) : r.document);
    if (!parsed.success) continue;
    const level = parsed.data.level;
    if (level === "company") continue;
    for (const item of parsed.data.items.filter(isRatingItem)) {
      const list = out.get(item.rating) ?? [];
      list.push({ framework: parsed.data.key, level, scale: item.scale, grain: item.period });
      out.set(item.rating, list);
    }
  }
  return out;
}

const SUBJECT_COLUMNS: readonly [Level, string][] = [["member", "member"], ["team", "team"], ["customer", "customer_external_id"]];

/** The row's item as the company's frameworks define it, or the reason it cannot be rated. */
function itemFor(items: Map<string, RatingItemInfo[]>, item: string, framework: string | null, level: Level): RatingItemInfo {
  const all = (items.get(item) ?? []).filter((i) => framework === null || i.framework === framework);
  if (all.length === 0) {
    throw new RowRejected(framework === null ? `unknown rating item "${item}" (no framework of the company rates it)` : `framework "${framework}" has no rating item "${item}"`, "item");
  }
  const ofLevel = all.filter((i) => i.level === level);
  if (ofLevel.length === 0) throw new RowRejected(`rating item "${item}" rates each ${all[0]!.level}, not a ${level}`, SUBJECT_COLUMNS.find(([l]) => l === level)![1]);
  const first = ofLevel[0]!;
  if (ofLevel.some((i) => i.scale !== first.scale || i.grain !== first.grain)) {
    throw new RowRejected(`rating item "${item}" has different scales or periods in frameworks ${ofLevel.map((i) => i.framework).join(", ")}: give the framework`, "framework");
  }
  return first;
}

export const ratingsImport = defineImport<RatingRow, Map<string, RatingItemInfo[]>>({
  kind: "ratings",
  after: ["teams", "members", "customers"],
  requiredGroups: [["member", "team", "customer_external_id"], ["item"], ["period"], ["score"]],
  notes:
    "One row per subject × rating item × period — the same as `setRating`: the subject is **one** of `member`\n" +
    "(email or name), `team` (name) or `customer_external_id`; the item is a rating item of one of the company's\n" +
    "frameworks (its latest version, a draft included), of the subject's level; the score is within the item's\n" +
    "scale (1–scale); `period` is any day inside the rated period, or the period itself (`2026-03`, `2026-Q1`), and\n" +
    "the rating covers the one whole period of the item's grain (a month unless the item says otherwise) in the\n" +
    "company's time zone. Importing the same subject, item and period again replaces its score. Rejected with the\n" +
    "line and the reason: an unknown item, a subject of the wrong level, a score out of scale, an unknown member,\n" +
    "team or customer, a period that is not one of the item's.",
  columns: [
    col("framework", ["framework_key", "考核方案", "框架"], "a framework's key; blank: any framework that has the item"),
    col("item", ["rating_item", "rating", "指标", "评分项", "考核项"], "**required**: a rating item's key", true),
    col("member", ["member_email", "employee", "rated_member", "员工", "成员", "被评人"], "a member's email or name"),
    col("team", ["team_name", "团队", "部门"], "a team's name"),
    col("customer_external_id", ["customer", "customer_id", "客户编号"], "a customer's external id"),
    col("period", ["period_start", "month", "date", "周期", "月份", "考核周期"], "**required**: a date in the period, or `2026-03`, `2026-Q1`, `2026`", true),
    col("score", ["value", "rating_score", "分数", "评分", "得分"], "**required**; 1–scale", true),
    col("scale", ["max", "max_score", "满分"], "blank → the item's scale; otherwise it must be the item's"),
    col("rated_by", ["rater", "manager", "评分人", "评价人"], "who rated; blank → `import`"),
    col("comment", ["remarks", "note", "评语", "备注"], "free text (line breaks kept)"),
  ],
  prepare: loadRatingItems,
  read(row, items) {
    const given = SUBJECT_COLUMNS.map(([level, column]) => [level, column, row.text(column, false, 300)] as const).filter(([, , v]) => v !== null);
    if (given.length === 0) throw new RowRejected("missing subject (member, team or customer_external_id)", "member");
    if (given.length > 1) throw new RowRejected(`one subject per row: ${given.map(([, c]) => c).join(" and ")} are both given`, given[1]![1]);
    const [level, , subject] = given[0]!;
    const itemKey = row.text("item", true, 63).toLowerCase();
    const info = itemFor(items, itemKey, row.text("framework", false, 63), level);
    const score = row.number("score", true);
    const scale = row.integer("scale");
    if (scale !== null && scale !== info.scale) throw new RowRejected(`scale ${scale} is not the scale of "${itemKey}" (${info.scale})`, "scale");
    if (!Number.isFinite(score) || score < 1 || score > info.scale) throw new RowRejected(`score ${score} is outside the scale of "${itemKey}": 1–${info.scale}`, "score");
    const raw = row.text("period", true, 40);
    let start: DateTime;
    let grainGiven: string | null = null;
    if (/^\d{4}(-Q[1-4]|-\d{2}|-W\d{2})?$/.test(raw)) {
      try {
        const p = parsePeriodString(raw, row.env.zone);
        start = p.start;
        grainGiven = p.grain;
      } catch (err) {
        if (err instanceof PeriodError) throw new RowRejected(`period: ${err.message.replace(/^[^:]+: /, "")}`, "period");
        throw err;
      }
    } else start = DateTime.fromJSDate(row.date("period", true), { zone: row.env.zone });
    const whole = periodOf(info.grain, start);
    if (grainGiven !== null && (grainGiven !== info.grain || +whole.start !== +start)) {
      throw new RowRejected(`period "${raw}" is not one ${info.grain}: "${itemKey}" is rated per ${info.grain}`, "period");
    }
    return {
      line: row.line, level, subject: subject!, item: itemKey, score, scale: info.scale,
      periodStart: whole.start.toUTC().toISO()!, periodEnd: whole.end.toUTC().toISO()!,
      ratedBy: row.text("rated_by", false, 200) ?? "import", comment: row.multiline("comment"), warnings: row.warnings, events: row.events,
    };
  },
  async write(tx, ctx, rows) {
    const outcomes = new Map<number, RowOutcome>();
    const rejects: ImportIssue[] = [];
    const members = await membersByRef(tx, ctx.companyId, rows.filter((r) => r.level === "member").map((r) => r.subject));
    const teams = await teamsByName(tx, ctx.companyId, rows.filter((r) => r.level === "team").map((r) => r.subject));
    const customers = await resolveCustomers(tx, ctx.companyId, rows.filter((r) => r.level === "customer").map((r) => ({ by: "external_id" as const, value: r.subject })));
    interface Target { row: RatingRow; key: string; teamId: string | null; memberId: string | null; customerId: string | null; subjectId: string }
    const targets: Target[] = [];
    const firstLine = new Map<string, number>();
    for (const r of rows) {
      let t: Omit<Target, "row" | "key"> | null = null;
      if (r.level === "member") {
        const m = oneMember(members, r.subject, "member");
        if ("error" in m) rejects.push({ line: r.line, reason: m.error, field: m.field });
        else t = { memberId: m.id, teamId: m.teamId, customerId: null, subjectId: m.id };
      } else if (r.level === "team") {
        const id = teams.get(nameKey(r.subject));
        if (id === undefined) rejects.push({ line: r.line, reason: `unknown team: team "${r.subject}"`, field: "team" });
        else t = { teamId: id, memberId: null, customerId: null, subjectId: id };
      } else {
        const c = customers.get(refKey({ by: "external_id", value: r.subject }))!;
        if ("error" in c) rejects.push({ line: r.line, reason: c.error, field: "customer_external_id" });
        else t = { customerId: c.id, teamId: c.teamId, memberId: c.memberId, subjectId: c.id };
      }
      if (t === null) continue;
      const key = `r:${r.level}:${t.subjectId}:${r.item}:${r.periodStart}`;
      const seen = firstLine.get(key);
      if (seen !== undefined) {
        rejects.push({ line: r.line, reason: `duplicate of line ${seen} (same subject, item and period)`, field: "period" });
        continue;
      }
      firstLine.set(key, r.line);
      targets.push({ ...t, row: r, key });
    }
    // Duplicates of lines in earlier batches of the same file.
    let accepted = targets;
    if (ctx.jobId !== null && targets.length > 0) {
      const claimed = await tx.query<{ key: string }>(
        `INSERT INTO import_job_keys (job_id, key, line) SELECT $1::uuid, k, l FROM unnest($2::text[], $3::int[]) AS u(k, l)
         ON CONFLICT (job_id, key) DO NOTHING RETURNING key`,
        [ctx.jobId, targets.map((x) => x.key), targets.map((x) => x.row.line)],
      );
      const won = new Set(claimed.map((c) => c.key));
      const lost = targets.filter((x) => !won.has(x.key));
      if (lost.length > 0) {
        const earlier = await tx.query<{ key: string; line: number }>("SELECT key, line FROM import_job_keys WHERE job_id = $1 AND key = ANY($2::text[])", [ctx.jobId, lost.map((x) => x.key)]);
        const lines = new Map(earlier.map((e) => [e.key, e.line]));
        for (const x of lost) rejects.push({ line: x.row.line, reason: `duplicate of line ${lines.get(x.key) ?? 0} (same subject, item and period)`, field: "period" });
      }
      accepted = targets.filter((x) => won.has(x.key));
    }
    if (accepted.length === 0) return { outcomes, rejects };
    // Serialised with setRating (src/frameworks/ratings.ts locks the company row too): one rating per subject, item and period.
    await tx.query("SELECT id FROM companies WHERE id = $1 FOR UPDATE", [ctx.companyId]);
    const existing = await tx.query<{ id: string; k: string; score: number; scale: number; rated_by: string | null; comment: string | null }>(
      `SELECT r.id::text, 'r:' || r.subject_type || ':' || coalesce(CASE r.subject_type WHEN 'member' THEN r.member_id WHEN 'team' THEN r.team_id ELSE r.customer_id END::text, '')
                || ':' || r.item || ':' || to_char(r.period_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS k,
              r.score, r.scale, r.rated_by, r.comment
         FROM ratings r WHERE r.company_id = $1 AND r.item = ANY($2::text[]) AND r.period_start = ANY($3::timestamptz[])`,
      [ctx.companyId, [...new Set(accepted.map((x) => x.row.item))], [...new Set(accepted.map((x) => x.row.periodStart))]],
    );
    const byKey = new Map(existing.map((e) => [e.k, e]));
    const inserts: Target[] = [];
    const updates: (Target & { id: string })[] = [];
    for (const x of accepted) {
      const e = byKey.get(`r:${x.row.level}:${x.subjectId}:${x.row.item}:${new Date(x.row.periodStart).toISOString()}`);
      if (!e) {
        inserts.push(x);
        outcomes.set(x.row.line, "inserted");
      } else if (e.score !== x.row.score || e.scale !== x.row.scale || e.rated_by !== x.row.ratedBy || e.comment !== x.row.comment) {
        updates.push({ ...x, id: e.id });
        outcomes.set(x.row.line, "updated");
      } else outcomes.set(x.row.line, "unchanged");
    }
    if (inserts.length > 0) {
      await tx.query(
        `INSERT INTO ratings (id, company_id, subject_type, team_id, member_id, customer_id, item, score, scale, period_start, period_end, rated_by, comment, created_at)
         SELECT gen_random_uuid(), $1::uuid, u.st, u.team::uuid, u.member::uuid, u.customer::uuid, u.item, u.score::float8, u.scale::int,
                u.ps::timestamptz, u.pe::timestamptz, u.by, u.comment, now()
           FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
                AS u(st, team, member, customer, item, score, scale, ps, pe, by, comment)`,
        [
          ctx.companyId, inserts.map((x) => x.row.level), inserts.map((x) => x.teamId), inserts.map((x) => x.memberId), inserts.map((x) => x.customerId),
          inserts.map((x) => x.row.item), inserts.map((x) => String(x.row.score)), inserts.map((x) => String(x.row.scale)), inserts.map((x) => x.row.periodStart),
          inserts.map((x) => x.row.periodEnd), inserts.map((x) => x.row.ratedBy), inserts.map((x) => x.row.comment),
        ],
      );
    }
    if (updates.length > 0) {
      await tx.query(
        `UPDATE ratings r SET score = u.score::float8, scale = u.scale::int, rated_by = u.by, comment = u.comment, created_at = now()
           FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS u(id, score, scale, by, comment)
          WHERE r.company_id = $1 AND r.id = u.id::uuid`,
        [ctx.companyId, updates.map((x) => x.id), updates.map((x) => String(x.row.score)), updates.map((x) => String(x.row.scale)), updates.map((x) => x.row.ratedBy), updates.map((x) => x.row.comment)],
      );
    }
    return { outcomes, rejects };
  },
});


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
  import: ratingsImport,
  export: {
    order: "t.period_start, t.id",
    extra: [
      { header: "member", sql: "CASE WHEN t.subject_type = 'member' THEN coalesce(m.email, m.name) END" },
      { header: "team", sql: "CASE WHEN t.subject_type = 'team' THEN tm.name END" },
      { header: "customer_external_id", sql: "CASE WHEN t.subject_type = 'customer' THEN coalesce(c.external_id, c.id::text) END" },
      { header: "period", sql: "to_char(t.period_start AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')" },
    ],
    joins: ["LEFT JOIN members m ON m.id = t.member_id", "LEFT JOIN teams tm ON tm.id = t.team_id", "LEFT JOIN customers c ON c.id = t.customer_id"],
  },
});
