import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueApiKey } from "../../src/auth/api-keys.js";
import { DEMO_SEED } from "../../src/seed/demo.js";
import { seedDemoCompany, type SeedSummary } from "../../src/seed/generate.js";
import { createTestApp, dataOf, type TestApp } from "../helpers/app.js";
import { TEST_DB } from "../helpers/database.js";

// Issue 15 item 2: the legitimate heavy requests that used to fail with FORMULA_LIMIT (a wall-clock
// deadline counting time queued) or 503, on the demo company itself (1,100 customers, 24 months).
// One file, one seed: it is the heaviest fixture of the suite.
describe(`heavy legitimate formula requests on the demo company (${TEST_DB})`, () => {
  let t: TestApp;
  let seeded: SeedSummary;
  let viewer: string;
  const quarter = { grain: "QUARTER", date: "2026-07-01" };
  const RFM_LABELS = ["champions", "loyal", "new", "potential", "at_risk", "hibernating"];

  beforeAll(async () => {
    t = await createTestApp();
    seeded = await seedDemoCompany(t.db, { seed: DEMO_SEED, size: "demo", slug: "demo-heavy", analyze: false });
    const admin = (await issueApiKey(t.db.prisma, { companyId: seeded.companyId, name: "admin", role: "admin" })).key;
    viewer = (await issueApiKey(t.db.prisma, { companyId: seeded.companyId, name: "viewer", role: "viewer" })).key;
    const framework = {
      key: "customer_health",
      name: "Customer health",
      level: "customer",
      items: [{ kpi: "rfm", weight: 2 }, { kpi: "churn_risk", weight: 2 }, { kpi: "clv", weight: 1 }, { kpi: "revenue", weight: 1, score: { method: "quantile" } }],
      missing: "renormalize",
    };
    dataOf(await t.gql(`mutation($d: JSON!) { createFramework(document: $d, effectiveFrom: "2000-01-01T00:00:00Z") { key } }`, { d: framework }, admin));
    const customers = await t.db.prisma.customer.findMany({ where: { companyId: seeded.companyId }, select: { id: true }, orderBy: { name: "asc" }, take: 2 });
    const issued = dataOf(
      await t.gql<{ createEmbedToken: { token: string } }>(
        `mutation($f: String!, $s: [ID!]!) { createEmbedToken(framework: $f, subjects: $s) { token } }`,
        { f: "customer_health", s: customers.map((c) => encodeGlobalID("Customer", c.id)) },
        admin,
      ),
    );
    embedToken = issued.createEmbedToken.token;
  }, 300_000);
  afterAll(() => t.close());
  let embedToken: string;

  it("answers 200 customers × churn_risk + rfm for a quarter in one request, every value", async () => {
    const first = dataOf(await t.gql<{ company: { customers: { pageInfo: { endCursor: string } } } }>(`{ company { customers(first: 100) { pageInfo { endCursor } } } }`, {}, viewer));
    const page = `edges { node { metrics(keys: ["churn_risk", "rfm"], period: $p) { key value label } } }`;
    const t0 = performance.now();
    const res = await t.gql<{ company: Record<"a" | "b", { edges: { node: { metrics: { key: string; value: number | null; label: string | null }[] } }[] }> }>(
      `query($p: PeriodInput!, $after: String!) { company { a: customers(first: 100) { ${page} } b: customers(first: 100, after: $after) { ${page} } } }`,
      { p: quarter, after: first.company.customers.pageInfo.endCursor },
      viewer,
    );
    const ms = performance.now() - t0;
    const data = dataOf(res);
    const values = [...data.company.a.edges, ...data.company.b.edges].flatMap((e) => e.node.metrics);
    expect(values).toHaveLength(400);
    const rfm = values.filter((v) => v.key === "rfm");
    const churn = values.filter((v) => v.key === "churn_risk");
    // rfm = R + F + M, each 1–5: 3..15 for every customer (no order → R = F = M = 1), with a segment.
    for (const v of rfm) {
      expect(v.value).toBeGreaterThanOrEqual(3);
      expect(v.value).toBeLessThanOrEqual(15);
      expect(RFM_LABELS).toContain(v.label);
    }
    // churn_risk is 0–100 where it applies (active customers), null with a reason otherwise.
    for (const v of churn) if (v.value !== null) expect(v.value).toBeGreaterThanOrEqual(0);
    expect(churn.filter((v) => v.value !== null).length).toBeGreaterThan(50);
    console.info(`200 customers × churn_risk + rfm, one quarter: ${ms.toFixed(0)} ms`);
  });

  it("ranks all 1,100 customers under a framework with rfm and churn_risk, and answers one customer's scorecard", async () => {
    const t0 = performance.now();
    const res = await t.gql<{ company: { ranking: { total: number | null; rank: number | null; items: { id: string; value: number | null }[] }[]; customers: { edges: { node: { scorecard: { total: number | null; peerCount: number } | null } }[] } } }>(
      `query($p: PeriodInput!) { company {
         ranking(framework: "customer_health", period: $p, first: 1000) { total rank items { id value } }
         customers(first: 1) { edges { node { scorecard(framework: "customer_health", period: $p) { total peerCount } } } } } }`,
      { p: quarter },
      viewer,
    );
    const ms = performance.now() - t0;
    const data = dataOf(res);
    expect(data.company.ranking).toHaveLength(1000);
    expect(data.company.ranking.every((c) => c.items.find((i) => i.id === "rfm")!.value !== null)).toBe(true);
    expect(data.company.ranking[0]!.rank).toBe(1);
    const card = data.company.customers.edges[0]!.node.scorecard!;
    expect(card.peerCount).toBeGreaterThan(1000);
    console.info(`ranking of 1,100 customers (rfm, churn_risk, clv, revenue) + one scorecard: ${ms.toFixed(0)} ms`);
  });

  it("renders the embed page of the customer framework", async () => {
    const t0 = performance.now();
    const res = await t.app.fetch(`http://yardstick.test/embed/scorecard?token=${embedToken}&period=2026-09`);
    const html = await res.text();
    expect(res.status, html.slice(0, 300)).toBe(200);
    expect(html).toContain("Customer health");
    console.info(`embed page, customer framework with rfm (six-month trend): ${(performance.now() - t0).toFixed(0)} ms`);
  });
});
