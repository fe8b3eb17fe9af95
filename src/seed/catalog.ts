// Fixed vocabularies for the demo company: names, products, channels, texts.
// Kept apart from the simulation so the behaviour code stays readable.
import type { WeightedChoice } from "./random.js";

export const SURNAMES = [
  "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou",
  "Xu", "Sun", "Ma", "Zhu", "Hu", "Guo", "He", "Lin", "Gao", "Luo",
  "Zheng", "Liang", "Xie", "Song", "Tang", "Han", "Feng", "Deng", "Cao", "Peng",
] as const;

export const GIVEN_NAMES = [
  "Wei", "Fang", "Na", "Min", "Jing", "Li", "Qiang", "Lei", "Jun", "Yang",
  "Yong", "Yan", "Jie", "Juan", "Tao", "Ming", "Chao", "Xiu", "Xia", "Ping",
  "Gang", "Hui", "Hao", "Yu", "Xin", "Lan", "Bo", "Ning", "Kai", "Rui",
  "Yifan", "Zihan", "Haoran", "Yuxuan", "Xiaoming", "Meiling", "Jiahui", "Zhiwei",
] as const;

export const CITIES = [
  "Shanghai", "Beijing", "Shenzhen", "Guangzhou", "Hangzhou", "Chengdu", "Wuhan", "Nanjing",
  "Suzhou", "Xi'an", "Chongqing", "Tianjin", "Qingdao", "Xiamen", "Changsha", "Zhengzhou",
  "Hefei", "Ningbo", "Dalian", "Shenyang", "Kunming", "Fuzhou", "Jinan", "Harbin",
  "Changchun", "Nanning", "Guiyang", "Taiyuan", "Shijiazhuang", "Nanchang", "Wuxi", "Foshan",
  "Dongguan", "Wenzhou", "Zhuhai", "Lanzhou", "Urumqi", "Hohhot", "Haikou", "Yantai",
  "Xuzhou", "Changzhou", "Quanzhou", "Tangshan", "Luoyang", "Weifang", "Shantou", "Zhongshan",
  "Huizhou", "Jiaxing",
] as const;

export const BRAND_WORDS = [
  "Huaxin", "Tianhe", "Jinlong", "Hengtai", "Xinda", "Ruifeng", "Boya", "Kangning",
  "Yuanhang", "Zhongcheng", "Lianchuang", "Mingde", "Fuxing", "Anxin", "Shengshi", "Hongyun",
  "Jiahe", "Weiye", "Dingsheng", "Haoyu",
] as const;

export const INDUSTRIES = [
  "Retail", "Food & Beverage", "Logistics", "Manufacturing", "Healthcare", "Education", "Hospitality", "Technology",
] as const;

export const COMPANY_KINDS = ["Trading Co., Ltd.", "Technology Co., Ltd.", "Supermarket", "Restaurant Group", "Logistics Co.", "Pharmacy Chain"] as const;

export type Segment = "enterprise" | "smb" | "consumer";

export const SEGMENTS: readonly WeightedChoice<Segment>[] = [
  { value: "enterprise", weight: 0.12 },
  { value: "smb", weight: 0.48 },
  { value: "consumer", weight: 0.4 },
];

export interface Product {
  readonly name: string;
  readonly category: string;
  /** List price in CNY. */
  readonly price: number;
  /** Relative popularity per segment. */
  readonly weights: Readonly<Record<Segment, number>>;
}

export const PRODUCTS: readonly Product[] = [
  { name: "CRM Suite Licence", category: "software", price: 12_000, weights: { enterprise: 3, smb: 1, consumer: 0 } },
  { name: "Analytics Add-on", category: "software", price: 4_800, weights: { enterprise: 2, smb: 0.8, consumer: 0 } },
  { name: "Cloud Storage Plan", category: "software", price: 1_200, weights: { enterprise: 1, smb: 1.5, consumer: 0.6 } },
  { name: "POS Terminal", category: "hardware", price: 3_200, weights: { enterprise: 1.5, smb: 2, consumer: 0.3 } },
  { name: "Barcode Scanner", category: "hardware", price: 650, weights: { enterprise: 1, smb: 1.5, consumer: 0.8 } },
  { name: "Receipt Printer", category: "hardware", price: 980, weights: { enterprise: 0.8, smb: 1.5, consumer: 0.8 } },
  { name: "Implementation Service", category: "services", price: 8_000, weights: { enterprise: 2, smb: 0.4, consumer: 0 } },
  { name: "Training Day", category: "services", price: 3_000, weights: { enterprise: 1.2, smb: 0.6, consumer: 0 } },
  { name: "Support Plan", category: "services", price: 2_400, weights: { enterprise: 1, smb: 1, consumer: 0.3 } },
  { name: "Thermal Paper (box)", category: "consumables", price: 120, weights: { enterprise: 1, smb: 3, consumer: 3 } },
  { name: "Label Rolls", category: "consumables", price: 80, weights: { enterprise: 0.8, smb: 2.5, consumer: 3 } },
  { name: "Ink Cartridge", category: "consumables", price: 260, weights: { enterprise: 0.6, smb: 2, consumer: 2.5 } },
];

