// One formula worker (issue 15): evaluates batches of JSONata formulas sent by
// formula-pool.ts, off the main thread. Plain JavaScript so it runs the same
// under node --import tsx, vitest and a build: a worker does not inherit a
// test runner's TypeScript loader.
//
// What bounds an evaluation here:
// - a step budget and a nesting depth, counted in JSONata's entry/exit hooks;
// - a time budget per evaluation and one per batch (what is left of the
//   request's total formula budget), both measured on this thread while the
//   formula runs — never time spent queued — and checked in the same hooks;
// - for the single steps no hook interrupts (one huge range, a catastrophic
//   regular expression, a $sort of a huge array), the pool's watchdog: it sees
//   which item this worker is on (`progress`, shared memory) and terminates
//   the worker when one item runs past its hard limit;
// - memory: the worker's heap is capped by resourceLimits; a formula that
//   outgrows it ends this worker, not the process.
// The worker sees nothing but its input: no environment, no shared objects.
import { readFileSync, readlinkSync } from "node:fs";
import { setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import { performance } from "node:perf_hooks";
import jsonata from "jsonata";

// Budgets are CPU time of this thread where Linux tells it (/proc/thread-self/schedstat: ns on
// CPU), so a formula preempted on a busy machine is not charged for the wait; wall time elsewhere.
function readCpuMs() {
  return Number(readFileSync("/proc/thread-self/schedstat", "latin1").split(" ", 1)[0]) / 1e6;
}
let cpuClock = () => performance.now();
let tid = null;
try {
  if (Number.isFinite(readCpuMs())) cpuClock = readCpuMs;
  tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
} catch {
  // not Linux: wall time of this thread while it evaluates
}
// Formulas yield to request handling: on Linux a nice value is per thread, so this lowers only
// this worker (the main thread, /health and other companies' requests keep their priority).
try {
  setPriority(5);
} catch {
  // not permitted: run at normal priority
}

const progress = new Int32Array(workerData.progress);
const BUDGET = "__ys_budget";

class Limit extends Error {}

/** Compiled expressions by source; a worker serves every company, so the cache is bounded. */
const compiled = new Map();
const MAX_COMPILED = 500;

function expressionOf(source) {
  let expr = compiled.get(source);
  if (expr) {
    compiled.delete(source);
    compiled.set(source, expr);
    return expr;
  }
  expr = jsonata(source);
  expr.assign(Symbol.for("jsonata.__evaluate_entry"), (_e, _i, env) => {
    const b = env.lookup(BUDGET);
    if (!b) return;
    b.steps++;
    b.depth++;
    if (b.steps > b.maxSteps) throw new Limit(`formula stopped after ${b.maxSteps} steps (does it loop?)`);
    if (b.depth > b.maxDepth) throw new Limit(`formula nested deeper than ${b.maxDepth}`);
    // Wall time first (cheap); only when it says a budget may be spent is the CPU clock read.
    if ((b.steps & 31) === 0 && performance.now() > b.nextCheck) {
      const cpu = cpuClock();
      if (cpu - b.cpuStart > b.itemMs) throw new Limit(`formula ran longer than ${b.itemMs} ms of its own CPU time in a formula worker`);
      if (cpu > b.batchEnd) throw new Limit(b.batchMessage);
      b.nextCheck = performance.now() + Math.max(1, Math.min(b.itemMs - (cpu - b.cpuStart), b.batchEnd - cpu));
    }
  });
  expr.assign(Symbol.for("jsonata.__evaluate_exit"), (_e, _i, env) => {
    const b = env.lookup(BUDGET);
    if (b) b.depth--;
  });
  compiled.set(source, expr);
  if (compiled.size > MAX_COMPILED) compiled.delete(compiled.keys().next().value);
  return expr;
}

/** A JSON-safe copy of a result (structured clone would reject a JSONata function or sequence quirks). */
function plain(value) {
  if (value === undefined) return undefined;
  if (typeof value === "function") return { __unsupported: "a function" };
  return value;
}

async function runBatch(msg) {
  const { sources, items, limits, batchMs, batchMessage, seq } = msg;
  const results = new Array(items.length);
  const elapsed = new Array(items.length);
  const batchEnd = cpuClock() + batchMs;
  for (let i = 0; i < items.length; i++) {
    Atomics.store(progress, 1, i);
    Atomics.store(progress, 0, seq);
    const [sourceIndex, input] = items[i];
    const t0 = cpuClock();
    if (t0 > batchEnd) {
      results[i] = ["FORMULA_LIMIT", batchMessage];
      elapsed[i] = 0;
      continue;
    }
    const budget = {
      steps: 0,
      depth: 0,
      maxSteps: limits.maxSteps,
      maxDepth: limits.maxDepth,
      itemMs: limits.cpuMs,
      cpuStart: t0,
      nextCheck: performance.now() + Math.min(limits.cpuMs, batchEnd - t0),
      batchEnd,
      batchMessage,
    };
    try {
      const expr = expressionOf(sources[sourceIndex]);
      results[i] = ["ok", plain(await expr.evaluate(input, { [BUDGET]: budget }))];
    } catch (err) {
      if (err instanceof Limit) results[i] = ["FORMULA_LIMIT", err.message];
      else if (err instanceof RangeError) results[i] = ["FORMULA_LIMIT", "formula recursed too deeply"];
      else if (err && (err.code === "D1001" || err.code === "T2001" || err.code === "T2002")) results[i] = ["NON_FINITE"];
      else results[i] = ["FORMULA_ERROR", `formula failed: ${err?.message ?? String(err)}${err?.code ? ` (${err.code})` : ""}`];
    }
    elapsed[i] = cpuClock() - t0;
  }
  // Idle: the watchdog stops counting.
  Atomics.store(progress, 0, 0);
  return { seq, results, elapsed };
}

parentPort.on("message", (msg) => {
  runBatch(msg).then(
    (out) => {
      try {
        parentPort.postMessage(out);
      } catch {
        // A result that cannot be cloned: report every item of the batch as an error rather than hang.
        parentPort.postMessage({ seq: out.seq, results: out.results.map(() => ["FORMULA_ERROR", "formula returned a value that cannot be read"]), elapsed: out.elapsed });
      }
    },
    (err) => parentPort.postMessage({ seq: msg.seq, fatal: String(err?.message ?? err) }),
  );
});

// Loaded (jsonata compiled by the engine): the pool's warm() waits for this.
parentPort.postMessage({ ready: true, tid });
