import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCompany, createTestApp, dataOf, type TestApp, type TestCompany } from "../helpers/app.js";
import { TEST_DB } from "../helpers/database.js";
import { auditActions, dataVersionOf, errorOf, snapshot } from "../org/support.js";

// JSON batch sync through the real endpoint: the same cleaning, matching and
// per-record rejects as a CSV import, idempotent, bounded, deletion by external
// id, and every change visible to the next metric read (the result cache is on).
describe(`sync mutations (${TEST_DB})`, () => {
  let t: TestApp;
  let acme: TestCompany;

  const RESULT = "committed inserted updated unchanged deleted rejected { index field reason } warnings { index reason } notFound dataVersion";
  const CUSTOMERS = `mutation($i: SyncCustomersInput!) { syncCustomers(input: $i) { ${RESULT} } }`;
  const ORDERS = `mutation($i: SyncOrdersInput!) { syncOrders(input: $i) { ${RESULT} } }`;
  const REVENUE = `{ company { metric(key: "revenue", period: { grain: MONTH, date: "2026-10-01" }) { value } } }`;

  type Result = { committed: boolean; inserted: number; updated: number; unchanged: number; deleted: number; rejected: { index: number; field: string | null; reason: string }[]; notFound: string[]; dataVersion: number };
  const sync = async (query: string, input: Record<string, unknown>, key = acme.keys.manager) => {
    const data = dataOf(await t.gql<Record<string, Result>>(query, { i: input }, key));
    return Object.values(data)[0]!;
  };
  const revenue = async () => dataOf(await t.gql<{ company: { metric: { value: number | null } } }>(REVENUE, {}, acme.keys.viewer)).company.metric.value;

  beforeAll(async () => {
    t = await createTestApp();
    acme = await createCompany(t.db, "acme", { timeZone: "Asia/Shanghai", currency: "CNY" });
  });
  afterAll(() => t.close());

  const ORDER_BATCH = {
    upsert: [
      { externalId: "SO-1", customerExternalId: "C-1", amount: "1200.50", at: "2026-10-03T02:00:00Z", channel: "线上" },
      { externalId: "SO-2", customerExternalId: "C-2", amount: 300, at: "2026-10-20T09:30:00+08:00", category: "软件" },
      { externalId: "SO-3", customerExternalId: "C-1", amount: "99", at: "2026-09-30T15:00:00Z" },
    ],
  };

  it("upserts customers and orders with the CSV cleaning; the same batch again changes nothing", async () => {
    const c = await sync(CUSTOMERS, {
      upsert: [
        { externalId: "C-1", name: "  Hengtai  Trading ", email: "BUY@HENGTAI.example", segment: "大客户", acquiredAt: "2026-01-05T00:00:00Z" },
        { externalId: "C-2", name: "Li Wei", phone: "138 0013 8000", segment: "个人" },
      ],
    });
    expect(c).toMatchObject({ committed: true, inserted: 2, updated: 0, unchanged: 0, rejected: [] });
    const stored = await t.db.prisma.customer.findMany({ where: { companyId: acme.id }, orderBy: { externalId: "asc" } });
    // The same cleaners as a CSV file: trimmed name, lower-cased email, synonyms, a Chinese mobile in E.164.
    expect(stored.map((s) => [s.externalId, s.name, s.email, s.phone, s.segment])).toEqual([
      ["C-1", "Hengtai Trading", "buy@hengtai.example", null, "enterprise"],
      ["C-2", "Li Wei", null, "+8613800138000", "consumer"],
    ]);

    const first = await sync(ORDERS, ORDER_BATCH);
    expect(first).toMatchObject({ committed: true, inserted: 3, rejected: [] });
    // October in Asia/Shanghai: SO-1 (2026-10-03 10:00 local) 1,200.50 + SO-2 (10-20) 300 = 1,500.50;
    // SO-3 at 2026-09-30T15:00Z is 23:00 on 30 September local: not October.
    expect(await revenue()).toBe(1500.5);

    const v = await dataVersionOf(t.db, acme.id);
    const before = await snapshot(t.db);
    const again = await sync(ORDERS, ORDER_BATCH);
    expect(again).toMatchObject({ committed: true, inserted: 0, updated: 0, unchanged: 3, deleted: 0, dataVersion: v });
    // Nothing changed, not even the audit log, and the data version did not move.
    expect(await snapshot(t.db)).toEqual(before);
  });

  it("invalidates cached metric values: an update and a deletion are seen by the next read", async () => {
    expect(await revenue()).toBe(1500.5); // cached now
    const v = await dataVersionOf(t.db, acme.id);
    const up = await sync(ORDERS, { upsert: [{ externalId: "SO-2", customerExternalId: "C-2", amount: 450, at: "2026-10-20T09:30:00+08:00", category: "软件" }] });
    expect(up).toMatchObject({ updated: 1, inserted: 0, dataVersion: v + 1 });
    // 1,200.50 + 450 = 1,650.50
    expect(await revenue()).toBe(1650.5);

    const del = await sync(ORDERS, { delete: ["SO-1", " SO-404 "] });
    expect(del).toMatchObject({ deleted: 1, notFound: ["SO-404"], dataVersion: v + 2 });
    // 450 left in October.
    expect(await revenue()).toBe(450);
    // Deleting again: nothing to delete, no new version.
    expect(await sync(ORDERS, { delete: ["SO-1"] })).toMatchObject({ deleted: 0, notFound: ["SO-1"], dataVersion: v + 2 });
    expect((await auditActions(t.db, acme.id)).filter((a) => a === "sync.batch")).toHaveLength(4);
  });

  it("rejects bad records one by one with the field and reason, writing the others", async () => {
    const r = await sync(ORDERS, {
      upsert: [
        { externalId: "SO-10", customerExternalId: "C-404", amount: 10, at: "2026-10-05T00:00:00Z" },
        { externalId: "SO-11", customerExternalId: "C-1", amount: "-5", at: "2026-10-05T00:00:00Z" },
        { externalId: "SO-12", customerExternalId: "C-1", amount: 20, at: "2026-10-05T00:00:00Z" },
        { externalId: "SO-13", customerExternalId: "C-1", amount: 20, currency: "DOGE", at: "2026-10-05T00:00:00Z" },
        { externalId: "SO-14", amount: 20, at: "2026-10-05T00:00:00Z" },
      ],
    });
    expect(r.inserted).toBe(1);
    expect(r.rejected.map((x) => x.index)).toEqual([0, 1, 3, 4]);
    expect(r.rejected[0]!.reason).toMatch(/C-404/);
    expect(r.rejected[1]).toMatchObject({ field: "amount" });
    expect(r.rejected[1]!.reason).toMatch(/negative amount/);
    expect(r.rejected[2]).toMatchObject({ field: "currency" });
    expect(r.rejected[3]!.reason).toMatch(/missing customer/);
    // 450 + SO-12's 20 = 470
    expect(await revenue()).toBe(470);
  });

  it("with allOrNothing, one bad record writes nothing at all", async () => {
    const before = await snapshot(t.db);
    const r = await sync(ORDERS, {
      allOrNothing: true,
      upsert: [
        { externalId: "SO-20", customerExternalId: "C-1", amount: 1000, at: "2026-10-06T00:00:00Z" },
        { externalId: "SO-21", customerExternalId: "C-404", amount: 1, at: "2026-10-06T00:00:00Z" },
      ],
      delete: ["SO-12"],
    });
    expect(r).toMatchObject({ committed: false, inserted: 0, deleted: 0 });
    expect(r.rejected).toHaveLength(1);
    expect(r.rejected[0]!.index).toBe(1);
    expect(await snapshot(t.db)).toEqual(before);
  });

  it("refuses a batch over the bound, an untyped value and a viewer, writing nothing", async () => {
    const before = await snapshot(t.db);
    const big = Array.from({ length: 1001 }, (_, i) => ({ externalId: `B-${i}`, customerExternalId: "C-1", amount: 1, at: "2026-10-07T00:00:00Z" }));
    const e = errorOf(await t.gql(ORDERS, { i: { upsert: big } }, acme.keys.manager));
    expect(e).toMatchObject({ code: "BAD_USER_INPUT", field: "input.upsert" });
    expect(e.message).toMatch(/at most 1000 records per call, got 1001/);
    const typed = await t.gql(ORDERS, { i: { upsert: [{ externalId: "X", customerExternalId: "C-1", amount: "lots", at: "2026-10-07T00:00:00Z" }] } }, acme.keys.manager);
    expect(typed.errors?.[0]?.message).toMatch(/amount/);
    const notADate = await t.gql(ORDERS, { i: { upsert: [{ externalId: "X", customerExternalId: "C-1", amount: 1, at: "yesterday" }] } }, acme.keys.manager);
    expect(notADate.errors?.[0]?.message).toMatch(/at/);
    expect(errorOf(await t.gql(ORDERS, { i: { upsert: [] } }, acme.keys.viewer)).code).toBe("FORBIDDEN");
    expect(await snapshot(t.db)).toEqual(before);
  });

  it("syncs the org chart and campaign costs through the same declarations: idempotent, per-record rejects", async () => {
    const TEAMS = `mutation($i: SyncTeamsInput!) { syncTeams(input: $i) { ${RESULT} } }`;
    const MEMBERS = `mutation($i: SyncMembersInput!) { syncMembers(input: $i) { ${RESULT} } }`;
    expect(await sync(TEAMS, { upsert: [{ name: "North" }, { name: "South" }] })).toMatchObject({ inserted: 2, rejected: [] });
    // Matched by name ignoring case: nothing new.
    expect(await sync(TEAMS, { upsert: [{ name: "north" }] })).toMatchObject({ inserted: 0, updated: 0, unchanged: 1 });
    const members = { upsert: [{ name: "Ann Lee", email: "ANN@acme.example", team: "North", role: "Account Manager" }, { name: "Bo", team: "West" }] };
    const m = await sync(MEMBERS, members);
    expect(m).toMatchObject({ inserted: 1 });
    expect(m.rejected).toHaveLength(1);
    expect(m.rejected[0]).toMatchObject({ index: 1 });
    expect(m.rejected[0]!.reason).toMatch(/unknown team: team "West"/);
    const v = await dataVersionOf(t.db, acme.id);
    expect(await sync(MEMBERS, members)).toMatchObject({ inserted: 0, updated: 0, unchanged: 1, dataVersion: v });
    const ann = await t.db.prisma.member.findFirstOrThrow({ where: { companyId: acme.id, email: "ann@acme.example" }, include: { team: true } });
    expect([ann.role, ann.team?.name]).toEqual(["account_manager", "North"]);

    const COSTS = `mutation($i: SyncCampaignCostsInput!) { syncCampaignCosts(input: $i) { ${RESULT} } }`;
    const costs = await sync(COSTS, {
      upsert: [
        { externalId: "K-1", amount: "150.00", at: "2026-10-02T10:00:00+08:00", kind: "sales", team: "North" },
        { externalId: "K-2", campaign: "Spring Expo", amount: "90", at: "2026-10-03T10:00:00+08:00" },
      ],
    });
    expect(costs.inserted).toBe(1);
    expect(costs.rejected[0]!.index).toBe(1);
    expect(costs.rejected[0]!.reason).toMatch(/unknown campaign: campaign "Spring Expo"/);
    expect(await sync(COSTS, { delete: ["K-1"] })).toMatchObject({ deleted: 1 });
  });
});
