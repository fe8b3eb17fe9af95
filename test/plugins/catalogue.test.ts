import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT_IN_DIR } from "../../src/metrics/registry.js";
import { validatePlugin } from "../../src/metrics/validate.js";
import { dataOf, type TestApp, type TestCompany } from "../helpers/app.js";
import { companyFixture } from "../helpers/company-fixture.js";
import { TEST_DB } from "../helpers/database.js";

// The built-in catalogue: every file validates, is served by the API, and the
// KPIs the product promises are all there. On a company without any data,
// every KPI answers (a value or null with a reason) at every level it supports.
const REQUIRED = [
  "revenue", "retention_rate",
  "csat_score", "csat_satisfied_rate", "nps", "ces",
  "churn_rate",
  "sales_conversion_rate", "funnel_conversion",
  "stage_conversion_lead_qualified", "stage_conversion_qualified_proposal",
  "stage_conversion_proposal_negotiation", "stage_conversion_negotiation_won",
  "win_rate", "avg_sales_cycle",
  "cac", "clv", "sales_growth_rate", "average_order_value",
  "complaint_volume", "first_response_time", "resolution_time", "resolution_rate", "escalation_rate", "overdue_tickets",
  "communication_frequency", "channel_mix", "follow_up_coverage", "feedback_response_speed",
  "churn_risk", "rfm", "campaign_roi", "lifecycle_stage_distribution",
];

const files = readdirSync(BUILT_IN_DIR).filter((f) => f.endsWith(".json")).sort();
const documents = files.map((f) => ({ file: f, doc: JSON.parse(readFileSync(path.join(BUILT_IN_DIR, f), "utf8")) as Record<string, unknown> }));

interface Definition {
  key: string;
  subjects: string[];
  weight: number;
  builtIn: boolean;
}

describe("built-in plugin files", () => {
  it.each(files)("%s validates against the catalogue and is named after its key", (file) => {
    const { doc } = documents.find((d) => d.file === file)!;
    const result = validatePlugin(doc);
    expect(result.ok ? [] : result.issues).toEqual([]);
    expect(`${String(doc.key)}.json`).toBe(file);
  });

  it("covers every KPI the product names, each with a reference and a weight between 0 and 1", () => {
    const keys = documents.map((d) => d.doc.key);
    for (const k of REQUIRED) expect(keys, `missing plugin ${k}`).toContain(k);
    for (const { file, doc } of documents) {
      expect(typeof doc.reference, `${file} has no reference`).toBe("string");
      expect(doc.weight, `${file} weight`).toBeGreaterThanOrEqual(0);
      expect(doc.weight, `${file} weight`).toBeLessThanOrEqual(1);
    }
  });
});

describe(`built-in catalogue through the API (${TEST_DB})`, () => {
  let t: TestApp;
  let co: TestCompany;
  let defs: Definition[];

  beforeAll(async () => {
    ({ t, co } = await companyFixture({
      slug: "catalogue", timeZone: "Europe/Berlin", teams: ["Empty team"], members: { "Empty member": "Empty team" },
      customers: { "Empty customer": { team: "Empty team" } },
    }));
    defs = dataOf(await t.gql<{ metricDefinitions: Definition[] }>("{ metricDefinitions { key subjects weight builtIn } }", {}, co.keys.viewer))
      .metricDefinitions;
  });
  afterAll(() => t.close());

  it("lists every file in metricDefinitions as a built-in", () => {
    const served = new Map(defs.map((d) => [d.key, d]));
    for (const { doc } of documents) {
      expect(served.get(String(doc.key))?.builtIn, `${String(doc.key)} not served`).toBe(true);
    }
    for (const k of REQUIRED) expect(served.has(k), `${k} not served`).toBe(true);
  });

  it("answers every KPI on a company without data, at every level it supports", async () => {
    const period = { grain: "MONTH", date: "2026-03-01" };
    const keysFor = (level: string) => defs.filter((d) => d.builtIn && d.subjects.includes(level)).map((d) => d.key);
    type Value = { key: string; value: number | null; reason: string | null };
    const company = dataOf(await t.gql<{ company: { metrics: Value[] } }>(
      "query($k: [String!]!, $p: PeriodInput!) { company { metrics(keys: $k, period: $p) { key value reason } } }",
      { k: keysFor("company"), p: period }, co.keys.viewer));
    const ids = dataOf(await t.gql<{ company: { teams: { id: string }[]; members: { id: string }[]; customers: { edges: { node: { id: string } }[] } } }>(
      "{ company { teams { id } members { id } customers(first: 1) { edges { node { id } } } } }", {}, co.keys.viewer)).company;
    const nodeQuery = `query($id: ID!, $k: [String!]!, $p: PeriodInput!) { node(id: $id) {
      ... on Team { metrics(keys: $k, period: $p) { key value reason } }
      ... on Member { metrics(keys: $k, period: $p) { key value reason } }
      ... on Customer { metrics(keys: $k, period: $p) { key value reason } } } }`;
    const levels: [string, string][] = [["team", ids.teams[0]!.id], ["member", ids.members[0]!.id], ["customer", ids.customers.edges[0]!.node.id]];
    const results: Value[] = [...company.company.metrics];
    for (const [level, id] of levels) {
      const data = dataOf(await t.gql<{ node: { metrics: Value[] } }>(nodeQuery, { id, k: keysFor(level), p: period }, co.keys.viewer));
      results.push(...data.node.metrics);
    }
    // No errors (dataOf would throw); every null carries a reason.
    for (const r of results) {
      if (r.value === null) expect(r.reason, `${r.key} is null without a reason`).toBeTruthy();
    }
    // Counts have a value even with no rows; a churn risk is always computable (every component has a default).
    const byKey = new Map(company.company.metrics.map((r) => [r.key, r]));
    expect(byKey.get("revenue")?.value).toBe(0);
    expect(byKey.get("complaint_volume")?.value).toBe(0);
    expect(byKey.get("nps")?.value).toBeNull();
  });
});
