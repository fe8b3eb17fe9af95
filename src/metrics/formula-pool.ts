// JSONata evaluation off the main thread (issue 15), in a small pool of worker
// threads (formula-worker.mjs). Why a pool of our own rather than piscina or
// tinypool: a batch holds hundreds of evaluations, and when one of them runs
// past its limit only that one may fail — the watchdog must know WHICH item
// the worker is on (shared memory), kill the worker and send the rest again;
// and the queue must be fair between companies (round robin per company, at
// most `maxPerTenant` workers each), where those pools queue first come,
// first served.
//
// Budgets measure the formula's own work: a worker times each evaluation on
// its own thread while it runs (queue time never counts), and every request
// has a total (FormulaRun.budgetMs) charged with those times. Queued work
// respects the request deadline: what is still queued when it passes is
// refused, and a batch may run only for what is left of the budget and the
// deadline.
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { FormulaError } from "./formula-error.js";

export interface PoolLimits {
  /** JSONata steps one evaluation may take. */
  maxSteps: number;
  /** Nesting depth (recursion) of one evaluation. */
  maxDepth: number;
  /** Worker time one evaluation may use, checked between steps. */
  cpuMs: number;
  /** Past this, one step that nothing interrupts (a huge range, sort, regex) is ended by terminating its worker. */
  hardMs: number;
  /** Heap of one worker (old generation), MB: a formula that outgrows it ends its worker. */
  memoryMb: number;
}

// A KPI formula takes well under a millisecond; 100 ms of CPU is a hundred times that, and every
// millisecond a hostile formula may take is a millisecond of a core taken from every company.
export const DEFAULT_POOL_LIMITS: PoolLimits = { maxSteps: 20_000, maxDepth: 200, cpuMs: 100, hardMs: 300, memoryMb: 96 };

/** Worker time one request's formulas may use in total, and the moment its answer is due. */
export interface FormulaRun {
  /** The company the work is for: the queue is fair between companies, pauses are per company. */
  readonly tenant: string;
  readonly budgetMs: number;
  usedMs: number;
  /** Epoch ms; work still queued then is refused. */
  readonly deadline: number;
}

export const DEFAULT_REQUEST_FORMULA_MS = 10_000;

export function formulaRun(tenant: string, options: { budgetMs?: number; deadline?: number } = {}): FormulaRun {
  return { tenant, budgetMs: options.budgetMs ?? DEFAULT_REQUEST_FORMULA_MS, usedMs: 0, deadline: options.deadline ?? Number.POSITIVE_INFINITY };
}

/** A worker's answer for one item: ["ok", value] | ["NON_FINITE"] | [code, message]. */
export type ItemResult = ["ok", unknown] | ["NON_FINITE"] | ["FORMULA_LIMIT" | "FORMULA_ERROR", string];

interface Item {
  source: string;
  input: unknown;
  resolve(r: ItemResult): void;
  /** Workers lost while this item's batch ran without knowing which item was at fault. */
  lost?: number;
}

interface Batch {
  run: FormulaRun;
  items: Item[];
}

interface Slot {
  worker: Worker;
  progress: Int32Array;
  batch: Batch | null;
  seq: number;
  /** What the watchdog last saw this worker on, since when (wall) and the worker thread's CPU then. */
  seen: { seq: number; index: number; since: number; cpu: number | null };
  /** The worker thread's Linux thread id (its CPU time is read from /proc), null elsewhere. */
  tid: number | null;
  /** Settles when the worker has loaded. */
  ready: Promise<void>;
  loaded: boolean;
}

const WORKER_URL = new URL("./formula-worker.mjs", import.meta.url);
/** Items per message: big enough that the hop is amortised, small enough that a kill re-sends little. */
const BATCH_ITEMS = 512;
/** Limit hits of one formula (per company) within PAUSE_WINDOW_MS that pause it for PAUSE_MS. */
const PAUSE_AFTER = 3;
const PAUSE_WINDOW_MS = 60_000;
const PAUSE_MS = 60_000;
/**
 * Workers of one company ended by the watchdog or the heap cap within PAUSE_WINDOW_MS after which
 * that company's JSONata formulas are refused for TENANT_PAUSE_MS: each such end costs the machine
 * a core for the hard limit and a worker start, so a company cycling through many different
 * hostile formulas (each paused only after its own PAUSE_AFTER hits) is stopped as a whole.
 */
