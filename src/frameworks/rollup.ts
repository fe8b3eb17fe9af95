// Roll-up: a framework of one level scored for a group of a higher level — a
// member framework for a team or the company, a team framework for the
// company, a customer framework for its owner member or team. The group's
// scorecard aggregates its members' scorecards under the framework's rule:
//
//   mean:      every member with a total counts once;
//   weighted:  each member counts by the value of the KPI `rollup.by` for the
//              period (e.g. revenue); members with no or a non-positive value
//              count 0.
//
// With shares s_m (normalised over the members counted), the group's total is
// Σ s_m·total_m; an item's contribution is Σ s_m·contribution_m (so the items'
// contributions add up to the total, as on a member's card), its weight
// Σ s_m·weight_m, its score and value the share-weighted mean over the members
// who have one. previousTotal uses the same shares over the members with a
// previous total. Each member's share and the points it brings are listed.
import type { Database } from "../db/database.js";
import type { SubjectLevel } from "../metrics/catalog.js";
import type { MetricSession } from "../metrics/engine.js";
import type { Period } from "../metrics/period.js";
import type { VersionedFramework } from "./framework-store.js";
import { resolveFrameworkPlugins } from "./plugin-pins.js";
import type { NamedScorecard } from "./report.js";
import type { ScorecardItem } from "./scorecard.js";

export interface RollupContribution {
  subjectId: string;
  subjectName: string;
  total: number | null;
  /** The member's share of the group (0–1; shares of the members counted sum to 1). */
  share: number;
  /** share × total: the points this member brings to the group's total. */
  contribution: number;
  /** Under `weighted`: the value of the weighting KPI. */
  weightValue: number | null;
}

export interface Rollup {
  method: "mean" | "weighted";
  by: string | null;
  /** The level of the members whose scorecards are aggregated. */
  memberLevel: SubjectLevel;
  members: RollupContribution[];
}

export type RolledUpScorecard = NamedScorecard & { rollup?: Rollup };

/** Which levels a framework of a level rolls up to. */
export const ROLLS_UP_TO: Record<SubjectLevel, SubjectLevel[]> = {
  customer: ["member", "team", "company"],
  member: ["team", "company"],
  team: ["company"],
  company: [],
};

const round2 = (x: number) => Math.round(x * 100) / 100;
const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

/** Group id → ids of its members at the framework's level ("" is the company). */
async function groupsOf(db: Database, companyId: string, from: SubjectLevel, to: SubjectLevel): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const add = (g: string | null, id: string) => {
    if (g === null) return;
    const list = out.get(g);
    if (list) list.push(id);
    else out.set(g, [id]);
  };
  if (from === "member") {
    for (const m of await db.prisma.member.findMany({ where: { companyId }, select: { id: true, teamId: true }, orderBy: { name: "asc" } })) {
      add(to === "company" ? "" : m.teamId, m.id);
    }
  } else if (from === "team") {
    for (const t of await db.prisma.team.findMany({ where: { companyId }, select: { id: true }, orderBy: { name: "asc" } })) add("", t.id);
  } else if (from === "customer") {
    const rows = await db.prisma.customer.findMany({ where: { companyId }, select: { id: true, ownerMemberId: true, ownerTeamId: true }, orderBy: { name: "asc" } });
    for (const c of rows) add(to === "company" ? "" : to === "member" ? c.ownerMemberId : c.ownerTeamId, c.id);
  }
  return out;
}

function weightedMean(pairs: { share: number; x: number | null }[]): number | null {
  const counted = pairs.filter((p) => p.x !== null && p.share > 0);
  const sum = counted.reduce((a, p) => a + p.share, 0);
  return sum > 0 ? round2(counted.reduce((a, p) => a + p.share * p.x!, 0) / sum) : null;
}

/**
 * Roll-up scorecards of every group of level `to` (one for the company), from the
 * scorecards of the framework's own level for the same period and version.
 */
