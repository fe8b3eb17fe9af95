// The time limits live with the pool that applies them (src/db/timeouts.ts); re-exported for the HTTP layer.
export * from "../db/timeouts.js";
