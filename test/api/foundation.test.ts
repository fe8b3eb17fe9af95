import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCompany, createTestApp, dataOf, type TestApp, type TestCompany } from "../helpers/app.js";
import { TEST_DB } from "../helpers/database.js";

// The domain model through the real Yoga endpoint, on the database the run
// was given (PGlite or PostgreSQL).
describe(`GraphQL over the domain model (${TEST_DB})`, () => {
  let t: TestApp;
  let acme: TestCompany;
  let other: TestCompany;
  const teamIds: string[] = [];

  async function addCustomers(companyId: string, teamId: string, memberId: string, n: number, segment: string) {
    for (let i = 0; i < n; i++) {
      const c = await t.db.prisma.customer.create({
        data: {
          companyId, name: `${segment}-${i}`, email: `c${i}@example.com`, phone: "+8613800000000",
          segment, lifecycleStage: i % 2 ? "active" : "new", ownerTeamId: teamId, ownerMemberId: memberId,
          acquiredAt: new Date("2026-01-01T00:00:00Z"),
        },
      });
      await t.db.prisma.order.createMany({
        data: [1, 2].map((k) => ({
          companyId, customerId: c.id, teamId, memberId, amount: `${k * 10}.50`, currency: "USD",
          product: "p", category: "cat", channel: "web", at: new Date(`2026-0${k}-15T00:00:00Z`),
        })),
      });
    }
  }

  beforeAll(async () => {
    t = await createTestApp();
    acme = await createCompany(t.db, "acme");
    other = await createCompany(t.db, "other");
    for (const name of ["North", "South"]) {
      const team = await t.db.prisma.team.create({ data: { companyId: acme.id, name } });
      teamIds.push(team.id);
      const m = await t.db.prisma.member.create({ data: { companyId: acme.id, teamId: team.id, name: `${name} lead` } });
      await addCustomers(acme.id, team.id, m.id, name === "North" ? 3 : 2, name === "North" ? "enterprise" : "smb");
    }
    const ot = await t.db.prisma.team.create({ data: { companyId: other.id, name: "Elsewhere" } });
    const om = await t.db.prisma.member.create({ data: { companyId: other.id, teamId: ot.id, name: "x" } });
    await addCustomers(other.id, ot.id, om.id, 4, "enterprise");
  });
  afterAll(() => t.close());

  it("exposes health and readiness for load balancers", async () => {
    expect((await t.app.fetch("http://yardstick.test/health")).status).toBe(200);
    const ready = await t.app.fetch("http://yardstick.test/ready");
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready", database: t.db.kind });
  });

  it("refuses a request without a key, with a code", async () => {
    const res = await t.gql("{ company { name } }");
    expect(res.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("returns the caller's company, its teams and members", async () => {
    const data = dataOf(await t.gql<{ company: { slug: string; teams: { name: string; members: { name: string }[] }[] } }>(
      "{ company { slug teams { name members { name } } } }", {}, acme.keys.viewer));
    expect(data.company.slug).toBe("acme");
    expect(data.company.teams.map((x) => x.name)).toEqual(["North", "South"]);
    expect(data.company.teams[0]!.members[0]!.name).toBe("North lead");
  });

  it("pages customers as a Relay connection with filters", async () => {
    const q = `query($f: CustomerFilter, $after: String) { company { customers(first: 2, after: $after, filter: $f) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { name segment lifecycleStage } } } } }`;
    type R = { company: { customers: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string };
      edges: { node: { name: string; segment: string; lifecycleStage: string } }[] } } };
    const all = dataOf(await t.gql<R>(q, {}, acme.keys.viewer)).company.customers;
    expect(all.totalCount).toBe(5);
    expect(all.edges).toHaveLength(2);
    expect(all.pageInfo.hasNextPage).toBe(true);
    const next = dataOf(await t.gql<R>(q, { after: all.pageInfo.endCursor }, acme.keys.viewer)).company.customers;
    expect(next.edges.map((e) => e.node.name)).not.toContain(all.edges[0]!.node.name);

    const ent = dataOf(await t.gql<R>(q, { f: { segment: ["enterprise"] } }, acme.keys.viewer)).company.customers;
    expect(ent.totalCount).toBe(3);
    const fresh = dataOf(await t.gql<R>(q, { f: { lifecycleStage: ["NEW"] } }, acme.keys.viewer)).company.customers;
    expect(fresh.totalCount).toBe(3); // North 0,2 and South 0
    expect(fresh.edges.every((e) => e.node.lifecycleStage === "NEW")).toBe(true);
  });

  it("filters by team with a global ID", async () => {
    const teams = dataOf(await t.gql<{ company: { teams: { id: string; name: string }[] } }>(
      "{ company { teams { id name } } }", {}, acme.keys.viewer)).company.teams;
    const south = teams.find((x) => x.name === "South")!;
    const res = dataOf(await t.gql<{ company: { customers: { totalCount: number } } }>(
      "query($t: ID!) { company { customers(first: 10, filter: { team: $t }) { totalCount } } }", { t: south.id }, acme.keys.viewer));
    expect(res.company.customers.totalCount).toBe(2);
  });

  it("loads customers with their orders without N+1 statements", async () => {
    const q = `query($n: Int!) { company { customers(first: $n) { edges { node { name ownerTeam { name }
      orders(first: 5) { totalCount edges { node { amount { amount currency } at } } } } } } } }`;
    const count = async (n: number) => {
      const before = t.db.statements.count;
      const data = dataOf(await t.gql<{ company: { customers: { edges: { node: { orders: { totalCount: number } } }[] } } }>(
        q, { n }, acme.keys.viewer));
      return { statements: t.db.statements.count - before, rows: data.company.customers.edges };
    };
    const small = await count(1);
    const large = await count(5);
    expect(large.rows).toHaveLength(5);
    expect(large.rows.every((r) => r.node.orders.totalCount === 2)).toBe(true);
    // Key lookup + the nested query: the same number of statements for 1 or 5 customers.
    expect(large.statements).toBe(small.statements);
  });

  it("serialises money exactly and hides personal data from viewers", async () => {
    const q = `{ company { customers(first: 1, filter: { segment: ["smb"] }) { edges { node { email phone
      orders(first: 1) { edges { node { amount { amount currency } } } } } } } } }`;
    const asViewer = await t.gql<{ company: unknown }>(q, {}, acme.keys.viewer);
    expect(asViewer.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const asManager = dataOf(await t.gql<{ company: { customers: { edges: { node: { email: string;
      orders: { edges: { node: { amount: { amount: string; currency: string } } }[] } } }[] } } }>(q, {}, acme.keys.manager));
    const node = asManager.company.customers.edges[0]!.node;
    expect(node.email).toBe("c0@example.com");
    expect(node.orders.edges[0]!.node.amount).toEqual({ amount: "20.5", currency: "USD" });
  });

  it("treats another company's IDs as nonexistent", async () => {
    const foreign = dataOf(await t.gql<{ company: { teams: { id: string }[] } }>(
      "{ company { teams { id } } }", {}, other.keys.viewer)).company.teams[0]!.id;
    const res = await t.gql<{ node: unknown }>("query($id: ID!) { node(id: $id) { id } }", { id: foreign }, acme.keys.viewer);
    expect(res.data?.node ?? null).toBeNull();
    const filtered = dataOf(await t.gql<{ company: { customers: { totalCount: number } } }>(
      "query($t: ID!) { company { customers(first: 10, filter: { team: $t }) { totalCount } } }", { t: foreign }, acme.keys.viewer));
    expect(filtered.company.customers.totalCount).toBe(0);
  });
});
