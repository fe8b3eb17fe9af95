// Service tickets and complaints.
import { factImport, iso, notBefore } from "../import/facts.js";
import { RowRejected } from "../import/row.js";
import { defineSource } from "./declaration.js";
import { attribution, col, customerDims, customerExport, customerFields, hours } from "./shared.js";

export const tickets = defineSource({
  name: "tickets",
  table: "tickets",
  description: "Service tickets and complaints with response and resolution times.",
  columns: {
    external_id: "text", customer_id: "uuid", team_id: "uuid", member_id: "uuid", kind: "text", category: "text", priority: "text",
    channel: "text", subject: "text", opened_at: "timestamptz", first_response_at: "timestamptz", resolved_at: "timestamptz",
    due_at: "timestamptz", escalated: "boolean", reopened: "boolean", satisfaction: "int",
  },
  metric: {
    subjects: attribution,
    entities: { customer: "t.customer_id" },
    timeFields: ["openedAt", "resolvedAt", "firstResponseAt"],
    fields: {
      ...customerFields,
      id: { sql: "t.id", type: "id", description: "ticket id" },
      customerId: { sql: "t.customer_id", type: "id", description: "customer" },
      kind: { sql: "t.kind", type: "string", description: "complaint, question, request, incident" },
      category: { sql: "t.category", type: "string", description: "category" },
      priority: { sql: "t.priority", type: "string", description: "low, normal, high, urgent" },
      channel: { sql: "t.channel", type: "string", description: "channel" },
      escalated: { sql: "t.escalated", type: "boolean", description: "was escalated" },
      reopened: { sql: "t.reopened", type: "boolean", description: "was reopened" },
      satisfaction: { sql: "t.satisfaction", type: "number", description: "customer's rating of the handling, 1–5" },
      responded: { sql: "(t.first_response_at IS NOT NULL AND t.first_response_at < w.e)", type: "boolean", description: "answered before the window's end" },
      resolved: { sql: "(t.resolved_at IS NOT NULL AND t.resolved_at < w.e)", type: "boolean", description: "resolved before the window's end" },
      hasDeadline: { sql: "(t.due_at IS NOT NULL)", type: "boolean", description: "has a service-level deadline" },
      overdue: {
        sql: "(t.due_at IS NOT NULL AND t.due_at < w.e AND (t.resolved_at IS NULL OR t.resolved_at > t.due_at))",
        type: "boolean",
        description: "past its deadline unresolved, or resolved late",
      },
      firstResponseHours: { sql: hours("t.opened_at", "t.first_response_at"), type: "number", description: "hours to first response" },
      resolutionHours: { sql: hours("t.opened_at", "t.resolved_at"), type: "number", description: "hours to resolution" },
      openedAt: { sql: "t.opened_at", type: "timestamp", description: "when it was opened" },
      resolvedAt: { sql: "t.resolved_at", type: "timestamp", description: "when it was resolved" },
      firstResponseAt: { sql: "t.first_response_at", type: "timestamp", description: "when it was first answered" },
    },
    dimensions: {
      channel: { sql: "t.channel", type: "string", description: "channel" },
      category: { sql: "t.category", type: "string", description: "category" },
      priority: { sql: "t.priority", type: "string", description: "priority" },
      ...customerDims,
    },
  },
  import: factImport({
    kind: "tickets",
    table: "tickets",
    externalId: col("external_id", ["ticket_id", "ticket_no", "id", "工单号", "工单编号"], "blank: derived"),
    columns: [
      col("kind", ["type", "ticket_type", "类型"], "complaint, question, request, incident; unknown → `other`; blank → `complaint`"),
      col("category", ["类别", "分类"], "billing, delivery, quality, service, product; unknown or blank → `other`"),
      col("priority", ["优先级"], "low, normal, high, urgent (`P1` … `P4`, `紧急`, `高`, `中`, `低`); unknown or blank → `normal`"),
      col("channel", ["source", "渠道", "来源"], "phone, email, chat, social, web; unknown or blank → `other`"),
      col("subject", ["title", "summary", "标题", "主题"], "text"),
      col("opened_at", ["created_at", "date", "opened", "创建时间", "开单时间"], "**required**; date", true),
      col("first_response_at", ["first_reply_at", "responded_at", "首次响应时间"], "date, not before opened_at"),
      col("resolved_at", ["closed_at", "solved_at", "解决时间", "关闭时间"], "date, not before opened_at"),
      col("due_at", ["sla_due", "deadline", "截止时间"], "date"),
      col("escalated", ["是否升级", "升级"], "yes/no (`true`, `y`, `1`, `是` / `false`, `n`, `0`, `否`); blank → no"),
      col("reopened", ["是否重开", "重开"], "yes/no; blank → no"),
      col("satisfaction", ["csat", "rating", "满意度", "评分"], "whole number 1–5"),
    ],
    tableColumns: [
      { name: "kind", type: "text" }, { name: "category", type: "text" }, { name: "priority", type: "text" },
      { name: "channel", type: "text" }, { name: "subject", type: "text" }, { name: "opened_at", type: "timestamptz" },
      { name: "first_response_at", type: "timestamptz" }, { name: "resolved_at", type: "timestamptz" },
      { name: "due_at", type: "timestamptz" }, { name: "escalated", type: "boolean" }, { name: "reopened", type: "boolean" },
      { name: "satisfaction", type: "int" },
    ],
    read(row) {
      const openedAt = row.date("opened_at", true);
      const firstResponseAt = row.date("first_response_at");
      const resolvedAt = row.date("resolved_at");
      notBefore(firstResponseAt, "first_response_at", openedAt, "opened_at");
      notBefore(resolvedAt, "resolved_at", openedAt, "opened_at");
      const dueAt = row.date("due_at");
      const satisfaction = row.integer("satisfaction");
      if (satisfaction !== null && (satisfaction < 1 || satisfaction > 5)) throw new RowRejected(`satisfaction must be 1–5, got ${satisfaction}`, "satisfaction");
      return [
        row.vocab("kind", "tickets.kind", "complaint"),
        row.vocab("category", "tickets.category", "other"),
        row.vocab("priority", "tickets.priority", "normal"),
        row.vocab("channel", "tickets.channel", "other"),
        row.text("subject", false, 500),
        iso(openedAt), iso(firstResponseAt), iso(resolvedAt), iso(dueAt),
        String(row.boolean("escalated", false)), String(row.boolean("reopened", false)),
        satisfaction === null ? null : String(satisfaction),
      ];
    },
  }),
  export: { order: "t.opened_at, t.id", externalIdFallback: true, ...customerExport },
});
