// Prometheus metrics (prom-client), one registry per process. Requests are
// observed once, when their answer leaves (src/ops/operator-view.ts), from the
// request's record (src/telemetry/request-context.ts); SQL statements and import
// rows are counted as they happen, in or out of a request; pool usage and the
// result cache are read when Prometheus scrapes.
//
// Label values are bounded: the route is one of a fixed set, the error code
// one of ours (anything else is "OTHER"), and the operation name — chosen by
// clients — is kept for the first MAX_OPERATION_NAMES names seen, then
// "other": a client sending random names cannot grow the registry.
import client from "prom-client";
import type { Database } from "../db/database.js";
import type { ResultCache } from "../metrics/result-cache.js";
import { observe, type RequestRecord } from "../telemetry/request-context.js";

export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry });

const MAX_OPERATION_NAMES = 200;
const operationNames = new Set<string>();
/** A bounded label value for a client-chosen operation name. */
export function operationLabel(name: string | undefined): string {
  if (!name) return "anonymous";
  if (operationNames.has(name)) return name;
  if (operationNames.size >= MAX_OPERATION_NAMES || !/^[_A-Za-z][_0-9A-Za-z]{0,99}$/.test(name)) return "other";
  operationNames.add(name);
  return name;
}

const CODE = /^[A-Z][A-Z0-9_]{1,63}$/;
const codeLabel = (code: string) => (CODE.test(code) ? code : "OTHER");

const requestDuration = new client.Histogram({
  name: "yardstick_request_duration_seconds",
  help: "Time from a request's arrival to its answer, by route (graphql, health, ready, embed, metrics, other), GraphQL operation name and HTTP status.",
  labelNames: ["route", "operation", "status"] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [registry],
});
const requestStatements = new client.Histogram({
  name: "yardstick_request_sql_statements",
  help: "SQL statements one GraphQL request sent, by operation name.",
  labelNames: ["operation"] as const,
  buckets: [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
  registers: [registry],
});
const statementsTotal = new client.Counter({
  name: "yardstick_sql_statements_total",
  help: "SQL statements sent, in requests or not (imports still running, start-up).",
  registers: [registry],
});
const statementDuration = new client.Histogram({
  name: "yardstick_sql_statement_duration_seconds",
  help: "Time of each SQL statement as the driver saw it (queueing for a connection included).",
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});
const cacheLookups = new client.Counter({
  name: "yardstick_result_cache_lookups_total",
  help: "Lookups in the metric result cache made by requests: hit (answered from memory or by a statement already running) or miss.",
  labelNames: ["result"] as const,
  registers: [registry],
});
const formulaSeconds = new client.Counter({
  name: "yardstick_formula_seconds_total",
  help: "Time spent evaluating KPI formulas in requests.",
  registers: [registry],
});
const requestFormula = new client.Histogram({
  name: "yardstick_request_formula_seconds",
  help: "Formula time of one GraphQL request, by operation name.",
  labelNames: ["operation"] as const,
  buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});
const importRows = new client.Counter({
  name: "yardstick_import_rows_total",
  help: "Rows of committed import batches, by import kind and outcome (inserted, updated, unchanged, rejected).",
  labelNames: ["kind", "outcome"] as const,
  registers: [registry],
});
const errors = new client.Counter({
  name: "yardstick_graphql_errors_total",
  help: "Errors in GraphQL answers, by extensions.code (INTERNAL_SERVER_ERROR for masked ones).",
  labelNames: ["code"] as const,
  registers: [registry],
});
export const inFlight = new client.Gauge({
  name: "yardstick_requests_in_flight",
  help: "HTTP requests being answered now.",
  registers: [registry],
});
export const draining = new client.Gauge({
  name: "yardstick_draining",
  help: "1 once shutdown has begun (/ready answers 503), else 0.",
  registers: [registry],
});

// Read at scrape time from what the apps of this process registered (one in production, several in tests).
const databases = new Set<Database>();
const resultCaches = new Set<ResultCache>();
new client.Gauge({
  name: "yardstick_db_pool_connections",
  help: "PostgreSQL pool connections by pool (primary, replica) and state: max (configured), total (open), idle, waiting (requests queued for one). Absent on the embedded database.",
  labelNames: ["pool", "state"] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const db of databases) {
      for (const p of db.poolUsage() ?? []) {
        this.inc({ pool: p.pool, state: "max" }, p.max);
        this.inc({ pool: p.pool, state: "total" }, p.total);
        this.inc({ pool: p.pool, state: "idle" }, p.idle);
        this.inc({ pool: p.pool, state: "waiting" }, p.waiting);
      }
    }
  },
});
new client.Gauge({
  name: "yardstick_result_cache_hit_ratio",
  help: "Share of result-cache lookups answered without a statement of their own, since the process started (0 before the first lookup).",
  registers: [registry],
  async collect() {
    const [hits, misses] = await Promise.all(["hit", "miss"].map(async (result) => (await cacheLookups.get()).values.find((v) => v.labels.result === result)?.value ?? 0));
    this.set(hits! + misses! > 0 ? hits! / (hits! + misses!) : 0);
  },
});
new client.Gauge({
  name: "yardstick_result_cache_entries",
  help: "Statement results held in the metric result cache.",
  registers: [registry],
  collect() {
    let n = 0;
    for (const c of resultCaches) n += c.stats().entries;
    this.set(n);
  },
});
new client.Gauge({
  name: "yardstick_result_cache_bytes",
  help: "Approximate bytes held by the metric result cache.",
  registers: [registry],
  collect() {
    let n = 0;
    for (const c of resultCaches) n += c.stats().bytes;
    this.set(n);
  },
});

observe({
  statement(_sql, ms) {
    statementsTotal.inc();
    statementDuration.observe(ms / 1000);
  },
  importRows(kind, counts) {
    for (const [outcome, n] of Object.entries(counts)) if (n > 0) importRows.inc({ kind, outcome }, n);
  },
});

/** The app's database and result cache, read at every scrape. Returns the function that stops watching them. */
export function watch(db: Database, results: ResultCache | null): () => void {
  databases.add(db);
  if (results) resultCaches.add(results);
  return () => {
    databases.delete(db);
    if (results) resultCaches.delete(results);
  };
}

export type Route = "graphql" | "health" | "ready" | "embed" | "metrics" | "other";

/** One answered request, from its record. */
export function observeRequest(route: Route, status: number, seconds: number, record: RequestRecord): void {
  const operation = route === "graphql" ? operationLabel(record.operationName) : "";
  requestDuration.observe({ route, operation, status: String(status) }, seconds);
  if (route !== "graphql") return;
  requestStatements.observe({ operation }, record.statements);
  if (record.cacheHits) cacheLookups.inc({ result: "hit" }, record.cacheHits);
  if (record.cacheMisses) cacheLookups.inc({ result: "miss" }, record.cacheMisses);
  if (record.formulaMs > 0) {
    formulaSeconds.inc(record.formulaMs / 1000);
    requestFormula.observe({ operation }, record.formulaMs / 1000);
  }
  for (const code of record.errorCodes) errors.inc({ code: codeLabel(code) });
}

/** The exposition text and its content type. */
export async function renderMetrics(): Promise<{ body: string; contentType: string }> {
  return { body: await registry.metrics(), contentType: registry.contentType };
}
