// Time limits shared by the HTTP layer and the database pool. They live with
// the pool (the layer below) so it can default to the request deadline without
// importing the server; src/ops/timeouts.ts re-exports them.

/** A request still running after this is answered with TIMEOUT (Limits.requestTimeoutMs). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/**
 * PostgreSQL statement_timeout of the pool, by default the request deadline: a
 * statement is cancelled by the server at most this long after it started, so a
 * request answered with TIMEOUT does not leave its SQL running.
 */
export const DEFAULT_STATEMENT_TIMEOUT_MS = DEFAULT_REQUEST_TIMEOUT_MS;

/** How long a request waits for a free pooled connection (or a new one to open) before DATABASE_BUSY. */
export const DEFAULT_CONNECTION_TIMEOUT_MS = 5_000;

/**
 * Client-side backstop past statement_timeout: when the server cannot answer at
 * all (a network that drops packets), the driver gives the query up and the pool
 * discards the connection instead of keeping it forever.
 */
export const QUERY_TIMEOUT_MARGIN_MS = 5_000;
