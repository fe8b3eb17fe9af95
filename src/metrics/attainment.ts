// Targets and attainment, shared by metric values and scorecard items. A target
// comes from one of three places, most specific first: the targets store (this
// subject, this period), the framework item's scoring override, the plugin's.
import type { ScoreSpec } from "./plugin-schema.js";
import type { Direction } from "./score.js";

export type TargetSource = "subject" | "framework" | "plugin";

export interface ResolvedTarget {
  target: number | null;
  targetSource: TargetSource | null;
  /** The scoring to apply: a stored target replaces the target of a "target" method. */
  spec: ScoreSpec;
}

/**
 * The target of a value. `stored` is the subject's target for the period, `override` the
 * framework item's scoring (undefined outside a framework), `plugin` the plugin's scoring.
 */
export function resolveTarget(stored: number | undefined, override: ScoreSpec | undefined, plugin: ScoreSpec): ResolvedTarget {
  const spec = override ?? plugin;
  if (stored !== undefined) {
    return { target: stored, targetSource: "subject", spec: spec.method === "target" ? { ...spec, target: stored } : spec };
  }
  if (override?.method === "target") return { target: override.target, targetSource: "framework", spec };
  if (!override && plugin.method === "target") return { target: plugin.target, targetSource: "plugin", spec };
  return { target: null, targetSource: null, spec };
}

/**
 * Attainment in percent: value ÷ target when higher is better, target ÷ value when lower is
 * better (half the target's handling time = 200 %). Null without a value or target, or when
 * the divisor is 0.
 */
export function attainmentOf(value: number | null, target: number | null, direction: Direction): number | null {
  if (value === null || target === null) return null;
  const [num, den] = direction === "higher_is_better" ? [value, target] : [target, value];
  if (den === 0) return null;
  return Math.round((num / den) * 10_000) / 100;
}
