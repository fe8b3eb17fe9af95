import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DateTime } from "luxon";
import { createMetricSession, MetricError } from "../../src/metrics/engine.js";
import { formulaPool } from "../../src/metrics/formula-pool.js";
import { catalogOf, registerPlugin, type RegisteredPlugin } from "../../src/metrics/registry.js";
import { parsePeriodString, resolvePeriod, shiftPeriod, toWindow, trendPeriods } from "../../src/metrics/period.js";
import { openTestDatabase, TEST_DB, type TestDatabase } from "../helpers/database.js";

// The engine called directly, without GraphQL: formula limits, null handling,
// parameterised filters, period maths.
function plugin(key: string, formula: string, measures: Record<string, unknown> = { n: { source: "orders", aggregate: "count" } }): [string, RegisteredPlugin] {
  return [key, registerPlugin({ key, name: key, unit: "number", subjects: ["company", "team"], measures, formula }, { builtIn: false, version: 1 })];
}

describe(`metric engine (${TEST_DB})`, () => {
  let db: TestDatabase;
  let companyId: string;
  const march = resolvePeriod({ grain: "month", date: "2026-03-10" }, "UTC");

  beforeAll(async () => {
    // Formulas run in worker threads; a server starts them with the app (createApp warms the pool).
    await formulaPool().warm();
    db = await openTestDatabase();
    const c = await db.prisma.company.create({ data: { slug: "e", name: "E" } });
    companyId = c.id;
    const cust = await db.prisma.customer.create({ data: { companyId, name: "x" } });
    await db.prisma.order.createMany({
      data: [
        { companyId, customerId: cust.id, amount: "10", product: "p", category: "c", channel: "web", at: new Date("2026-03-02T00:00:00Z") },
        { companyId, customerId: cust.id, amount: "30", product: "p", category: "c", channel: "x'; DROP TABLE orders; --", at: new Date("2026-03-05T00:00:00Z") },
      ],
    });
  });
  afterAll(() => db.close());

  const session = (...plugins: [string, RegisteredPlugin][]) =>
    createMetricSession({ sql: db.sql, companyId, catalog: catalogOf(new Map(plugins)) });

  it("stops a formula that loops, with a clear error, within its budget", async () => {
    const s = session(plugin("loop", "($f := function($x) { $f($x + 1) }; $f(n))"));
    const [, p] = plugin("loop", "($f := function($x) { $f($x + 1) }; $f(n))");
    await s.measuresOf(p, "company", null, march); // the SQL, loaded once per session: not what is timed
    const t0 = Date.now();
    // A tail call does not nest: it is stopped by the step budget or the 100 ms of worker CPU time.
    await expect(s.value("loop", "company", null, march)).rejects.toMatchObject({ code: "FORMULA_LIMIT", message: expect.stringMatching(/stopped after 20000 steps|ran longer than 100 ms/) });
    // Wall time is not the budget: the worker runs at nice 5, so on a loaded machine its 100 ms of CPU
    // take longer. Only a bound that a runaway formula would break.
    expect(Date.now() - t0).toBeLessThan(20_000);
    // What the request is charged is the formula's own work in the worker (≤ its budget), not waiting.
    expect(s.formulaRun.usedMs).toBeGreaterThan(0);
    expect(s.formulaRun.usedMs).toBeLessThan(400);
  });

  it("stops deep non-tail recursion", async () => {
    const s = session(plugin("deep", "($f := function($x) { $x > 100000 ? 0 : 1 + $f($x + 1) }; $f(n))"));
    await expect(s.value("deep", "company", null, march)).rejects.toBeInstanceOf(MetricError);
  });

  it("keeps other metrics of the same session intact when one fails", async () => {
    const s = session(plugin("loop", "($f := function($x) { $f($x + 1) }; $f(n))"), plugin("ok", "n * 2"));
    const [bad, good] = await Promise.allSettled([s.value("loop", "company", null, march), s.value("ok", "company", null, march)]);
    expect(bad.status).toBe("rejected");
    expect(good).toMatchObject({ status: "fulfilled", value: { value: 4 } });
  });

  it("turns division by zero and missing data into null with a reason, never NaN or Infinity", async () => {
    const s = session(
      plugin("div", "n / zero", { n: { source: "orders", aggregate: "count" }, zero: { source: "tickets", aggregate: "count" } }),
      plugin("avg", "avgTicket * 2", { avgTicket: { source: "tickets", aggregate: "avg", field: "satisfaction" } }),
    );
    expect(await s.value("div", "company", null, march)).toEqual({ value: null, label: null, reason: "division by zero or overflow" });
    expect(await s.value("avg", "company", null, march)).toEqual({ value: null, label: null, reason: "no data for avgTicket" });
  });

  it("binds plugin values as parameters: a filter value that looks like SQL is just a string", async () => {
    const s = session(plugin("sneaky", "n", { n: { source: "orders", aggregate: "sum", field: "amount", where: { channel: "x'; DROP TABLE orders; --" } } }));
    expect((await s.value("sneaky", "company", null, march)).value).toBe(30);
    expect(await db.prisma.order.count()).toBe(2);
  });

  it("names unknown metrics and unsupported subjects", async () => {
    const s = session();
    await expect(s.value("nope", "company", null, march)).rejects.toMatchObject({ code: "UNKNOWN_METRIC" });
    await expect(s.value("retention_rate", "customer", "00000000-0000-0000-0000-000000000000", march)).rejects.toMatchObject({ code: "UNSUPPORTED_SUBJECT" });
  });
});

