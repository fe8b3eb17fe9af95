// A small company for the embed page suites: three teams with orders over
// several months and a manager's rating, a team framework (with a KPI whose
// name carries markup), a customer framework over customers with personal
// data, embed tokens, and a second company with its own token.
import { encodeGlobalID } from "@pothos/plugin-relay";
import { SignJWT } from "jose";
import { createCompany, dataOf, type TestApp, type TestCompany } from "../helpers/app.js";

export const MARCH = { grain: "MONTH", date: "2026-03-01" };
/** A KPI name that must come out escaped. */
export const HOSTILE_NAME = `Big <script>alert("x")</script> & "orders"`;
/** A team name with markup. */
export const HOSTILE_TEAM = `West <img src=x onerror=alert(1)>`;

export const CUSTOMERS = [
  { name: "Zhang Wei", email: "zhang.wei@example.com", phone: "+86 138 0013 8000" },
  { name: "Alice Martin", email: "alice.martin@example.org", phone: "+33 6 12 34 56 78" },
];

const BIG_ORDERS = {
  key: "big_orders",
  name: HOSTILE_NAME,
  unit: "count",
  subjects: ["company", "team", "member", "customer"],
  measures: { big: { source: "orders", aggregate: "count", where: { amount: { gte: 100 } } } },
  formula: "big",
  score: { method: "bands", bands: [{ min: 2, score: 100 }, { min: 1, score: 50 }, { min: 0, score: 0 }] },
  weight: 0.2,
};

export const TEAM_FRAMEWORK = {
  key: "team_review",
  name: "Team review",
  level: "team",
  items: [
    { kpi: "revenue", weight: 2, score: { method: "target", target: 1000, worst: 0 } },
    { kpi: "big_orders", weight: 1 },
    { rating: "communication_quality", name: "Communication quality", weight: 1, scale: 5 },
  ],
  missing: "renormalize",
};

const CUSTOMER_FRAMEWORK = {
  key: "customer_value",
  name: "Customer value",
  level: "customer",
  items: [
    { kpi: "revenue", weight: 1, score: { method: "target", target: 500, worst: 0 } },
    { kpi: "big_orders", weight: 1 },
  ],
};

export interface EmbedFixture {
  co: TestCompany;
  other: TestCompany;
  /** Team name → global ID. */
  teams: Record<string, string>;
  customerIds: string[];
  /** Embed token for the North team, team_review. */
  north: { token: string; id: string };
  /** Embed token for North and the hostile-named team. */
  two: { token: string; id: string };
  /** Embed token for both customers, customer_value. */
  customers: { token: string; id: string };
  /** The other company's token for its own team. */
  foreign: { token: string; id: string };
}

const ISSUE = `mutation($f: String!, $s: [ID!]!) { createEmbedToken(framework: $f, subjects: $s) { token embedToken { id } } }`;

export async function issue(t: TestApp, key: string, framework: string, subjects: string[]): Promise<{ token: string; id: string }> {
  const r = dataOf(await t.gql<{ createEmbedToken: { token: string; embedToken: { id: string } } }>(ISSUE, { f: framework, s: subjects }, key)).createEmbedToken;
  return { token: r.token, id: r.embedToken.id };
}

