// What an operator sees of each request: one access-log line (request id,
// company, operation, duration, status, SQL statements, cache hits), a
// "slow request" line with its statements above a threshold, the request's
// figures in /metrics, and the X-Request-Id header on every answer.
//
// The whole handling of a request runs inside its record (Yoga's
// instrumentation.request wraps it), so the database layer and the engine can
// report to it (src/telemetry/request-context.ts) and every log line written
// meanwhile carries the request id (src/logger.ts).
//
// Never logged: headers other than the user agent, the query string (an API
// key may still arrive as ?token=), the GraphQL document, its variables.
import type { Plugin } from "graphql-yoga";
import { getOperationAST, type ExecutionResult } from "graphql";
import { logger } from "../logger.js";
import { clientAddress } from "./client-address.js";
import { observeRequest, inFlight, type Route } from "./metrics.js";
import { REQUEST_ID_HEADER, requestIdOf } from "./request-id.js";
import { newRecord, runInRequest, statementText, type RequestRecord } from "../telemetry/request-context.js";

export interface OperatorViewOptions {
  /** A request slower than this (ms) is logged again at warn with its statements; 0 = never. */
  slowRequestMs: number;
  /** Proxies in front whose X-Forwarded-For entries are believed (src/ops/client-address.ts). */
  trustedProxies: number;
}

export const DEFAULT_SLOW_REQUEST_MS = 1_000;

function routeOf(pathname: string): Route {
  if (pathname === "/graphql") return "graphql";
  if (pathname === "/health") return "health";
  if (pathname === "/ready") return "ready";
  if (pathname === "/metrics") return "metrics";
  if (pathname === "/embed" || pathname.startsWith("/embed/")) return "embed";
  return "other";
}

function errorCodesOf(result: unknown): string[] {
  const results = (Array.isArray(result) ? result : [result]) as (ExecutionResult | undefined)[];
  const codes: string[] = [];
  for (const r of results) {
    if (!r || typeof r !== "object" || !Array.isArray(r.errors)) continue;
    for (const e of r.errors) codes.push(typeof e.extensions?.code === "string" ? e.extensions.code : "UNCODED");
  }
  return codes;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

export function useOperatorView(options: OperatorViewOptions): Plugin {
  const records = new WeakMap<Request, RequestRecord>();
  const recordOf = (request: Request): RequestRecord => {
    let r = records.get(request);
    if (!r) records.set(request, (r = newRecord(requestIdOf(request))));
    return r;
  };

  return {
    instrumentation: {
      request({ request }, wrapped) {
        inFlight.inc();
        let settled: Promise<void> | void;
        try {
          settled = runInRequest(recordOf(request), wrapped);
        } catch (err) {
          inFlight.dec();
          throw err;
        }
        if (!settled || typeof (settled as Promise<void>).then !== "function") {
          inFlight.dec();
          return settled;
        }
        return (settled as Promise<void>).finally(() => inFlight.dec());
      },
    },
    onParams({ params, request }) {
      // Known before parsing: a request refused at validation still has its name in the log.
      if (typeof params.operationName === "string") recordOf(request).operationName = params.operationName.slice(0, 100);
    },
    onExecute({ args }) {
      const ctx = args.contextValue as { request?: Request; viewer?: { companyId?: string } | null };
      if (!ctx.request) return;
      const r = recordOf(ctx.request);
      const op = getOperationAST(args.document, args.operationName);
      r.operationName = op?.name?.value ?? r.operationName;
      r.operationType = op?.operation;
      r.companyId = ctx.viewer?.companyId;
    },
    onResultProcess({ request, result }) {
      recordOf(request).errorCodes.push(...errorCodesOf(result));
    },
    onResponse({ request, response, serverContext }) {
      const r = recordOf(request);
      if (r.finished) return;
      r.finished = true;
      response.headers.set(REQUEST_ID_HEADER, r.id);
      const ms = performance.now() - r.startedAt;
      const url = new URL(request.url);
      const route = routeOf(url.pathname);
      observeRequest(route, response.status, ms / 1000, r);

      const line = {
        requestId: r.id,
        method: request.method,
        // The path only: the query string may hold a key.
        path: url.pathname,
        status: response.status,
        ms: round(ms),
        client: clientAddress(request, serverContext, options.trustedProxies),
        companyId: r.companyId,
        operation: r.operationName,
        operationType: r.operationType,
        statements: r.statements,
        statementMs: round(r.statementMs),
        cacheHits: r.cacheHits,
        cacheMisses: r.cacheMisses,
        formulaMs: r.formulaMs > 0 ? round(r.formulaMs) : undefined,
        errors: r.errorCodes.length > 0 ? r.errorCodes : undefined,
        userAgent: request.headers.get("user-agent")?.slice(0, 200) ?? undefined,
      };
      // Probes poll every few seconds: their lines are debug, the rest info.
      if (route === "health" || route === "ready" || route === "metrics") logger.debug(line, "request");
      else logger.info(line, "request");

      if (options.slowRequestMs > 0 && ms >= options.slowRequestMs) {
        logger.warn(
          {
            ...line,
            thresholdMs: options.slowRequestMs,
            // Texts with their $n placeholders: parameter values are never kept (src/telemetry/request-context.ts).
            statementLog: r.statementLog.map((s) => ({ ms: round(s.ms), sql: statementText(s.sql) })),
            statementsNotShown: r.statements - r.statementLog.length || undefined,
          },
          "slow request",
        );
      }
    },
  };
}
