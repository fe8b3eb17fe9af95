import { decodeGlobalID, encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, dataOf, type TestApp } from "../helpers/app.js";
import { TEST_DB } from "../helpers/database.js";
import { rowCounts } from "../auth/support.js";
import { CUSTOMERS, SCORECARDS, seedEmbedCompany, type ApiCard, type EmbedFixture } from "../embed/fixtures.js";

// An embed token sits in a portal's iframe URL: anyone who views the portal can
// lift it and ask the API directly. For a customer-level framework it must read
// no customer's name, email, phone or global ID — the same neutral "Customer n"
// the page shows — and nothing it reads may reach a customer by `node`.
describe(`embed tokens and customers' identities (${TEST_DB})`, () => {
  let t: TestApp;
  let f: EmbedFixture;
  const MARCH = { grain: "MONTH", date: "2026-03-01" };

  beforeAll(async () => {
    t = await createTestApp();
    f = await seedEmbedCompany(t, "piico");
  }, 120_000);
  afterAll(() => t.close());

  /** The raw answer to the token, as a visitor lifting it would read it. */
  async function lifted(query: string, variables: Record<string, unknown>, token: string) {
    const res = await t.app.fetch("http://yardstick.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const text = await res.text();
    return { status: res.status, text, body: JSON.parse(text) as { data?: { embeddedScorecards: ApiCard[] }; errors?: unknown[] } };
  }

  it("reads 'Customer n' and opaque IDs for a customer-level framework, never a name, contact or real ID", async () => {
    const before = await rowCounts(t.db);
    const res = await lifted(SCORECARDS, { p: MARCH }, f.customers.token);
    expect(res.status).toBe(200);
    const cards = res.body.data!.embeddedScorecards;
    expect(cards.map((c) => c.subjectName).sort()).toEqual(["Customer 1", "Customer 2"]);
    for (const c of cards) {
      const { typename, id } = decodeGlobalID(c.subjectId);
      expect(typename).toBe("EmbeddedSubject");
      expect(["1", "2"]).toContain(id);
    }
    for (const person of CUSTOMERS) {
      for (const secret of [person.name, person.email, person.phone]) expect(res.text).not.toContain(secret);
    }
    for (const id of f.customerIds) {
      expect(res.text).not.toContain(id);
      expect(res.text).not.toContain(encodeGlobalID("Customer", id));
    }
    // The numbers are still the customers' own (the token's purpose).
    expect(cards.some((c) => c.total !== null)).toBe(true);
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it("cannot turn what it read into a customer: node(id:) with the opaque ID, or with a real one, gives nothing", async () => {
    const cards = (await lifted(SCORECARDS, { p: MARCH }, f.customers.token)).body.data!.embeddedScorecards;
    for (const id of [cards[0]!.subjectId, encodeGlobalID("Customer", f.customerIds[0]!)]) {
      const res = await lifted(`query($id: ID!) { node(id: $id) { id ... on Customer { name email } } }`, { id }, f.customers.token);
      expect(res.text).not.toContain(CUSTOMERS[0]!.name);
      expect(res.body.data?.embeddedScorecards ?? null).toBeNull();
      const node = (res.body.data as { node?: unknown } | undefined)?.node ?? null;
      expect(node).toBeNull();
    }
  });

  it("still reads team names and team IDs for a team-level framework (nothing personal there)", async () => {
    const cards = dataOf(await t.gql<{ embeddedScorecards: ApiCard[] }>(SCORECARDS, { p: MARCH }, f.north.token)).embeddedScorecards;
    expect(cards.map((c) => c.subjectName)).toEqual(["North"]);
    expect(cards[0]!.subjectId).toBe(f.teams.North);
  });
});
