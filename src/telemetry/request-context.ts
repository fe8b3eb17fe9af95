// What one HTTP request did, gathered while it runs: SQL statements (count,
// time, the first ones' text), result-cache lookups and formula time. The
// database layer, the result cache and the engine report here through the
// note* functions without knowing about HTTP; the access log, the slow-request
// log and /metrics read the record when the response leaves
// (src/ops/operator-view.ts).
//
// The record travels with the request's async work through AsyncLocalStorage:
// a statement issued by a resolver, by a DataLoader batch or by Prisma is
// counted for the request that caused it, even with many requests in flight.
// Outside a request (start-up, CLI, an import still running after its answer
// left) the note* functions only feed the process-wide listeners.
import { AsyncLocalStorage } from "node:async_hooks";

/** SQL texts kept per request for the slow-request log; past this only the count grows. */
export const MAX_STATEMENTS_KEPT = 50;
/** A statement's text is cut here in the slow-request log. */
export const MAX_STATEMENT_CHARS = 2_000;

export interface StatementNote {
  /** The SQL text as sent, with its $n placeholders: parameter values are never kept. */
  sql: string;
  ms: number;
}

export interface RequestRecord {
  readonly id: string;
  /** performance.now() at arrival. */
  readonly startedAt: number;
  companyId?: string;
  operationName?: string;
  operationType?: string;
  statements: number;
  statementMs: number;
  /** The first MAX_STATEMENTS_KEPT statements, in the order they finished. */
  statementLog: StatementNote[];
  cacheHits: number;
  cacheMisses: number;
  formulaMs: number;
  /** Error codes of the GraphQL result (extensions.code), as the client saw them. */
  errorCodes: string[];
  /** Set once the access line is written: later notes (work outliving the answer) are not counted twice. */
  finished: boolean;
}

const storage = new AsyncLocalStorage<RequestRecord>();

export function newRecord(id: string): RequestRecord {
  return {
    id,
    startedAt: performance.now(),
    statements: 0,
    statementMs: 0,
    statementLog: [],
    cacheHits: 0,
    cacheMisses: 0,
    formulaMs: 0,
    errorCodes: [],
    finished: false,
  };
}

/** Runs `fn` (the whole handling of one request) with `record` as the current request. */
export function runInRequest<T>(record: RequestRecord, fn: () => T): T {
  return storage.run(record, fn);
}

export function currentRequest(): RequestRecord | undefined {
  const r = storage.getStore();
  return r && !r.finished ? r : undefined;
}

/** Process-wide observers (the Prometheus metrics, the tracer); each is called for every note. */
export interface Observers {
  statement?(sql: string, ms: number, record: RequestRecord | undefined): void;
  importRows?(kind: string, counts: Record<string, number>): void;
}
const observers: Observers[] = [];

export function observe(o: Observers): () => void {
  observers.push(o);
  return () => {
    const i = observers.indexOf(o);
    if (i >= 0) observers.splice(i, 1);
  };
}

/** One SQL statement finished (or failed) after `ms`. */
export function noteStatement(sql: string, ms: number): void {
  const r = currentRequest();
  if (r) {
    r.statements++;
    r.statementMs += ms;
    if (r.statementLog.length < MAX_STATEMENTS_KEPT) r.statementLog.push({ sql, ms });
  }
  for (const o of observers) o.statement?.(sql, ms, r);
}

/** One lookup in the metric result cache: served from memory (or a statement in flight) or not. */
export function noteCacheLookup(hit: boolean): void {
  const r = storage.getStore();
  if (r) {
    if (hit) r.cacheHits++;
    else r.cacheMisses++;
  }
}

/**
 * Time spent evaluating KPI formulas (fast path and JSONata). Called once per value, so it only
 * adds to the request's record; /metrics observes the request's total when it ends.
 */
export function noteFormulaTime(ms: number): void {
  const r = storage.getStore();
  if (r) r.formulaMs += ms;
}

/** Rows of one committed import batch, by outcome (imported, updated, unchanged, rejected). */
export function noteImportRows(kind: string, counts: Record<string, number>): void {
  for (const o of observers) o.importRows?.(kind, counts);
}

/** Whitespace collapsed and cut: the form a statement takes in a log line. */
export function statementText(sql: string): string {
  const flat = sql.replace(/\s+/g, " ").trim();
  return flat.length > MAX_STATEMENT_CHARS ? `${flat.slice(0, MAX_STATEMENT_CHARS)}…` : flat;
}

/** The id of the request being handled, for log lines (src/logger.ts). */
export function requestIdNow(): string | undefined {
  return storage.getStore()?.id;
}
