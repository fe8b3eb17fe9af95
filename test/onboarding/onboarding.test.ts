import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/database.js";
import { createApp, type App } from "../../src/server.js";
import { createScratchPostgres, TEST_DB } from "../helpers/database.js";

// A company onboarded from an EMPTY database — a scratch PostgreSQL database, or
// an empty embedded data dir — through the CLI and GraphQL only: no SQL, no seed
// code. `npm run company -- create` provisions it; the org chart comes from CSV
// imports and a mutation; every source that can be imported is imported from
// CSV (ratings, which have no import kind yet, come from the mutation); managers enter ratings with setRating; a CRM pushes a few changes through
// syncOrders (twice: idempotent); then every built-in KPI is read for October
// 2026 at company and team level (customer level for customer-only KPIs) and
// compared with values computed by hand below, plus a team framework mixing
// KPIs and ratings.
//
// Company: Acme, Asia/Shanghai (UTC+8, no DST), CNY. Dates in the CSV files
// are local; "October" is 2026-10-01T00:00+08 … 2026-11-01T00:00+08.
const run = promisify(execFile);
const TSX = path.resolve("node_modules/.bin/tsx");

const TEAMS_CSV = "name\nNorth\nSouth\n";
// Cai joins through createMember (South), the other two by import.
const MEMBERS_CSV = "name,email,team,role\nAnn Lee,ann@acme.example,North,Account Manager\nBo Wang,bo@acme.example,North,sales\n";
// Owner's team: C1, C2, C5 → North (Ann, Bo, Ann); C3, C4 → South (Cai).
const CAMPAIGNS_CSV = "external_id,name,channel,starts_at,ends_at\nK1,Autumn Ads,online_ads,2026-09-01,2026-10-31\n";
// C2 was won by the Autumn Ads campaign.
const CUSTOMERS_CSV = `external_id,name,owner,segment,lifecycle_stage,acquisition_channel,campaign,acquired_at,churned_at
C1,Hengtai Trading,ann@acme.example,enterprise,active,referral,,2026-03-10,
C2,Li Wei,bo@acme.example,consumer,active,online_ads,Autumn Ads,2026-10-12,
C3,Sun Co,cai@acme.example,smb,churned,events,,2025-06-01,2026-10-20
C4,Zhou Ltd,cai@acme.example,smb,active,direct,,2026-02-01,
C5,Prospect Inc,ann@acme.example,smb,prospect,content,,,
`;
// Opportunities, attributed to their owner's team: D1, D2 North (Ann, Bo); D3, D4, D5 South (Cai).
const OPPORTUNITIES_CSV = `external_id,customer_external_id,name,owner,amount,stage,status,created_at,closed_at
D1,C1,Suite renewal,ann@acme.example,5000,won,,2026-08-01,2026-10-10
D2,C2,Router upgrade,bo@acme.example,2000,lost,,2026-09-15,2026-10-20
D3,C4,Suite,cai@acme.example,3000,won,,2026-10-03,2026-10-23
D4,C4,Support plan,cai@acme.example,1000,negotiation,,2026-10-05,
D5,C3,Setup,cai@acme.example,800,lost,,2026-07-01,2026-09-10
`;
// Each time a deal entered a stage.
const STAGES_CSV = `opportunity,stage,entered_at
D1,lead,2026-08-01
D1,qualified,2026-08-10
D1,proposal,2026-09-01
D1,negotiation,2026-09-20
D1,won,2026-10-10
D2,lead,2026-09-15
D2,qualified,2026-09-25
D2,proposal,2026-10-05
D2,lost,2026-10-20
D3,lead,2026-10-03
D3,qualified,2026-10-06
D3,proposal,2026-10-10
D3,negotiation,2026-10-15
D3,won,2026-10-23
D4,lead,2026-10-05
D4,qualified,2026-10-08
D4,proposal,2026-10-12
D4,negotiation,2026-10-18
D5,lead,2026-07-01
D5,lost,2026-09-10
`;
// October: 600 Autumn Ads spend booked to North, sales costs 300 (South, Cai) and 150 (North, Bo); 200 of September's spend.
const COSTS_CSV = `campaign,amount,at,kind,team,member
Autumn Ads,600.00,2026-10-02 10:00,marketing,North,
,300.00,2026-10-15 10:00,sales,South,cai@acme.example
,150.00,2026-10-20 10:00,sales,North,bo@acme.example
Autumn Ads,200.00,2026-09-20 10:00,marketing,North,
`;
const ORDERS_CSV = `external_id,customer_external_id,amount,at,product,category,channel
O1,C1,1000.00,2026-10-05 10:00,Suite,software,online
O2,C1,500.00,2026-10-18 15:00,Setup,services,sales_rep
O3,C2,300.00,2026-10-12 11:00,Router,hardware,online
O4,C4,200.00,2026-10-25 09:00,Suite,software,partner
O5,C1,800.00,2026-09-10 10:00,Suite,software,online
O6,C3,400.00,2026-09-15 10:00,Setup,services,online
`;
const INTERACTIONS_CSV = `external_id,customer_external_id,channel,direction,duration_seconds,outcome,responded_at,at
I1,C1,phone,outbound,600,connected,,2026-10-06 10:00
I2,C1,email,inbound,,feedback,2026-10-08 13:00,2026-10-08 09:00
I3,C2,chat,inbound,,feedback,2026-10-15 10:00,2026-10-14 10:00
I4,C4,visit,outbound,3600,connected,,2026-10-22 14:00
I5,C3,phone,outbound,120,no_answer,,2026-10-10 10:00
I6,C5,phone,outbound,300,connected,,2026-10-11 10:00
I7,C4,email,outbound,,follow_up,,2026-10-29 10:00
`;
const TICKETS_CSV = `external_id,customer_external_id,kind,category,priority,channel,opened_at,first_response_at,resolved_at,due_at,escalated,reopened,satisfaction
T1,C1,complaint,billing,high,phone,2026-10-07 09:00,2026-10-07 11:00,2026-10-08 09:00,2026-10-09 09:00,no,no,4
T2,C2,question,delivery,normal,email,2026-10-15 10:00,2026-10-15 16:00,2026-10-17 10:00,2026-10-16 10:00,yes,no,2
T3,C4,complaint,quality,urgent,chat,2026-10-21 08:00,2026-10-21 09:00,,2026-10-23 08:00,yes,no,
T4,C3,complaint,service,normal,phone,2026-10-12 10:00,2026-10-12 14:00,2026-10-13 10:00,,yes,no,5
`;
const SURVEYS_CSV = `external_id,customer_external_id,kind,score,scale,at
S1,C1,csat,5,5,2026-10-09 12:00
S2,C2,csat,3,5,2026-10-16 12:00
S3,C4,csat,4.5,5,2026-10-24 12:00
S4,C1,nps,9,10,2026-10-09 12:00
S5,C2,nps,6,10,2026-10-16 12:00
S6,C4,nps,10,10,2026-10-24 12:00
S7,C3,nps,7,10,2026-10-13 12:00
S8,C1,ces,2,7,2026-10-09 12:00
S9,C4,ces,5,7,2026-10-24 12:00
`;

