// Scorecards: a framework applied to every subject of its level for a period.
// Each item's value comes from the metric engine (rating items are synthetic
// plugins over the ratings source, so they batch like any KPI); scores use the
// item's override or the plugin's method, quantiles among the same peers;
// weights are normalised; the total gets a grade and a rank among peers.
import type { SubjectLevel } from "../metrics/catalog.js";
import type { MetricSession } from "../metrics/engine.js";
import { shiftPeriod, type Period } from "../metrics/period.js";
import type { ScoreSpec } from "../metrics/plugin-schema.js";
import { registerPlugin, type RegisteredPlugin } from "../metrics/registry.js";
import { scoreNow } from "../metrics/score.js";
import { settleAll } from "../metrics/settle.js";
import { isRatingItem, type Framework, type FrameworkItem } from "./framework-schema.js";

export interface ScorecardItem {
  /** KPI key, or rating:<item>. */
  id: string;
  kind: "kpi" | "rating";
  name: string;
  unit: string;
  value: number | null;
  score: number | null;
  /** Normalised weight actually applied (0 when the item had no data and the policy renormalises). */
  weight: number;
  /** weight × score: the points this item adds to the total. */
  contribution: number;
  target: number | null;
  reason: string | null;
  /** The item's formula (or score expression) failed for this subject: value/score are null, GraphQL reports it on the item's path. */
  error?: Error;
}

export interface Scorecard {
  frameworkKey: string;
  frameworkVersion: number;
  level: SubjectLevel;
  subjectId: string;
  period: Period;
  total: number | null;
  grade: string | null;
  rank: number | null;
  peerCount: number;
  previousTotal: number | null;
  change: number | null;
  items: ScorecardItem[];
}

export interface VersionedFramework {
  framework: Framework;
  version: number;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** A rating item as a plugin: the average of the managers' ratings as a share of the scale. */
function ratingPlugin(item: string, level: SubjectLevel): RegisteredPlugin {
  return registerPlugin(
    {
      key: `rating_${item}`.slice(0, 63),
      name: item,
      unit: "score",
      subjects: [level],
      measures: { rated: { source: "ratings", aggregate: "avg", field: "score100", where: { item, subjectType: level } } },
      formula: "rated",
      score: { method: "target", target: 100, worst: 0 },
    },
    { builtIn: false, version: 0 },
  );
}

interface ResolvedItem {
  id: string;
  kind: "kpi" | "rating";
  plugin: RegisteredPlugin;
  weight: number;
  score: ScoreSpec;
}

function resolveItems(session: MetricSession, fw: Framework): ResolvedItem[] {
  return fw.items.map((item: FrameworkItem) => {
    if (isRatingItem(item)) {
      const plugin = ratingPlugin(item.rating, fw.level);
      return { id: `rating:${item.rating}`, kind: "rating", plugin: { ...plugin, plugin: { ...plugin.plugin, name: item.name ?? item.rating } }, weight: item.weight, score: plugin.plugin.score };
    }
    const plugin = session.plugin(item.kpi, fw.level);
    return { id: item.kpi, kind: "kpi", plugin, weight: item.weight ?? plugin.plugin.weight, score: item.score ?? plugin.plugin.score };
  });
}

export function gradeOf(total: number | null, grades: Framework["grades"]): string | null {
  if (total === null) return null;
  return grades.find((g) => total >= g.min)?.grade ?? null;
}

function targetOf(spec: ScoreSpec): number | null {
  return spec.method === "target" ? spec.target : null;
}

async function scoreAll(session: MetricSession, fw: VersionedFramework, subjectIds: string[], period: Period) {
  const items = resolveItems(session, fw.framework);
  const level = fw.framework.level;
  // Each item's measures are loaded once for every subject (not per subject), all items
  // before any is awaited: one batch, a handful of promises.
  const values = await Promise.all(items.map((it) => session.outcomesOf(it.plugin, level, subjectIds, period)));
  const perSubject = new Map<string, { total: number | null; items: ScorecardItem[] }>();
  const scored = await Promise.all(
    items.map((it, i) => {
      const outcomes = values[i]!;
      const peers = outcomes.map((v) => v.value).filter((v): v is number => v !== null);
      const context = { params: it.plugin.plugin.params, peers };
      return settleAll(outcomes.length, (s): number | null | Error | Promise<number | null | Error> => {
        const v = scoreNow(it.score, outcomes[s]!.value, it.plugin.plugin.direction, context);
        // A failing score expression fails this item's score alone.
        return v instanceof Promise ? v.catch((err: unknown) => (err instanceof Error ? err : new Error(String(err)))) : v;
      });
    }),
  );
  subjectIds.forEach((id, s) => {
    const raw = items.map((it, i) => {
      const score = scored[i]![s]!;
      const outcome = values[i]![s]!;
      return score instanceof Error ? { it, outcome, score: null, error: score } : { it, outcome, score, error: outcome.error };
    });
    const counted = fw.framework.missing === "zero" ? raw : raw.filter((r) => r.score !== null);
    const weightSum = counted.reduce((a, r) => a + r.it.weight, 0);
    let total = 0;
    const itemsOut: ScorecardItem[] = raw.map(({ it, outcome, score, error }) => {
      const applies = fw.framework.missing === "zero" || score !== null;
      const weight = applies && weightSum > 0 ? it.weight / weightSum : 0;
      total += weight * (score ?? 0);
      return {
        id: it.id,
        kind: it.kind,
        name: it.plugin.plugin.name,
        unit: it.plugin.plugin.unit,
        value: outcome.value,
        score,
        weight: Math.round(weight * 10_000) / 10_000,
        contribution: round2(weight * (score ?? 0)),
        target: targetOf(it.score),
        reason: outcome.reason,
        ...(error ? { error } : {}),
      };
    });
    perSubject.set(id, { total: counted.length > 0 && weightSum > 0 ? round2(total) : null, items: itemsOut });
  });
  return perSubject;
}

/** Scorecards of every given subject (its peers), ranked by total. */
export async function computeScorecards(
  session: MetricSession,
  fw: VersionedFramework,
  subjectIds: string[],
  period: Period,
): Promise<Scorecard[]> {
  const previousPeriod = shiftPeriod(period, "previousPeriod");
  const [current, previous] = await Promise.all([
    scoreAll(session, fw, subjectIds, period),
    scoreAll(session, fw, subjectIds, previousPeriod),
  ]);
  const totals = [...current.values()].map((c) => c.total).filter((t): t is number => t !== null);
  const rankOf = (t: number | null) => (t === null ? null : 1 + totals.filter((x) => x > t).length);
  return subjectIds
    .map((id) => {
      const c = current.get(id)!;
      const previousTotal = previous.get(id)!.total;
      return {
        frameworkKey: fw.framework.key,
        frameworkVersion: fw.version,
        level: fw.framework.level,
        subjectId: id,
        period,
        total: c.total,
        grade: gradeOf(c.total, fw.framework.grades),
        rank: rankOf(c.total),
        peerCount: totals.length,
        previousTotal,
        change: c.total !== null && previousTotal !== null ? round2(c.total - previousTotal) : null,
        items: c.items,
      };
    })
    .sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity));
}
