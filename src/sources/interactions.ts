// Communication with customers.
import { factImport, iso, notBefore } from "../import/facts.js";
import { defineSource } from "./declaration.js";
import { attribution, col, customerDims, customerExport, customerFields, hours } from "./shared.js";

export const interactions = defineSource({
  name: "interactions",
  table: "interactions",
  description: "Communication with customers: phone, email, chat, visits, meetings, social.",
  columns: {
    external_id: "text", customer_id: "uuid", team_id: "uuid", member_id: "uuid", channel: "text", direction: "text",
    duration_seconds: "int", outcome: "text", responded_at: "timestamptz", at: "timestamptz",
  },
  metric: {
    subjects: attribution,
    entities: { customer: "t.customer_id" },
    timeFields: ["at"],
    fields: {
      ...customerFields,
      id: { sql: "t.id", type: "id", description: "interaction id" },
      customerId: { sql: "t.customer_id", type: "id", description: "customer" },
      channel: { sql: "t.channel", type: "string", description: "phone, email, chat, visit, meeting, social" },
      direction: { sql: "t.direction", type: "string", description: "inbound or outbound" },
      outcome: { sql: "t.outcome", type: "string", description: "outcome" },
      durationMinutes: { sql: "(t.duration_seconds / 60.0)", type: "number", description: "duration in minutes" },
      responded: { sql: "(t.responded_at IS NOT NULL)", type: "boolean", description: "inbound message was answered" },
      responseHours: { sql: hours("t.at", "t.responded_at"), type: "number", description: "hours until the answer" },
      at: { sql: "t.at", type: "timestamp", description: "when it happened" },
    },
    dimensions: {
      channel: { sql: "t.channel", type: "string", description: "channel" },
      direction: { sql: "t.direction", type: "string", description: "direction" },
      ...customerDims,
    },
  },
  import: factImport({
    kind: "interactions",
    table: "interactions",
    externalId: col("external_id", ["interaction_id", "id", "记录编号"], "blank: derived"),
    columns: [
      col("channel", ["type", "渠道", "方式", "沟通方式"], "phone, email, chat, visit, meeting, social; unknown or blank → `other`"),
      col("direction", ["方向", "呼叫方向"], "**required**: inbound or outbound (`in`, `呼入`, `来电` / `out`, `呼出`, `去电`, `回访`); anything else is refused", true),
      col("duration_seconds", ["duration", "seconds", "时长", "通话时长"], "`95`, `1:35`, `0:01:35`, `1m 35s`, `2 min`, `1小时5分钟`; blank → 0"),
      col("outcome", ["result", "结果"], "lower-cased, spaces to `_`"),
      col("responded_at", ["response_at", "replied_at", "回复时间"], "date, not before `at`"),
      col("at", ["date", "time", "started_at", "created_at", "时间", "日期"], "**required**; date", true),
    ],
    tableColumns: [
      { name: "channel", type: "text" }, { name: "direction", type: "text" }, { name: "duration_seconds", type: "int" },
      { name: "outcome", type: "text" }, { name: "responded_at", type: "timestamptz" }, { name: "at", type: "timestamptz" },
    ],
    read(row) {
      const at = row.date("at", true);
      const direction = row.vocab("direction", "interactions.direction");
      const channel = row.vocab("channel", "interactions.channel", "other");
      let seconds = row.duration("duration_seconds");
      if (seconds === null) {
        seconds = 0;
        if (row.has("duration_seconds")) row.filled("duration_seconds");
      }
      const outcome = row.text("outcome", false, 100)?.toLowerCase().replace(/[\s-]+/g, "_") ?? null;
      const respondedAt = row.date("responded_at");
      notBefore(respondedAt, "responded_at", at, "at");
      return [channel, direction, String(seconds), outcome, iso(respondedAt), iso(at)];
    },
  }),
  export: { order: "t.at, t.id", externalIdFallback: true, ...customerExport },
});
