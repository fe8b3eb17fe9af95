import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT_IN_DIR } from "../../src/metrics/registry.js";
import { createCompany, createTestApp, dataOf, type TestApp, type TestCompany } from "../helpers/app.js";
import { TEST_DB } from "../helpers/database.js";

// Names and descriptions in English and Chinese: every built-in has both, a company's
// plugin may; metricDefinitions(locale:) serves them, falling back to English.
const files = readdirSync(BUILT_IN_DIR).filter((f) => f.endsWith(".json"));

describe("translations of the built-ins", () => {
  it.each(files)("%s has a Chinese name and description", (file) => {
    const doc = JSON.parse(readFileSync(path.join(BUILT_IN_DIR, file), "utf8")) as { translations?: { zh?: { name?: string; description?: string } } };
    expect(doc.translations?.zh?.name).toMatch(/[\u4e00-\u9fff]/);
    expect(doc.translations?.zh?.description).toMatch(/[\u4e00-\u9fff]/);
  });
});

describe(`metricDefinitions(locale:) (${TEST_DB})`, () => {
  let t: TestApp;
  let co: TestCompany;
  type Def = { key: string; name: string; description: string; translations: unknown };
  const defs = async (locale?: string) =>
    new Map(dataOf(await t.gql<{ metricDefinitions: Def[] }>(
      `{ metricDefinitions${locale ? `(locale: ${locale})` : ""} { key name description translations } }`, {}, co.keys.viewer)).metricDefinitions.map((d) => [d.key, d]));

  beforeAll(async () => {
    t = await createTestApp();
    co = await createCompany(t.db, "locale", { timeZone: "UTC" });
    const register = `mutation($d: JSON!) { registerMetricPlugin(document: $d) { key } }`;
    const base = { unit: "count", subjects: ["company"], measures: { n: { source: "orders", aggregate: "count" } }, formula: "n" };
    dataOf(await t.gql(register, { d: { ...base, key: "plain_orders", name: "Orders", description: "Orders placed." } }, co.keys.admin));
    dataOf(await t.gql(register, {
      d: { ...base, key: "named_orders", name: "Orders (named)", description: "Orders placed.", translations: { zh: { name: "订单数" } } },
    }, co.keys.admin));
  });
  afterAll(() => t.close());

  it("serves Chinese names and descriptions with locale: ZH, English by default", async () => {
    const zh = await defs("ZH");
    expect(zh.get("retention_rate")).toMatchObject({ name: "客户保留率" });
    expect(zh.get("retention_rate")!.description).toContain("期末客户数量");
    expect(zh.get("clv")!.name).toBe("客户生命周期价值(CLV)");
    const en = await defs();
    expect(en.get("retention_rate")!.name).toBe("Customer retention rate");
    expect((await defs("EN")).get("retention_rate")!.name).toBe("Customer retention rate");
  });

  it("falls back to English for a company's plugin without a translation, or for a missing description", async () => {
    const zh = await defs("ZH");
    expect(zh.get("plain_orders")).toMatchObject({ name: "Orders", description: "Orders placed.", translations: null });
    expect(zh.get("named_orders")).toMatchObject({ name: "订单数", description: "Orders placed.", translations: { zh: { name: "订单数" } } });
  });

  it("refuses a translation into a locale it does not know, with the path", async () => {
    const res = await t.gql(`mutation($d: JSON!) { registerMetricPlugin(document: $d) { key } }`, {
      d: { key: "bad_locale", name: "x", unit: "count", subjects: ["company"], measures: { n: { source: "orders", aggregate: "count" } }, formula: "n", translations: { fr: { name: "Commandes" } } },
    }, co.keys.admin);
    expect(res.errors?.[0]?.extensions?.code).toBe("INVALID_PLUGIN");
    expect(JSON.stringify(res.errors?.[0]?.extensions?.issues)).toContain("translations");
  });
});
