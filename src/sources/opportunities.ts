// Sales opportunities (deals) of a customer.
import { CUSTOMER_REF, iso } from "../import/facts.js";
import { membersByRef, oneMember, opportunitiesByExternalId } from "../import/lookup.js";
import { RowRejected, type CustomerRef } from "../import/row.js";
import { refKey, resolveCustomers } from "../import/write-facts.js";
import { writeKeyedBatch, type KeyedRow, type KeyedTable, type Resolved } from "../import/write-keyed.js";
import { cleanLine } from "../import/text.js";
import { cents } from "../db/bulk.js";
import { defineImport, defineSource } from "./declaration.js";
import { attribution, col, customerDims, customerExport, customerFields } from "./shared.js";

interface OpportunityRow extends KeyedRow {
  readonly customer: CustomerRef;
  readonly owner: string | null;
  readonly name: string;
  readonly value: string;
  readonly sourceChannel: string | null;
  readonly stage: string;
  readonly status: string;
  readonly createdAt: string;
  readonly closedAt: string | null;
}

const TABLE: KeyedTable = {
  table: "opportunities",
  columns: [
    { name: "customer_id", type: "uuid" }, { name: "team_id", type: "uuid" }, { name: "member_id", type: "uuid" }, { name: "name", type: "text" },
    { name: "value", type: "numeric" }, { name: "source_channel", type: "text" }, { name: "stage", type: "text" }, { name: "status", type: "text" },
    { name: "created_at", type: "timestamptz" }, { name: "closed_at", type: "timestamptz" },
  ],
};

/** A stage that closes the opportunity decides its status when the file has none. */
const STATUS_OF_STAGE: Record<string, string> = { won: "won", lost: "lost" };