const TENANT_PAUSE_AFTER = 4;
const TENANT_PAUSE_MS = 30_000;

export interface PoolOptions {
  size?: number;
  maxPerTenant?: number;
  limits?: Partial<PoolLimits>;
}

export class FormulaPool {
  readonly size: number;
  readonly maxPerTenant: number;
  readonly limits: PoolLimits;
  private slots: Slot[] = [];
  private seq = 0;
  /** Items collected in this turn of the event loop, per request: sent as batches on the next turn. */
  private open = new Map<FormulaRun, Item[]>();
  private flushing = false;
  /** Batches waiting for a worker, per company; `order` is the round robin. */
  private queues = new Map<string, Batch[]>();
  private order: string[] = [];
  private busy = new Map<string, number>();
  private watchdog: NodeJS.Timeout | null = null;
  private hits = new Map<string, { at: number[]; pausedUntil: number }>();
  /** Per company: workers ended on its behalf (watchdog, heap), for the company-wide pause. */
  private ends = new Map<string, { at: number[]; pausedUntil: number }>();
  /** Counters for tests, benchmarks and /metrics. */
  readonly stats = { batches: 0, items: 0, killed: 0, outOfMemory: 0, refusedQueued: 0, paused: 0 };

  constructor(options: PoolOptions = {}) {
    this.size = Math.max(1, options.size ?? Math.min(4, Math.max(2, availableParallelism() - 1)));
    this.maxPerTenant = Math.max(1, Math.min(this.size, options.maxPerTenant ?? this.size - 1));
    this.limits = { ...DEFAULT_POOL_LIMITS, ...options.limits };
  }

  /** Evaluates one formula in a worker; resolves with the worker's answer (never rejects). */
  evaluate(source: string, input: unknown, run: FormulaRun): Promise<ItemResult> {
    const refused = this.refusal(source, run);
    if (refused) return Promise.resolve(refused);
    return new Promise((resolve) => {
      let list = this.open.get(run);
      if (!list) this.open.set(run, (list = []));
      list.push({ source, input, resolve });
      if (!this.flushing) {
        this.flushing = true;
        // Everything a resolver loop submits in this turn travels together.
        setImmediate(() => this.flush());
      }
    });
  }

  /** Starts every worker and waits until each has loaded (at server start: the first request pays no start-up). */
  async warm(): Promise<void> {
    while (this.slots.length < this.size) this.spawn();
    const loading = this.slots.filter((s) => !s.loaded);
    for (const s of loading) s.worker.ref();
    await Promise.all(loading.map((s) => s.ready));
    for (const s of loading) if (!s.batch) s.worker?.unref();
  }

  /** Terminates every worker (tests, shutdown); queued items are refused. */
  async close(): Promise<void> {
    for (const [, batches] of this.queues) for (const b of batches) for (const it of b.items) it.resolve(["FORMULA_LIMIT", "formula pool closed"]);
    this.queues.clear();
    this.order = [];
    const slots = this.slots;
    this.slots = [];
    for (const s of slots) s.batch?.items.forEach((it) => it.resolve(["FORMULA_LIMIT", "formula pool closed"]));
    await Promise.all(slots.map((s) => s.worker.terminate()));
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
  }

  private refusal(source: string, run: FormulaRun): ItemResult | null {
    const now = Date.now();
    if (now >= run.deadline) return ["FORMULA_LIMIT", "the request's deadline passed before this formula could run"];
    if (run.usedMs >= run.budgetMs) return ["FORMULA_LIMIT", `this request's formulas used their budget of ${run.budgetMs} ms`];
    const ends = this.ends.get(run.tenant);
    if (ends && ends.pausedUntil > now) {
      this.stats.paused++;
      return ["FORMULA_LIMIT", `this company's formulas overran their limits ${TENANT_PAUSE_AFTER} times within a minute; its JSONata formulas are paused for ${Math.ceil((ends.pausedUntil - now) / 1000)} s`];
    }
    const h = this.hits.get(`${run.tenant}\u0000${source}`);
    if (h && h.pausedUntil > now) {
      this.stats.paused++;
      return ["FORMULA_LIMIT", `this formula exceeded its limits ${PAUSE_AFTER} times within a minute; it is paused for ${Math.ceil((h.pausedUntil - now) / 1000)} s`];
    }
    return null;
  }

