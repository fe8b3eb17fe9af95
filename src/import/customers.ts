// Customer rows: read and cleaned into a CustomerInput. Blank cells stay null
// (they never erase what the database has); defaults are applied only when a
// customer is created. Owners, teams and campaigns are named in the file and
// looked up in the company's directory, loaded once per import.
import type { SqlDriver } from "../db/driver.js";
import { derivedId, Row, RowRejected } from "./row.js";
import type { StatEvent } from "./stats.js";
import { cleanLine } from "./text.js";

export interface CustomerInput {
  readonly line: number;
  /** Given in the file, or derived when the row has no external id, email or phone. */
  readonly externalId: string | null;
  /** Null when blank: a blank never erases the name a customer has. */
  readonly name: string | null;
  /** The name a new customer gets when the row has none (its email, phone or external id). */
  readonly fallbackName: string;
  readonly email: string | null;
  readonly phone: string | null;
  readonly segment: string | null;
  readonly lifecycleStage: string | null;
  readonly acquisitionChannel: string | null;
  readonly ownerMemberId: string | null;
  readonly ownerTeamId: string | null;
  readonly campaignId: string | null;
  readonly acquiredAt: string | null;
  readonly churnedAt: string | null;
  readonly notes: string | null;
  readonly attributes: Readonly<Record<string, unknown>> | null;
  readonly warnings: readonly string[];
  readonly events: readonly StatEvent[];
}

interface MemberEntry {
  id: string;
  teamId: string | null;
}

/** The company's members, teams and campaigns by the names a file may use. */
export class Directory {
  private constructor(
    private readonly membersByEmail: Map<string, MemberEntry>,
    /** null = two members share the name: ambiguous. */
    private readonly membersByName: Map<string, MemberEntry | null>,
    private readonly teams: Map<string, string>,
    private readonly campaigns: Map<string, string | null>,
  ) {}

  static async load(sql: Pick<SqlDriver, "query">, companyId: string): Promise<Directory> {
    const [members, teams, campaigns] = await Promise.all([
      sql.query<{ id: string; team_id: string | null; name: string; email: string | null }>(
        "SELECT id::text, team_id::text, name, email FROM members WHERE company_id = $1 ORDER BY created_at, id",
        [companyId],
      ),
      sql.query<{ id: string; name: string }>("SELECT id::text, name FROM teams WHERE company_id = $1", [companyId]),
      sql.query<{ id: string; name: string }>("SELECT id::text, name FROM campaigns WHERE company_id = $1 ORDER BY starts_at, id", [companyId]),
    ]);
    const byEmail = new Map<string, MemberEntry>();
    const byName = new Map<string, MemberEntry | null>();
    for (const m of members) {
      const entry = { id: m.id, teamId: m.team_id };
      if (m.email) byEmail.set(m.email.trim().toLowerCase(), entry);
      const key = m.name.trim().toLowerCase();
      byName.set(key, byName.has(key) ? null : entry);
    }
    const byCampaign = new Map<string, string | null>();
    for (const c of campaigns) {
      const key = c.name.trim().toLowerCase();
      byCampaign.set(key, byCampaign.has(key) ? null : c.id);
    }
    return new Directory(byEmail, byName, new Map(teams.map((t) => [t.name.trim().toLowerCase(), t.id])), byCampaign);
  }

  member(ref: string): MemberEntry | "ambiguous" | null {
    const key = ref.toLowerCase();
    const m = key.includes("@") ? this.membersByEmail.get(key) : this.membersByName.get(key);
    return m === null ? "ambiguous" : (m ?? null);
  }

  team(name: string): string | null {
    return this.teams.get(name.toLowerCase()) ?? null;
  }

  campaign(name: string): string | "ambiguous" | null {
    const c = this.campaigns.get(name.toLowerCase());
    return c === null ? "ambiguous" : (c ?? null);
  }
}

function attributesOf(row: Row): Record<string, unknown> | null {
  let out: Record<string, unknown> | null = null;
  const json = cleanLine(row.raw("attributes"));
  if (json !== null) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      throw new RowRejected("attributes is not valid JSON", "attributes");
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new RowRejected("attributes must be a JSON object", "attributes");
    out = { ...(parsed as Record<string, unknown>) };
  }
  for (const [name, raw] of row.cells.attributes()) {
    const v = cleanLine(raw);
    if (v !== null) (out ??= {})[name] = v;
  }
  return out;
}

export function readCustomer(row: Row, directory: Directory): CustomerInput {
  const email = row.email("email");
  const phone = row.phone("phone");
  let externalId = row.id("external_id");
  const name = row.text("name", false, 300);
  const acquiredAt = row.date("acquired_at");
  const churnedAt = row.date("churned_at");
  if (acquiredAt && churnedAt && churnedAt < acquiredAt) throw new RowRejected("churned_at is before acquired_at", "churned_at");
  const segment = row.vocab("segment", "customers.segment", null);
  const lifecycleStage = row.vocab("lifecycle_stage", "customers.lifecycle_stage", null);
  const acquisitionChannel = row.vocab("acquisition_channel", "customers.acquisition_channel", null);
  const notes = row.multiline("notes");
  const attributes = attributesOf(row);

  // 填补缺失值: a new customer needs a name; the identity it was given stands in for it.
  const fallbackName = name ?? email ?? phone ?? externalId;
  if (fallbackName === null) throw new RowRejected("missing name (and no external_id, email or phone to stand in for it)", "name");
  if (externalId === null && email === null && phone === null) {
    // Nothing to recognise this customer by on a rerun: its content is its identity.
    externalId = derivedId("customers", [fallbackName, segment, lifecycleStage, acquisitionChannel, acquiredAt?.toISOString() ?? null, notes]);
    row.events.push({ k: "derived" });
  }

  let ownerMemberId: string | null = null;
  let ownerTeamId: string | null = null;
  const owner = row.text("owner", false, 300);
  if (owner !== null) {
    const m = directory.member(owner);
    if (m === "ambiguous") row.warnings.push(`owner "${owner}" names several members: left unassigned`);
    else if (m === null) row.warnings.push(`owner "${owner}" is not a member: left unassigned`);
    else {
      ownerMemberId = m.id;
      ownerTeamId = m.teamId;
    }
  }
  const team = row.text("team", false, 300);
  if (team !== null) {
    const t = directory.team(team);
    if (t === null) row.warnings.push(`team "${team}" does not exist: left unassigned`);
    else ownerTeamId = t;
  }
  let campaignId: string | null = null;
  const campaign = row.text("campaign", false, 300);
  if (campaign !== null) {
    const c = directory.campaign(campaign);
    if (c === null || c === "ambiguous") row.warnings.push(`campaign "${campaign}" ${c === null ? "does not exist" : "names several campaigns"}: left empty`);
    else campaignId = c;
  }

  return {
    line: row.line,
    externalId,
    name,
    fallbackName,
    email,
    phone,
    segment,
    lifecycleStage,
    acquisitionChannel,
    ownerMemberId,
    ownerTeamId,
    campaignId,
    acquiredAt: acquiredAt?.toISOString() ?? null,
    churnedAt: churnedAt?.toISOString() ?? null,
    notes,
    attributes,
    warnings: row.warnings,
    events: row.events,
  };
}