export async function seedEmbedCompany(t: TestApp, slug = "embedco"): Promise<EmbedFixture> {
  const co = await createCompany(t.db, slug);
  const other = await createCompany(t.db, `${slug}-other`);
  const p = t.db.prisma;
  const orders: Record<string, [string, string][]> = {
    North: [["600", "2026-03-05"], ["200", "2026-03-12"], ["500", "2026-02-09"], ["900", "2026-01-20"], ["150", "2025-12-03"]],
    South: [["300", "2026-03-07"], ["700", "2026-02-10"]],
    [HOSTILE_TEAM]: [["50", "2026-03-09"]],
  };
  const customerIds: string[] = [];
  for (const [name, list] of Object.entries(orders)) {
    const team = await p.team.create({ data: { companyId: co.id, name } });
    const member = await p.member.create({ data: { companyId: co.id, teamId: team.id, name: `${name} lead` } });
    const person = CUSTOMERS[customerIds.length];
    const customer = await p.customer.create({
      data: { companyId: co.id, name: person?.name ?? `${name} customer`, email: person?.email, phone: person?.phone, ownerTeamId: team.id, ownerMemberId: member.id },
    });
    customerIds.push(customer.id);
    for (const [amount, day] of list) {
      await p.order.create({
        data: { companyId: co.id, customerId: customer.id, teamId: team.id, memberId: member.id, amount, product: "p", category: "c", channel: "web", at: new Date(`${day}T10:00:00Z`) },
      });
    }
  }
  const north = (await p.team.findFirstOrThrow({ where: { companyId: co.id, name: "North" } })).id;
  await p.rating.create({
    data: { companyId: co.id, subjectType: "team", teamId: north, item: "communication_quality", score: 4, scale: 5,
      periodStart: new Date("2026-03-01T00:00:00Z"), periodEnd: new Date("2026-04-01T00:00:00Z") },
  });
  const otherTeam = await p.team.create({ data: { companyId: other.id, name: "Elsewhere" } });
  await p.order.create({
    data: { companyId: other.id, customerId: (await p.customer.create({ data: { companyId: other.id, name: "x", ownerTeamId: otherTeam.id } })).id,
      teamId: otherTeam.id, amount: "999", product: "p", category: "c", channel: "web", at: new Date("2026-03-03T00:00:00Z") },
  });

  dataOf(await t.gql(`mutation($d: JSON!) { registerMetricPlugin(document: $d) { key } }`, { d: BIG_ORDERS }, co.keys.admin));
  for (const fw of [TEAM_FRAMEWORK, CUSTOMER_FRAMEWORK]) {
    dataOf(await t.gql(`mutation($d: JSON!) { createFramework(document: $d, effectiveFrom: "2000-01-01T00:00:00Z") { key } }`, { d: fw }, co.keys.admin));
  }
  dataOf(await t.gql(`mutation($d: JSON!) { createFramework(document: $d, effectiveFrom: "2000-01-01T00:00:00Z") { key } }`, { d: { ...TEAM_FRAMEWORK, items: [TEAM_FRAMEWORK.items[0]] } }, other.keys.admin));

  const teams: Record<string, string> = {};
  for (const team of dataOf(await t.gql<{ company: { teams: { id: string; name: string }[] } }>("{ company { teams { id name } } }", {}, co.keys.admin)).company.teams) {
    teams[team.name] = team.id;
  }
  const customerGids = customerIds.slice(0, 2).map((id) => encodeGlobalID("Customer", id));
  const otherGid = dataOf(await t.gql<{ company: { teams: { id: string }[] } }>("{ company { teams { id } } }", {}, other.keys.admin)).company.teams[0]!.id;
  return {
    co,
    other,
    teams,
    customerIds,
    north: await issue(t, co.keys.admin, "team_review", [teams.North!]),
    two: await issue(t, co.keys.admin, "team_review", [teams.North!, teams[HOSTILE_TEAM]!]),
    customers: await issue(t, co.keys.admin, "customer_value", customerGids),
    foreign: await issue(t, other.keys.admin, "team_review", [otherGid]),
  };
}

/** A token in the right shape, signed with another secret (issued by another installation). */
export async function foreignSignedToken(jti: string, companyId: string): Promise<string> {
  return new SignJWT({ cid: companyId })
    .setProtectedHeader({ alg: "HS256" })
    .setJti(jti)
    .setIssuer("yardstick")
    .setAudience("yardstick-embed")
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode("another-installation-secret-0123456789"));
}

/** Moves a token's expiry (the database row's) into the past. */
export async function expireToken(t: TestApp, id: string): Promise<void> {
  // Through SQL: the row's uuid[] column is one the PGlite Prisma adapter cannot read back.
  await t.db.prisma.$executeRaw`UPDATE embed_tokens SET expires_at = now() - interval '1 minute' WHERE id = ${id}::uuid`;
}

export const SETTINGS = `mutation($i: CompanySettingsInput!) { updateCompanySettings(input: $i) { settings } }`;

export const SCORECARDS = `query($p: PeriodInput!) { embeddedScorecards(period: $p) {
  subjectId subjectName total grade rank peerCount change items { id name value score target } } }`;

export type ApiCard = {
  subjectId: string;
  subjectName: string;
  total: number | null;
  grade: string | null;
  rank: number | null;
  peerCount: number;
  change: number | null;
  items: { id: string; name: string; value: number | null; score: number | null; target: number | null }[];
};

/** What a page must never carry: stack frames, source paths, SQL, internal error names. */
export const LEAKS = /\bat \S+ \(|\.ts:\d+|node_modules|SELECT |EmbedTokenError|JWSSignatureVerificationFailed|TypeError|stack/i;
