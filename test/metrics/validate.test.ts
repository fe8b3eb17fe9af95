import { describe, expect, it } from "vitest";
import { validatePlugin } from "../../src/metrics/validate.js";

const base = {
  key: "my_kpi",
  name: "My KPI",
  unit: "percent",
  subjects: ["company", "team"],
  measures: { won: { source: "opportunities", aggregate: "count", where: { status: "won" } } },
  formula: "won",
};

function issues(doc: unknown) {
  const r = validatePlugin(doc);
  return r.ok ? [] : r.issues;
}

describe("plugin validation names the field and the reason", () => {
  it("accepts a well-formed plugin and fills defaults", () => {
    const r = validatePlugin(base);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.plugin).toMatchObject({ direction: "higher_is_better", weight: 0.1, score: { method: "quantile" } });
  });

  it.each([
    [{ ...base, key: "Bad Key" }, "key", /lower_snake_case/],
    [{ ...base, unit: "parsecs" }, "unit", /Invalid option|expected one of/i],
    [{ ...base, measures: { won: { source: "invoices", aggregate: "count" } } }, "measures.won.source", /unknown source "invoices"/],
    [{ ...base, measures: { won: { source: "orders", aggregate: "median", field: "amount" } } }, "measures.won.aggregate", /./],
    [{ ...base, measures: { won: { source: "orders", aggregate: "sum", field: "price" } } }, "measures.won.field", /unknown field "price"/],
    [{ ...base, measures: { won: { source: "orders", aggregate: "sum", field: "channel" } } }, "measures.won.field", /needs a number field/],
    [{ ...base, measures: { won: { source: "orders", aggregate: "sum" } } }, "measures.won.field", /needs a field/],
    [{ ...base, measures: { won: { source: "orders", aggregate: "count", where: { colour: "red" } } } }, "measures.won.where.colour", /unknown field "colour"/],
    [{ ...base, measures: { won: { source: "orders", aggregate: "count", where: { amount: "lots" } } } }, "measures.won.where.amount", /number field/],
    [{ ...base, measures: { won: { source: "orders", aggregate: "count", time: "shippedAt" } } }, "measures.won.time", /not a time field/],
    [{ ...base, measures: { won: { source: "orders", aggregate: "count", at: "periodEnd" } } }, "measures.won.at", /only customers/],
    [{ ...base, measures: { won: { source: "orders", aggregate: "percentile", field: "amount" } } }, "measures.won.percentile", /fraction/],
    [{ ...base, subjects: ["customer"], measures: { won: { source: "campaignCosts", aggregate: "sum", field: "amount" } } }, "measures.won.source", /cannot be attributed to a customer/],
    [{ ...base, formula: "won +" }, "formula", /does not parse/],
    [{ ...base, formula: "won + lost" }, "formula", /uses "lost", which no measure defines/],
    [{ ...base, formula: "42" }, "measures.won", /never uses this measure/],
    [{ ...base, formula: "$count([1..10000000]) + won" }, "formula", /range may hold at most/],
    // Issue 15: the concatenated ranges of the report, $distinct/$sort over them, $eval, nested quantifiers.
    [{ ...base, formula: "$count($sort([1..10000, 10001..20000, 20001..30000, 30001..40000, 40001..50000, 50001..60000])) + won" }, "formula", /\$sort over 60000 literal items/],
    [{ ...base, formula: "$count([1..6000, 6001..12000]) + won" }, "formula", /literal ranges hold 12000 items together/],
    [{ ...base, formula: "$count($distinct([1..5000, 1..5000])) + won" }, "formula", /\$distinct over 10000 literal items/],
    [{ ...base, formula: "$count($sort([1..2000])) + won" }, "formula", /\$sort over 2000 literal items/],
    [{ ...base, formula: "$eval(\"[1..10000000]\") + won" }, "formula", /\$eval is not allowed/],
    [{ ...base, formula: "($e := $eval; $e(\"1\")) + won" }, "formula", /\$eval is not allowed/],
    [{ ...base, formula: "$match(\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!\", /(a+)+$/) ? won : 0" }, "formula", /nests quantifiers/],
    [{ ...base, formula: "$count([1..100].[1..5000]) + won" }, "formula", /inside a function, a path step or a predicate/],
    [{ ...base, formula: "($f := function($x) { $count([1..5000]) }; $f(1)) + won" }, "formula", /inside a function/],
    [{ ...base, score: { method: "expression", expression: "$eval(\"value\")" } }, "score.expression", /\$eval is not allowed/],
    [{ ...base, score: { method: "expression", expression: "value *" } }, "score.expression", /does not parse/],
    [{ ...base, breakdowns: ["product"] }, "breakdowns.0", /cannot be broken down by product/],
    [{ ...base, extra: true }, "(document)", /Unrecognized key/i],
  ])("rejects fault %#", (doc, path, message) => {
    const found = issues(doc);
    const hit = found.find((i) => i.path === path);
    expect(hit, JSON.stringify(found)).toBeDefined();
    expect(hit!.message).toMatch(message);
  });

  it("reports every fault at once", () => {
    const found = issues({ ...base, measures: { a: { source: "nope", aggregate: "count" }, b: { source: "orders", aggregate: "sum" } }, formula: "a + c" });
    expect(found.map((i) => i.path).sort()).toEqual(["formula", "measures.a.source", "measures.b", "measures.b.field"].sort());
  });

  it("rejects documents that are not objects", () => {
    expect(issues(null)[0]!.path).toBe("(document)");
    expect(issues("plugin")[0]!.path).toBe("(document)");
  });
});
