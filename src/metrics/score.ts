// Value → 0–100 score. Four methods: linear to a target, bands, quantile among
// peers (percentile rank, mid-rank for ties), or a JSONata expression.
import type { ScoreSpec } from "./plugin-schema.js";
import { compileFormula, NEEDS_JSONATA, type CompiledFormula, type FormulaRun } from "./formula.js";

export type Direction = "higher_is_better" | "lower_is_better";

const clamp = (x: number) => Math.min(100, Math.max(0, x));
const round = (x: number) => Math.round(x * 100) / 100;

/** Linear: `worst` scores 0, `target` and beyond score 100. */
export function scoreTarget(value: number, target: number, worst: number | undefined, direction: Direction): number {
  const w = worst ?? (direction === "higher_is_better" ? 0 : target === 0 ? 1 : 2 * target);
  if (w === target) return value === target ? 100 : 0;
  return round(clamp(((value - w) / (target - w)) * 100));
}

export function scoreBands(value: number, bands: { min?: number; max?: number; score: number }[]): number {
  for (const b of bands) {
    if ((b.min === undefined || value >= b.min) && (b.max === undefined || value < b.max)) return b.score;
  }
  return 0;
}

/**
 * A value's position among its peers — the ONE definition behind the quantile score, a
 * scorecard item's quantile score and a metric value's rank / peers / percentile.
 *
 * Peers are the values of every subject of the level (the subject itself included) for the
 * same KPI and period; a subject without rows has each measure's empty value (0 orders →
 * revenue 0, a real value that counts), a subject whose value is null (no data for an
 * average, a failed formula) is not a peer. Teams with 3, 1 and 0 orders are three peers.
 *
 * rank: 1 + the peers strictly better (ties share a rank). percentile: the share of peers the
 * value beats, ties (itself included) counting half, 0–100.
 */
export interface PeerPosition {
  rank: number;
  peers: number;
  percentile: number;
}

export function peerPosition(value: number, peers: readonly number[], direction: Direction): PeerPosition | null {
  if (peers.length === 0) return null;
  let below = 0;
  let equal = 0;
  for (const p of peers) {
    if (p === value) equal++;
    else if (direction === "higher_is_better" ? p < value : p > value) below++;
  }
  return { rank: peers.length - below - equal + 1, peers: peers.length, percentile: round(clamp(((below + equal / 2) / peers.length) * 100)) };
}

/** Percentile rank among peers (peerPosition's percentile). */
export function scoreQuantile(value: number, peers: readonly number[], direction: Direction): number | null {
  return peerPosition(value, peers, direction)?.percentile ?? null;
}

const expressionCache = new Map<string, CompiledFormula>();

/** A value's score; a promise only when a score expression has to run in JSONata (rankings score thousands of values). */
export function scoreNow(
  spec: ScoreSpec,
  value: number | null,
  direction: Direction,
  context: { params: Record<string, number>; peers?: readonly number[]; run?: FormulaRun },
): number | null | Promise<number | null> {
  if (value === null) return null;
  switch (spec.method) {
    case "target":
      return scoreTarget(value, spec.target, spec.worst, direction);
    case "bands":
      return scoreBands(value, spec.bands);
    case "quantile":
      return context.peers ? scoreQuantile(value, context.peers, direction) : null;
    case "expression": {
      let f = expressionCache.get(spec.expression);
      if (!f) expressionCache.set(spec.expression, (f = compileFormula(spec.expression)));
      const input = { value, params: context.params };
      const quick = f.evaluateFast(input);
      if (quick !== NEEDS_JSONATA) return expressionScore(quick);
      return f.evaluate(input, context.run).then(expressionScore);
    }
  }
}

function expressionScore(out: unknown): number | null {
  return typeof out === "number" && Number.isFinite(out) ? round(clamp(out)) : null;
}
