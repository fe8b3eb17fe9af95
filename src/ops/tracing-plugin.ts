// The tracing plugin for Yoga (loaded by src/ops/tracing.ts only when tracing is on): the HTTP
// server span, @envelop/opentelemetry's execution span, one span per SQL statement.
import { context, propagation, SpanKind, SpanStatusCode, trace, type Span, type TracerProvider } from "@opentelemetry/api";
import { useOpenTelemetry } from "@envelop/opentelemetry";
import type { Plugin } from "graphql-yoga";
import { observe, requestIdNow, statementText } from "../telemetry/request-context.js";

const headerGetter = {
  keys: (h: Headers) => [...h.keys()],
  get: (h: Headers, key: string) => h.get(key) ?? undefined,
};

/** The span of each SQL statement, under whatever span is active where it was sent. */
function traceStatements(provider: TracerProvider): void {
  const tracer = provider.getTracer("yardstick-sql");
  observe({
    statement(sql, ms) {
      const parent = trace.getSpan(context.active());
      if (!parent?.isRecording()) return;
      const text = statementText(sql);
      const verb = /^\s*(\w+)/.exec(text)?.[1]?.toUpperCase() ?? "SQL";
      const end = Date.now();
      const span = tracer.startSpan(verb, { kind: SpanKind.CLIENT, startTime: end - ms, attributes: { "db.system": "postgresql", "db.statement": text } });
      span.end(end);
    },
  });
}

const providersWithSql = new WeakSet<TracerProvider>();

export function useTracing(provider: TracerProvider, options: { resolvers?: boolean } = {}): Plugin {
  if (!providersWithSql.has(provider)) {
    providersWithSql.add(provider);
    traceStatements(provider);
  }
  const tracer = provider.getTracer("yardstick-http");
  const spans = new WeakMap<Request, Span>();
  const graphql = useOpenTelemetry(
    { resolvers: options.resolvers ?? false, variables: false, result: false, document: true },
    provider,
    SpanKind.INTERNAL,
    {},
    "yardstick-graphql",
  );
  return {
    instrumentation: {
      request({ request }, wrapped) {
        const url = new URL(request.url);
        const parent = propagation.extract(context.active(), request.headers, headerGetter);
        const span = tracer.startSpan(
          `${request.method} ${url.pathname}`,
          { kind: SpanKind.SERVER, attributes: { "http.request.method": request.method, "url.path": url.pathname, "yardstick.request_id": requestIdNow() } },
          parent,
        );
        spans.set(request, span);
        const end = () => span.end();
        try {
          const out = context.with(trace.setSpan(parent, span), wrapped);
          if (out && typeof (out as Promise<void>).then === "function") return (out as Promise<void>).finally(end);
          end();
          return out;
        } catch (err) {
          span.setStatus({ code: SpanStatusCode.ERROR });
          end();
          throw err;
        }
      },
    },
    onPluginInit({ addPlugin }) {
      addPlugin(graphql as Plugin);
    },
    onExecute({ args }) {
      const ctx = args.contextValue as { request?: Request; viewer?: { companyId?: string } | null };
      const span = ctx.request && spans.get(ctx.request);
      if (span && ctx.viewer?.companyId) span.setAttribute("yardstick.company_id", ctx.viewer.companyId);
    },
    onResponse({ request, response }) {
      const span = spans.get(request);
      if (!span) return;
      span.setAttribute("http.response.status_code", response.status);
      if (response.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    },
  };
}
