// Unit tests of measure → SQL (src/metrics/compile.ts), no database: the
// statements are snapshot files under test/metrics/__snapshots__/compile/ (read
// them as SQL; a change shows up as a diff in review), the bound parameters and
// the window index are asserted here. That every value from a plugin is a
// parameter and never spliced into the text is checked on every case.
import { describe, expect, it } from "vitest";
import { bucketBounds, compileGroup, emptyValue, timeModeOf, type StatementGroup } from "../../src/metrics/compile.js";
import { measureSchema, type Measure } from "../../src/metrics/plugin-schema.js";
import type { Window } from "../../src/metrics/period.js";

const COMPANY = "00000000-0000-4000-8000-000000000001";
const measure = (m: Record<string, unknown>): Measure => measureSchema.parse(m);
const win = (start: string, end: string): Window => ({ start: new Date(`${start}T00:00:00Z`), end: new Date(`${end}T00:00:00Z`) });
const MARCH = win("2026-03-01", "2026-04-01");
const FEBRUARY = win("2026-02-01", "2026-03-01");

function compiled(name: string, g: StatementGroup) {
  const out = compileGroup(COMPANY, g);
  // Plugin values are parameters: none of the string values appears in the SQL text.
  for (const p of out.params) if (typeof p === "string" && p !== COMPANY) expect(out.sql).not.toContain(p);
  return { ...out, snapshot: () => expect(`${out.sql}\n`).toMatchFileSnapshot(`./__snapshots__/compile/${name}.sql`) };
}

describe("compileGroup", () => {
  it("company revenue and big-order count for March and February: one range scan, bucketed by width_bucket", async () => {
    const c = compiled("orders-company-two-months", {
      source: "orders", level: "company", timeMode: "at",
      measures: [measure({ source: "orders", aggregate: "sum", field: "amount" }), measure({ source: "orders", aggregate: "count", where: { amount: { gte: 100 } } })],
      windows: [MARCH, FEBRUARY], subjects: null,
    });
    await c.snapshot();
    // $1 company, $2 bucket bounds [1 Feb, 1 Mar, 1 Apr], $3/$4 the scan's range, $5 the filter's 100.
    expect(c.params).toEqual([
      COMPANY,
      ["2026-02-01T00:00:00.000Z", "2026-03-01T00:00:00.000Z", "2026-04-01T00:00:00.000Z"],
      "2026-02-01T00:00:00.000Z",
      "2026-04-01T00:00:00.000Z",
      100,
    ]);
    // March is bucket 2 (1 Mar–1 Apr), February bucket 1.
    expect(c.windowIndex).toEqual([2, 1]);
  });

  it("team breakdown by segment for two teams: joins customers only because the dimension needs them", async () => {
    const c = compiled("orders-team-by-segment", {
      source: "orders", level: "team", timeMode: "at", dimension: "segment",
      measures: [measure({ source: "orders", aggregate: "countDistinct", field: "customerId", where: { channel: { in: ["web", "store"] } } })],
      windows: [MARCH], subjects: ["00000000-0000-4000-8000-00000000000a", "00000000-0000-4000-8000-00000000000b"],
    });
    await c.snapshot();
    expect(c.sql).toContain("LEFT JOIN customers c ON c.id = t.customer_id");
    expect(c.params).toContainEqual(["web", "store"]);
    expect(c.params).toContainEqual(["00000000-0000-4000-8000-00000000000a", "00000000-0000-4000-8000-00000000000b"]);
    expect(c.windowIndex).toEqual([1]);
  });

  it("member level without a subject list keeps only rows attributed to a member", async () => {
    const c = compiled("orders-member-percentile", {
      source: "orders", level: "member", timeMode: "at",
      measures: [measure({ source: "orders", aggregate: "percentile", field: "amount", percentile: 0.9 })],
      windows: [MARCH], subjects: null,
    });
    await c.snapshot();
    expect(c.sql).toMatch(/IS NOT NULL/);
    expect(c.sql).not.toContain("LEFT JOIN customers");
    expect(c.params).toContain(0.9);
  });

  it("customers active at the period's end and start: windows joined as rows (no range scan)", async () => {
    const atEnd = measure({ source: "customers", aggregate: "count", at: "periodEnd" });
    const atStart = measure({ source: "customers", aggregate: "count", at: "periodStart", where: { segment: "smb" } });
    expect(timeModeOf(atEnd)).toBe("@snapshot");
    const c = compiled("customers-snapshot", {
      source: "customers", level: "company", timeMode: "@snapshot",
      measures: [atEnd, atStart], windows: [MARCH], subjects: null,
    });
    await c.snapshot();
    expect(c.sql).toContain("unnest(");
    expect(c.sql).not.toContain("width_bucket");
    expect(c.windowIndex).toEqual([1]);
  });

  it("overlapping windows (a trailing quarter and its month) cannot share buckets", async () => {
    const c = compiled("orders-overlapping-windows", {
      source: "orders", level: "company", timeMode: "at",
      measures: [measure({ source: "orders", aggregate: "avg", field: "amount", where: { product: { ne: "gift" }, category: { isNull: false } } })],
      windows: [win("2026-01-01", "2026-04-01"), MARCH], subjects: null,
    });
    await c.snapshot();
    expect(c.sql).toContain("WITH ORDINALITY");
    expect(c.windowIndex).toEqual([1, 2]);
  });
});

describe("bucketBounds", () => {
  it("gives sorted distinct boundaries and each window's bucket, gaps included", () => {
    // January and March: bounds 1 Jan, 1 Feb, 1 Mar, 1 Apr; January is bucket 1, March bucket 3 (February is a gap).
    const b = bucketBounds([win("2026-03-01", "2026-04-01"), win("2026-01-01", "2026-02-01")])!;
    expect(b.bounds.map((d) => d.toISOString().slice(0, 10))).toEqual(["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"]);
    expect(b.windowIndex).toEqual([3, 1]);
  });
  it("refuses overlapping windows", () => {
    expect(bucketBounds([win("2026-01-01", "2026-04-01"), MARCH])).toBeNull();
  });
});

describe("emptyValue", () => {
  it("is 0 for additive aggregates and null for the others", () => {
    expect(["count", "countDistinct", "sum", "avg", "min", "max"].map((aggregate) =>
      emptyValue(measure({ source: "orders", aggregate, field: aggregate === "count" ? undefined : "amount" })))).toEqual([0, 0, 0, null, null, null]);
  });
});