describe("periods in the company's time zone", () => {
  it("cuts a month at local midnight", () => {
    const p = resolvePeriod({ grain: "month", date: "2026-03-15" }, "Asia/Shanghai");
    expect(toWindow(p)).toEqual({ start: new Date("2026-02-28T16:00:00Z"), end: new Date("2026-03-31T16:00:00Z") });
  });

  it("handles a DST day (23 hours in New York on 8 March 2026)", () => {
    const p = resolvePeriod({ grain: "day", date: "2026-03-08" }, "America/New_York");
    const w = toWindow(p);
    expect((w.end.getTime() - w.start.getTime()) / 3_600_000).toBe(23);
  });

  it("gives ISO weeks, quarters, years and custom ranges", () => {
    expect(toWindow(parsePeriodString("2026-W01", "UTC")).start).toEqual(new Date("2025-12-29T00:00:00Z"));
    expect(toWindow(parsePeriodString("2026-Q3", "UTC"))).toEqual({ start: new Date("2026-07-01T00:00:00Z"), end: new Date("2026-10-01T00:00:00Z") });
    expect(toWindow(parsePeriodString("2026", "UTC")).end).toEqual(new Date("2027-01-01T00:00:00Z"));
    expect(toWindow(parsePeriodString("2026-01-10..2026-01-19", "UTC"))).toEqual({ start: new Date("2026-01-10T00:00:00Z"), end: new Date("2026-01-20T00:00:00Z") });
  });

  it("shifts to the previous period and the same period last year", () => {
    const q = parsePeriodString("2026-Q1", "UTC");
    expect(toWindow(shiftPeriod(q, "previousPeriod")).start).toEqual(new Date("2025-10-01T00:00:00Z"));
    expect(toWindow(shiftPeriod(q, "samePeriodLastYear")).start).toEqual(new Date("2025-01-01T00:00:00Z"));
    const custom = parsePeriodString("2026-01-10..2026-01-19", "UTC");
    expect(toWindow(shiftPeriod(custom, "previousPeriod"))).toEqual({ start: new Date("2025-12-31T00:00:00Z"), end: new Date("2026-01-10T00:00:00Z") });
  });

  it("builds trends of consecutive periods", () => {
    const months = trendPeriods("month", 12, DateTime.fromISO("2026-03-15", { zone: "UTC" }));
    expect(months).toHaveLength(12);
    expect(months[0]!.start.toISODate()).toBe("2025-04-01");
    expect(months[11]!.end.toISODate()).toBe("2026-04-01");
  });

  it.each([
    [{ grain: "month" as const, date: "2026-13-01" }, "period.date"],
    [{ grain: "month" as const, date: "yesterday" }, "period.date"],
    [{ grain: "custom" as const, from: "2026-02-01" }, "period"],
    [{ grain: "custom" as const, from: "2026-02-01", to: "2026-01-01" }, "period.to"],
    [{ grain: "custom" as const, from: "2000-01-01", to: "2026-01-01" }, "period"],
    [{ grain: "week" as const, from: "2026-01-01", to: "2026-01-02" }, "period"],
  ])("rejects a malformed period %#", (spec, field) => {
    expect(() => resolvePeriod(spec, "UTC")).toThrow(expect.objectContaining({ field }));
  });
});
