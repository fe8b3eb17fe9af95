// Benchmark (a), second request: the scorecard ranking of every member — a
// member-level framework over six built-in KPIs, `company { ranking }` for one
// month through the real Yoga pipeline — against the same per-member aggregates
// written by hand in SQL (bench/ranking-floor.ts), measured interleaved in one
// run; plus SQL statements per request, and a check that every member's KPI
// values agree. Scores, weights, grades and ranks are computed in JavaScript from
// those values, so the raw values are what is compared.
import { decodeGlobalID } from "@pothos/plugin-relay";
import { DateTime } from "luxon";
import type { Database } from "../src/db/database.js";
import { benchClient, interleaved, same, type ApiVsFloor } from "./dashboard.js";
import { memberKpis, RANKING_FLOOR_STATEMENTS, RANKING_KPIS, rankingFloorAggregates, type MemberCell } from "./ranking-floor.js";

/** The month ranked: the seed's last whole month (company time). */
export const RANKING_MONTH = "2026-10";

export const RANKING_FRAMEWORK = {
  key: "bench_member_review",
  name: "Member review (benchmark)",
  level: "member",
  // Equal weights; each KPI keeps its plugin's scoring (quantile among peers for revenue and order value).
  items: RANKING_KPIS.map((kpi) => ({ kpi, weight: 1 })),
  missing: "renormalize",
};

export const RANKING_QUERY = `query($p: PeriodInput!) { company {
  ranking(framework: "${RANKING_FRAMEWORK.key}", period: $p, first: 1000) {
    subjectId subjectName total grade rank peerCount previousTotal change
    items { id value score weight contribution }
  } } }`;

export interface RankingCard {
  subjectId: string;
  subjectName: string;
  total: number | null;
  rank: number | null;
  previousTotal: number | null;
  items: { id: string; value: number | null; score: number | null }[];
}

export interface RankingResult extends ApiVsFloor {
  members: number;
}

/** Creates the benchmark framework through the API (admin key) unless the company has it. */
export async function ensureRankingFramework(db: Database, companyId: string): Promise<void> {
  const admin = await benchClient(db, companyId, "admin");
  const { company } = await admin.request<{ company: { frameworks: { key: string }[] } }>("{ company { frameworks { key } } }");
  if (company.frameworks.some((f) => f.key === RANKING_FRAMEWORK.key)) return;
  await admin.request(`mutation($d: JSON!) { createFramework(document: $d, effectiveFrom: "2000-01-01T00:00:00Z") { key version } }`, { d: RANKING_FRAMEWORK });
}

/** Every (member, KPI) value of the API's ranking against the floor's, for `month` (yyyy-MM). */
export function compareRanking(cards: RankingCard[], cells: Map<string, MemberCell>, month: string): { cells: number; mismatches: number } {
  let compared = 0;
  let mismatches = 0;
  for (const card of cards) {
    const expected = memberKpis(cells, decodeGlobalID(card.subjectId).id, month);
    const byId = new Map(card.items.map((i) => [i.id, i.value]));
    for (const k of RANKING_KPIS) {
      compared++;
      if (!same(byId.get(k), expected[k] ?? null)) mismatches++;
    }
  }
  return { cells: compared, mismatches };
}

export async function runRanking(db: Database, companyId: string, iterations: number): Promise<RankingResult> {
  const company = await db.prisma.company.findUniqueOrThrow({ where: { id: companyId } });
  const memberCount = await db.prisma.member.count({ where: { companyId } });
  await ensureRankingFramework(db, companyId);
  const client = await benchClient(db, companyId);
  const month = DateTime.fromISO(`${RANKING_MONTH}-01`, { zone: company.timeZone });
  const period = { grain: "MONTH", date: month.toISODate() };
  const request = async () => (await client.request<{ company: { ranking: RankingCard[] } }>(RANKING_QUERY, { p: period })).company.ranking;
  // The month and the one before it (the ranking's previous totals), like the API.
  const from = month.minus({ months: 1 }).toUTC().toJSDate();
  const to = month.plus({ months: 1 }).toUTC().toJSDate();
  const floor = () => rankingFloorAggregates(db.sql, companyId, company.timeZone, from, to);

  const run = await interleaved(db, iterations, request, floor);
  const cards = run.apiResult;
  if (cards.length !== memberCount) throw new Error(`ranking returned ${cards.length} members of ${memberCount}`);
  const check = compareRanking(cards, run.floorResult, RANKING_MONTH);
  return {
    members: cards.length,
    apiMs: run.apiMs,
    apiSqlMs: run.apiSqlMs,
    floorMs: run.floorMs,
    ratio: run.ratio,
    statements: run.statements,
    floorStatements: RANKING_FLOOR_STATEMENTS,
    ...check,
  };
}
