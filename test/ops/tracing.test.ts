import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { SpanKind } from "@opentelemetry/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type App } from "../../src/server.js";
import { loadTracingConfig, startTracing, type Tracing } from "../../src/ops/tracing.js";
import { openTestDatabase, TEST_DB, type TestDatabase } from "../helpers/database.js";
import { seedCompany } from "./support.js";

// Tracing through the real endpoint with an in-memory exporter: a request yields
// an HTTP server span continuing the caller's traceparent, the GraphQL execution
// span of @envelop/opentelemetry under it, and its SQL statements under that.
describe(`OpenTelemetry tracing (${TEST_DB})`, () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let db: TestDatabase;
  let app: App;
  let key: string;
  let companyId: string;

  beforeAll(async () => {
    tracing = (await startTracing(loadTracingConfig({}), new SimpleSpanProcessor(exporter)))!;
    db = await openTestDatabase();
    app = createApp({ db, graphiql: false, ops: { tracing: tracing.plugin } });
    ({ key, companyId } = await seedCompany(db, "traced"));
  });
  afterAll(async () => {
    await tracing?.shutdown();
    await db?.close();
  });

  it("is off unless configured", () => {
    expect(loadTracingConfig({}).enabled).toBe(false);
    expect(loadTracingConfig({ YARDSTICK_TRACING: "1" }).enabled).toBe(true);
    expect(loadTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" }).enabled).toBe(true);
    expect(loadTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", YARDSTICK_TRACING: "0" }).enabled).toBe(false);
  });

  it("records a request as HTTP → GraphQL execution → SQL spans in the caller's trace, without variables", async () => {
    exporter.reset();
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const res = await app.fetch("http://ops.test/graphql", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${key}`,
        traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
        "x-request-id": "traced-1",
      },
      body: JSON.stringify({
        query: `query Revenue($p: PeriodInput!) { company { metric(key: "revenue", period: $p) { value } } }`,
        variables: { p: { grain: "MONTH", date: "2026-03-01" } },
      }),
    });
    expect(await res.json()).toEqual({ data: { company: { metric: { value: 250 } } } });
    await tracing.provider.forceFlush();

    const spans = exporter.getFinishedSpans();
    const byName = (name: string) => spans.filter((s) => s.name === name);
    const http = byName("POST /graphql")[0]!;
    expect(http).toBeDefined();
    expect(http.kind).toBe(SpanKind.SERVER);
    expect(http.spanContext().traceId).toBe(traceId);
    expect(http.parentSpanId).toBe("00f067aa0ba902b7");
    expect(http.attributes).toMatchObject({ "http.response.status_code": 200, "yardstick.request_id": "traced-1", "yardstick.company_id": companyId });

    const execution = byName("query.Revenue")[0]!;
    expect(execution).toBeDefined();
    expect(execution.parentSpanId).toBe(http.spanContext().spanId);
    expect(execution.attributes["graphql.execute.operationName"]).toBe("Revenue");

    // The metric's aggregate runs inside execution, under its span; its text has placeholders only.
    const sql = spans.filter((s) => s.attributes["db.system"] === "postgresql");
    const metricSql = sql.find((s) => /FROM orders/.test(String(s.attributes["db.statement"])))!;
    expect(metricSql).toBeDefined();
    expect(metricSql.parentSpanId).toBe(execution.spanContext().spanId);
    expect(metricSql.spanContext().traceId).toBe(traceId);
    // Authentication (before execution) is under the HTTP span.
    const keyLookup = sql.find((s) => /api_keys/.test(String(s.attributes["db.statement"])))!;
    expect(keyLookup.parentSpanId).toBe(http.spanContext().spanId);

    const everything = JSON.stringify(spans.map((s: ReadableSpan) => s.attributes));
    expect(everything).not.toContain(key);
    // Variables are not recorded (nor SQL parameters): the period appears nowhere.
    expect(everything).not.toContain("2026-03-01");
  });

  it("starts a new trace when the caller sends none, and spans nothing outside requests", async () => {
    exporter.reset();
    const res = await app.fetch("http://ops.test/health");
    expect(res.status).toBe(200);
    await db.sql.query("SELECT 1");
    await tracing.provider.forceFlush();
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual(["GET /health"]);
    expect(spans[0]!.parentSpanId).toBeUndefined();
  });
});
