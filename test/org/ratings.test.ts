import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCompany, createTestApp, dataOf, type TestApp, type TestCompany } from "../helpers/app.js";
import { TEST_DB } from "../helpers/database.js";
import { auditActions, dbId, errorOf, globalId, snapshot } from "./support.js";

// Managers enter ratings through setRating; each is checked against the
// framework's rating item (level, scale, rating period), audited, and read by
// the next scorecard (the data version moves, so no cached value is served).
describe(`setRating and ratings (${TEST_DB})`, () => {
  let t: TestApp;
  let acme: TestCompany;
  let other: TestCompany;
  let north = "";
  let ann = "";
  let bo = "";
  let theirs = "";

  const SET = `mutation($input: SetRatingInput!) { setRating(input: $input) {
    id item score scale periodStart periodEnd ratedBy ratedAt comment member { name } team { name } } }`;
  const CARD = `query($m: ID!) { node(id: $m) { ... on Member {
    scorecard(framework: "review", period: { grain: MONTH, date: "2026-10-15" }) { total items { id value score } } } } }`;

  type Card = { node: { scorecard: { total: number | null; items: { id: string; value: number | null; score: number | null }[] } } };

  beforeAll(async () => {
    t = await createTestApp();
    acme = await createCompany(t.db, "acme", { timeZone: "Asia/Shanghai", currency: "CNY" });
    other = await createCompany(t.db, "other");
    const admin = acme.keys.admin;
    north = dataOf(await t.gql<{ createTeam: { id: string } }>(`mutation { createTeam(name: "North") { id } }`, {}, admin)).createTeam.id;
    const member = (name: string, key = admin, team: string | null = north) =>
      t.gql<{ createMember: { id: string } }>("mutation($i: CreateMemberInput!) { createMember(input: $i) { id } }", { i: { name, team } }, key).then((r) => dataOf(r).createMember.id);
    ann = await member("Ann");
    bo = await member("Bo");
    theirs = await member("Theirs", other.keys.admin, null);
    dataOf(
      await t.gql(`mutation($d: JSON!) { createFramework(document: $d, effectiveFrom: "2000-01-01T00:00:00Z") { key } }`, {
        d: {
          key: "review", name: "Monthly review", level: "member",
          items: [
            { rating: "communication", name: "Communication", weight: 1, scale: 5 },
            { rating: "teamwork", weight: 1, scale: 10, period: "quarter" },
          ],
        },
      }, admin),
    );
  });
  afterAll(() => t.close());

  it("sets a rating that the member's scorecard reads at once, and replaces it when set again", async () => {
    // Before: no rating, no total (the result cache now holds this empty answer).
    const before = dataOf(await t.gql<Card>(CARD, { m: ann }, acme.keys.viewer));
    expect(before.node.scorecard.total).toBeNull();

    const r = dataOf(
      await t.gql<{ setRating: Record<string, unknown> }>(SET, {
        input: { framework: "review", item: "communication", subject: ann, period: { grain: "MONTH", date: "2026-10-20" }, score: 4, comment: "clear weekly reports" },
      }, acme.keys.manager),
    ).setRating;
    // October in Asia/Shanghai (UTC+8): 2026-10-01T00:00+08 = 2026-09-30T16:00Z to 2026-10-31T16:00Z.
    expect(r).toMatchObject({
      item: "communication", score: 4, scale: 5, periodStart: "2026-09-30T16:00:00.000Z", periodEnd: "2026-10-31T16:00:00.000Z",
      ratedBy: "manager key", comment: "clear weekly reports", member: { name: "Ann" }, team: null,
    });
    // A Relay node: refetchable by its global ID.
    const node = dataOf(await t.gql<{ node: { score: number } }>("query($id: ID!) { node(id: $id) { ... on Rating { score } } }", { id: r.id }, acme.keys.manager));
    expect(node.node.score).toBe(4);

    // communication: 4 / 5 × 100 = 80, scored on target 100 (worst 0) → 80; teamwork has no rating:
    // renormalised, the total is communication's alone: 80.
    const after = dataOf(await t.gql<Card>(CARD, { m: ann }, acme.keys.viewer));
    expect(after.node.scorecard.items.find((i) => i.id === "rating:communication")).toEqual({ id: "rating:communication", value: 4, score: 80 }); // value on the item's own 1–5 scale
    expect(after.node.scorecard.total).toBe(80);

    // Set again for the same subject, item and period: replaced (3 / 5 × 100 = 60), one row.
    dataOf(await t.gql(SET, { input: { framework: "review", item: "communication", subject: ann, period: { grain: "MONTH", date: "2026-10-01" }, score: 3, ratedBy: "Wang Li" } }, acme.keys.manager));
    const again = dataOf(await t.gql<Card>(CARD, { m: ann }, acme.keys.viewer));
    expect(again.node.scorecard.total).toBe(60);
    expect(await t.db.prisma.rating.count({ where: { companyId: acme.id } })).toBe(1);
    expect((await auditActions(t.db, acme.id)).filter((a) => a === "rating.set")).toHaveLength(2);
  });

  it("accepts a quarterly item's whole quarter, and a custom range that is exactly one whole period", async () => {
    // teamwork is rated per quarter: Q4 2026. 8 / 10 × 100 = 80.
    dataOf(await t.gql(SET, { input: { framework: "review", item: "teamwork", subject: bo, period: { grain: "QUARTER", date: "2026-11-11" }, score: 8 } }, acme.keys.admin));
    // A custom range covering exactly November is one whole month.
    dataOf(await t.gql(SET, { input: { framework: "review", item: "communication", subject: bo, period: { grain: "CUSTOM", from: "2026-11-01", to: "2026-11-30" }, score: 5 } }, acme.keys.admin));
    // October scorecard of Bo: teamwork's quarter starts 1 October → value 80, score 80; no October
    // communication rating (November's is not in October) → total 80.
    const card = dataOf(await t.gql<Card>(CARD, { m: bo }, acme.keys.viewer));
    expect(card.node.scorecard.items.find((i) => i.id === "rating:teamwork")?.value).toBe(8); // on its own 1–10 scale (score 80)
    expect(card.node.scorecard.total).toBe(80);
  });

  it("lists the ratings with who rated and when, filtered by subject, item and period", async () => {
    const q = `query($f: RatingFilter) { company { ratings(filter: $f) { totalCount edges { node { item score ratedBy ratedAt member { name } } } } } }`;
    type R = { company: { ratings: { totalCount: number; edges: { node: { item: string; score: number; ratedBy: string; ratedAt: string; member: { name: string } } }[] } } };
    const all = dataOf(await t.gql<R>(q, {}, acme.keys.manager)).company.ratings;
    expect(all.totalCount).toBe(3);
    const anns = dataOf(await t.gql<R>(q, { f: { subject: ann } }, acme.keys.manager)).company.ratings;
    expect(anns.edges.map((e) => [e.node.item, e.node.score, e.node.ratedBy, e.node.member.name])).toEqual([["communication", 3, "Wang Li", "Ann"]]);
    expect(Date.parse(anns.edges[0]!.node.ratedAt)).toBeGreaterThan(Date.now() - 600_000);
    const nov = dataOf(await t.gql<R>(q, { f: { period: { grain: "MONTH", date: "2026-11-05" }, item: "communication" } }, acme.keys.manager)).company.ratings;
    expect(nov.edges.map((e) => [e.node.member.name, e.node.score])).toEqual([["Bo", 5]]);
    // Viewers see scores through scorecards, not the managers' ratings and comments.
    expect(errorOf(await t.gql(q, {}, acme.keys.viewer)).code).toBe("FORBIDDEN");
  });

  describe("refusals: a coded error naming the field, nothing written", () => {
    const base = () => ({ framework: "review", item: "communication", subject: ann, period: { grain: "MONTH", date: "2026-12-01" }, score: 4 });
    const cases: [string, () => Record<string, unknown>, string, string, RegExp][] = [
      ["a score above the item's scale", () => ({ ...base(), score: 6 }), "OUT_OF_SCALE", "input.score", /6 is outside the scale of "communication": 1–5/],
      ["a score below 1", () => ({ ...base(), score: 0 }), "OUT_OF_SCALE", "input.score", /1–5/],
      ["an unknown item", () => ({ ...base(), item: "charisma" }), "UNKNOWN_RATING_ITEM", "input.item", /no rating item "charisma" \(it has communication, teamwork\)/],
      ["an unknown framework", () => ({ ...base(), framework: "nope" }), "NOT_FOUND", "input.framework", /no framework "nope"/],
      ["a subject of the wrong level (a team for a member framework)", () => ({ ...base(), subject: north }), "WRONG_LEVEL", "input.subject", /rates each member; this subject is a team/],
      ["a member of another company", () => ({ ...base(), subject: theirs }), "NOT_FOUND", "input.subject", /no such member in your company/],
      ["a member that does not exist", () => ({ ...base(), subject: globalId("Member") }), "NOT_FOUND", "input.subject", /no such member/],
      ["a quarter for a monthly item", () => ({ ...base(), period: { grain: "QUARTER", date: "2026-10-01" } }), "BAD_PERIOD", "input.period", /rated per month/],
      ["a custom range that is not a whole month", () => ({ ...base(), period: { grain: "CUSTOM", from: "2026-10-02", to: "2026-10-31" } }), "BAD_PERIOD", "input.period", /one whole month/],
      ["a month for a quarterly item", () => ({ ...base(), item: "teamwork", period: { grain: "MONTH", date: "2026-10-01" } }), "BAD_PERIOD", "input.period", /rated per quarter/],
      ["a malformed date", () => ({ ...base(), period: { grain: "MONTH", date: "2026-13-01" } }), "BAD_PERIOD", "input.period.date", /not a calendar date/],
    ];
    it.each(cases)("refuses %s", async (_what, input, code, field, message) => {
      const before = await snapshot(t.db);
      const e = errorOf(await t.gql(SET, { input: input() }, acme.keys.manager));
      expect(e).toMatchObject({ code, field });
      expect(e.message).toMatch(message);
      expect(await snapshot(t.db)).toEqual(before);
    });

    it("refuses a viewer", async () => {
      const before = await snapshot(t.db);
      expect(errorOf(await t.gql(SET, { input: base() }, acme.keys.viewer)).code).toBe("FORBIDDEN");
      expect(await snapshot(t.db)).toEqual(before);
      expect(dbId(ann)).toMatch(/^[0-9a-f-]{36}$/);
    });
  });
});
