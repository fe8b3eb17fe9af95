// Looking up what rows name, inside the batch's transaction and scoped to the
// company: teams by name, members by email or name, campaigns by external id or
// name, opportunities by external id. Names compare case-insensitively; a name
// that several records share is reported as ambiguous, never guessed.
import type { SqlDriver } from "../db/driver.js";

type Exec = Pick<SqlDriver, "query">;

export const nameKey = (s: string) => s.trim().toLowerCase();

/** Team ids by lower-cased name (team names are unique per company). */
export async function teamsByName(tx: Exec, companyId: string, names: Iterable<string>): Promise<Map<string, string>> {
  const keys = [...new Set([...names].map(nameKey))];
  if (keys.length === 0) return new Map();
  const rows = await tx.query<{ id: string; k: string }>("SELECT id::text, lower(name) AS k FROM teams WHERE company_id = $1 AND lower(name) = ANY($2::text[])", [companyId, keys]);
  return new Map(rows.map((r) => [r.k, r.id]));
}

export interface MemberHit {
  id: string;
  teamId: string | null;
  name: string;
  email: string | null;
}

/**
 * Members by reference: a reference with "@" is an email, else a name. The answer maps the
 * lower-cased reference to the member, or to the members it matches when there are several.
 */
export async function membersByRef(tx: Exec, companyId: string, refs: Iterable<string>): Promise<Map<string, MemberHit[]>> {
  const keys = [...new Set([...refs].map(nameKey))];
  const out = new Map<string, MemberHit[]>();
  if (keys.length === 0) return out;
  const rows = await tx.query<{ id: string; team_id: string | null; name: string; email: string | null }>(
    `SELECT id::text, team_id::text, name, email FROM members
      WHERE company_id = $1 AND (lower(email) = ANY($2::text[]) OR lower(name) = ANY($2::text[]))
      ORDER BY created_at, id`,
    [companyId, keys],
  );
  for (const k of keys) {
    const byEmail = k.includes("@");
    const hits = rows.filter((r) => (byEmail ? r.email?.toLowerCase() === k : r.name.toLowerCase() === k));
    out.set(k, hits.map((r) => ({ id: r.id, teamId: r.team_id, name: r.name, email: r.email })));
  }
  return out;
}

/** One member for a reference, or the reason there is none (unknown, ambiguous). */
export function oneMember(hits: Map<string, MemberHit[]>, ref: string, column: string): MemberHit | { error: string; field: string } {
  const list = hits.get(nameKey(ref)) ?? [];
  if (list.length === 1) return list[0]!;
  if (list.length === 0) return { error: `unknown member: ${column} "${ref}"`, field: column };
  return { error: `ambiguous member: ${column} "${ref}" names ${list.length} members (use the email)`, field: column };
}

/** Campaign ids by reference: its external id, else its name (lower-cased); several = ambiguous. */
export async function campaignsByRef(tx: Exec, companyId: string, refs: Iterable<string>): Promise<Map<string, string[]>> {
  const given = [...new Set(refs)];
  const out = new Map<string, string[]>();
  if (given.length === 0) return out;
  const rows = await tx.query<{ id: string; external_id: string | null; k: string }>(
    `SELECT id::text, external_id, lower(name) AS k FROM campaigns
      WHERE company_id = $1 AND (external_id = ANY($2::text[]) OR lower(name) = ANY($3::text[]))
      ORDER BY starts_at, id`,
    [companyId, given, given.map(nameKey)],
  );
  for (const ref of given) {
    const byId = rows.filter((r) => r.external_id === ref);
    out.set(ref, (byId.length > 0 ? byId : rows.filter((r) => r.k === nameKey(ref))).map((r) => r.id));
  }
  return out;
}

export interface OpportunityHit {
  id: string;
  customerId: string;
  teamId: string | null;
  memberId: string | null;
}

export async function opportunitiesByExternalId(tx: Exec, companyId: string, ids: Iterable<string>): Promise<Map<string, OpportunityHit>> {
  const list = [...new Set(ids)];
  if (list.length === 0) return new Map();
  const rows = await tx.query<{ external_id: string; id: string; customer_id: string; team_id: string | null; member_id: string | null }>(
    `SELECT external_id, id::text, customer_id::text, team_id::text, member_id::text FROM opportunities
      WHERE company_id = $1 AND external_id = ANY($2::text[])`,
    [companyId, list],
  );
  return new Map(rows.map((r) => [r.external_id, { id: r.id, customerId: r.customer_id, teamId: r.team_id, memberId: r.member_id }]));
}
