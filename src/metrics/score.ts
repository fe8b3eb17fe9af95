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

/** Percentile rank among peers: the share of peers the value beats, ties counting half. */
export function scoreQuantile(value: number, peers: number[], direction: Direction): number | null {
  if (peers.length === 0) return null;
  let below = 0;
  let equal = 0;
  for (const p of peers) {
    if (p === value) equal++;
    else if (direction === "higher_is_better" ? p < value : p > value) below++;
  }
  return round(clamp(((below + equal / 2) / peers.length) * 100));
}

const expressionCache = new Map<string, CompiledFormula>();

/** A value's score; a promise only when a score expression has to run in JSONata (rankings score thousands of values). */
export function scoreNow(
  spec: ScoreSpec,
  value: number | null,
  direction: Direction,
  context: { params: Record<string, number>; peers?: number[]; run?: FormulaRun },
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
