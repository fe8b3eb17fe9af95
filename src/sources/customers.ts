// Customers: the people and companies a company sells to.
import { Directory, readCustomer, type CustomerInput } from "../import/customers.js";
import { writeCustomerBatch } from "../import/write-customers.js";
import { defineImport, defineSource } from "./declaration.js";
import { col, stageAtWindowEnd } from "./shared.js";

export const customers = defineSource({
  name: "customers",
  table: "customers",
  description: "Customers; events are acquisitions and churns, snapshots count customers active at an instant.",
  columns: {
    external_id: "text", name: "text", email: "text", phone: "text", owner_member_id: "uuid", owner_team_id: "uuid", segment: "text",
    lifecycle_stage: "text", acquisition_channel: "text", campaign_id: "uuid", acquired_at: "timestamptz", churned_at: "timestamptz",
    attributes: "jsonb", notes: "text", created_at: "timestamptz",
  },
  metric: {
    subjects: { team: "t.owner_team_id", member: "t.owner_member_id", customer: "t.id" },
    entities: { customer: "t.id" },
    timeFields: ["acquiredAt", "churnedAt", "createdAt"],
    snapshot: { from: "t.acquired_at", until: "t.churned_at" },
    fields: {
      id: { sql: "t.id", type: "id", description: "customer id" },
      segment: { sql: "t.segment", type: "string", description: "segment" },
      lifecycleStage: { sql: stageAtWindowEnd("t"), type: "string", description: "lifecycle stage at the period's end (stage history)" },
      acquisitionChannel: { sql: "t.acquisition_channel", type: "string", description: "acquisition channel" },
      complete: {
        sql: "(NULLIF(btrim(t.name), '') IS NOT NULL AND (t.email IS NOT NULL OR t.phone IS NOT NULL) AND t.owner_member_id IS NOT NULL AND t.acquisition_channel IS NOT NULL AND t.segment IS DISTINCT FROM 'other')",
        type: "boolean",
        description: "the record has a name, an email or phone, an owner, an acquisition channel and a known segment",
      },
      duplicateContact: {
        sql: "EXISTS (SELECT 1 FROM customers d WHERE d.company_id = t.company_id AND d.id <> t.id AND ((t.email IS NOT NULL AND lower(d.email) = lower(t.email)) OR (t.phone IS NOT NULL AND d.phone = t.phone)))",
        type: "boolean",
        description: "another customer record has the same email (ignoring case) or phone",
      },
      campaignId: { sql: "t.campaign_id::text", type: "string", description: "acquiring campaign" },
      campaignHasCost: {
        sql: "(t.campaign_id IS NOT NULL AND EXISTS (SELECT 1 FROM campaign_costs cc WHERE cc.company_id = t.company_id AND cc.campaign_id = t.campaign_id AND cc.at >= w.s AND cc.at < w.e))",
        type: "boolean",
        description: "the acquiring campaign has costs booked in the window",
      },
      acquiredAt: { sql: "t.acquired_at", type: "timestamp", description: "when the customer was won" },
      churnedAt: { sql: "t.churned_at", type: "timestamp", description: "when the customer was lost" },
      createdAt: { sql: "t.created_at", type: "timestamp", description: "when the record was created" },
      churned: { sql: "(t.churned_at IS NOT NULL AND t.churned_at < w.e)", type: "boolean", description: "churned before the window's end" },
    },
    dimensions: {
      segment: { sql: "t.segment", type: "string", description: "segment" },
      lifecycleStage: { sql: stageAtWindowEnd("t"), type: "string", description: "lifecycle stage at the period's end (stage history)" },
      acquisitionChannel: { sql: "t.acquisition_channel", type: "string", description: "acquisition channel" },
      channel: { sql: "t.acquisition_channel", type: "string", description: "acquisition channel" },
      campaign: { sql: "t.campaign_id::text", type: "string", description: "acquiring campaign" },
    },
  },
  import: defineImport<CustomerInput, Directory>({
    kind: "customers",
    after: ["teams", "members", "campaigns"],
    attributeColumns: true,
    requiredGroups: [["external_id", "name", "email", "phone"]],
    notes:
      "Columns named `attr_<name>` go into `attributes.<name>` as text. At least one of\n`external_id`, `name`, `email`, `phone` must be in the header.",
    columns: [
      col("external_id", ["id", "customer_id", "customer_code", "customer_no", "客户编号", "客户id", "编号", "record_id", "account_number"], "the customer's id in your system"),
      col("name", ["customer_name", "full_name", "company", "company_name", "名称", "客户名称", "姓名", "公司名称", "客户", "account_name"], "blank: a new customer is named after its email, phone or external id"),
      col("email", ["e_mail", "mail", "邮箱", "电子邮件"], "normalised and validated"),
      col("phone", ["mobile", "tel", "telephone", "cell", "电话", "手机", "手机号", "联系电话"], "normalised and validated"),
      col("segment", ["tier", "customer_type", "客户类型", "细分", "客户分类"], "enterprise, smb, consumer; unknown → `other`; blank on a new customer → `smb`"),
      col("lifecycle_stage", ["lifecycle", "stage", "status", "阶段", "状态", "生命周期"], "prospect, new, active, mature, at_risk, churned; unknown → `other`; blank on a new customer → `churned` if churned_at, `active` if acquired_at, else `prospect`"),
      col("acquisition_channel", ["source", "lead_source", "channel", "来源", "获客渠道", "渠道", "客户来源"], "online_ads, social_media, events, content, email, referral, direct, partner; unknown → `other`"),
      col("owner", ["owner_email", "owner_name", "sales_rep", "account_manager", "member", "负责人", "销售", "客户经理", "account_owner", "contact_owner"], "a member's email or name; sets the owner and the owner's team. Unknown or ambiguous: left unassigned, with a warning"),
      col("team", ["team_name", "owner_team", "团队", "部门", "所属部门"], "a team's name; overrides the owner's team"),
      col("campaign", ["campaign_name", "活动", "营销活动", "campaign_source"], "a campaign's name (unknown: left empty, warning)"),
      col("acquired_at", ["customer_since", "since", "signed_at", "first_purchase_at", "签约时间", "成交时间"], "date"),
      col("churned_at", ["lost_at", "流失时间"], "date, not before acquired_at"),
      col("notes", ["note", "remark", "remarks", "comment", "备注", "description"], "free text (line breaks kept)"),
      col("attributes", ["attributes_json"], "a JSON object, merged into the customer's attributes"),
    ],
    prepare: (sql, companyId) => Directory.load(sql, companyId),
    read: (row, directory) => readCustomer(row, directory),
    write: (tx, ctx, rows) => writeCustomerBatch(tx, ctx, rows),
  }),
  export: {
    order: "t.created_at, t.id",
    externalIdFallback: true,
    extra: [
      { header: "owner", sql: "coalesce(m.email, m.name)" },
      { header: "team", sql: "tm.name" },
      { header: "campaign", sql: "cp.name" },
    ],
    joins: ["LEFT JOIN members m ON m.id = t.owner_member_id", "LEFT JOIN teams tm ON tm.id = t.owner_team_id", "LEFT JOIN campaigns cp ON cp.id = t.campaign_id"],
  },
});
