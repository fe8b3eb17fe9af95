// Controlled vocabularies for category-like columns. A value is lower-cased and
// underscored, then looked up as a known value, then as a synonym (English and
// Chinese spellings seen in CRM exports); anything else becomes the column's
// fallback ("other" for categories and channels) and is counted, so KPIs that
// group by the column see a fixed set instead of a long tail of spellings.
// A company adds its own values in settings.import.vocabularies["orders.category"].
import { vocabKey } from "./text.js";

export interface Vocabulary {
  readonly values: readonly string[];
  readonly synonyms: Readonly<Record<string, string>>;
  /** What an unknown value becomes; null = the row is refused instead. */
  readonly fallback: string | null;
}

const CALL = { tel: "phone", telephone: "phone", call: "phone", phone_call: "phone", hotline: "phone", 电话: "phone", 来电: "phone", 热线: "phone" };
const MAIL = { e_mail: "email", mail: "email", 邮件: "email", 电子邮件: "email", 邮箱: "email" };
const CHAT = { im: "chat", live_chat: "chat", online_chat: "chat", wechat: "chat", 微信: "chat", 在线: "chat", 在线客服: "chat", 聊天: "chat", qq: "chat" };
const SOCIAL = { weibo: "social", douyin: "social", xiaohongshu: "social", 微博: "social", 抖音: "social", 小红书: "social", social_media: "social", 社交媒体: "social" };

