// Survey answers (CSAT, NPS, CES, custom).
import { factImport, iso } from "../import/facts.js";
import { RowRejected } from "../import/row.js";
import { defineSource } from "./declaration.js";
import { attribution, col, customerDims, customerExport, customerFields } from "./shared.js";

const DEFAULT_SCALE: Record<string, number> = { csat: 5, nps: 10, ces: 7, kano: 5, custom: 5 };

export const surveys = defineSource({
  name: "surveys",
  table: "survey_responses",
  description: "Survey answers: CSAT, NPS, CES and custom questions, with score and scale.",
  columns: {
    external_id: "text", customer_id: "uuid", team_id: "uuid", member_id: "uuid", kind: "text", question: "text", score: "float8",
    scale: "int", comment: "text", at: "timestamptz", dysfunctional_score: "float8",
  },
  metric: {
    subjects: attribution,
    entities: { customer: "t.customer_id" },
    timeFields: ["at"],
    fields: {
      ...customerFields,
      customerId: { sql: "t.customer_id", type: "id", description: "customer" },
      kind: { sql: "t.kind", type: "string", description: "csat, nps, ces or custom" },
      question: { sql: "t.question", type: "string", description: "question" },
      score: { sql: "t.score", type: "number", description: "answer" },
      scale: { sql: "t.scale", type: "number", description: "top of the scale (5, 7 or 10)" },
      score100: { sql: "(t.score * 100.0 / NULLIF(t.scale, 0))", type: "number", description: "answer as a share of the scale, 0–100" },
      satisfied: { sql: "(t.score >= 0.8 * t.scale)", type: "boolean", description: "top-two-box on a 5-point scale (score ≥ 80 % of the scale)" },
      dysfunctionalScore: { sql: "t.dysfunctional_score", type: "number", description: "Kano: the answer to the dysfunctional question (score holds the functional one)" },
      kanoCategory: {
        // The Kano evaluation table over (functional, dysfunctional), answers 1 like, 2 expect, 3 neutral, 4 live with, 5 dislike.
        sql: `(CASE WHEN t.kind <> 'kano' OR t.dysfunctional_score IS NULL THEN NULL
          WHEN (t.score = 1 AND t.dysfunctional_score = 1) OR (t.score = 5 AND t.dysfunctional_score = 5) THEN 'questionable'
          WHEN t.score = 1 AND t.dysfunctional_score = 5 THEN 'one_dimensional'
          WHEN t.score = 1 THEN 'attractive'
          WHEN t.dysfunctional_score = 5 THEN 'must_be'
          WHEN t.score = 5 OR t.dysfunctional_score = 1 THEN 'reverse'
          ELSE 'indifferent' END)`,
        type: "string",
        description: "Kano category of a kano answer pair: attractive, one_dimensional, must_be, indifferent, reverse or questionable",
      },
      at: { sql: "t.at", type: "timestamp", description: "when it was answered" },
    },
    dimensions: {
      surveyKind: { sql: "t.kind", type: "string", description: "survey kind" },
      question: { sql: "t.question", type: "string", description: "the question (for Kano: the requirement)" },
      ...customerDims,
    },
  },
  import: factImport({
    kind: "survey_responses",
    table: "survey_responses",
    externalId: col("external_id", ["response_id", "survey_id", "id", "问卷编号"], "blank: derived"),
    columns: [
      col("kind", ["type", "survey_type", "类型"], "**required**: csat, nps, ces (`满意度`, `净推荐值`, `费力度`); anything else → `custom`", true),
      col("question", ["问题"], "text"),
      col("score", ["value", "rating", "answer", "分数", "评分"], "**required**; within 0–scale (NPS), 1–scale (CSAT, CES)", true),
      col("scale", ["max", "max_score", "满分", "量表"], "1–100; blank → 10 for NPS, 7 for CES, 5 otherwise"),
      col("comment", ["feedback", "remarks", "评论", "意见", "备注"], "free text (line breaks kept)"),
      col("at", ["date", "answered_at", "submitted_at", "created_at", "时间", "日期"], "**required**; date", true),
      col("dysfunctional_score", ["dysfunctional", "negative_score", "反向分数", "反向问题得分"], "kind `kano` only, **required** there: the answer to the requirement's dysfunctional question (1 like … 5 dislike); `score` holds the functional one, `question` names the requirement"),
    ],
    tableColumns: [
      { name: "kind", type: "text" }, { name: "question", type: "text" }, { name: "score", type: "float8" },
      { name: "scale", type: "int" }, { name: "comment", type: "text" }, { name: "at", type: "timestamptz" },
      { name: "dysfunctional_score", type: "float8" },
    ],
    read(row) {
      const kind = row.vocab("kind", "survey_responses.kind")!;
      const at = row.date("at", true);
      const score = row.number("score", true);
      let scale = row.integer("scale");
      if (scale === null) {
        scale = DEFAULT_SCALE[kind] ?? 5;
        row.filled("scale");
      }
      if (scale < 1 || scale > 100) throw new RowRejected(`scale must be 1–100, got ${scale}`, "scale");
      // NPS runs 0–10; CSAT and CES scales start at 1.
      const min = kind === "csat" || kind === "ces" ? 1 : 0;
      if (score < min || score > scale) throw new RowRejected(`score ${score} is outside ${min}–${scale} for ${kind}`, "score");
      const dysfunctional = row.number("dysfunctional_score");
      if (kind === "kano" && (dysfunctional === null || dysfunctional < 1 || dysfunctional > 5 || score < 1 || score > 5)) {
        throw new RowRejected("a kano answer needs score and dysfunctional_score, each 1–5", dysfunctional === null ? "dysfunctional_score" : "score");
      }
      return [kind, row.text("question", false, 500), String(score), String(scale), row.multiline("comment"), iso(at), kind === "kano" ? String(dysfunctional) : null];
    },
  }),
  export: { order: "t.at, t.id", externalIdFallback: true, ...customerExport },
});