export async function rollUp(
  db: Database,
  session: MetricSession,
  companyId: string,
  fw: VersionedFramework,
  cards: NamedScorecard[],
  to: SubjectLevel,
  period: Period,
  groupNames: Map<string, string>,
): Promise<RolledUpScorecard[]> {
  const from = fw.framework.level as SubjectLevel;
  const groups = await groupsOf(db, companyId, from, to);
  const byId = new Map(cards.map((c) => [c.subjectId!, c]));
  const { method, by } = fw.framework.rollup;
  let weights: Map<string, number | null> | null = null;
  if (method === "weighted" && by) {
    const r = (await resolveFrameworkPlugins(db, companyId, session.catalog, fw)).get(by);
    const ids = cards.map((c) => c.subjectId!);
    const values = r && "plugin" in r ? await session.outcomesOf(r.plugin, from, ids, period) : ids.map(() => ({ value: null }));
    weights = new Map(ids.map((id, i) => [id, values[i]!.value]));
  }
  const template = cards[0];
  const out: RolledUpScorecard[] = [];
  const groupIds = to === "company" ? [""] : [...groupNames.keys()];
  for (const g of groupIds) {
    const members = (groups.get(g) ?? []).map((id) => byId.get(id)).filter((c): c is NamedScorecard => !!c);
    const raw = members.map((c) => {
      const w = weights ? (weights.get(c.subjectId!) ?? null) : 1;
      return { c, weightValue: weights ? w : null, w: c.total === null || w === null || w <= 0 ? 0 : w };
    });
    const wsum = raw.reduce((a, r) => a + r.w, 0);
    const shares = raw.map((r) => ({ ...r, share: wsum > 0 ? r.w / wsum : 0 }));
    const total = wsum > 0 ? round2(shares.reduce((a, r) => a + r.share * r.c.total!, 0)) : null;
    const previousTotal = weightedMean(shares.map((r) => ({ share: r.share, x: r.c.previousTotal })));
    const items: ScorecardItem[] = (template?.items ?? []).map((item, i) => {
      const at = shares.map((r) => ({ share: r.share, it: r.c.items[i]! }));
      return {
        ...item,
        value: weightedMean(at.map((a) => ({ share: a.share, x: a.it.value }))),
        score: weightedMean(at.map((a) => ({ share: a.share, x: a.it.score }))),
        weight: round4(at.reduce((a, x) => a + x.share * x.it.weight, 0)),
        contribution: round2(at.reduce((a, x) => a + x.share * x.it.contribution, 0)),
        // A group has no target, attainment or reason of its own: see each member's card.
        target: null,
        targetSource: null,
        attainment: null,
        reason: at.length === 0 ? `no ${from} of this ${to} has a scorecard` : null,
      };
    });
    out.push({
      frameworkKey: fw.framework.key,
      frameworkName: fw.framework.name,
      frameworkVersion: fw.version,
      frameworkStatus: fw.status,
      effectiveFrom: fw.effectiveFrom,
      level: to,
      subjectId: to === "company" ? null : g,
      subjectName: to === "company" ? (groupNames.get(companyId) ?? "") : (groupNames.get(g) ?? ""),
      period,
      total,
      grade: total === null ? null : (fw.framework.grades.find((x) => total >= x.min)?.grade ?? null),
      rank: null,
      peerCount: 0,
      previousTotal,
      change: total !== null && previousTotal !== null ? round2(total - previousTotal) : null,
      items,
      rollup: {
        method,
        by: by ?? null,
        memberLevel: from,
        members: shares.map((r) => ({
          subjectId: r.c.subjectId!,
          subjectName: r.c.subjectName,
          total: r.c.total,
          share: round4(r.share),
          contribution: round2(r.share * (r.c.total ?? 0)),
          weightValue: r.weightValue,
        })),
      },
    });
  }
  const totals = out.map((c) => c.total).filter((t): t is number => t !== null);
  for (const c of out) {
    c.rank = c.total === null ? null : 1 + totals.filter((x) => x > c.total!).length;
    c.peerCount = totals.length;
  }
  return out.sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity));
}