export const VOCABULARIES = {
  "customers.segment": {
    values: ["enterprise", "smb", "consumer"],
    synonyms: { ent: "enterprise", large: "enterprise", key_account: "enterprise", 大客户: "enterprise", 企业: "enterprise", sme: "smb", small_business: "smb", 中小企业: "smb", 中小: "smb", b2c: "consumer", individual: "consumer", personal: "consumer", 个人: "consumer", 消费者: "consumer" },
    fallback: "other",
  },
  "customers.lifecycle_stage": {
    values: ["prospect", "new", "active", "mature", "at_risk", "churned"],
    synonyms: { lead: "prospect", 潜在: "prospect", 潜在客户: "prospect", 新客户: "new", 活跃: "active", 成熟: "mature", risk: "at_risk", 风险: "at_risk", 流失风险: "at_risk", lost: "churned", churn: "churned", 流失: "churned", 已流失: "churned" },
    fallback: "other",
  },
  "customers.acquisition_channel": {
    values: ["online_ads", "social_media", "events", "content", "email", "referral", "direct", "partner"],
    // Zoho CRM's lead sources (Advertisement, Cold Call, Employee Referral, Trade Show, …) included.
    synonyms: { ads: "online_ads", sem: "online_ads", search_ads: "online_ads", advertisement: "online_ads", banner_ads: "online_ads", 广告: "online_ads", cold_call: "direct", web_research: "direct", employee_referral: "referral", external_referral: "referral", trade_show: "events", seminar: "events", internal_seminar: "events", seminar_partner: "partner", partners: "partner", webinar: "content", web_download: "content", public_relations: "content", social: "social_media", wechat: "social_media", 微信: "social_media", douyin: "social_media", 抖音: "social_media", event: "events", 展会: "events", 活动: "events", 内容: "content", edm: "email", 邮件: "email", 推荐: "referral", 转介绍: "referral", 口碑: "referral", 自然: "direct", 直接: "direct", 渠道: "partner", 合作伙伴: "partner", 代理: "partner" },
    fallback: "other",
  },
  "orders.category": {
    values: ["software", "hardware", "services", "consumables"],
    synonyms: { 软件: "software", saas: "software", licence: "software", license: "software", 硬件: "hardware", device: "hardware", 设备: "hardware", service: "services", 服务: "services", 实施: "services", 耗材: "consumables", supplies: "consumables" },
    fallback: "other",
  },
  "orders.channel": {
    values: ["online", "sales_rep", "phone", "partner", "store"],
    synonyms: { web: "online", website: "online", ecommerce: "online", e_commerce: "online", app: "online", 线上: "online", 网店: "online", 官网: "online", 电商: "online", sales: "sales_rep", salesperson: "sales_rep", direct_sales: "sales_rep", 销售: "sales_rep", 销售代表: "sales_rep", 直销: "sales_rep", ...CALL, retail: "store", offline: "store", shop: "store", 门店: "store", 线下: "store", 实体店: "store", reseller: "partner", distributor: "partner", 代理: "partner", 渠道: "partner", 经销商: "partner", 合作伙伴: "partner" },
    fallback: "other",
  },
  "interactions.channel": {
    values: ["phone", "email", "chat", "visit", "meeting", "social"],
    synonyms: { ...CALL, ...MAIL, ...CHAT, ...SOCIAL, on_site: "visit", onsite: "visit", 拜访: "visit", 上门: "visit", 到访: "visit", video_call: "meeting", zoom: "meeting", 会议: "meeting", 面谈: "meeting" },
    fallback: "other",
  },
  "interactions.direction": {
    values: ["inbound", "outbound"],
    synonyms: { in: "inbound", incoming: "inbound", 呼入: "inbound", 来电: "inbound", 客户发起: "inbound", out: "outbound", outgoing: "outbound", 呼出: "outbound", 去电: "outbound", 回访: "outbound", 主动: "outbound" },
    fallback: null,
  },
  "tickets.kind": {
    values: ["complaint", "question", "request", "incident"],
    synonyms: { 投诉: "complaint", 抱怨: "complaint", inquiry: "question", enquiry: "question", 咨询: "question", 问题: "question", 需求: "request", 申请: "request", 请求: "request", 故障: "incident", outage: "incident", 事故: "incident" },
    fallback: "other",
  },
  "tickets.category": {
    values: ["billing", "delivery", "quality", "service", "product"],
    synonyms: { invoice: "billing", payment: "billing", refund: "billing", 账单: "billing", 发票: "billing", 付款: "billing", 退款: "billing", shipping: "delivery", logistics: "delivery", 物流: "delivery", 配送: "delivery", 发货: "delivery", 快递: "delivery", defect: "quality", 质量: "quality", 服务: "service", staff: "service", attitude: "service", 态度: "service", 产品: "product", feature: "product", 功能: "product" },
    fallback: "other",
  },
  "tickets.priority": {
    values: ["low", "normal", "high", "urgent"],
    synonyms: { p1: "urgent", critical: "urgent", blocker: "urgent", 紧急: "urgent", 特急: "urgent", p2: "high", 高: "high", p3: "normal", medium: "normal", 中: "normal", 普通: "normal", 一般: "normal", p4: "low", 低: "low" },
    fallback: "normal",
  },
  "tickets.channel": {
    values: ["phone", "email", "chat", "social", "web"],
    synonyms: { ...CALL, ...MAIL, ...CHAT, ...SOCIAL, portal: "web", form: "web", website: "web", 网页: "web", 官网: "web", 工单: "web" },
    fallback: "other",
  },
  "campaigns.channel": {
    values: ["online_ads", "social_media", "events", "content", "email", "referral", "direct", "partner"],
    // Zoho CRM's campaign types (Conference, Webinar, Trade Show, Advertisement, Banner Ads, Partners, Referral Program, …).
    synonyms: { ads: "online_ads", advertisement: "online_ads", banner_ads: "online_ads", sem: "online_ads", search_ads: "online_ads", 广告: "online_ads", 线上广告: "online_ads", social: "social_media", wechat: "social_media", 微信: "social_media", douyin: "social_media", 抖音: "social_media", 社交媒体: "social_media", event: "events", conference: "events", trade_show: "events", seminar: "events", 展会: "events", 会议: "events", 活动: "events", 线下活动: "events", webinar: "content", public_relations: "content", 内容: "content", 直播: "content", edm: "email", 邮件: "email", 邮件营销: "email", referral_program: "referral", 推荐: "referral", 转介绍: "referral", telemarketing: "direct", direct_mail: "direct", 电话营销: "direct", 直邮: "direct", partners: "partner", 合作伙伴: "partner", 渠道: "partner", others: "other", 其他: "other" },
    fallback: "other",
  },
  "campaign_costs.kind": {
    values: ["marketing", "sales"],
    synonyms: { campaign: "marketing", marketing_spend: "marketing", ads: "marketing", 市场: "marketing", 营销: "marketing", 市场费用: "marketing", 营销费用: "marketing", 推广: "marketing", sales_cost: "sales", payroll: "sales", 销售: "sales", 销售费用: "sales", 销售成本: "sales" },
    fallback: null,
  },
  "opportunities.stage": {
    values: ["lead", "qualified", "proposal", "negotiation", "won", "lost"],
    // Zoho CRM's default deal stages and common Chinese CRM (纷享销客 and others) stage names.
    synonyms: {
      new: "lead", prospecting: "lead", prospect: "lead", 线索: "lead", 初步接触: "lead", 初步洽谈: "lead", 验证客户: "lead",
      qualification: "qualified", needs_analysis: "qualified", id_decision_makers: "qualified", "id._decision_makers": "qualified", identify_decision_makers: "qualified", 需求确认: "qualified", 需求确定: "qualified", 需求分析: "qualified", 已确认: "qualified",
      value_proposition: "proposal", perception_analysis: "proposal", proposal_price_quote: "proposal", quote: "proposal", 方案提交: "proposal", 方案报价: "proposal", 方案_报价: "proposal", 报价: "proposal", 提交方案: "proposal",
      negotiation_review: "negotiation", 商务谈判: "negotiation", 谈判: "negotiation", 谈判审核: "negotiation", 合同审批: "negotiation",
      closed_won: "won", win: "won", 赢单: "won", 成交: "won", 已成交: "won", 签约: "won",
      closed_lost: "lost", closed_lost_to_competition: "lost", lose: "lost", 输单: "lost", 丢单: "lost", 失败: "lost", 无效: "lost",
    },
    fallback: null,
  },
  "opportunities.status": {
    values: ["open", "won", "lost"],
    synonyms: { in_progress: "open", active: "open", 进行中: "open", 跟进中: "open", closed_won: "won", win: "won", 赢单: "won", 成交: "won", 已成交: "won", closed_lost: "lost", lose: "lost", 输单: "lost", 丢单: "lost", 失败: "lost" },
    fallback: null,
  },
  "survey_responses.kind": {
    values: ["csat", "nps", "ces", "kano", "custom"],
    synonyms: { kano_model: "kano", 卡诺: "kano", satisfaction: "csat", 满意度: "csat", net_promoter: "nps", 净推荐值: "nps", 推荐: "nps", effort: "ces", customer_effort: "ces", 费力度: "ces" },
    fallback: "custom",
  },
} as const satisfies Record<string, Vocabulary>;

export type VocabName = keyof typeof VOCABULARIES;

export type VocabResult = { ok: true; value: string; unknown: boolean; synonym: boolean } | { ok: false; reason: string };

export class VocabularySet {
  private readonly extra: Map<string, Set<string>>;

  /** `extra`: a company's own values per vocabulary ("orders.category" → ["apparel", …]). */
  constructor(extra: Readonly<Record<string, readonly string[]>> = {}) {
    this.extra = new Map(Object.entries(extra).map(([k, v]) => [k, new Set(v.map(vocabKey))]));
  }

  map(name: VocabName, raw: string, field: string): VocabResult {
    const v: Vocabulary = VOCABULARIES[name];
    const key = vocabKey(raw);
    if ((v.values as readonly string[]).includes(key) || key === v.fallback || this.extra.get(name)?.has(key)) {
      return { ok: true, value: key, unknown: false, synonym: false };
    }
    const syn = v.synonyms[key];
    if (syn !== undefined) return { ok: true, value: syn, unknown: false, synonym: true };
    if (v.fallback === null) return { ok: false, reason: `${field} must be one of ${v.values.join(", ")}: "${raw}"` };
    return { ok: true, value: v.fallback, unknown: true, synonym: false };
  }
}