const OCTOBER = { grain: "MONTH", date: "2026-10-01" };

type Level = "company" | "north" | "south";
type Expected = Partial<Record<Level, number | null>>;

/**
 * Every built-in KPI for October 2026, computed by hand from the files above
 * and the sync batch (which sets O4 to 250, deletes O2 and adds O7: C4, 100,
 * 2026-10-28 10:00). After the sync, October's orders are
 *   O1 C1 1,000 (North)   O3 C2 300 (North)   O4 C4 250 (South)   O7 C4 100 (South)
 * and September's O5 C1 800 (North), O6 C3 400 (South).
 *
 * Customers active at an instant: acquired before it and not churned before it.
 *   at 1 October: C1 (Mar), C3 (2025, churns 20 Oct), C4 (Feb) → company 3, North 1 (C1), South 2 (C3, C4)
 *   at 1 November: C1, C2 (12 Oct), C4 → company 3, North 2 (C1, C2), South 1 (C4)
 *   acquired in October: C2 (North); churned in October: C3 (South).
 */
const EXPECTED: Record<string, Expected> = {
  // Σ October amounts: company 1000 + 300 + 250 + 100 = 1650; North 1000 + 300 = 1300; South 250 + 100 = 350.
  revenue: { company: 1650, north: 1300, south: 350 },
  // revenue / orders: 1650 / 4 = 412.5; 1300 / 2 = 650; 350 / 2 = 175.
  average_order_value: { company: 412.5, north: 650, south: 175 },
  // (Oct − Sep) / Sep × 100: company Sep 800 + 400 = 1200 → (1650 − 1200) / 1200 × 100 = 37.5;
  // North (1300 − 800) / 800 × 100 = 62.5; South (350 − 400) / 400 × 100 = −12.5.
  sales_growth_rate: { company: 37.5, north: 62.5, south: -12.5 },
  // 365 days to 1 Nov: all six orders. avg purchase × purchases per buyer × 3 years × margin 1
  // = revenue / buyers × 3. Company 2850 / 4 buyers (C1, C2, C3, C4) × 3 = 2137.5;
  // North (1000 + 300 + 800) = 2100 / 2 (C1, C2) × 3 = 3150; South (250 + 100 + 400) = 750 / 2 (C3, C4) × 3 = 1125.
  clv: { company: 2137.5, north: 3150, south: 1125 },
  // (active at end − acquired) / active at start × 100: company (3 − 1) / 3 × 100 = 66.667;
  // North (2 − 1) / 1 × 100 = 100; South (1 − 0) / 2 × 100 = 50.
  retention_rate: { company: 200 / 3, north: 100, south: 50 },
  // churned in October / active at start × 100: company 1 / 3 × 100 = 33.333; North 0 / 1 = 0; South 1 / 2 × 100 = 50.
  churn_rate: { company: 100 / 3, north: 0, south: 50 },
  // customers active at end / the same count kept whole (no breakdown asked) × 100 = 100 wherever there are any.
  lifecycle_stage_distribution: { company: 100, north: 100, south: 100 },
  // interactions / customers active at end: company 7 / 3 = 2.333; North (I1, I2, I3, I6) 4 / 2 = 2; South (I4, I5, I7) 3 / 1 = 3.
  communication_frequency: { company: 7 / 3, north: 2, south: 3 },
  // interactions / the same count kept whole × 100 = 100.
  channel_mix: { company: 100, north: 100, south: 100 },
  // distinct customers reached outbound that are active at the window's end / active at end × 100:
  // outbound I1 (C1 ✓), I4 (C4 ✓), I5 (C3 churned ✗), I6 (C5 never acquired ✗), I7 (C4) → {C1, C4}:
  // company 2 / 3 × 100 = 66.667; North {C1} 1 / 2 × 100 = 50; South {C4} 1 / 1 × 100 = 100.
  follow_up_coverage: { company: 200 / 3, north: 50, south: 100 },
  // inbound feedback answered: I2 4 h, I3 24 h (both North) → company (4 + 24) / 2 = 14; North 14; South none → null.
  feedback_response_speed: { company: 14, north: 14, south: null },
  // complaints opened: T1 (North), T3, T4 (South) → 3, 1, 2.
  complaint_volume: { company: 3, north: 1, south: 2 },
  // escalated / opened × 100: T2, T3, T4 of 4 → 75; North T2 of T1, T2 → 50; South T3, T4 of 2 → 100.
  escalation_rate: { company: 75, north: 50, south: 100 },
  // overdue (due before the window's end, unresolved or resolved after due): T2 (resolved 17th, due 16th), T3 (unresolved, due 23rd)
  // → company 2 / 4 × 100 = 50; North 1 / 2 × 100 = 50; South 1 / 2 × 100 = 50.
  overdue_tickets: { company: 50, north: 50, south: 50 },
  // resolved before the window's end / opened × 100: T1, T2, T4 → 3 / 4 × 100 = 75; North 2 / 2 = 100; South 1 / 2 × 100 = 50.
  resolution_rate: { company: 75, north: 100, south: 50 },
  // hours to first response, by response time in October: T1 2, T2 6, T3 1, T4 4 → (2 + 6 + 1 + 4) / 4 = 3.25; North (2 + 6) / 2 = 4; South (1 + 4) / 2 = 2.5.
  first_response_time: { company: 3.25, north: 4, south: 2.5 },
  // hours to resolution, by resolution time in October: T1 24, T2 48, T4 24 → 96 / 3 = 32; North (24 + 48) / 2 = 36; South 24.
  resolution_time: { company: 32, north: 36, south: 24 },
  // CSAT as a share of the scale: S1 5/5 = 100, S2 3/5 = 60, S3 4.5/5 = 90 → (100 + 60 + 90) / 3 = 83.333; North (100 + 60) / 2 = 80; South 90.
  csat_score: { company: 250 / 3, north: 80, south: 90 },
  // score ≥ 80 % of the scale (4 of 5): S1, S3 of 3 → 66.667; North S1 of S1, S2 → 50; South S3 of 1 → 100.
  csat_satisfied_rate: { company: 200 / 3, north: 50, south: 100 },
  // (promoters ≥ 9 − detractors ≤ 6) / answers × 100: S4 P, S5 D, S6 P, S7 passive → (2 − 1) / 4 × 100 = 25;
  // North S4 P, S5 D → (1 − 1) / 2 = 0; South S6 P, S7 → (1 − 0) / 2 × 100 = 50.
  nps: { company: 25, north: 0, south: 50 },
  // average effort score: S8 2 (North), S9 5 (South) → 3.5, 2, 5.
  ces: { company: 3.5, north: 2, south: 5 },
  // Deals closed in October: D1 won, D2 lost (North), D3 won (South); D5 closed in September.
  // won / closed × 100: company 2 / 3 × 100 = 66.667; North 1 / 2 × 100 = 50; South 1 / 1 × 100 = 100.
  win_rate: { company: 200 / 3, north: 50, south: 100 },
  // days from creation to close of the deals won in October: D1 1 Aug → 10 Oct = 31 + 30 + 9 = 70; D3 3 → 23 Oct = 20.
  // company (70 + 20) / 2 = 45; North 70; South 20.
  avg_sales_cycle: { company: 45, north: 70, south: 20 },
  // Stage entries in October: lead D3, D4; qualified D3, D4; proposal D2, D3, D4; negotiation D3, D4; won D1, D3.
  // Conversions follow the deals that entered the first stage in October to the second, whenever.
  // funnel: of the October leads {D3, D4}, D3 won → 1 / 2 × 100 = 50; North no lead → null; South 50.
  funnel_conversion: { company: 50, north: null, south: 50 },
  // lead → qualified: D3, D4 both qualified → 2 / 2 × 100 = 100; North null; South 100.
  stage_conversion_lead_qualified: { company: 100, north: null, south: 100 },
  // qualified → proposal: October's qualified {D3, D4} both reached proposal → 100; North null; South 100.
  stage_conversion_qualified_proposal: { company: 100, north: null, south: 100 },
  // proposal → negotiation: October's proposals {D2, D3, D4}; D3, D4 negotiated, D2 was lost →
  // company 2 / 3 × 100 = 66.667; North {D2} 0 / 1 = 0; South {D3, D4} 2 / 2 × 100 = 100.
  stage_conversion_proposal_negotiation: { company: 200 / 3, north: 0, south: 100 },
  // negotiation → won: October's negotiations {D3, D4}; D3 won → 1 / 2 × 100 = 50; North none → null; South 50.
  stage_conversion_negotiation_won: { company: 50, north: null, south: 50 },
  // October's marketing + sales cost / customers acquired in October (C2, North):
  // company (600 + 300 + 150) / 1 = 1050; North (600 + 150) / 1 = 750; South 300 / 0 → null.
  cac: { company: 1050, north: 750, south: null },
  // (revenue of the customers acquired in October by a campaign with cost in October, over their first
  // 180 days − campaign cost in October) / that cost × 100. C2 (Autumn Ads, North) bought O3 300 after
  // 12 October; Autumn Ads cost 600 in October (North): company (300 − 600) / 600 × 100 = −50; North −50;
  // South: no campaign cost → null.
  campaign_roi: { company: -50, north: -50, south: null },
  // customers with ≥ 2 orders in the 365 days to 1 Nov / customers with one: C1 (O1, O5), C4 (O4, O7) of C1–C4
  // → 2 / 4 × 100 = 50; North C1 of C1, C2 → 50; South C4 of C3, C4 → 50.
  repeat_purchase_rate: { company: 50, north: 50, south: 50 },
  // spend in those 365 days: C1 1800 (medium: ≥ 1000), C2 300, C3 400, C4 350 (low) → no high-value customer: 0 everywhere.
  value_tier_mix: { company: 0, north: 0, south: 0 },
  // active customers (at 1 Nov: C1, C2, C4) with a complaint opened in October: T1 C1, T3 C4 (T4's C3 churned) →
  // company 2 / 3 × 100 = 66.667; North C1 of C1, C2 → 50; South C4 of C4 → 100.
  complaint_rate: { company: 200 / 3, north: 50, south: 100 },
  // resolved in October: T1 (neither escalated nor reopened), T2 (escalated), T4 (escalated) → 1 / 3 × 100 = 33.333;
  // North T1 of T1, T2 → 50; South T4 of T4 → 0.
  first_contact_resolution: { company: 100 / 3, north: 50, south: 0 },
  // no survey answer of kind kano → null.
  kano_classification: { company: null, north: null, south: null },
  // the customers file has no email or phone column, so no active record is complete → 0 of 3, 0 of 2, 0 of 1.
  data_completeness: { company: 0, north: 0, south: 0 },
};

