import { readdirSync, readFileSync } from "node:fs";
import jsonata from "jsonata";
import { describe, expect, it } from "vitest";
import { compileFast, Fallback, NonFinite } from "../../src/metrics/fast-formula.js";

// The fast path must give exactly what JSONata gives. Every built-in formula it
// accepts, and a set of edge-case formulas, are run both ways on many inputs:
// missing values, zeros, negatives, fractions, huge numbers.
const builtIns = readdirSync("plugins").map((f) => JSON.parse(readFileSync(`plugins/${f}`, "utf8")) as { key: string; formula: string; measures: Record<string, unknown>; params?: Record<string, number> });

const edgeCases = [
  "a / b", "a = 0 ? null : b / a * 100", "-a + b % 3", "a > b and b >= 0", "a < b or a != b", "(a - b) / (a + b)",
  "a ? b : 7", "a = null", "params.k * a", "period.days / 7 * a", "a <= 1 ? 1 : a <= 2 ? 2 : 3", "a / b * 0",
  // Blocks, variables, constructors and aggregates (issue 15: rfm, churn_risk, clv stay on the main thread).
  "($x := a * 2; $y := $x + b; $y / 2)", "($l := [a, b, a / b]; { \"value\": $count($l), \"label\": $exists(a) ? \"has a\" : \"no a\" })",
  "$min([a, b])", "$max([a, 1 / b])", "$average([a, b])", "$sum([a, b, 3])", "$count([a, b])", "$exists(a) ? a : b",
  "($r := [a ? a, b ? b * 2]; $count($r) > 0 ? $average($r) : params.k)", "{ \"value\": a, \"label\": b > 1 ? \"big\" : \"small\" }",
  "($x := 1; ($x := 2; $x) + $x)", "($a := a; $a + $b)", "$min(a)", "$sum(a)", "$count(a)", "[a, b]",
];

const VALUES = [undefined, 0, 1, -2.5, 100, 7, 1e308, 0.1];

function* inputs(names: string[], seed: number): Generator<Record<string, unknown>> {
  let x = seed;
  const next = () => ((x = (x * 1103515245 + 12345) % 2147483648), x);
  for (let n = 0; n < 200; n++) {
    const input: Record<string, unknown> = { params: { k: 3 }, period: { days: 31, grain: "month" } };
    for (const name of names) {
      const v = VALUES[next() % VALUES.length];
      if (v !== undefined) input[name] = v;
    }
    yield input;
  }
}

async function viaJsonata(expr: ReturnType<typeof jsonata>, input: Record<string, unknown>): Promise<unknown> {
  try {
    return await expr.evaluate(input);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "D1001" || code === "T2001" || code === "T2002") return Number.NaN;
    return { error: code };
  }
}

function viaFast(fn: (i: Record<string, unknown>) => unknown, input: Record<string, unknown>): unknown {
  try {
    return fn(input);
  } catch (err) {
    if (err instanceof NonFinite) return Number.NaN;
    if (err instanceof Fallback) return Fallback;
    throw err;
  }
}

describe("fast formula path", () => {
  const cases = [
    ...builtIns.map((p) => ({ name: p.key, formula: p.formula, names: Object.keys(p.measures), params: p.params })),
    ...edgeCases.map((f) => ({ name: f, formula: f, names: ["a", "b"], params: undefined })),
  ];

  it("takes the simple built-in formulas", () => {
    const fast = builtIns.filter((p) => compileFast(jsonata(p.formula).ast()));
    expect(fast.length).toBeGreaterThanOrEqual(25);
    // Issue 15: the built-ins that bind variables run on the fast path too (no worker hop per value).
    for (const key of ["rfm", "churn_risk", "clv"]) expect(compileFast(jsonata(builtIns.find((p) => p.key === key)!.formula).ast()), key).not.toBeNull();
  });

  it.each(cases)("agrees with JSONata: $name", async ({ formula, names, params }) => {
    const expr = jsonata(formula);
    const fn = compileFast(expr.ast());
    if (!fn) return; // not on the fast path: JSONata runs it
    let compared = 0;
    for (const input of inputs(names, formula.length)) {
      if (params) input.params = params;
      const fast = viaFast(fn, input);
      if (fast === Fallback) continue;
      expect(fast, `${formula} on ${JSON.stringify(input)}`).toEqual(await viaJsonata(expr, input));
      compared++;
    }
    expect(compared).toBeGreaterThan(0);
  });
});
