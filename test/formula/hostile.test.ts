import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formulaPool } from "../../src/metrics/formula-pool.js";
import { createCompany, createTestApp, dataOf, type TestApp, type TestCompany } from "../helpers/app.js";
import { TEST_DB } from "../helpers/database.js";

// Issue 15 items 1–3: hostile formulas are refused at registration or stopped with FORMULA_LIMIT in
// a worker, while the process lives and another company's requests (and /health) are answered.
describe(`hostile formulas (${TEST_DB})`, () => {
  let t: TestApp;
  let evil: TestCompany;
  let good: TestCompany;
  const march = { grain: "MONTH", date: "2026-03-01" };
  const REGISTER = `mutation($d: JSON!) { registerMetricPlugin(document: $d) { key } }`;
  const doc = (key: string, formula: string) => ({
    key,
    name: key,
    unit: "count",
    subjects: ["company"],
    measures: { n: { source: "orders", aggregate: "count" } },
    formula,
    score: { method: "target", target: 1 },
  });
  // Hostile only where the company has orders (March): the dry run of this month passes and the
  // plugin is stored, as a plugin that turns hostile on some data would be.
  const armed = (f: string) => `n > 1 ? (${f}) : n`;
  const HOSTILE: Record<string, string> = {
    // one step nothing interrupts: a computed 9M range → the watchdog ends the worker
    computed_range: "$count($distinct([1..(n * 3000000)].($ % 1000)))",
    // catastrophic backtracking safe-regex2 does not flag: one step → watchdog
    regex_backtrack: '$count($match($join([1..40].("x")), /(x|xx)*y/))',
    deep_recursion: "($f := function($x) { $x > 100000 ? 0 : 1 + $f($x + 1) }; $f(n))",
    nested_maps: "$count([1..1000].([1..1000].([1..1000])))",
    huge_string: '$length($join([1..1000].($pad("", 1000000))))',
    endless_loop: "($f := function($x) { $f($x + 1) }; $f(n))",
  };

  beforeAll(async () => {
    t = await createTestApp();
    await formulaPool().warm();
    evil = await createCompany(t.db, "evil");
    good = await createCompany(t.db, "good");
    for (const co of [evil, good]) {
      const c = await t.db.prisma.customer.create({ data: { companyId: co.id, name: "c", acquiredAt: new Date("2026-01-01T00:00:00Z") } });
      for (const [amount, at] of [["100.00", "2026-03-03T00:00:00Z"], ["50.00", "2026-03-20T00:00:00Z"]] as const) {
        await t.db.prisma.order.create({ data: { companyId: co.id, customerId: c.id, amount, product: "p", category: "c", channel: "web", at: new Date(at) } });
      }
    }
    for (const [key, f] of Object.entries(HOSTILE)) {
      const res = await t.gql(REGISTER, { d: doc(key, armed(f)) }, evil.keys.admin);
      expect(res.errors, key).toBeUndefined();
    }
    // The other company's own JSONata formula (a block with a function: not on the fast path).
    expect((await t.gql(REGISTER, { d: doc("doubled", "($d := function($x) { $x * 2 }; $d(n))") }, good.keys.admin)).errors).toBeUndefined();
  }, 120_000);
  afterAll(() => t.close());

  it("refuses the report's formulas at validation, at once, storing nothing", async () => {
    const refused = {
      sorted_ranges: "$count($sort([1..10000, 10001..20000, 20001..30000, 30001..40000, 40001..50000, 50001..60000])) + n",
      distinct_ranges: "$count($distinct([1..5000, 5001..10000])) + n",
      regex: '$count($match("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", /(a+)+$/)) + n',
      evaluated: '$count($eval("[1..10000000]")) + n',
    };
    for (const [key, f] of Object.entries(refused)) {
      const t0 = Date.now();
      const res = await t.gql(REGISTER, { d: doc(key, f) }, evil.keys.admin);
      expect(res.errors?.[0]?.extensions?.code, key).toBe("INVALID_PLUGIN");
      expect(Date.now() - t0, key).toBeLessThan(3000);
    }
    expect(await t.db.prisma.metricPlugin.count({ where: { companyId: evil.id, key: { in: Object.keys(refused) } } })).toBe(0);
  });

  it("rejects a formula hostile on this month's data in the dry run, in the worker pool, within its budget", async () => {
    await t.db.prisma.order.create({
      data: { companyId: evil.id, customerId: (await t.db.prisma.customer.findFirstOrThrow({ where: { companyId: evil.id } })).id, amount: "1", product: "p", category: "c", channel: "web", at: new Date() },
    });
    const t0 = Date.now();
    const res = await t.gql(REGISTER, { d: doc("now_hostile", "$count($distinct([1..(n * 9000000)].($ % 1000)))") }, evil.keys.admin);
    expect(res.errors?.[0]?.extensions?.code).toBe("INVALID_PLUGIN");
    expect(res.errors?.[0]?.message).toMatch(/dry run failed: .*FORMULA_LIMIT|dry run failed: metric "now_hostile": formula/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it("stops each hostile formula with FORMULA_LIMIT while the other company and /health are answered", async () => {
    const before = { ...formulaPool().stats };
    const keys = Object.keys(HOSTILE);
    const hostile = t.gql<{ company: { metrics: ({ value: number | null } | null)[] } }>(
      `query($k: [String!]!, $p: PeriodInput!) { company { metrics(keys: $k, period: $p) { key value } } }`,
      { k: keys, p: march },
      evil.keys.viewer,
    );
    // Meanwhile: the other company's dashboard (fast path and its own JSONata formula) and /health.
    const others: Promise<void>[] = [];
    for (let i = 0; i < 3; i++) {
      others.push(
        t.gql<{ company: { metrics: { value: number }[] } }>(
          `query($p: PeriodInput!) { company { metrics(keys: ["revenue", "doubled"], period: $p) { value } } }`,
          { p: march },
          good.keys.viewer,
        ).then((r) => {
          // revenue: 100 + 50 = 150; doubled: 2 orders × 2 = 4
          expect(dataOf(r).company.metrics.map((m) => m.value)).toEqual([150, 4]);
        }),
      );
      others.push(
        Promise.resolve(t.app.fetch("http://yardstick.test/health")).then((r) => {
          expect(r.status).toBe(200);
        }),
      );
    }
    const [res] = await Promise.all([hostile, ...others]);
    const byPath = Object.fromEntries((res.errors ?? []).map((e) => [e.path?.join("."), e.extensions?.code]));
    expect(byPath).toEqual(Object.fromEntries(keys.map((_, i) => [`company.metrics.${i}.value`, "FORMULA_LIMIT"])));
    expect(res.data?.company.metrics.every((m) => m !== null && m.value === null)).toBe(true);
    // At least one needed its worker ended (the backtracking regex: by the watchdog, or the heap cap
    // when its backtracking stack outgrows the worker's heap first).
    const ended = formulaPool().stats.killed + formulaPool().stats.outOfMemory - before.killed - before.outOfMemory;
    expect(ended).toBeGreaterThanOrEqual(1);
    // The process is alive and the pool serves the next request.
    const after = dataOf(await t.gql<{ company: { metric: { value: number } } }>(`query($p: PeriodInput!) { company { metric(key: "doubled", period: $p) { value } } }`, { p: march }, good.keys.viewer));
    expect(after.company.metric.value).toBe(4);
  }, 60_000);
});