/** KPIs of sources no import kind reads yet (see /work/notes/onb.md): no rows, so the formula's guard gives null. */


describe(`onboarding a company from an empty database (${TEST_DB})`, { timeout: 240_000 }, () => {
  let dir: string;
  let env: Record<string, string>;
  let url: string | undefined;
  let drop: (() => Promise<void>) | undefined;
  let db: Database;
  let app: App;
  let admin = "";
  let manager = "";
  const ids: Record<string, string> = {};

  async function gql<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}, key = admin): Promise<T> {
    const res = await app.fetch("http://yardstick.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: T; errors?: unknown[] };
    if (body.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
    return body.data!;
  }

  async function importCsv(kind: string, csv: string) {
    const r = await gql<{ importCsv: { status: string; rowsImported: number; rowsRejected: number; rejects: { line: number; reason: string }[] } }>(
      "mutation($k: ImportKind!, $csv: String!) { importCsv(kind: $k, csv: $csv) { status rowsImported rowsRejected rejects { line reason } } }",
      { k: kind, csv },
      manager,
    );
    expect(r.importCsv, kind).toMatchObject({ status: "DONE", rowsRejected: 0 });
    return r.importCsv;
  }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ys-onboard-"));
    if (TEST_DB === "postgres") {
      const scratch = await createScratchPostgres();
      url = scratch.url;
      drop = scratch.drop;
      env = { DATABASE_URL: url };
    } else {
      env = { YARDSTICK_DATA_DIR: path.join(dir, "pglite"), DATABASE_URL: "" };
    }
    // 1. Provisioning: the CLI on the empty database prints the first admin key alone on its last line.
    const { stdout } = await run(TSX, ["src/cli/company.ts", "create", "--slug", "acme", "--name", "Acme Ltd", "--time-zone", "Asia/Shanghai", "--currency", "CNY"], {
      env: { ...process.env, ...env, LOG_LEVEL: "silent" },
    });
    admin = stdout.trim().split("\n").at(-1)!;
    expect(admin).toMatch(/^ys_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    // The server, as `npm start` opens it (no demo seed: YARDSTICK_SEED_DEMO is main.ts's, not used here).
    db = await openDatabase({ url, dataDir: url ? undefined : path.join(dir, "pglite") });
    app = createApp({ db, graphiql: false });
  }, 300_000); // a CLI process and the migrations of an empty database: minutes on a loaded machine
  afterAll(async () => {
    await db?.close();
    await rm(dir, { recursive: true, force: true });
    await drop?.();
  });

  it("provisions, builds the org chart, imports every source, rates and syncs", async () => {
    const me = await gql<{ company: { slug: string; timeZone: string; currency: string } }>("{ company { slug timeZone currency } }");
    expect(me.company).toEqual({ slug: "acme", timeZone: "Asia/Shanghai", currency: "CNY" });
    manager = (await gql<{ createApiKey: { key: string } }>(`mutation { createApiKey(name: "CRM sync", role: MANAGER) { key } }`)).createApiKey.key;

    // 2. Org chart: teams and two members from CSV, a third member through the API.
    await importCsv("TEAMS", TEAMS_CSV);
    await importCsv("MEMBERS", MEMBERS_CSV);
    const teams = await gql<{ company: { teams: { id: string; name: string }[] } }>("{ company { teams { id name } } }");
    for (const team of teams.company.teams) ids[team.name] = team.id;
    await gql("mutation($t: ID!) { createMember(input: { name: \"Cai Lin\", email: \"cai@acme.example\", team: $t, role: \"support\" }) { id } }", { t: ids.South });

    // 3. Every source with an import kind, in import order.
    await importCsv("CAMPAIGNS", CAMPAIGNS_CSV);
    await importCsv("CUSTOMERS", CUSTOMERS_CSV);
    await importCsv("ORDERS", ORDERS_CSV);
    await importCsv("INTERACTIONS", INTERACTIONS_CSV);
    await importCsv("TICKETS", TICKETS_CSV);
    await importCsv("SURVEY_RESPONSES", SURVEYS_CSV);
    await importCsv("OPPORTUNITIES", OPPORTUNITIES_CSV);
    await importCsv("OPPORTUNITY_STAGES", STAGES_CSV);
    await importCsv("CAMPAIGN_COSTS", COSTS_CSV);

    // 4. A team framework mixing KPIs and a managers' rating item; managers rate both teams for October.
    // Published at once, in force for every period from 2000 on (so October 2026 is scored with it).
    await gql(`mutation($d: JSON!) { createFramework(document: $d, effectiveFrom: "2000-01-01T00:00:00Z") { key } }`, {
      d: {
        key: "team_review", name: "Team review", level: "team",
        items: [
          { kpi: "revenue", weight: 2, score: { method: "target", target: 2000, worst: 0 } },
          { kpi: "nps", weight: 1, score: { method: "target", target: 50, worst: -100 } },
          { rating: "coaching", name: "Coaching", weight: 1, scale: 5 },
        ],
      },
    });
    const rate = (team: string, score: number) =>
      gql("mutation($i: SetRatingInput!) { setRating(input: $i) { id } }", { i: { framework: "team_review", item: "coaching", subject: ids[team], period: OCTOBER, score } }, manager);
    await rate("North", 4);
    await rate("South", 3);

    // 5. The CRM pushes changes: O4 corrected to 250, O2 cancelled, O7 new. Sent twice: the second changes nothing.
    const batch = {
      upsert: [
        { externalId: "O4", customerExternalId: "C4", amount: "250.00", at: "2026-10-25T09:00:00+08:00", product: "Suite", category: "software", channel: "partner" },
        { externalId: "O7", customerExternalId: "C4", amount: "100.00", at: "2026-10-28T10:00:00+08:00", product: "Support", category: "services", channel: "online" },
      ],
      delete: ["O2"],
    };
    const SYNC = "mutation($i: SyncOrdersInput!) { syncOrders(input: $i) { inserted updated unchanged deleted rejected { index reason } notFound dataVersion } }";
    const first = (await gql<{ syncOrders: Record<string, unknown> }>(SYNC, { i: batch }, manager)).syncOrders;
    expect(first).toMatchObject({ inserted: 1, updated: 1, unchanged: 0, deleted: 1, rejected: [], notFound: [] });
    const second = (await gql<{ syncOrders: Record<string, unknown> }>(SYNC, { i: batch }, manager)).syncOrders;
    expect(second).toMatchObject({ inserted: 0, updated: 0, unchanged: 2, deleted: 0, notFound: ["O2"], dataVersion: first.dataVersion });
  });

  it("reads every built-in KPI for October, each equal to its hand computation", async () => {
    const defs = (await gql<{ metricDefinitions: { key: string; builtIn: boolean; subjects: string[] }[] }>("{ metricDefinitions { key builtIn subjects } }")).metricDefinitions.filter((d) => d.builtIn);
    const uncovered = defs.map((d) => d.key).filter((k) => !(k in EXPECTED) && !["rfm", "churn_risk", "sales_conversion_rate"].includes(k));
    // A built-in without a hand computation here fails the test: add it above.
    expect(uncovered).toEqual([]);

    const keys = defs.filter((d) => d.subjects.includes("team") && d.key !== "sales_conversion_rate").map((d) => d.key);
    const q = `query($keys: [String!]!, $p: PeriodInput!, $n: ID!, $s: ID!) {
      company { metrics(keys: $keys, period: $p) { key value } }
      north: node(id: $n) { ... on Team { metrics(keys: $keys, period: $p) { key value } } }
      south: node(id: $s) { ... on Team { metrics(keys: $keys, period: $p) { key value } } } }`;
    type Values = { metrics: { key: string; value: number | null }[] };
    const r = await gql<{ company: Values; north: Values; south: Values }>(q, { keys, p: OCTOBER, n: ids.North, s: ids.South });
    const got: Record<string, Expected> = {};
    for (const level of ["company", "north", "south"] as const) for (const m of r[level].metrics) (got[m.key] ??= {})[level] = m.value;
    // Every mismatch at once, so a failure lists them all.
    const wrong: string[] = [];
    for (const key of keys) {
      const expected = EXPECTED[key] ?? { company: null, north: null, south: null };
      for (const level of ["company", "north", "south"] as const) {
        const want = expected[level] ?? null;
        const have = got[key]?.[level] ?? null;
        const same = want === null || have === null ? want === have : Math.abs(want - have) < 1e-4; // values come rounded to 4 decimals
        if (!same) wrong.push(`${key} @ ${level}: expected ${want}, got ${have}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(keys.length).toBeGreaterThanOrEqual(Object.keys(EXPECTED).length);
  });

  it("reads the customer-level KPIs (rfm, churn_risk) and sales conversion, each by hand", async () => {
    const list = await gql<{ company: { customers: { edges: { node: { id: string; externalId: string } }[] } } }>("{ company { customers(first: 10) { edges { node { id externalId } } } } }");
    const byExt = Object.fromEntries(list.company.customers.edges.map((e) => [e.node.externalId, e.node.id]));
    const q = `query($id: ID!, $p: PeriodInput!) { node(id: $id) { ... on Customer { metrics(keys: ["rfm", "churn_risk"], period: $p) { key value label } } } }`;
    type R = { node: { metrics: { key: string; value: number; label: string }[] } };
    const c1 = Object.fromEntries((await gql<R>(q, { id: byExt.C1, p: OCTOBER })).node.metrics.map((m) => [m.key, m]));
    const c4 = Object.fromEntries((await gql<R>(q, { id: byExt.C4, p: OCTOBER })).node.metrics.map((m) => [m.key, m]));
    // rfm, C1: last order O1 at 5 Oct 10:00 → to 1 Nov 00:00 = 26 d 14 h = 26.583 days ≤ 30 → R 4; 1 order → F 1;
    // spend 1,000 ≥ 1,000 → M 3. 4 + 1 + 3 = 8; R ≥ 4 and F = 1 → "new".
    expect(c1.rfm).toMatchObject({ value: 8, label: "new" });
    // rfm, C4: last order O7 at 28 Oct 10:00 → 3 d 14 h = 3.583 days ≤ 14 → R 5; 2 orders → F 2; 250 + 100 = 350 ≥ 300 → M 2.
    // 5 + 2 + 2 = 9; not champions/loyal/new, R ≥ 3 → "potential".
    expect(c4.rfm).toMatchObject({ value: 9, label: "potential" });
    // churn_risk, C1 (weights 0.35 recency, 0.25 frequency, 0.2 complaints, 0.2 satisfaction; sum 1):
    //   recency 26.5833 / 31 days = 0.857527; frequency: 1 order in Oct vs 1 in Sep → decline 0;
    //   open complaints: T1 resolved → 0; satisfaction: CSAT S1 100 and ticket T1 4 × 20 = 80 → mean 90 → (100 − 90) / 100 = 0.1.
    //   100 × (0.35 × 0.857527 + 0 + 0 + 0.2 × 0.1) = 100 × (0.300134 + 0.02) = 32.0134 → medium (≥ 30).
    expect(c1.churn_risk!.value).toBeCloseTo(100 * (0.35 * (26 + 14 / 24) / 31 + 0.2 * 0.1), 3);
    expect(c1.churn_risk!.label).toBe("medium");
    // churn_risk, C4: recency 3.5833 / 31 = 0.115591; 2 orders now, 0 before → decline 0;
    //   T3 open complaint: 1 / 2 = 0.5; satisfaction: CSAT S3 90, no ticket resolved in Oct → 0.1.
    //   100 × (0.35 × 0.115591 + 0.2 × 0.5 + 0.2 × 0.1) = 100 × (0.040457 + 0.1 + 0.02) = 16.0457 → low.
    expect(c4.churn_risk!.value).toBeCloseTo(100 * (0.35 * (3 + 14 / 24) / 31 + 0.2 * 0.5 + 0.2 * 0.1), 3);
    expect(c4.churn_risk!.label).toBe("low");

    // sales_conversion_rate counts customers by when their record was created: all five were created by
    // this test's import, so in the current month: converted (acquired_at set: C1–C4) / prospects (C1–C5):
    // company 4 / 5 × 100 = 80; North (C1, C2, C5) 2 / 3 × 100 = 66.667; South (C3, C4) 2 / 2 × 100 = 100.
    const sc = `query($n: ID!, $s: ID!) { company { metric(key: "sales_conversion_rate", period: { grain: MONTH }) { value } }
      north: node(id: $n) { ... on Team { metric(key: "sales_conversion_rate", period: { grain: MONTH }) { value } } }
      south: node(id: $s) { ... on Team { metric(key: "sales_conversion_rate", period: { grain: MONTH }) { value } } } }`;
    const conv = await gql<{ company: { metric: { value: number } }; north: { metric: { value: number } }; south: { metric: { value: number } } }>(sc, { n: ids.North, s: ids.South });
    expect(conv.company.metric.value).toBeCloseTo(80, 4);
    expect(conv.north.metric.value).toBeCloseTo(200 / 3, 3);
    expect(conv.south.metric.value).toBeCloseTo(100, 4);
  });

  it("scores the team framework mixing KPIs and managers' ratings, by hand", async () => {
    const q = `query($n: ID!, $s: ID!, $p: PeriodInput!) {
      north: node(id: $n) { ... on Team { scorecard(framework: "team_review", period: $p) { total items { id value score } } } }
      south: node(id: $s) { ... on Team { scorecard(framework: "team_review", period: $p) { total items { id value score } } } } }`;
    type Card = { scorecard: { total: number; items: { id: string; value: number; score: number }[] } };
    const r = await gql<{ north: Card; south: Card }>(q, { n: ids.North, s: ids.South, p: OCTOBER });
    const items = (c: Card) => Object.fromEntries(c.scorecard.items.map((i) => [i.id, [i.value, i.score]]));
    // North: revenue 1,300 on target 2,000 from 0 → 65; NPS 0 on target 50 from −100 → 100 / 150 × 100 = 66.67;
    // coaching rated 4 (on its 1–5 scale) = 80 % of the scale, scored 80. Weights 2 : 1 : 1 → (2 × 65 + 66.67 + 80) / 4 = 276.67 / 4 = 69.17.
    expect(items(r.north)).toEqual({ revenue: [1300, 65], nps: [0, 66.67], "rating:coaching": [4, 80] });
    expect(r.north.scorecard.total).toBeCloseTo(69.17, 2);
    // South: revenue 350 → 17.5; NPS 50 → 150 / 150 × 100 = 100; coaching 3 of 5 → scored 60.
    // (2 × 17.5 + 100 + 60) / 4 = 195 / 4 = 48.75.
    expect(items(r.south)).toEqual({ revenue: [350, 17.5], nps: [50, 100], "rating:coaching": [3, 60] });
    expect(r.south.scorecard.total).toBeCloseTo(48.75, 2);
  });
});
