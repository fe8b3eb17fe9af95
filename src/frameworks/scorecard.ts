// Scorecards: a framework version applied to every subject of its level for a
// period. Each item's value comes from the metric engine (rating items are
// synthetic plugins over the ratings source, so they batch like any KPI);
// scores use the item's override or the plugin's method — with the subject's
// own target for the period when the targets store has one — and quantiles
// among the same peers as a metric value's (every subject of the level with a
// value: peers.ts); weights are normalised; the total gets a grade and a rank.
import type { SubjectLevel } from "../metrics/catalog.js";
import type { MetricSession } from "../metrics/engine.js";
import { attainmentOf, resolveTarget, type TargetSource } from "../metrics/attainment.js";
import { shiftPeriod, type Period } from "../metrics/period.js";
import type { Plugin, ScoreSpec } from "../metrics/plugin-schema.js";
import { registerPlugin, type RegisteredPlugin } from "../metrics/registry.js";
import { scoreNow } from "../metrics/score.js";
import { settleAll } from "../metrics/settle.js";
import type { FormulaOutcome } from "../metrics/formula.js";
import { isRatingItem, type Framework, type FrameworkItem } from "./framework-schema.js";
import type { FrameworkStatus, VersionedFramework } from "./framework-store.js";
import type { PluginResolution } from "./plugin-pins.js";

export type { VersionedFramework } from "./framework-store.js";

export interface ScorecardItem {
  /** KPI key, or rating:<item>. */
  id: string;
  kind: "kpi" | "rating";
  name: string;
  /** The KPI's name in other locales (plugin translations), for the embed page and reports. */
  translations?: Plugin["translations"];
  unit: string;
  /** A KPI's value; a rating item's average rating on its own scale (1–scale). */
  value: number | null;
  score: number | null;
  /** Normalised weight actually applied (0 when the item had no data and the policy renormalises). */
  weight: number;
  /** weight × score: the points this item adds to the total. */
  contribution: number;
  /** A KPI's target (the subject's own, the framework's or the plugin's); a rating item's scale. */
  target: number | null;
  targetSource: TargetSource | null;
  /** value against target in percent (attainment.ts). */
  attainment: number | null;
  /** Top of a rating item's scale; null for KPIs. */
  scale: number | null;
  reason: string | null;
  /** The item's formula (or score expression) failed for this subject: value/score are null, GraphQL reports it on the item's path. */
  error?: Error;
}

export interface Scorecard {
  frameworkKey: string;
  frameworkName: string;
  frameworkVersion: number;
  frameworkStatus: FrameworkStatus;
  effectiveFrom: Date | null;
  level: SubjectLevel;
  /** null for the company. */
  subjectId: string | null;
  period: Period;
  total: number | null;
  grade: string | null;
  rank: number | null;
  peerCount: number;
  previousTotal: number | null;
  change: number | null;
  items: ScorecardItem[];
}

/** kpi → subject id ("" for the company) → the subject's target for the period. */
export type TargetLookup = Map<string, Map<string, number>>;

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
  name: string;
  unit: string;
  plugin: RegisteredPlugin | null;
  /** Why the item has no data whatever the period (plugin disabled or gone). */
  missing: string | null;
  weight: number;
  override: ScoreSpec | undefined;
  scale: number | null;
}

function resolveItems(fw: Framework, plugins: Map<string, PluginResolution>): ResolvedItem[] {
  return fw.items.map((item: FrameworkItem): ResolvedItem => {
    if (isRatingItem(item)) {
      const plugin = ratingPlugin(item.rating, fw.level);
      return { id: `rating:${item.rating}`, kind: "rating", name: item.name ?? item.rating, unit: "rating", plugin, missing: null, weight: item.weight, override: undefined, scale: item.scale };
    }
    const r = plugins.get(item.kpi);
    if (!r || "missing" in r) {
      return { id: item.kpi, kind: "kpi", name: item.kpi, unit: "", plugin: null, missing: r && "missing" in r ? r.missing : `plugin "${item.kpi}" is not available`, weight: item.weight ?? 0, override: item.score, scale: null };
    }
    const p = r.plugin.plugin;
    return { id: item.kpi, kind: "kpi", name: p.name, unit: p.unit, plugin: r.plugin, missing: null, weight: item.weight ?? p.weight, override: item.score, scale: null };
  });
}

export function gradeOf(total: number | null, grades: Framework["grades"]): string | null {
  if (total === null) return null;
  return grades.find((g) => total >= g.min)?.grade ?? null;
}

const NO_DATA: FormulaOutcome = { value: null, label: null, reason: null };

async function itemOutcomes(session: MetricSession, it: ResolvedItem, level: SubjectLevel, subjectIds: (string | null)[], period: Period): Promise<FormulaOutcome[]> {
  if (!it.plugin) return subjectIds.map(() => ({ ...NO_DATA, reason: it.missing }));
  // outcomeOf: a failing formula is this item's error, not the whole scorecard's.
  if (level === "company") return [await session.outcomeOf(it.plugin, "company", null, period)];
  return session.outcomesOf(it.plugin, level, subjectIds as string[], period);
}

