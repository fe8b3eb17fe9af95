// Formulas: the arithmetic fast path on the main thread, everything else in
// the worker pool (formula-pool.ts, issue 15).
//
// Why the fast path may stay on the main thread: compileFast accepts only
// arithmetic, comparisons and conditions over measure names, params.x and
// period.x (plus number and string literals) — no functions, variables,
// paths over arrays, ranges or regular expressions. Its function visits each
// AST node at most once per evaluation, so its cost is bounded by the size of
// the formula (at most 4,000 characters, plugin-schema.ts), about a
// microsecond for a real KPI. Anything else can loop, allocate or backtrack,
// and runs in a worker with a CPU budget and a memory cap.
import jsonata from "jsonata";
import { compileFast, Fallback, NonFinite } from "./fast-formula.js";
import { formulaPool, formulaRun, unwrap, type FormulaRun } from "./formula-pool.js";

export { FormulaError } from "./formula-error.js";
export type { FormulaRun } from "./formula-pool.js";

/** Stands for a result that is not a finite number; interpretResult turns it into null with a reason. */
export const NON_FINITE = Number.NaN;

/** evaluateFast's answer when the input needs JSONata: call evaluate. */
export const NEEDS_JSONATA: unique symbol = Symbol("needs JSONata");

export interface CompiledFormula {
  /** Runs as a plain function (fast-formula.ts) for inputs of the usual shape. */
  readonly fast: boolean;
  /**
   * The value: on the fast path at once, else in a worker under the request's budget (`run`;
   * without one, a budget of its own for this evaluation). Rejects with FormulaError.
   */
  evaluate(input: Record<string, unknown>, run?: FormulaRun): Promise<unknown>;
  /**
   * The fast path alone, synchronously (no promise per value on a dashboard): the raw result,
   * or NEEDS_JSONATA when the formula or this input falls outside it.
   */
  evaluateFast(input: Record<string, unknown>): unknown;
}

/**
 * A formula ready to evaluate. Only the plain function (fast path) and the source are kept: the
 * JSONata expression lives in the workers, so a process holding thousands of companies' plugins
 * stays small (issue 10). Parsing here only checks the syntax (validate.ts has done the rest).
 */
export function compileFormula(source: string): CompiledFormula {
  const fast = compileFast(jsonata(source).ast());
  const evaluateFast = (input: Record<string, unknown>): unknown => {
    if (!fast) return NEEDS_JSONATA;
    try {
      return fast(input);
    } catch (err) {
      if (err instanceof NonFinite) return NON_FINITE;
      if (err instanceof Fallback) return NEEDS_JSONATA;
      throw err;
    }
  };
  return {
    fast: fast !== null,
    evaluateFast,
    async evaluate(input, run) {
      const quick = evaluateFast(input);
      if (quick !== NEEDS_JSONATA) return quick;
      const answer = await formulaPool().evaluate(source, input, run ?? formulaRun("(local)"));
      return unwrap(answer, NON_FINITE);
    },
  };
}

export interface FormulaOutcome {
  value: number | null;
  label: string | null;
  /** Why value is null, when it is. */
  reason: string | null;
  /**
   * Set when the formula itself failed (a limit, an error): value is null and this says why.
   * The value fails alone — callers keep every other value and report this one on its path.
   */
  error?: Error;
}

/**
 * A formula may return a number, null, or { value, label }. Anything that is
 * not a finite number becomes null with a reason: never NaN or Infinity.
 */
export function interpretResult(raw: unknown, missing: string[] | (() => string[])): FormulaOutcome {
  let value: unknown = raw;
  let label: string | null = null;
  let reason: string | null = null;
  if (raw && typeof raw === "object" && !Array.isArray(raw)) {
    const o = raw as Record<string, unknown>;
    value = o.value;
    if (typeof o.label === "string") label = o.label;
    // A formula may say why it gives no value ({ "value": null, "reason": "…" }).
    if (typeof o.reason === "string") reason = o.reason.slice(0, 200);
  }
  if (typeof value === "number" && Number.isFinite(value)) return { value, label, reason: null };
  if (typeof value === "number") return { value: null, label, reason: "division by zero or overflow" };
  if ((value === undefined || value === null) && reason) return { value: null, label, reason };
  if (value === undefined || value === null) {
    // Only a null value needs the list: callers may pass it lazily.
    if (typeof missing === "function") missing = missing();
    return {
      value: null,
      label,
      reason: missing.length ? `no data for ${missing.join(", ")}` : "the formula gave no value (e.g. a zero denominator)",
    };
  }
  return { value: null, label, reason: `the formula returned ${Array.isArray(value) ? "an array" : typeof value}, not a number` };
}