  /** A formula of a company hit a limit: after PAUSE_AFTER hits in the window it is paused for that company. */
  private hit(run: FormulaRun, source: string) {
    count(this.hits, `${run.tenant}\u0000${source}`, PAUSE_AFTER, PAUSE_MS);
  }

  /** A worker was ended for a company's formula: counts towards pausing the company's formulas. */
  private ended(run: FormulaRun) {
    count(this.ends, run.tenant, TENANT_PAUSE_AFTER, TENANT_PAUSE_MS);
  }

  private flush() {
    this.flushing = false;
    for (const [run, items] of this.open) {
      for (let i = 0; i < items.length; i += BATCH_ITEMS) this.enqueue({ run, items: items.slice(i, i + BATCH_ITEMS) });
    }
    this.open.clear();
    this.dispatch();
  }

  private enqueue(batch: Batch, front = false) {
    const t = batch.run.tenant;
    let q = this.queues.get(t);
    if (!q) {
      this.queues.set(t, (q = []));
      this.order.push(t);
    }
    if (front) q.unshift(batch);
    else q.push(batch);
  }

  /** The next batch by round robin over companies, skipping those at their share of workers. */
  private next(): Batch | null {
    for (let n = 0; n < this.order.length; n++) {
      const t = this.order.shift()!;
      const q = this.queues.get(t)!;
      if ((this.busy.get(t) ?? 0) >= this.maxPerTenant) {
        this.order.push(t);
        continue;
      }
      const b = q.shift()!;
      if (q.length) this.order.push(t);
      else this.queues.delete(t);
      return b;
    }
    return null;
  }

  private dispatch() {
    while (this.order.length) {
      const slot = this.idleSlot();
      if (!slot) return;
      const batch = this.next();
      if (!batch) return;
      // Refuse what waited past its request's deadline or budget (checked again as late as possible).
      const live: Item[] = [];
      for (const it of batch.items) {
        const r = this.refusal(it.source, batch.run);
        if (r) {
          this.stats.refusedQueued++;
          it.resolve(r);
        } else live.push(it);
      }
      if (live.length === 0) continue;
      this.send(slot, { run: batch.run, items: live });
    }
  }

  /** An idle worker that has loaded (a batch sent to one still loading would wait for it); spawns up to size. */
  private idleSlot(): Slot | null {
    const idle = this.slots.find((s) => !s.batch && s.loaded);
    if (idle) return idle;
    if (this.slots.length < this.size) this.spawn();
    return null;
  }

  private spawn(): Slot {
    const progress = new Int32Array(new SharedArrayBuffer(8));
    const worker = new Worker(WORKER_URL, {
      workerData: { progress: progress.buffer },
      env: {},
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: this.limits.memoryMb, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
    });
    let loaded!: () => void;
    const ready = new Promise<void>((resolve) => (loaded = resolve));
    const slot: Slot = { worker, progress, batch: null, seq: 0, seen: { seq: 0, index: 0, since: 0, cpu: null }, tid: null, ready, loaded: false };
    worker.on("message", (msg: { ready?: true; tid?: number | null; seq: number; results?: ItemResult[]; elapsed?: number[]; fatal?: string }) => {
      if (msg.ready) {
        slot.tid = msg.tid ?? null;
        slot.loaded = true;
        loaded();
        // Work may have waited for this worker to load.
        return this.dispatch();
      }
      if (slot.worker !== worker || !slot.batch || msg.seq !== slot.seq) return;
      const batch = slot.batch;
      this.release(slot);
      if (!msg.results) {
        for (const it of batch.items) it.resolve(["FORMULA_ERROR", `formula worker failed: ${msg.fatal ?? "unknown"}`]);
      } else {
        let used = 0;
        msg.results.forEach((r, i) => {
          used += msg.elapsed?.[i] ?? 0;
          if (r[0] === "FORMULA_LIMIT") this.hit(batch.run, batch.items[i]!.source);
          batch.items[i]!.resolve(r);
        });
        batch.run.usedMs += used;
      }
      this.dispatch();
    });
    const lost = (why: "memory" | "exit") => {
      loaded();
      if (slot.worker !== worker) return;
      this.replace(slot, why);
    };
    worker.on("error", (err: Error & { code?: string }) => lost(err.code === "ERR_WORKER_OUT_OF_MEMORY" ? "memory" : "exit"));
    worker.on("exit", () => lost("exit"));
    // After the listeners (adding one refs the port again): idle workers never keep the process alive.
    worker.unref();
    this.slots.push(slot);
    return slot;
  }

