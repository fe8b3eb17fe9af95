// The operator's plugins for the Yoga app, in one place so src/server.ts only
// lists them: the request record and access log (first, so it wraps all the
// rest), tracing when configured, /metrics on the API port (token only).
import type { Plugin } from "graphql-yoga";
import type { Database } from "../db/database.js";
import type { ResultCache } from "../metrics/result-cache.js";
import { Lifecycle } from "./lifecycle.js";
import { watch } from "./metrics.js";
import { useMetricsRoute } from "./metrics-route.js";
import { DEFAULT_SLOW_REQUEST_MS, useOperatorView } from "./operator-view.js";

export interface OpsOptions {
  /** Requests slower than this (ms) are logged with their statements; 0 = off (default 1000). */
  slowRequestMs?: number;
  /** Proxies in front whose X-Forwarded-For entries are believed (default 0). */
  trustedProxies?: number;
  /** Opens /metrics on the API port to `Authorization: Bearer <token>`; without it the path is 404 there. */
  metricsToken?: string;
  /** Shared with the shutdown sequence: /ready answers 503 once it drains. */
  lifecycle?: Lifecycle;
  /** The tracing plugin (startTracing in src/ops/tracing.ts); no tracing when absent. */
  tracing?: Plugin;
}

export function opsPlugins(db: Database, results: ResultCache | null, options: OpsOptions = {}): { plugins: Plugin[]; lifecycle: Lifecycle } {
  const lifecycle = options.lifecycle ?? new Lifecycle();
  watch(db, results);
  return {
    lifecycle,
    plugins: [
      // First: its record wraps everything after it (the tracer reads the request id from it).
      useOperatorView({ slowRequestMs: options.slowRequestMs ?? DEFAULT_SLOW_REQUEST_MS, trustedProxies: options.trustedProxies ?? 0 }),
      ...(options.tracing ? [options.tracing] : []),
      useMetricsRoute(options.metricsToken),
    ],
  };
}
