// The GraphQL side of database faults (src/db/faults.ts classifies them):
// masked, a pool timeout or an unreachable database would read "Unexpected
// error." with HTTP 500; here each becomes its fixed message with a code and
// HTTP 503 the client can retry.
import { GraphQLError } from "graphql";
import { createGraphQLError } from "graphql-yoga";
import type { DatabaseFault } from "../db/faults.js";

export { databaseFault, FAULTS, type DatabaseFault, type DatabaseFaultCode } from "../db/faults.js";

/** The client-facing error for a database fault, keeping the GraphQL location of the original. HTTP 503, Retry-After 1. */
export function databaseFaultError(fault: DatabaseFault, original?: unknown): GraphQLError {
  const at = original instanceof GraphQLError ? original : undefined;
  return createGraphQLError(fault.message, {
    nodes: at?.nodes,
    source: at?.source,
    positions: at?.positions,
    path: at?.path,
    extensions: { code: fault.code, http: { status: 503, headers: { "retry-after": "1" } } },
  });
}