export const opportunities = defineSource({
  name: "opportunities",
  table: "opportunities",
  description: "Sales opportunities: value, status (open, won, lost), created and closed dates.",
  columns: {
    external_id: "text", customer_id: "uuid", team_id: "uuid", member_id: "uuid", name: "text", value: "numeric", source_channel: "text", stage: "text",
    status: "text", created_at: "timestamptz", closed_at: "timestamptz",
  },
  metric: {
    subjects: attribution,
    entities: { customer: "t.customer_id", opportunity: "t.id" },
    timeFields: ["createdAt", "closedAt"],
    fields: {
      ...customerFields,
      id: { sql: "t.id", type: "id", description: "opportunity id" },
      customerId: { sql: "t.customer_id", type: "id", description: "customer" },
      value: { sql: "t.value", type: "number", description: "expected value" },
      status: { sql: "t.status", type: "string", description: "open, won or lost" },
      stage: { sql: "t.stage", type: "string", description: "current stage" },
      sourceChannel: { sql: "t.source_channel", type: "string", description: "lead source channel" },
      cycleDays: { sql: "(EXTRACT(EPOCH FROM (t.closed_at - t.created_at)) / 86400.0)", type: "number", description: "days from creation to close" },
      createdAt: { sql: "t.created_at", type: "timestamp", description: "when it was opened" },
      closedAt: { sql: "t.closed_at", type: "timestamp", description: "when it was won or lost" },
    },
    dimensions: {
      channel: { sql: "t.source_channel", type: "string", description: "lead source channel" },
      funnelStage: { sql: "t.stage", type: "string", description: "current stage" },
      ...customerDims,
    },
  },
  import: defineImport<OpportunityRow>({
    kind: "opportunities",
    after: ["members", "customers"],
    requiredGroups: [["customer_external_id", "customer_email", "customer_phone", "customer_name"], ["external_id"], ["stage"], ["created_at"]],
    notes:
      "An opportunity names its customer like the other facts, or by the customer's name (`customer_name`: a CRM\n" +
      "export's `Account Name`; several customers of that name reject the row as ambiguous). It is attributed to\n" +
      "its `owner` (a member's email or name) and the owner's team, else to the customer's owner; a later file keeps\n" +
      "that attribution unless the owner or the customer changes. The stage history is the\n" +
      "[opportunity_stages](#opportunity_stages) kind.",
    columns: [
      col("external_id", ["opportunity_id", "deal_id", "record_id", "potential_id", "id", "商机编号", "商机id", "机会编号"], "**required**: the opportunity's id in your CRM (stage history rows name it)", true),
      ...CUSTOMER_REF,
      col("customer_name", ["account_name", "account", "company_name", "客户名称", "客户"], "the customer's name, when the file has no customer id, email or phone"),
      col("name", ["deal_name", "opportunity_name", "potential_name", "title", "商机名称", "机会名称"], "blank → the external id"),
      col("owner", ["deal_owner", "opportunity_owner", "owner_email", "sales_rep", "负责人", "商机负责人", "销售"], "a member's email or name (must exist); blank → the customer's owner"),
      col("amount", ["value", "deal_amount", "expected_amount", "金额", "商机金额", "预计金额", "销售金额"], "money; negative refused; blank → 0"),
      col("stage", ["deal_stage", "sales_stage", "stage_name", "阶段", "销售阶段", "商机阶段"], "**required**: lead, qualified, proposal, negotiation, won, lost — Zoho's stages (`Qualification`, `Needs Analysis`, `Proposal/Price Quote`, `Negotiation/Review`, `Closed Won`, `Closed Lost` …) and Chinese ones (`初步接触`, `需求确认`, `方案报价`, `商务谈判`, `赢单`, `输单` …) map onto them; anything else is refused", true),
      col("status", ["deal_status", "状态", "商机状态"], "open, won or lost (`赢单`, `输单` …); blank → won or lost for those stages, else open"),
      col("source_channel", ["lead_source", "source", "channel", "来源", "商机来源"], "online_ads, social_media, events, content, email, referral, direct, partner; unknown → `other`"),
      col("created_at", ["created_time", "created_date", "created", "创建时间", "创建日期"], "**required**; date", true),
      col("closed_at", ["closing_date", "close_date", "closed_date", "结单日期", "成交日期", "关闭日期"], "date, not before created_at; **required** when won or lost; ignored while open (a CRM's closing date of an open deal is the expected one)"),
    ],
    read(row) {
      const given = row.id("external_id");
      if (given === null) throw new RowRejected("missing external_id", "external_id");
      const customer = row.customerRef();
      const stage = row.vocab("stage", "opportunities.stage")!;
      let status = row.vocab("status", "opportunities.status", null);
      if (status === null) {
        status = STATUS_OF_STAGE[stage] ?? "open";
        row.filled("status");
      }
      const createdAt = row.date("created_at", true);
      let closedAt = row.date("closed_at");
      if (status === "open") closedAt = null;
      else if (closedAt === null) throw new RowRejected(`missing closed_at (the opportunity is ${status})`, "closed_at");
      if (closedAt !== null && closedAt < createdAt) throw new RowRejected("closed_at is before created_at", "closed_at");
      let value = "0.00";
      if (cleanLine(row.raw("amount")) !== null) value = cents(row.money("amount"));
      else row.filled("amount");
      return {
        line: row.line, externalId: given, derived: false, customer, owner: row.text("owner", false, 300), name: row.text("name", false, 300) ?? given,
        value, sourceChannel: row.vocab("source_channel", "customers.acquisition_channel", null), stage, status,
        createdAt: iso(createdAt)!, closedAt: iso(closedAt), warnings: row.warnings, events: row.events,
      };
    },
    write: (tx, ctx, rows) =>
      writeKeyedBatch(tx, ctx, TABLE, rows, async (batch) => {
        const customers = await resolveCustomers(tx, ctx.companyId, batch.map((r) => r.customer));
        const owners = await membersByRef(tx, ctx.companyId, batch.flatMap((r) => (r.owner ? [r.owner] : [])));
        const existing = await opportunitiesByExternalId(tx, ctx.companyId, batch.map((r) => r.externalId));
        const out = new Map<number, Resolved>();
        for (const r of batch) {
          const c = customers.get(refKey(r.customer))!;
          if ("error" in c) {
            out.set(r.line, { error: c.error, field: `customer_${r.customer.by}` });
            continue;
          }
          let teamId = c.teamId;
          let memberId = c.memberId;
          if (r.owner !== null) {
            const m = oneMember(owners, r.owner, "owner");
            if ("error" in m) {
              out.set(r.line, m);
              continue;
            }
            memberId = m.id;
            teamId = m.teamId;
          }
          // Attribution is history: it stays as first imported unless the owner or the customer changed.
          const before = existing.get(r.externalId);
          if (before && before.customerId === c.id && before.memberId === memberId) teamId = before.teamId;
          out.set(r.line, { values: [c.id, teamId, memberId, r.name, r.value, r.sourceChannel, r.stage, r.status, r.createdAt, r.closedAt] });
        }
        return out;
      }),
  }),
  export: {
    order: "t.created_at, t.id",
    externalIdFallback: true,
    extra: [...customerExport.extra, { header: "owner", sql: "coalesce(m.email, m.name)" }],
    joins: [...customerExport.joins, "LEFT JOIN members m ON m.id = t.member_id"],
  },
});
