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
//
// The OpenTelemetry packages are loaded only when tracing is on (startTracing):
// a process without tracing does not pay for loading them.
import type { Plugin } from "graphql-yoga";
import type { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import type { SpanExporter, SpanProcessor } from "@opentelemetry/sdk-trace-base";

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
  /** The Yoga plugin that records each request (src/ops/tracing-plugin.ts); give it to createApp's ops.tracing. */
  plugin: Plugin;
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
  const [{ NodeTracerProvider }, { BatchSpanProcessor, ConsoleSpanExporter }, { Resource }, { useTracing }] = await Promise.all([
    import("@opentelemetry/sdk-trace-node"),
    import("@opentelemetry/sdk-trace-base"),
    import("@opentelemetry/resources"),
    import("./tracing-plugin.js"),
  ]);
  let exporter: SpanExporter | undefined;
  if (!processor) {
    if (config.console) exporter = new ConsoleSpanExporter();
    else {
      const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-http");
      exporter = new OTLPTraceExporter();
    }
  }
  const provider = new NodeTracerProvider({
    resource: new Resource({ "service.name": config.serviceName }),
    spanProcessors: [processor ?? new BatchSpanProcessor(exporter!)],
  });
  provider.register();
  return { provider, plugin: useTracing(provider, { resolvers: config.resolvers }), shutdown: () => provider.shutdown() };
}
