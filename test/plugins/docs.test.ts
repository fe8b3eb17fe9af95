import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetricSession, type MetricSession } from "../../src/metrics/engine.js";
import { resolvePeriod } from "../../src/metrics/period.js";
import { catalogOf, registerPlugin, type RegisteredPlugin } from "../../src/metrics/registry.js";
import { validatePlugin } from "../../src/metrics/validate.js";
import { METRIC_DECLARATIONS } from "../../src/sources/index.js";
import { customerFields } from "../../src/sources/shared.js";
import { createCompany, createTestApp, type TestApp, type TestCompany } from "../helpers/app.js";
import { TEST_DB } from "../helpers/database.js";
import { at } from "./helpers.js";

// docs/plugins.md stays true: every plugin document in it validates, and the
// worked examples give the numbers the text says.
const DOC = readFileSync(fileURLToPath(new URL("../../docs/plugins.md", import.meta.url)), "utf8");
const plugins = [...DOC.matchAll(/```json\n([\s\S]*?)```/g)]
  .map((m) => m[1]!)
  .filter((block) => block.includes('"key"'))
  .map((block) => JSON.parse(block) as { key: string });

describe("plugin documents in docs/plugins.md", () => {
  it("has the first plugin and both worked examples", () => {
    expect(plugins.map((p) => p.key)).toEqual(["urgent_escalation_rate", "complaint_resolution_rate", "channel_revenue_share"]);
  });

  it.each(plugins.map((p) => [p.key, p] as const))("%s validates", (_key, doc) => {
    const result = validatePlugin(doc);
    expect(result.ok ? [] : result.issues).toEqual([]);
  });
});

describe(`worked examples of docs/plugins.md (${TEST_DB})`, () => {
  let t: TestApp;
  let co: TestCompany;
  let session: MetricSession;
  const march = resolvePeriod({ grain: "month", date: "2026-03-01" }, "UTC");

  beforeAll(async () => {
    t = await createTestApp();
    co = await createCompany(t.db, "docs", { timeZone: "UTC" });
    const p = t.db.prisma;
    const customerId = (await p.customer.create({ data: { companyId: co.id, name: "c", acquiredAt: at("2024-01-01T00:00:00") } })).id;
    // Example 1: four complaints opened in March, resolved 3 Mar, 9 Mar, 2 Apr, and one still open.
    await p.ticket.createMany({
      data: [["2026-03-01", "2026-03-03"], ["2026-03-02", "2026-03-09"], ["2026-03-20", "2026-04-02"], ["2026-03-21", null]].map(([opened, resolved]) => ({
        companyId: co.id, customerId, kind: "complaint", category: "general", channel: "phone",
        openedAt: at(`${opened}T00:00:00`), resolvedAt: resolved ? at(`${resolved}T00:00:00`) : null,
      })),
    });
    // Example 2: March 2026 web 600, store 400; March 2025 web 300, store 300.
    await p.order.createMany({
      data: [["web", "600", "2026-03-10"], ["store", "400", "2026-03-11"], ["web", "300", "2025-03-10"], ["store", "300", "2025-03-11"]].map(
        ([channel, amount, day]) => ({ companyId: co.id, customerId, amount: amount!, channel: channel!, product: "p", category: "c", at: at(`${day}T00:00:00`) }),
      ),
    });
    const own = new Map<string, RegisteredPlugin>(plugins.map((doc) => [doc.key, registerPlugin(doc, { builtIn: false, version: 1 })]));
    session = createMetricSession({ sql: t.db.sql, companyId: co.id, catalog: catalogOf(own) });
  });
  afterAll(() => t.close());

  it("example 1: 2 of 4 complaints resolved by month end → 50, score 0", async () => {
    expect(await session.evaluate("complaint_resolution_rate", "company", null, march)).toMatchObject({ value: 50, score: 0 });
    // February: no complaint → no value, with the reason the text quotes.
    const feb = await session.value("complaint_resolution_rate", "company", null, resolvePeriod({ grain: "month", date: "2026-02-01" }, "UTC"));
    expect(feb).toEqual({ value: null, label: null, reason: "the formula gave no value (e.g. a zero denominator)" });
  });

  it("example 2: shares by channel with labels against last year", async () => {
    // store 400 / 1000 = 40 (last year 50 → losing); web 600 / 1000 = 60 (last year 50 → gaining).
    const slices = await session.breakdown("channel_revenue_share", "company", null, march, "channel");
    expect(slices.map((s) => [s.key, s.value, s.label])).toEqual([["store", 40, "losing"], ["web", 60, "gaining"]]);
    // Plain value 100, steady.
    expect(await session.value("channel_revenue_share", "company", null, march)).toMatchObject({ value: 100, label: "steady" });
    // A month without orders: the guard comes first → no value, no error.
    const jan = await session.value("channel_revenue_share", "company", null, resolvePeriod({ grain: "month", date: "2026-01-01" }, "UTC"));
    expect(jan.value).toBeNull();
  });
});

// The "Sources and their fields" tables list what the source declarations offer.
describe("sources in docs/plugins.md match the declarations", () => {
  const sources = DOC.slice(DOC.indexOf("## Sources and their fields"), DOC.indexOf("## Formulas"));
  const section = (name: string) => {
    const start = sources.indexOf(`### \`${name}\``);
    expect(start, name).toBeGreaterThan(0);
    const end = sources.indexOf("\n### ", start + 1);
    return sources.slice(start, end === -1 ? undefined : end);
  };
  const row = (text: string, label: string) => text.split("\n").find((l) => l.startsWith(`| ${label} |`)) ?? "";
  const shared = new Set(Object.keys(customerFields));

  it.each(METRIC_DECLARATIONS.map((d) => [d.name, d] as const))("%s", (name, d) => {
    const text = section(name);
    for (const field of Object.keys(d.metric.fields)) {
      if (shared.has(field)) expect(sources, field).toContain(`\`${field}\``);
      else expect(text, `${name}.${field}`).toMatch(new RegExp(`^\\|[^|]*\`${field}\``, "m"));
    }
    for (const time of d.metric.timeFields) expect(row(text, "Time fields"), `${name} time ${time}`).toContain(`\`${time}\``);
    const dims = row(text, "Dimensions");
    for (const [dim, def] of Object.entries(d.metric.dimensions)) {
      if (def?.needsCustomer) expect(dims, `${name} customer dimensions`).toContain("*(customer)*");
      else expect(dims, `${name} dimension ${dim}`).toContain(`\`${dim}\``);
    }
    const subjects = row(text, "Subjects");
    for (const level of Object.keys(d.metric.subjects)) expect(subjects, `${name} subject ${level}`).toContain(level);
  });
});
