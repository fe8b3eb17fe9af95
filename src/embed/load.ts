// The embed page's data: the same `embeddedScorecards` query a portal would
// send, run through the app's own GraphQL pipeline with the embed token (so
// the token's grant, rate limit, cost limit and deadline all apply), one alias
// per trend period; plus the framework's name and the company's currency.
// No HTML here: render.ts turns EmbedData into a page.
import { decodeGlobalID } from "@pothos/plugin-relay";
import type { Database } from "../db/database.js";
import type { Viewer } from "../auth/viewer.js";
import { loadFramework, parseStored } from "../frameworks/framework-store.js";
import type { SubjectLevel } from "../metrics/catalog.js";
import { periodLabel, type Period, type PeriodGrain } from "../metrics/period.js";
import { embedSettingsOf, type EmbedSettings, type Lang } from "./settings.js";
import { EMBEDDED_SUBJECT } from "../schema/scorecard.js";

export interface PeriodView {
  grain: PeriodGrain;
  /** The API's label: 2026-03, 2026-Q1, 2026, 2026-W09, 2026-03-01, a..b. */
  label: string;
  /** First day, YYYY-MM-DD. */
  from: string;
  /** Last day (inclusive), YYYY-MM-DD. */
  to: string;
}

export interface EmbedItem {
  id: string;
  kind: string;
  name: string;
  unit: string;
  value: number | null;
  score: number | null;
  weight: number;
  target: number | null;
}

export interface EmbedSubject {
  /** A team's or member's name; for customers a neutral "Customer n" (render.ts words it). */
  name: string | null;
  /** 1-based position in the token's subject list (the neutral label's number). */
  ordinal: number;
  total: number | null;
  grade: string | null;
  rank: number | null;
  peerCount: number;
  previousTotal: number | null;
  change: number | null;
  items: EmbedItem[];
  /** Total per trend period, oldest first (aligned with EmbedData.trend); null: no trend. */
  trend: (number | null)[] | null;
}

export interface EmbedData {
  frameworkKey: string;
  frameworkName: string;
  level: SubjectLevel;
  currency: string;
  period: PeriodView;
  /** The trend's periods, oldest first, the selected one last; null when it could not be computed. */
  trend: PeriodView[] | null;
  subjects: EmbedSubject[];
}

export interface CompanyEmbed {
  currency: string;
  settings: EmbedSettings;
}

/** What a GraphQL call through the app answered. */
export interface GraphQLAnswer {
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}
export type GraphQLExec = (query: string, variables: Record<string, unknown>) => Promise<GraphQLAnswer>;

/** Why the data could not be loaded; route.ts picks the page. */
export class EmbedLoadError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function periodView(p: Period): PeriodView {
  return { grain: p.grain, label: periodLabel(p), from: p.start.toISODate()!, to: p.end.minus({ days: 1 }).toISODate()! };
}

/** The API's PeriodInput for a resolved period. */
export function periodInput(p: Period): Record<string, string> {
  return p.grain === "custom"
    ? { grain: "CUSTOM", from: p.start.toISODate()!, to: p.end.minus({ days: 1 }).toISODate()! }
    : { grain: p.grain.toUpperCase(), date: p.start.toISODate()! };
}

export async function loadCompanyEmbed(db: Database, companyId: string): Promise<CompanyEmbed | null> {
  const row = await db.prisma.company.findUnique({ where: { id: companyId }, select: { currency: true, settings: true } });
  return row ? { currency: row.currency, settings: embedSettingsOf(row.settings) } : null;
}

/** The card's fields; KPI names in the page's language. */
const cardFields = (lang: Lang) => `subjectId subjectName frameworkVersion total grade rank peerCount previousTotal change
  items { id kind name(locale: ${lang.toUpperCase()}) unit value score weight target }`;

interface CardShape {
  subjectId: string;
  subjectName: string;
  frameworkVersion: number;
  total: number | null;
  grade: string | null;
  rank: number | null;
  peerCount: number;
  previousTotal: number | null;
  change: number | null;
  items: EmbedItem[];
}

