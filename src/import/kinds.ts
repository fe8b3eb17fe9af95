// What each import kind reads: its columns, the header spellings accepted for
// each (English and Chinese), and which must be present. docs/import.md lists
// the same; test/import checks the two agree.
export const IMPORT_KINDS = ["customers", "orders", "interactions", "tickets", "survey_responses"] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export function isImportKind(value: string): value is ImportKind {
  return (IMPORT_KINDS as readonly string[]).includes(value);
}

export interface ColumnDef {
  readonly name: string;
  readonly aliases: readonly string[];
  /** A row with this cell blank is refused. */
  readonly required?: boolean;
}

const col = (name: string, aliases: readonly string[], required = false): ColumnDef => ({ name, aliases, required });

/** How a fact row names its customer: any one of these columns (external id first, then email, then phone). */
const CUSTOMER_REF = [
  col("customer_external_id", ["customer", "customer_id", "customer_code", "customer_no", "client_id", "客户编号", "客户id", "客户代码"]),
  col("customer_email", ["email", "customer_mail", "客户邮箱", "邮箱"]),
  col("customer_phone", ["phone", "mobile", "customer_mobile", "客户电话", "客户手机", "手机", "电话"]),
];
export const CUSTOMER_REF_COLUMNS = CUSTOMER_REF.map((c) => c.name);

export const COLUMNS: Record<ImportKind, readonly ColumnDef[]> = {
  customers: [
    col("external_id", ["id", "customer_id", "customer_code", "customer_no", "客户编号", "客户id", "编号"]),
    col("name", ["customer_name", "full_name", "company", "company_name", "名称", "客户名称", "姓名", "公司名称", "客户"]),
    col("email", ["e_mail", "mail", "邮箱", "电子邮件"]),
    col("phone", ["mobile", "tel", "telephone", "cell", "电话", "手机", "手机号", "联系电话"]),
    col("segment", ["tier", "customer_type", "客户类型", "细分", "客户分类"]),
    col("lifecycle_stage", ["lifecycle", "stage", "status", "阶段", "状态", "生命周期"]),
    col("acquisition_channel", ["source", "lead_source", "channel", "来源", "获客渠道", "渠道"]),
    col("owner", ["owner_email", "owner_name", "sales_rep", "account_manager", "member", "负责人", "销售", "客户经理"]),
    col("team", ["team_name", "owner_team", "团队", "部门"]),
    col("campaign", ["campaign_name", "活动", "营销活动"]),
    col("acquired_at", ["customer_since", "since", "signed_at", "first_purchase_at", "签约时间", "成交时间"]),
    col("churned_at", ["lost_at", "流失时间"]),
    col("notes", ["note", "remark", "remarks", "comment", "备注"]),
    col("attributes", ["attributes_json"]),
  ],
  orders: [
    col("external_id", ["order_id", "order_no", "order_number", "id", "订单号", "订单编号"]),
    ...CUSTOMER_REF,
    col("amount", ["total", "value", "order_amount", "price", "金额", "订单金额", "实付金额"], true),
    col("currency", ["币种", "货币"]),
    col("product", ["product_name", "item", "sku", "产品", "商品", "产品名称"]),
    col("category", ["product_category", "类别", "品类", "分类"]),
    col("channel", ["sales_channel", "渠道", "销售渠道"]),
    col("at", ["date", "order_date", "ordered_at", "created_at", "time", "日期", "下单时间", "订单日期"], true),
  ],
  interactions: [
    col("external_id", ["interaction_id", "id", "记录编号"]),
    ...CUSTOMER_REF,
    col("channel", ["type", "渠道", "方式", "沟通方式"]),
    col("direction", ["方向", "呼叫方向"], true),
    col("duration_seconds", ["duration", "seconds", "时长", "通话时长"]),
    col("outcome", ["result", "结果"]),
    col("responded_at", ["response_at", "replied_at", "回复时间"]),
    col("at", ["date", "time", "started_at", "created_at", "时间", "日期"], true),
  ],
  tickets: [
    col("external_id", ["ticket_id", "ticket_no", "id", "工单号", "工单编号"]),
    ...CUSTOMER_REF,
    col("kind", ["type", "ticket_type", "类型"]),
    col("category", ["类别", "分类"]),
    col("priority", ["优先级"]),
    col("channel", ["source", "渠道", "来源"]),
    col("subject", ["title", "summary", "标题", "主题"]),
    col("opened_at", ["created_at", "date", "opened", "创建时间", "开单时间"], true),
    col("first_response_at", ["first_reply_at", "responded_at", "首次响应时间"]),
    col("resolved_at", ["closed_at", "solved_at", "解决时间", "关闭时间"]),
    col("due_at", ["sla_due", "deadline", "截止时间"]),
    col("escalated", ["是否升级", "升级"]),
    col("reopened", ["是否重开", "重开"]),
    col("satisfaction", ["csat", "rating", "满意度", "评分"]),
  ],
  survey_responses: [
    col("external_id", ["response_id", "survey_id", "id", "问卷编号"]),
    ...CUSTOMER_REF,
    col("kind", ["type", "survey_type", "类型"], true),
    col("question", ["问题"]),
    col("score", ["value", "rating", "answer", "分数", "评分"], true),
    col("scale", ["max", "max_score", "满分", "量表"]),
    col("comment", ["feedback", "remarks", "评论", "意见", "备注"]),
    col("at", ["date", "answered_at", "submitted_at", "created_at", "时间", "日期"], true),
  ],
};

/** Header groups of which at least one column must be present. */
export function requiredColumnGroups(kind: ImportKind): string[][] {
  const required = COLUMNS[kind].filter((c) => c.required).map((c) => [c.name]);
  if (kind === "customers") return [["external_id", "name", "email", "phone"]];
  return [CUSTOMER_REF_COLUMNS, ...required];
}
