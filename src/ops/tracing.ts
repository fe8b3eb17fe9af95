// OpenTelemetry tracing, off unless configured (docs/operations.md):
// - YARDSTICK_TRACING=1, OTEL_EXPORTER_OTLP_ENDPOINT or
//   OTEL_EXPORTER_OTLP_TRACES_ENDPOINT turn it on; spans go over OTLP/HTTP
//   (the exporter reads the OTEL_EXPORTER_OTLP_* variables itself, default
//   http://localhost:4318/v1/traces); YARDSTICK_TRACING=console prints them.
// - Per request: an HTTP server span (continuing the caller's W3C
//   `traceparent` when there is one), inside it the GraphQL execution span of
//   the ecosystem's plugin (@envelop/opentelemetry), inside that one span per
//   SQL statement, named by its verb, with the SQL text (placeholders, never
//   parameter values). Resolver spans only with YARDSTICK_TRACING_RESOLVERS=1
//   (they carry the field's arguments and cost time on large dashboards).
// - Never recorded: variables, headers, the query string, results.
import { context, propagation, SpanKind, SpanStatusCode, trace, type Span, type TracerProvider } from "@opentelemetry/api";
import { useOpenTelemetry } from "@envelop/opentelemetry";
import type { Plugin } from "graphql-yoga";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { BatchSpanProcessor, ConsoleSpanExporter, type SpanExporter, type SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { Resource } from "@opentelemetry/resources";
import { observe, requestIdNow, statementText } from "./request-context.js";

export interface TracingConfig {
  enabled: boolean;
  console: boolean;
  resolvers: boolean;
  serviceName: string;
}

export function loadTracingConfig(env: NodeJS.ProcessEnv = process.env): TracingConfig {
  const flag = env.YARDSTICK_TRACING ?? "";
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  return {
    enabled: flag === "0" ? false : flag === "1" || flag === "console" || !!endpoint,
    console: flag === "console",
    resolvers: env.YARDSTICK_TRACING_RESOLVERS === "1",
    serviceName: env.OTEL_SERVICE_NAME || "yardstick",
  };
}

export interface Tracing {
  provider: NodeTracerProvider;
  resolvers: boolean;
  /** Sends what is buffered and stops (at shutdown). */
  shutdown(): Promise<void>;
}

/**
 * The process' tracer provider, registered globally (the AsyncLocalStorage
 * context manager and the W3C propagator), or null when tracing is off.
 * `processor` replaces the exporter (tests pass an in-memory one).
 */
export async function startTracing(config: TracingConfig, processor?: SpanProcessor): Promise<Tracing | null> {
  if (!config.enabled && !processor) return null;
  let exporter: SpanExporter | undefined;
  if (!processor) {
    if (config.console) exporter = new ConsoleSpanExporter();
    else {
      // Loaded only when tracing is on: a process without it carries no exporter.
      const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-http");
      exporter = new OTLPTraceExporter();
    }
  }
  const provider = new NodeTracerProvider({
    resource: new Resource({ "service.name": config.serviceName }),
    spanProcessors: [processor ?? new BatchSpanProcessor(exporter!)],
  });
  provider.register();
  return { provider, resolvers: config.resolvers, shutdown: () => provider.shutdown() };
}

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