/** The GraphQL document: the selected period in full, each earlier trend period's totals only. */
export function embedQuery(periods: number, lang: Lang = "en"): string {
  const vars = Array.from({ length: periods }, (_, i) => `$p${i}: PeriodInput!`).join(", ");
  const trend = Array.from({ length: periods - 1 }, (_, i) => `t${i}: embeddedScorecards(period: $p${i}) { subjectId total }`).join("\n  ");
  return `query EmbedPage(${vars}) {\n  ${trend}\n  current: embeddedScorecards(period: $p${periods - 1}) { ${cardFields(lang)} }\n}`;
}

async function run(exec: GraphQLExec, periods: Period[], lang: Lang): Promise<GraphQLAnswer> {
  const variables = Object.fromEntries(periods.map((p, i) => [`p${i}`, periodInput(p)]));
  return exec(embedQuery(periods.length, lang), variables);
}

function failure(answer: GraphQLAnswer): EmbedLoadError | null {
  // An item whose formula failed is an error on that item's value only (issue 15): the page
  // shows the rest. Only a missing answer for the selected period fails the page.
  if (answer.body.data?.current) return null;
  const e = answer.body.errors?.[0];
  return new EmbedLoadError(String(e?.extensions?.code ?? `HTTP_${answer.status}`), e?.message ?? "no data");
}

/**
 * The page's data for an authenticated embed viewer. `periods` is the trend, oldest first, ending with
 * the selected period. When the trend would exceed the request's cost limit, the selected period alone.
 */
export async function loadEmbedData(options: {
  db: Database;
  viewer: Viewer;
  company: CompanyEmbed;
  periods: Period[];
  exec: GraphQLExec;
  /** The page's language: KPI names come in it. */
  lang?: Lang;
}): Promise<EmbedData> {
  const { db, viewer, company, exec } = options;
  const lang = options.lang ?? "en";
  const grant = viewer.embed;
  if (!grant) throw new EmbedLoadError("TOKEN_INVALID", "not an embed token");
  let periods = options.periods;
  let answer = await run(exec, periods, lang);
  let err = failure(answer);
  if (err?.code === "COST_LIMIT" && periods.length > 1) {
    periods = periods.slice(-1);
    answer = await run(exec, periods, lang);
    err = failure(answer);
  }
  if (err) throw err;
  const data = answer.body.data!;
  const cards = (data.current ?? []) as CardShape[];

  const fw = parseStored(await loadFramework(db, viewer.companyId, grant.frameworkKey, cards[0]?.frameworkVersion));
  const ordinal = (globalId: string) => {
    try {
      const { typename, id } = decodeGlobalID(globalId);
      // Customers come anonymised: their ID already is their place in the token's list.
      if (typename === EMBEDDED_SUBJECT) return Number(id);
      return grant.subjectIds.indexOf(id) + 1;
    } catch {
      return 0;
    }
  };
  const trendOf = (globalId: string): (number | null)[] | null =>
    periods.length < 2
      ? null
      : periods.map((_, i) => {
          const list = (i === periods.length - 1 ? cards : ((data[`t${i}`] ?? []) as { subjectId: string; total: number | null }[]));
          return list.find((c) => c.subjectId === globalId)?.total ?? null;
        });
  const level = fw.framework.level;
  return {
    frameworkKey: fw.framework.key,
    frameworkName: fw.framework.name,
    level,
    currency: company.currency,
    period: periodView(periods[periods.length - 1]!),
    trend: periods.length < 2 ? null : periods.map(periodView),
    subjects: cards.map((c) => ({
      // Customers are people or their businesses: never their names on a page shown outside.
      name: level === "customer" ? null : c.subjectName,
      ordinal: ordinal(c.subjectId),
      total: c.total,
      grade: c.grade,
      rank: c.rank,
      peerCount: c.peerCount,
      previousTotal: c.previousTotal,
      change: c.change,
      items: c.items.map((i) => ({ id: i.id, kind: i.kind, name: i.name, unit: i.unit, value: i.value, score: i.score, weight: i.weight, target: i.target })),
      trend: trendOf(c.subjectId),
    })),
  };
}
