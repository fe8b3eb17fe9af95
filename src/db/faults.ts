// Database faults a client can act on — "try again in a moment" — told apart
// from bugs. A pool with no free connection, a database that cannot be reached
// or a statement cancelled by statement_timeout reach callers as driver errors
// (node-postgres, pg-pool, or Prisma's wrappers around them). Here each is
// classified into a fixed, clear message and a code; the driver's text (which
// may name the host, the database or the SQL) never leaves the process. The
// GraphQL error a client sees is made one layer up (src/ops/db-errors.ts):
// this module is used by the database layer, which knows nothing of GraphQL.
export type DatabaseFaultCode = "DATABASE_BUSY" | "DATABASE_UNAVAILABLE" | "TIMEOUT";

export interface DatabaseFault {
  code: DatabaseFaultCode;
  message: string;
}

export const FAULTS: Record<DatabaseFaultCode, DatabaseFault> = {
  DATABASE_BUSY: {
    code: "DATABASE_BUSY",
    message: "The database is busy: no connection became free in time. Try again in a moment.",
  },
  DATABASE_UNAVAILABLE: {
    code: "DATABASE_UNAVAILABLE",
    message: "The database cannot be reached at the moment. Try again in a moment.",
  },
  TIMEOUT: {
    code: "TIMEOUT",
    message: "A database query ran past its time limit and was stopped. Ask for less (fewer metrics, subjects or periods) or try again later.",
  },
};

/** node-postgres socket errors: the server is away or the connection broke. */
const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);
/** Prisma driver-adapter error kinds for the same. */
const UNREACHABLE_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout"]);
/** Prisma's own codes: P1001 can't reach, P1017 server closed the connection, P2024 pool timeout, P1008 operation timed out. */
const PRISMA_CODES: Record<string, DatabaseFaultCode> = { P1001: "DATABASE_UNAVAILABLE", P1017: "DATABASE_UNAVAILABLE", P2024: "DATABASE_BUSY", P1008: "TIMEOUT" };

function classifyOne(e: Record<string, unknown>): DatabaseFaultCode | null {
  const code = typeof e.code === "string" ? e.code : undefined;
  const originalCode = typeof e.originalCode === "string" ? e.originalCode : undefined;
  const kind = typeof e.kind === "string" ? e.kind : undefined;
  const message = typeof e.message === "string" ? e.message : "";
  for (const c of [code, originalCode]) {
    if (!c) continue;
    if (SOCKET_CODES.has(c)) return "DATABASE_UNAVAILABLE";
    if (PRISMA_CODES[c]) return PRISMA_CODES[c]!;
    // SQLSTATE: 57014 query_canceled (statement_timeout), 55P03 lock_not_available (lock_timeout).
    if (c === "57014" || c === "55P03") return "TIMEOUT";
    // 53300 too_many_connections, other 53xxx insufficient resources.
    if (/^53[0-9A-Z]{3}$/.test(c)) return "DATABASE_BUSY";
    // Class 08 connection exception; 57P01–57P03 admin/crash shutdown, cannot connect now.
    if (/^08[0-9A-Z]{3}$/.test(c) || /^57P0[1-3]$/.test(c)) return "DATABASE_UNAVAILABLE";
  }
  if (kind && UNREACHABLE_KINDS.has(kind)) return "DATABASE_UNAVAILABLE";
  if (kind === "TooManyConnections") return "DATABASE_BUSY";
  // pg-pool's wait for a free client (connectionTimeoutMillis) and pg's own connection failures.
  if (/timeout exceeded when trying to connect/i.test(message)) return "DATABASE_BUSY";
  if (/^Connection terminated|connection error and is not queryable|Query read timeout/i.test(message)) return "DATABASE_UNAVAILABLE";
  return null;
}

/**
 * The database fault behind an error, if it is one: follows originalError (GraphQL errors),
 * Error.cause, AggregateError.errors and Prisma's meta.driverAdapterError.
 */
export function databaseFault(error: unknown): DatabaseFault | null {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const e = queue.shift();
    if (!e || typeof e !== "object" || seen.has(e)) continue;
    seen.add(e);
    // An error that already carries a client-facing code (a GraphQL error: TIMEOUT from the request
    // deadline, a user error) is final. Duck-typed: the database layer does not import GraphQL.
    if (hasClientCode(e)) return null;
    const found = classifyOne(e as Record<string, unknown>);
    if (found) return FAULTS[found];
    const r = e as { originalError?: unknown; cause?: unknown; errors?: unknown; meta?: { driverAdapterError?: unknown } };
    queue.push(r.originalError, r.cause, r.meta?.driverAdapterError);
    if (Array.isArray(r.errors)) queue.push(...r.errors);
  }
  return null;
}

function hasClientCode(e: object): boolean {
  const extensions = (e as { extensions?: unknown }).extensions;
  return !!extensions && typeof extensions === "object" && !!(extensions as { code?: unknown }).code;
}
