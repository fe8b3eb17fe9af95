import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCompany, createTestApp, dataOf, type TestApp, type TestCompany } from "../helpers/app.js";
import { TEST_DB } from "../helpers/database.js";
import { auditActions, dataVersionOf, errorOf, snapshot } from "./support.js";

// An admin edits the company's name, time zone and currency through the API.
describe(`company settings: name, time zone, currency (${TEST_DB})`, () => {
  let t: TestApp;
  let acme: TestCompany;
  const UPDATE = "mutation($input: CompanySettingsInput!) { updateCompanySettings(input: $input) { name timeZone currency } }";

  beforeAll(async () => {
    t = await createTestApp();
    acme = await createCompany(t.db, "acme", { timeZone: "UTC", currency: "USD" });
    const c = await t.db.prisma.customer.create({ data: { companyId: acme.id, name: "c" } });
    // 2026-10-31T20:00Z: still October in UTC, already 1 November in Shanghai (UTC+8).
    await t.db.prisma.order.create({
      data: { companyId: acme.id, customerId: c.id, amount: "50", product: "p", category: "c", channel: "online", at: new Date("2026-10-31T20:00:00Z") },
    });
  });
  afterAll(() => t.close());

  const october = `{ company { metric(key: "revenue", period: { grain: MONTH, date: "2026-10-01" }) { value } } }`;

  it("changes them, audited; periods are cut in the new zone from the next request", async () => {
    const before = dataOf(await t.gql<{ company: { metric: { value: number | null } } }>(october, {}, acme.keys.viewer));
    expect(before.company.metric.value).toBe(50); // October in UTC holds the order
    const v = await dataVersionOf(t.db, acme.id);
    const r = dataOf(await t.gql<{ updateCompanySettings: unknown }>(UPDATE, { input: { name: " Acme Ltd ", timeZone: "asia/shanghai", currency: "CNY" } }, acme.keys.admin));
    expect(r.updateCompanySettings).toEqual({ name: "Acme Ltd", timeZone: "Asia/Shanghai", currency: "CNY" });
    expect(await dataVersionOf(t.db, acme.id)).toBe(v + 1);
    expect(await auditActions(t.db, acme.id)).toEqual(["company.settings.update"]);
    const entry = await t.db.prisma.auditEntry.findFirstOrThrow({ where: { companyId: acme.id } });
    expect(entry.details).toMatchObject({ before: { timeZone: "UTC", currency: "USD", name: "acme" }, after: { timeZone: "Asia/Shanghai" } });
    // In Shanghai the order happened on 1 November: October is now empty.
    const after = dataOf(await t.gql<{ company: { metric: { value: number | null } } }>(october, {}, acme.keys.viewer));
    expect(after.company.metric.value ?? 0).toBe(0);
    // The embed settings are untouched by an identity change, and vice versa.
    dataOf(await t.gql(UPDATE, { input: { embedLanguage: "ZH" } }, acme.keys.admin));
    const again = dataOf(await t.gql<{ company: { name: string; settings: { embed: { language: string } } } }>("{ company { name settings } }", {}, acme.keys.admin));
    expect(again.company).toEqual({ name: "Acme Ltd", settings: { embed: { language: "zh" } } });
  });

  const refusals: [string, Record<string, unknown>, string, RegExp][] = [
    ["an unknown time zone", { timeZone: "Asia/Atlantis" }, "input.timeZone", /not an IANA time zone/],
    ["an abbreviation for a zone", { timeZone: "+08:00" }, "input.timeZone", /not an IANA time zone/],
    ["a blank name", { name: "   " }, "input.name", /1–200 characters/],
    ["removing the time zone", { timeZone: null }, "input.timeZone", /cannot be removed/],
  ];
  it.each(refusals)("refuses %s, naming the field, writing nothing", async (_what, input, field, message) => {
    const before = await snapshot(t.db);
    const e = errorOf(await t.gql(UPDATE, { input }, acme.keys.admin));
    expect(e).toMatchObject({ code: "BAD_USER_INPUT", field });
    expect(e.message).toMatch(message);
    expect(await snapshot(t.db)).toEqual(before);
  });

  it("refuses an unknown currency (the Currency scalar names the field) and a manager", async () => {
    const before = await snapshot(t.db);
    const bad = await t.gql(UPDATE, { input: { currency: "XYZ" } }, acme.keys.admin);
    expect(bad.errors?.[0]?.message).toMatch(/input\.currency|currency/);
    expect(errorOf(await t.gql(UPDATE, { input: { name: "Mine" } }, acme.keys.manager)).code).toBe("FORBIDDEN");
    expect(await snapshot(t.db)).toEqual(before);
  });
});