export interface ScoreInput {
  session: MetricSession;
  fw: VersionedFramework;
  plugins: Map<string, PluginResolution>;
  /** Every subject of the level (the peers); [null] for a company-level framework. */
  subjectIds: (string | null)[];
  period: Period;
  targets?: TargetLookup;
}

async function scoreAll({ session, fw, plugins, subjectIds, period, targets }: ScoreInput) {
  const items = resolveItems(fw.framework, plugins);
  const level = fw.framework.level as SubjectLevel;
  // Each item's measures are loaded once for every subject (not per subject), all items
  // before any is awaited: one batch, a handful of promises.
  const values = await Promise.all(items.map((it) => itemOutcomes(session, it, level, subjectIds, period)));
  const perSubject = new Map<string | null, { total: number | null; items: ScorecardItem[] }>();
  const resolved = items.map((it) =>
    subjectIds.map((id) => {
      const stored = it.kind === "kpi" ? targets?.get(it.id)?.get(id ?? "") : undefined;
      return resolveTarget(stored, it.override, it.plugin?.plugin.score ?? { method: "quantile" });
    }),
  );
  const scored = await Promise.all(
    items.map((it, i) => {
      const outcomes = values[i]!;
      if (!it.plugin) return outcomes.map(() => null);
      // Peers: every subject of the level with a value (subjects without rows have each
      // measure's empty value, e.g. 0 orders) — the same set a metric value's peers use.
      const peers = outcomes.map((v) => v.value).filter((v): v is number => v !== null);
      const context = { params: it.plugin.plugin.params, peers: level === "company" ? undefined : peers, run: session.formulaRun };
      return settleAll(outcomes.length, (s): number | null | Error | Promise<number | null | Error> => {
        const v = scoreNow(resolved[i]![s]!.spec, outcomes[s]!.value, it.plugin!.plugin.direction, context);
        // A failing score expression fails this item's score alone.
        return v instanceof Promise ? v.catch((err: unknown) => (err instanceof Error ? err : new Error(String(err)))) : v;
      });
    }),
  );
  subjectIds.forEach((id, s) => {
    const raw = items.map((it, i) => {
      const score = scored[i]![s]!;
      const outcome = values[i]![s]!;
      const target = resolved[i]![s]!;
      return score instanceof Error ? { it, outcome, score: null, error: score, target } : { it, outcome, score, error: outcome.error, target };
    });
    const counted = fw.framework.missing === "zero" ? raw : raw.filter((r) => r.score !== null);
    const weightSum = counted.reduce((a, r) => a + r.it.weight, 0);
    let total = 0;
    const itemsOut: ScorecardItem[] = raw.map(({ it, outcome, score, error, target }) => {
      const applies = fw.framework.missing === "zero" || score !== null;
      const weight = applies && weightSum > 0 ? it.weight / weightSum : 0;
      total += weight * (score ?? 0);
      // A rating is reported on its own scale (the engine averages shares of each row's scale).
      const value = it.scale !== null && outcome.value !== null ? round2((outcome.value * it.scale) / 100) : outcome.value;
      const itemTarget = it.scale !== null ? it.scale : target.target;
      return {
        id: it.id,
        kind: it.kind,
        name: it.name,
        translations: it.plugin?.plugin.translations,
        unit: it.unit,
        value,
        score,
        weight: Math.round(weight * 10_000) / 10_000,
        contribution: round2(weight * (score ?? 0)),
        target: itemTarget,
        targetSource: it.scale !== null ? "framework" : target.targetSource,
        attainment: attainmentOf(value, itemTarget, it.plugin?.plugin.direction ?? "higher_is_better"),
        scale: it.scale,
        reason: outcome.reason,
        ...(error ? { error } : {}),
      };
    });
    perSubject.set(id, { total: counted.length > 0 && weightSum > 0 ? round2(total) : null, items: itemsOut });
  });
  return perSubject;
}

/**
 * Scorecards of every given subject (its peers), ranked by total. The previous period is
 * scored with the SAME version, so `change` compares like with like.
 */
export async function computeScorecards(input: ScoreInput & { previousTargets?: TargetLookup }): Promise<Scorecard[]> {
  const { fw, subjectIds, period } = input;
  const previousPeriod = shiftPeriod(period, "previousPeriod");
  const [current, previous] = await Promise.all([
    scoreAll(input),
    scoreAll({ ...input, period: previousPeriod, targets: input.previousTargets }),
  ]);
  const totals = [...current.values()].map((c) => c.total).filter((t): t is number => t !== null);
  const rankOf = (t: number | null) => (t === null ? null : 1 + totals.filter((x) => x > t).length);
  return subjectIds
    .map((id) => {
      const c = current.get(id)!;
      const previousTotal = previous.get(id)!.total;
      return {
        frameworkKey: fw.framework.key,
        frameworkName: fw.framework.name,
        frameworkVersion: fw.version,
        frameworkStatus: fw.status,
        effectiveFrom: fw.effectiveFrom,
        level: fw.framework.level as SubjectLevel,
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
