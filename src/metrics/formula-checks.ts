// What validation refuses in a formula before it ever runs (issue 15): work
// that is unbounded or needlessly large by construction. This is the early,
// cheap half of the defence; the worker pool's CPU budget and memory cap
// (formula-pool.ts) bound everything that is only known at run time (computed
// ranges, data-dependent loops).
import safeRegex from "safe-regex2";

/** Largest literal range ([a..b]) a formula may build; ranges run as one uninterruptible step. */
export const MAX_RANGE = 10_000;
/** Items all of a formula's literal ranges may hold together ([1..10000, 10001..20000] is 20,000). */
export const MAX_RANGE_TOTAL = 10_000;
/**
 * Literal items a built-in that is worse than linear, or that copies and reorders its input
 * ($sort, $distinct, …), may receive: $distinct compares every pair, $sort is n·log n steps each
 * a JSONata call. A KPI formula works on a few measure values, never on thousands of literals.
 */
export const MAX_BUILTIN_ITEMS = 1_000;
/** Literal range items inside a function body, a path step or a predicate: evaluated once per item around it. */
export const MAX_REPEATED_RANGE = 1_000;

const HEAVY_BUILTINS = new Set(["sort", "distinct", "shuffle", "reverse", "zip", "join", "string", "map", "filter", "reduce", "sift", "each", "single", "spread", "merge", "append", "keys", "lookup", "pad"]);
/** Functions a formula may not call (or take as a value): $eval runs a string as a new formula — ranges and all — unchecked. */
const FORBIDDEN = new Set(["eval"]);

type AstNode = { type?: string; value?: unknown; [k: string]: unknown };

/** Items of the literal ranges in a subtree. */
function rangeItems(node: unknown): number {
  if (Array.isArray(node)) return node.reduce((a: number, n) => a + rangeItems(n), 0);
  if (!node || typeof node !== "object") return 0;
  const n = node as AstNode;
  let total = 0;
  if (n.type === "binary" && n.value === "..") {
    const lhs = n.lhs as AstNode | undefined;
    const rhs = n.rhs as AstNode | undefined;
    if (lhs?.type === "number" && rhs?.type === "number") total += Math.max(0, Number(rhs.value) - Number(lhs.value) + 1);
  }
  for (const [k, child] of Object.entries(n)) if (k !== "value" && typeof child === "object") total += rangeItems(child);
  return total;
}

/** Every reason to refuse this formula before running it (empty: nothing found). */
export function formulaFaults(ast: unknown): string[] {
  const faults = new Set<string>();
  const walk = (node: unknown, repeated: boolean): void => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n, repeated);
      return;
    }
    if (!node || typeof node !== "object") return;
    const n = node as AstNode;
    if (n.type === "binary" && n.value === "..") {
      const items = rangeItems(n);
      if (items > MAX_RANGE) faults.add(`a range may hold at most ${MAX_RANGE} items`);
      if (repeated && items > MAX_REPEATED_RANGE) {
        faults.add(`a range inside a function, a path step or a predicate runs once per item around it; at most ${MAX_REPEATED_RANGE} items there`);
      }
    }
    if (n.type === "variable" && typeof n.value === "string" && FORBIDDEN.has(n.value)) faults.add(`$${n.value} is not allowed in a formula`);
    if (n.type === "function" && (n.procedure as AstNode | undefined)?.type === "variable") {
      const name = String((n.procedure as AstNode).value);
      if (HEAVY_BUILTINS.has(name)) {
        const items = rangeItems(n.arguments);
        if (items > MAX_BUILTIN_ITEMS) faults.add(`$${name} over ${items} literal items; at most ${MAX_BUILTIN_ITEMS}`);
      }
    }
    if (n.type === "regex" && n.value instanceof RegExp && !safeRegex(n.value)) {
      faults.add(`the regular expression ${String(n.value)} nests quantifiers (e.g. (a+)+) and can take exponential time; rewrite it without nested repetition`);
    }
    for (const [key, child] of Object.entries(n)) {
      if (key === "value" || !child || typeof child !== "object") continue;
      const inner =
        repeated ||
        (n.type === "lambda" && key === "body") ||
        key === "predicate" ||
        key === "stages" ||
        (n.type === "path" && key === "steps");
      if (n.type === "path" && key === "steps") {
        // The first step runs once; every later one once per item of the step before.
        (child as unknown[]).forEach((s, i) => walk(s, repeated || i > 0));
      } else walk(child, inner);
    }
  };
  walk(ast, false);
  const total = rangeItems(ast);
  if (total > MAX_RANGE_TOTAL) faults.add(`its literal ranges hold ${total} items together; at most ${MAX_RANGE_TOTAL}`);
  return [...faults];
}