  private send(slot: Slot, batch: Batch) {
    const sources: string[] = [];
    const index = new Map<string, number>();
    const items = batch.items.map((it) => {
      let i = index.get(it.source);
      if (i === undefined) index.set(it.source, (i = sources.push(it.source) - 1));
      return [i, it.input];
    });
    const run = batch.run;
    const left = Math.max(1, Math.min(run.budgetMs - run.usedMs, run.deadline - Date.now()));
    const batchMessage =
      run.budgetMs - run.usedMs <= run.deadline - Date.now()
        ? `this request's formulas used their budget of ${run.budgetMs} ms`
        : "the request's deadline passed while its formulas ran";
    slot.seq = ++this.seq;
    slot.batch = batch;
    // A busy worker keeps the process alive (a CLI awaiting a formula); an idle one does not.
    slot.worker.ref();
    slot.seen = { seq: -1, index: -1, since: 0, cpu: null };
    this.busy.set(run.tenant, (this.busy.get(run.tenant) ?? 0) + 1);
    this.stats.batches++;
    this.stats.items += items.length;
    slot.worker.postMessage({
      seq: slot.seq,
      sources,
      items,
      limits: { maxSteps: this.limits.maxSteps, maxDepth: this.limits.maxDepth, cpuMs: Math.min(this.limits.cpuMs, left) },
      batchMs: left,
      batchMessage,
    });
    this.watchdog ??= setInterval(() => this.watch(), 20).unref();
  }

  private release(slot: Slot) {
    const t = slot.batch?.run.tenant;
    slot.batch = null;
    slot.worker?.unref();
    if (t !== undefined) {
      const n = (this.busy.get(t) ?? 1) - 1;
      if (n > 0) this.busy.set(t, n);
      else this.busy.delete(t);
    }
  }

  /** Ends a worker stuck on one item past the hard limit. */
  private watch() {
    const now = Date.now();
    let anyBusy = false;
    for (const slot of this.slots) {
      if (!slot.batch) continue;
      anyBusy = true;
      const seq = Atomics.load(slot.progress, 0);
      const index = Atomics.load(slot.progress, 1);
      if (seq !== slot.seq) continue; // not started yet, or finished and answering
      const cpu = threadCpuMs(slot.tid);
      if (seq !== slot.seen.seq || index !== slot.seen.index) slot.seen = { seq, index, since: now, cpu };
      else if (
        // The worker's own CPU time on this one item where Linux tells it; wall time otherwise, and as
        // a backstop (a formula starved of CPU for 20× its hard limit is not worth waiting for).
        (cpu !== null && slot.seen.cpu !== null ? cpu - slot.seen.cpu > this.limits.hardMs : now - slot.seen.since > this.limits.hardMs) ||
        now - slot.seen.since > 20 * this.limits.hardMs
      ) {
        this.replace(slot, "cpu");
      }
    }
    if (!anyBusy && this.watchdog) {
      clearInterval(this.watchdog);
      this.watchdog = null;
    }
  }

