import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetricSession, type MetricSession } from "../../src/metrics/engine.js";
import { periodOf, type Period } from "../../src/metrics/period.js";
import { catalogOf } from "../../src/metrics/registry.js";
import { seedDemoCompany } from "../../src/seed/generate.js";
import { openTestDatabase, TEST_DB, type TestDatabase } from "../helpers/database.js";

// The one heavy check, on the demo company (the seed's 24 months, 24 members): CLV does not
// swing with the grain (a month and the quarter ending the same day agree within 1 %), and no
// conversion exceeds 100 % for the company or any member in any month.
const CONVERSIONS = [
  "funnel_conversion", "sales_conversion_rate", "stage_conversion_lead_qualified", "stage_conversion_qualified_proposal",
  "stage_conversion_proposal_negotiation", "stage_conversion_negotiation_won",
];

describe(`demo data: CLV grain stability and conversions ≤ 100 % (${TEST_DB})`, { timeout: 600_000 }, () => {
  let db: TestDatabase;
  let session: MetricSession;
  let months: Period[];

  beforeAll(async () => {
    db = await openTestDatabase();
    await seedDemoCompany(db, { seed: 42, size: "demo", slug: "demo-bounds" });
    const co = (await db.sql.query<{ id: string; time_zone: string }>("SELECT id, time_zone FROM companies WHERE slug = 'demo-bounds'"))[0]!;
    session = createMetricSession({ sql: db.sql, companyId: co.id, catalog: catalogOf() });
    const span = (await db.sql.query<{ first: Date; last: Date }>("SELECT min(at) AS first, max(at) AS last FROM orders WHERE company_id = $1::uuid", [co.id]))[0]!;
    months = [];
    for (let d = DateTime.fromJSDate(new Date(span.first)).setZone(co.time_zone).startOf("month"); d.toJSDate() <= new Date(span.last); d = d.plus({ months: 1 })) {
      months.push(periodOf("month", d));
    }
  }, 600_000);
  afterAll(() => db.close());

  it("gives CLV the same value for a month and the quarter that end on the same day", async () => {
    const quarterEnds = months.filter((m) => m.start.month % 3 === 0);
    expect(quarterEnds.length).toBeGreaterThanOrEqual(6);
    for (const m of quarterEnds) {
      const [month, quarter] = await Promise.all([
        session.value("clv", "company", null, m),
        session.value("clv", "company", null, periodOf("quarter", m.start)),
      ]);
      expect(month.value, m.start.toISODate()!).not.toBeNull();
      expect(Math.abs(month.value! - quarter.value!) / month.value!, m.start.toISODate()!).toBeLessThanOrEqual(0.01);
    }
  });

  it("keeps every conversion at or below 100 % for the company and every member in every month", async () => {
    const over: string[] = [];
    let checked = 0;
    for (const key of CONVERSIONS) {
      for (const m of months) {
        const company = await session.value(key, "company", null, m);
        const values = [...(await session.peerValues(key, "member", m)).entries(), ["company", company.value] as const];
        for (const [who, v] of values) {
          if (v === null) continue;
          checked++;
          if (v > 100 || v < 0) over.push(`${key} ${m.start.toISODate()} ${who}: ${v}`);
        }
      }
    }
    expect(over).toEqual([]);
    expect(checked).toBeGreaterThan(1000);
  });
});
