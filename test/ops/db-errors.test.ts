import { GraphQLError } from "graphql";
import { describe, expect, it } from "vitest";
import { databaseFault, databaseFaultError } from "../../src/ops/db-errors.js";

// The shapes below are what node-postgres, pg-pool and Prisma 6.19 (adapter-pg)
// actually threw in the fault tests (test/ops/*.test.ts, PostgreSQL), reduced
// to the fields the classification reads.
const pgError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: "ERROR" });
const prismaError = (code: string, cause: Record<string, unknown>) =>
  Object.assign(new Error(`Invalid \`prisma.apiKey.create()\` invocation: …`), { code, meta: { driverAdapterError: Object.assign(new Error("DriverAdapterError"), { cause }) } });
const wrapped = (original: Error) => new GraphQLError(original.message, { originalError: original, path: ["company", "metric"] });

describe("database faults told apart from bugs", () => {
  it.each([
    ["pg-pool: no free client within connectionTimeoutMillis", new Error("timeout exceeded when trying to connect"), "DATABASE_BUSY"],
    ["too many connections", pgError("53300", "sorry, too many clients already"), "DATABASE_BUSY"],
    ["raw driver: connection refused", Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }), "DATABASE_UNAVAILABLE"],
    ["raw driver: connection dropped", new Error("Connection terminated unexpectedly"), "DATABASE_UNAVAILABLE"],
    ["raw driver: dead client reused", new Error("Client has encountered a connection error and is not queryable"), "DATABASE_UNAVAILABLE"],
    ["server shutting down", pgError("57P01", "terminating connection due to administrator command"), "DATABASE_UNAVAILABLE"],
    ["Prisma: can't reach the server", prismaError("P1001", { kind: "DatabaseNotReachable", host: "127.0.0.1", port: 5432 }), "DATABASE_UNAVAILABLE"],
    ["Prisma: server closed the connection", prismaError("P1017", { kind: "ConnectionClosed" }), "DATABASE_UNAVAILABLE"],
    ["raw driver: statement_timeout", pgError("57014", "canceling statement due to statement timeout"), "TIMEOUT"],
    ["Prisma raw query: statement_timeout", prismaError("P2010", { kind: "postgres", code: "57014", originalCode: "57014", message: "canceling statement due to statement timeout" }), "TIMEOUT"],
    ["lock_timeout", pgError("55P03", "canceling statement due to lock timeout"), "TIMEOUT"],
  ])("%s → %s", (_label, error, code) => {
    expect(databaseFault(error)?.code).toBe(code);
    // Also when the resolver's error wraps it, or it is the cause of another.
    expect(databaseFault(wrapped(error))?.code).toBe(code);
    expect(databaseFault(new Error("outer", { cause: error }))?.code).toBe(code);
  });

  it.each([
    ["a bug", new TypeError("Cannot read properties of undefined (reading 'x')")],
    ["a constraint violation", pgError("23505", "duplicate key value violates unique constraint")],
    ["a syntax error", pgError("42601", "syntax error at or near")],
    ["a user error with a code", new GraphQLError("The request took longer than 10 ms and was stopped.", { extensions: { code: "TIMEOUT" } })],
  ])("leaves %s alone", (_label, error) => {
    expect(databaseFault(error)).toBeNull();
  });

  it("answers with a fixed message, the original's path, HTTP 503 and Retry-After", () => {
    const original = wrapped(pgError("57014", "canceling statement due to statement timeout: SELECT secret FROM t"));
    const e = databaseFaultError(databaseFault(original)!, original);
    expect(e.message).not.toMatch(/SELECT|canceling/);
    expect(e.path).toEqual(["company", "metric"]);
    expect(e.extensions).toEqual({ code: "TIMEOUT", http: { status: 503, headers: { "retry-after": "1" } } });
  });
});