export const ORDER_CHANNELS: Readonly<Record<Segment, readonly WeightedChoice<string>[]>> = {
  enterprise: [
    { value: "sales_rep", weight: 6 }, { value: "partner", weight: 2 }, { value: "online", weight: 1.5 }, { value: "phone", weight: 1 },
  ],
  smb: [
    { value: "online", weight: 4 }, { value: "sales_rep", weight: 3 }, { value: "phone", weight: 1.5 }, { value: "partner", weight: 1 }, { value: "store", weight: 1 },
  ],
  consumer: [
    { value: "online", weight: 6 }, { value: "store", weight: 3 }, { value: "phone", weight: 0.5 },
  ],
};

/** Channels campaigns run on, with leads per 10,000 CNY and lead quality (win-rate factor). */
export interface CampaignChannel {
  readonly channel: string;
  readonly label: string;
  readonly leadsPer10k: number;
  readonly quality: number;
  /** Relative monthly budget. */
  readonly budget: number;
  /** Chance a new campaign starts on this channel in a given month. */
  readonly startChance: number;
}

export const CAMPAIGN_CHANNELS: readonly CampaignChannel[] = [
  { channel: "online_ads", label: "Search & Feed Ads", leadsPer10k: 2.2, quality: 0.85, budget: 1.4, startChance: 0.45 },
  { channel: "social_media", label: "WeChat & Douyin", leadsPer10k: 2.8, quality: 0.8, budget: 1.0, startChance: 0.4 },
  { channel: "events", label: "Trade Show", leadsPer10k: 1.1, quality: 1.3, budget: 2.0, startChance: 0.2 },
  { channel: "content", label: "Content & Webinars", leadsPer10k: 3.0, quality: 1.05, budget: 0.6, startChance: 0.3 },
  { channel: "email", label: "Email Nurture", leadsPer10k: 4.0, quality: 0.95, budget: 0.35, startChance: 0.3 },
];

/** Lead sources without a campaign (no marketing cost), with quality and share. */
export const ORGANIC_CHANNELS: readonly { readonly channel: string; readonly quality: number; readonly weight: number }[] = [
  { channel: "referral", quality: 1.35, weight: 0.45 },
  { channel: "direct", quality: 1.0, weight: 0.35 },
  { channel: "partner", quality: 1.15, weight: 0.2 },
];

/** Where customers acquired before the window came from (no campaigns recorded then). */
export const LEGACY_CHANNELS: readonly WeightedChoice<string>[] = [
  { value: "referral", weight: 3 }, { value: "direct", weight: 3 }, { value: "partner", weight: 2 },
  { value: "events", weight: 1.5 }, { value: "online_ads", weight: 1.5 },
];

export const INTERACTION_CHANNELS = ["phone", "email", "chat", "visit", "meeting", "social"] as const;
export type InteractionChannel = (typeof INTERACTION_CHANNELS)[number];

export const TICKET_CATEGORIES = ["billing", "delivery", "quality", "service", "product"] as const;
export type TicketCategory = (typeof TICKET_CATEGORIES)[number];

export const TICKET_SUBJECTS: Readonly<Record<TicketCategory, readonly string[]>> = {
  billing: ["Invoice amount incorrect", "Charged twice", "Fapiao not received", "Refund not processed"],
  delivery: ["Late delivery", "Package damaged", "Wrong item shipped", "Delivery address changed"],
  quality: ["Device stops working", "Print quality poor", "Missing parts", "Product defective on arrival"],
  service: ["Engineer did not show up", "Rude staff", "Hotline unreachable", "No reply to email"],
  product: ["Feature not working as described", "How to export reports", "Request for integration", "Licence activation fails"],
};

export type Priority = "low" | "normal" | "high" | "urgent";

export const PRIORITIES: readonly WeightedChoice<Priority>[] = [
  { value: "low", weight: 20 }, { value: "normal", weight: 50 }, { value: "high", weight: 22 }, { value: "urgent", weight: 8 },
];

/** Resolution deadline (SLA) per priority, hours. */
export const SLA_HOURS: Readonly<Record<Priority, number>> = { urgent: 8, high: 24, normal: 72, low: 168 };
/** How much faster than normal each priority gets its first response. */
export const RESPONSE_FACTOR: Readonly<Record<Priority, number>> = { urgent: 0.2, high: 0.5, normal: 1, low: 1.6 };

export const SURVEY_QUESTIONS = {
  csat: "How satisfied are you with our service?",
  nps: "How likely are you to recommend us to a friend or colleague?",
  ces: "How easy was it to get your issue resolved?",
} as const;

export const SURVEY_COMMENTS_GOOD = [
  "Very quick response, thank you.", "Sales rep was professional and patient.", "Problem solved on the first call.",
  "Great service, will recommend.", "Delivery was on time.",
] as const;

export const SURVEY_COMMENTS_BAD = [
  "Nobody answered my complaint.", "Took far too long to fix.", "Had to explain the problem three times.",
  "Delivery was late again.", "Considering another supplier.",
] as const;

/** Order volume by company-time calendar month: Spring Festival dip, 618, Double 11 and year-end peak. */
export const ORDER_SEASONALITY: readonly number[] = [1.05, 0.62, 0.9, 0.95, 1.0, 1.18, 0.95, 0.93, 1.05, 1.1, 1.5, 1.38];
/** Lead inflow by calendar month: fewer during Spring Festival and summer. */
export const LEAD_SEASONALITY: readonly number[] = [0.9, 0.6, 1.1, 1.1, 1.05, 1.0, 0.85, 0.85, 1.1, 1.05, 1.15, 1.0];

export const STAGES = ["lead", "qualified", "proposal", "negotiation", "won"] as const;