  /**
   * The worker is gone or must go: the item it was on fails with FORMULA_LIMIT, the others of its
   * batch are queued again (first in their company's queue), and a fresh worker takes the slot.
   */
  private replace(slot: Slot, why: "cpu" | "memory" | "exit") {
    const batch = slot.batch;
    const old = slot.worker;
    const seq = Atomics.load(slot.progress, 0);
    const index = seq === slot.seq ? Atomics.load(slot.progress, 1) : -1;
    this.release(slot);
    this.slots = this.slots.filter((s) => s !== slot);
    slot.worker = null as unknown as Worker; // late messages of the old worker are ignored
    void old.terminate();
    if (why === "cpu") this.stats.killed++;
    if (why === "memory") this.stats.outOfMemory++;
    if (batch) {
      // The item the worker was on; a batch of one has no doubt about it.
      const culprit = index >= 0 ? batch.items[index] : batch.items.length === 1 ? batch.items[0] : undefined;
      if (culprit) {
        const message =
          why === "memory"
            ? `formula used more than the ${this.limits.memoryMb} MB a formula may use`
            : why === "cpu"
              ? `formula ran past its hard limit of ${this.limits.hardMs} ms in one step (a huge range, sort or regular expression?) and was stopped`
              : "formula worker ended while evaluating this formula";
        batch.run.usedMs += why === "cpu" ? this.limits.hardMs : this.limits.cpuMs;
        this.hit(batch.run, culprit.source);
        this.ended(batch.run);
        culprit.resolve(["FORMULA_LIMIT", message]);
      }
      let rest = batch.items.filter((it) => it !== culprit);
      if (!culprit) {
        // Which item was at fault is unknown: send the batch again, and fail what was in two lost batches.
        rest = rest.filter((it) => {
          it.lost = (it.lost ?? 0) + 1;
          if (it.lost < 2) return true;
          it.resolve(["FORMULA_LIMIT", "formula workers ended twice while evaluating this formula's batch"]);
          return false;
        });
      }
      if (rest.length) this.enqueue({ run: batch.run, items: rest }, true);
    }
    // The replacement starts now: loading takes a while, the next batch should not wait for it.
    if (this.slots.length < this.size) this.spawn();
    this.dispatch();
  }
}

/** CPU time (ms) a thread of this process has run, from /proc; null when it cannot be read. */
function threadCpuMs(tid: number | null): number | null {
  if (tid === null) return null;
  try {
    return Number(readFileSync(`/proc/self/task/${tid}/schedstat`, "latin1").split(" ", 1)[0]) / 1e6;
  } catch {
    return null;
  }
}

/** Counts an event for `key` within PAUSE_WINDOW_MS; at `after` events, pauses the key for `pauseMs`. */
function count(map: Map<string, { at: number[]; pausedUntil: number }>, key: string, after: number, pauseMs: number) {
  const now = Date.now();
  let h = map.get(key);
  if (!h) {
    if (map.size > 10_000) map.clear();
    map.set(key, (h = { at: [], pausedUntil: 0 }));
  }
  h.at = h.at.filter((t) => now - t < PAUSE_WINDOW_MS);
  h.at.push(now);
  if (h.at.length >= after) {
    h.pausedUntil = now + pauseMs;
    h.at = [];
  }
}

let shared: FormulaPool | undefined;

/** The process's pool (created on first JSONata evaluation). */
export function formulaPool(): FormulaPool {
  shared ??= new FormulaPool({
    size: process.env.YARDSTICK_FORMULA_WORKERS ? Number(process.env.YARDSTICK_FORMULA_WORKERS) : undefined,
  });
  return shared;
}

/** Replaces the process's pool (tests with other limits); the old one is closed. */
export async function setFormulaPool(pool: FormulaPool): Promise<void> {
  const old = shared;
  shared = pool;
  await old?.close();
}

/** A worker's answer as a value, NON_FINITE, or a thrown FormulaError. */
export function unwrap(r: ItemResult, nonFinite: unknown): unknown {
  if (r[0] === "ok") return r[1];
  if (r[0] === "NON_FINITE") return nonFinite;
  throw new FormulaError(r[0], r[1]);
}
