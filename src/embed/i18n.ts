// The embed page's words, in English and Chinese (simplified). Every label the
// page shows comes from here; data (KPI and framework names) is shown as given.
import type { Lang } from "./settings.js";

export interface Labels {
  locale: string;
  htmlLang: string;
  scorecard: string;
  totalScore: string;
  grade: string;
  rankLabel: string;
  rank(rank: number, of: number): string;
  trend: string;
  change: string;
  noPrevious: string;
  trendTitle(n: number): string;
  trendUnavailable: string;
  indicators: string;
  score: string;
  value: string;
  target: string;
  weight: string;
  noData: string;
  noSubjects: string;
  customer(n: number): string;
  /** Default grade names of a framework (framework-schema.ts), translated; others are shown as given. */
  grades: Record<string, string>;
  units: Partial<Record<string, string>>;
  period: {
    month(year: number, month: number): string;
    /** Chart labels: the month alone; the year goes on a second line under the first point and January. */
    monthShort(month: number): string;
    yearShort(year: number): string;
    quarter(year: number, q: number): string;
    year(year: number): string;
    week(year: number, week: number): string;
    day(iso: string): string;
    custom(from: string, to: string): string;
  };
  errors: {
    title: string;
    expired: string;
    revoked: string;
    invalid: string;
    missing: string;
    apiKey: string;
    badParameter(name: string, detail: string): string;
    rateLimited: string;
    unavailable: string;
    notFound: string;
    method: string;
  };
}

const EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

const en: Labels = {
  locale: "en",
  htmlLang: "en",
  scorecard: "Scorecard",
  totalScore: "Total score",
  grade: "Grade",
  rankLabel: "Rank",
  rank: (rank, of) => `${rank} of ${of}`,
  trend: "Trend",
  change: "vs previous period",
  noPrevious: "No previous period to compare",
  trendTitle: (n) => `Total score, last ${n} periods`,
  trendUnavailable: "The trend is not available for this scorecard.",
  indicators: "Indicators",
  score: "Score",
  value: "Value",
  target: "Target",
  weight: "Weight",
  noData: "No data",
  noSubjects: "Nothing to show for this period.",
  customer: (n) => `Customer ${n}`,
  grades: {},
  units: { days: "days", hours: "hours", minutes: "min" },
  period: {
    month: (y, m) => `${EN_MONTHS[m - 1]} ${y}`,
    monthShort: (m) => EN_MONTHS[m - 1]!.slice(0, 3),
    yearShort: (y) => String(y),
    quarter: (y, q) => `Q${q} ${y}`,
    year: (y) => String(y),
    week: (y, w) => `Week ${w}, ${y}`,
    day: (iso) => iso,
    custom: (from, to) => `${from} – ${to}`,
  },
  errors: {
    title: "Scorecard unavailable",
    expired: "This scorecard link has expired. Ask the person who shared it with you for a new link.",
    revoked: "This scorecard link has been withdrawn. Ask the person who shared it with you for a new link.",
    invalid: "This scorecard link is not valid: it may be incomplete, altered, or from another site. Check that it was copied whole, or ask for a new link.",
    missing: "This page needs a scorecard link with a token (?token=…). Ask the person who shared the scorecard for the full link.",
    apiKey: "This page opens with a scorecard embed token, not an API key. Ask an administrator for an embed link.",
    badParameter: (name, detail) => `The parameter “${name}” is not valid: ${detail}`,
    rateLimited: "This scorecard has been opened too often in the last minute. Try again shortly.",
    unavailable: "The scorecard cannot be shown right now. Try again in a minute.",
    notFound: "The scorecard this link points to no longer exists. Ask for a new link.",
    method: "This page can only be opened (GET).",
  },
};

const zh: Labels = {
  locale: "zh-CN",
  htmlLang: "zh-CN",
  scorecard: "记分卡",
  totalScore: "总分",
  grade: "等级",
  rankLabel: "排名",
  rank: (rank, of) => `第 ${rank} 名 / 共 ${of} 名`,
  trend: "走势",
  change: "较上期",
  noPrevious: "无上期数据可比较",
  trendTitle: (n) => `近 ${n} 期总分走势`,
  trendUnavailable: "此记分卡暂无走势数据。",
  indicators: "指标",
  score: "得分",
  value: "实际值",
  target: "目标",
  weight: "权重",
  noData: "暂无数据",
  noSubjects: "本期没有可显示的内容。",
  customer: (n) => `客户 ${n}`,
  grades: { excellent: "优秀", good: "良好", pass: "及格", fail: "不及格" },
  units: { days: "天", hours: "小时", minutes: "分钟" },
  period: {
    month: (y, m) => `${y}年${m}月`,
    monthShort: (m) => `${m}月`,
    yearShort: (y) => `${y}年`,
    quarter: (y, q) => `${y}年第${q}季度`,
    year: (y) => `${y}年`,
    week: (y, w) => `${y}年第${w}周`,
    day: (iso) => iso,
    custom: (from, to) => `${from} 至 ${to}`,
  },
  errors: {
    title: "记分卡无法显示",
    expired: "此记分卡链接已过期。请联系分享链接给您的人获取新链接。",
    revoked: "此记分卡链接已被撤销。请联系分享链接给您的人获取新链接。",
    invalid: "此记分卡链接无效：可能不完整、被修改，或来自其他站点。请检查链接是否完整复制，或索取新链接。",
    missing: "此页面需要带令牌的记分卡链接（?token=…）。请向分享记分卡的人索取完整链接。",
    apiKey: "此页面需要记分卡嵌入令牌，而不是 API 密钥。请向管理员索取嵌入链接。",
    badParameter: (name, detail) => `参数“${name}”无效：${detail}`,
    rateLimited: "此记分卡在过去一分钟内打开次数过多，请稍后再试。",
    unavailable: "记分卡暂时无法显示，请一分钟后再试。",
    notFound: "此链接指向的记分卡已不存在。请索取新链接。",
    method: "此页面只能打开查看（GET）。",
  },
};

export const LABELS: Record<Lang, Labels> = { en, zh };

export function labelsFor(lang: Lang): Labels {
  return LABELS[lang];
}
