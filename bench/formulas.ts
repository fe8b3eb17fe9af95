// npm run bench:formulas — issue 15 item 1: what moving JSONata off the main
// thread costs a dashboard's worth of values. For --values evaluations of the
// built-in rfm and churn_risk formulas (a ranking of 1,100 customers × 2 KPIs ×
// 2 periods is 4,400), interleaved --rounds times:
//   before  JSONata on the main thread, as before issue 15 (in-process, with hooks);
//   fast    the fast path on the main thread (where every built-in now runs);
//   pool    JSONata in the worker pool, batched (where a company's own non-arithmetic formulas run);
// and the main thread's time blocked during each (what /health and other requests wait behind).
//
//   npm run bench:formulas [-- --values 4400 --rounds 5]
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import jsonata from "jsonata";
import { compileFast } from "../src/metrics/fast-formula.js";
import { formulaPool, formulaRun } from "../src/metrics/formula-pool.js";
import { fmt, median, writeResultsSection } from "./measure.js";

const { values } = parseArgs({ options: { values: { type: "string", default: "4400" }, rounds: { type: "string", default: "5" } } });
const n = Number(values.values);
const rounds = Number(values.rounds);

const plugins = ["rfm", "churn_risk"].map((k) => JSON.parse(readFileSync(new URL(`../plugins/${k}.json`, import.meta.url), "utf8")) as { key: string; formula: string; params: Record<string, number> });
const period = { start: "2026-07-01T00:00:00.000+08:00", end: "2026-10-01T00:00:00.000+08:00", grain: "quarter", days: 92 };
let seed = 1;
const rnd = (m: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % m);
const inputs = Array.from({ length: n }, (_, i) => {
  const p = plugins[i % 2]!;
  return {
    source: p.formula,
    input: {
      params: p.params,
      period,
      lastOrderDays: rnd(100),
      orderCount: rnd(12),
      spend: rnd(8000),
      ordersNow: rnd(8),
      ordersPrev: rnd(8),
      openComplaints: rnd(3),
      csat: rnd(100),
      ticketSatisfaction: 1 + rnd(5),
    } as Record<string, unknown>,
  };
});

// The pre-issue-15 evaluator: one expression per formula, hooks counting steps, on the main thread.
const before = new Map(plugins.map((p) => {
  const e = jsonata(p.formula);
  let steps = 0;
  e.assign(Symbol.for("jsonata.__evaluate_entry") as unknown as string, () => void steps++);
  return [p.formula, e] as const;
}));
const fast = new Map(plugins.map((p) => [p.formula, compileFast(jsonata(p.formula).ast())!] as const));

/** Runs fn, sampling the main thread's longest stall with a 1 ms timer. */
async function measure(fn: () => Promise<unknown>): Promise<{ ms: number; stall: number }> {
  let last = performance.now();
  let stall = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    stall = Math.max(stall, now - last);
    last = now;
  }, 1);
  const t0 = performance.now();
  await fn();
  const ms = performance.now() - t0;
  clearInterval(timer);
  stall = Math.max(stall, performance.now() - last);
  return { ms, stall };
}

await formulaPool().warm();
const modes = {
  before: () => Promise.all(inputs.map((x) => before.get(x.source)!.evaluate(x.input))),
  fast: async () => inputs.map((x) => fast.get(x.source)!(x.input)),
  pool: () => {
    const run = formulaRun("bench", { budgetMs: 1e9 });
    return Promise.all(inputs.map((x) => formulaPool().evaluate(x.source, x.input, run)));
  },
};
// Same answers all three ways.
const [a, b, c] = [await modes.before(), await modes.fast(), (await modes.pool()).map((r) => r[1])];
for (let i = 0; i < n; i++) {
  if (JSON.stringify(a[i]) !== JSON.stringify(b[i]) || JSON.stringify(a[i]) !== JSON.stringify(c[i])) throw new Error(`value ${i} differs: ${JSON.stringify([a[i], b[i], c[i]])}`);
}
const results: Record<string, { ms: number[]; stall: number[] }> = { before: { ms: [], stall: [] }, fast: { ms: [], stall: [] }, pool: { ms: [], stall: [] } };
for (let r = 0; r < rounds; r++) {
  for (const [name, fn] of Object.entries(modes)) {
    const m = await measure(fn);
    results[name]!.ms.push(m.ms);
    results[name]!.stall.push(m.stall);
  }
}
const row = (name: string, what: string) => {
  const r = results[name]!;
  const ms = median(r.ms);
  return `| ${name} | ${what} | ${fmt(ms)} | ${((ms * 1000) / n).toFixed(1)} | ${fmt(median(r.stall))} |`;
};
const body = `## Formulas: ${n} values of rfm and churn_risk (main thread vs worker pool)

\`npm run bench:formulas -- --values ${n} --rounds ${rounds}\`, ${new Date().toISOString().slice(0, 16)}Z, medians of ${rounds} interleaved rounds, the same answers all three ways.
**The machine was shared with seven other sessions (2 cores, loaded):** absolute times are inflated; compare the rows.

| mode | where | ms for ${n} | µs / value | longest main-thread stall, ms |
|---|---|---|---|---|
${row("before", "JSONata on the main thread (before issue 15)")}
${row("fast", "fast path, main thread (every built-in now)")}
${row("pool", `JSONata in ${formulaPool().size} workers, batches of ≤ 512 (a company's own formulas)`)}

A dashboard or ranking of built-ins is faster than before (the fast path now covers rfm, churn_risk and clv); a company's own
JSONata formula pays the hop to a worker, batched, and no longer blocks the main thread while it runs.`;
console.log(body);
await writeResultsSection("formulas", body);
await formulaPool().close();
