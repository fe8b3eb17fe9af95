// The company most KPI tests start from, declared instead of rebuilt by hand:
// a test app over a fresh database, one company with a key per role, its teams,
// members and customers by name — then the test writes its own facts with the
// IDs this returns.
//
//   const f = await companyFixture({
//     slug: "service", timeZone: "UTC",
//     teams: ["A", "B"],
//     members: { Mia: "A" },
//     customers: { c1: { team: "A", member: "Mia", acquired: "2025-06-01" }, p1: { team: "B" } },
//   });
//   f.teams.A, f.members.Mia, f.customers.c1   // database UUIDs, for writing facts
//   f.metrics.company("revenue", month("2026-03-01"))  // through the GraphQL endpoint
import type { Prisma } from "../../src/generated/prisma/client.js";
import { createCompany, createTestApp, type TestApp, type TestCompany } from "./app.js";
import { metricClient, type MetricClient, type Subjects } from "../plugins/helpers.js";

export interface CustomerSpec {
  /** Owning team, by name. */
  team?: string;
  /** Owning member, by name. */
  member?: string;
  /** UTC instant; a bare date means its midnight UTC. Omitted = a prospect (never acquired). */
  acquired?: string;
  churned?: string;
  lifecycleStage?: string;
  campaignId?: string;
  /** Any other column (segment, externalId, attributes …). */
  data?: Partial<Prisma.CustomerUncheckedCreateInput>;
}

export interface CompanyFixtureSpec {
  slug: string;
  timeZone?: string;
  currency?: string;
  /** Team names. */
  teams?: string[];
  /** Member name → team name (null: no team). */
  members?: Record<string, string | null>;
  /** Customer name → its owner and dates. */
  customers?: Record<string, CustomerSpec>;
}

export interface CompanyFixture {
  t: TestApp;
  co: TestCompany;
  prisma: TestApp["db"]["prisma"];
  /** Database UUIDs by name. */
  teams: Record<string, string>;
  members: Record<string, string>;
  customers: Record<string, string>;
  /** KPIs through the GraphQL endpoint with the company's viewer key. */
  metrics: MetricClient;
  /** Relay global IDs of the teams, members and customers by name (one query, on first use). */
  subjects(): Promise<Subjects>;
  close(): Promise<void>;
}

/** A bare date is that day's midnight UTC; an instant without a zone is UTC. */
export function utc(value: string): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return new Date(`${value}T00:00:00Z`);
  return new Date(/[zZ]|[+-]\d{2}:\d{2}$/.test(value) ? value : `${value}Z`);
}

function must(map: Record<string, string>, name: string, what: string): string {
  const id = map[name];
  if (!id) throw new Error(`company fixture: unknown ${what} "${name}"`);
  return id;
}

export async function companyFixture(spec: CompanyFixtureSpec): Promise<CompanyFixture> {
  const t = await createTestApp();
  try {
    const co = await createCompany(t.db, spec.slug, { timeZone: spec.timeZone ?? "UTC", currency: spec.currency });
    const p = t.db.prisma;
    const teams: Record<string, string> = {};
    for (const name of spec.teams ?? []) teams[name] = (await p.team.create({ data: { companyId: co.id, name } })).id;
    const members: Record<string, string> = {};
    for (const [name, team] of Object.entries(spec.members ?? {})) {
      const teamId = team === null ? null : must(teams, team, "team");
      members[name] = (await p.member.create({ data: { companyId: co.id, teamId, name } })).id;
    }
    const customers: Record<string, string> = {};
    // One at a time, in the order given: created_at then follows the declaration.
    for (const [name, c] of Object.entries(spec.customers ?? {})) {
      const row = await p.customer.create({
        data: {
          companyId: co.id,
          name,
          ownerTeamId: c.team ? must(teams, c.team, "team") : null,
          ownerMemberId: c.member ? must(members, c.member, "member") : null,
          acquiredAt: c.acquired ? utc(c.acquired) : null,
          churnedAt: c.churned ? utc(c.churned) : null,
          ...(c.lifecycleStage ? { lifecycleStage: c.lifecycleStage } : {}),
          ...(c.campaignId ? { campaignId: c.campaignId } : {}),
          ...c.data,
        },
      });
      customers[name] = row.id;
    }
    const metrics = metricClient(t, co);
    return { t, co, prisma: p, teams, members, customers, metrics, subjects: () => metrics.subjects(), close: () => t.close() };
  } catch (err) {
    await t.close();
    throw err;
  }
}
