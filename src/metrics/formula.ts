// JSONata evaluation with limits. A timer cannot stop JSONata (it runs as one
// chain of microtasks), so the evaluator's entry/exit hooks enforce a step
// budget, a nesting depth and a deadline; the budget of each evaluation rides
// in its bindings so one compiled expression serves concurrent evaluations.
// Literal ranges are capped at validation (validate.ts, MAX_RANGE).
import jsonata from "jsonata";
import { compileFast, Fallback, NonFinite } from "./fast-formula.js";

export interface FormulaLimits {
  timeMs: number;
  maxSteps: number;
  maxDepth: number;
}

// The step budget stops loops; the deadline is wall-clock, so it is generous enough that a busy
// machine never stops a legitimate formula (the slowest built-in runs in well under 1 ms).
export const DEFAULT_LIMITS: FormulaLimits = { timeMs: 250, maxSteps: 20_000, maxDepth: 200 };

export class FormulaError extends Error {
  constructor(
    readonly code: "FORMULA_LIMIT" | "FORMULA_ERROR",
    message: string,
  ) {
    super(message);
  }
}

interface Budget {
  steps: number;
  depth: number;
  deadline: number;
  limits: FormulaLimits;
}

const BUDGET = "__ys_budget";

/** Stands for a result that is not a finite number; interpretResult turns it into null with a reason. */
export const NON_FINITE = Number.NaN;

/** evaluateFast's answer when the input needs JSONata: call evaluate. */
export const NEEDS_JSONATA: unique symbol = Symbol("needs JSONata");

export interface CompiledFormula {
  /** Runs as a plain function (fast-formula.ts) for inputs of the usual shape. */
  readonly fast: boolean;
  evaluate(input: Record<string, unknown>, limits?: FormulaLimits): Promise<unknown>;
  /**
   * The fast path alone, synchronously (no promise per value on a dashboard): the raw result,
   * or NEEDS_JSONATA when the formula or this input falls outside it.
   */
  evaluateFast(input: Record<string, unknown>): unknown;
}

function limitedExpression(source: string): jsonata.Expression {
  const expr = jsonata(source);
  expr.assign(Symbol.for("jsonata.__evaluate_entry") as unknown as string, (_e: unknown, _i: unknown, env: { lookup(k: string): unknown }) => {
    const b = env.lookup(BUDGET) as Budget | undefined;
    if (!b) return;
    b.steps++;
    b.depth++;
    if (b.steps > b.limits.maxSteps) throw new FormulaError("FORMULA_LIMIT", `formula stopped after ${b.limits.maxSteps} steps (does it loop?)`);
    if (b.depth > b.limits.maxDepth) throw new FormulaError("FORMULA_LIMIT", `formula nested deeper than ${b.limits.maxDepth}`);
    if ((b.steps & 63) === 0 && Date.now() > b.deadline) {
      throw new FormulaError("FORMULA_LIMIT", `formula ran longer than ${b.limits.timeMs} ms`);
    }
  });
  expr.assign(Symbol.for("jsonata.__evaluate_exit") as unknown as string, (_e: unknown, _i: unknown, env: { lookup(k: string): unknown }) => {
    const b = env.lookup(BUDGET) as Budget | undefined;
    if (b) b.depth--;
  });
  return expr;
}

/**
 * A formula ready to evaluate. On the fast path only the plain function is
 * kept; the JSONata expression (~15 KB each) is built on first fallback, so a
 * process holding thousands of companies' plugins stays small (issue 10).
 */
export function compileFormula(source: string): CompiledFormula {
  let expr: jsonata.Expression | undefined;
  const fast = compileFast(jsonata(source).ast());
  if (!fast) expr = limitedExpression(source);
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
    async evaluate(input, limits = DEFAULT_LIMITS) {
      const quick = evaluateFast(input);
      if (quick !== NEEDS_JSONATA) return quick;
      expr ??= limitedExpression(source);
      const budget: Budget = { steps: 0, depth: 0, deadline: Date.now() + limits.timeMs, limits };
      try {
        return await expr.evaluate(input, { [BUDGET]: budget });
      } catch (err) {
        if (err instanceof FormulaError) throw err;
        const e = err as { message?: string; code?: string };
        // Arithmetic on an infinite or undefined result (x/0 then × y): a missing value, not a broken formula.
        if (e.code === "D1001" || e.code === "T2001" || e.code === "T2002") return NON_FINITE;
        throw new FormulaError("FORMULA_ERROR", `formula failed: ${e.message ?? String(err)}${e.code ? ` (${e.code})` : ""}`);
      }
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
