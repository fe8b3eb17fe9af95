// Who is calling. Every resolver and every SQL statement is scoped to
// viewer.companyId; nothing in the API accepts a company id from the client.
export const ROLES = ["admin", "manager", "viewer"] as const;
export type Role = (typeof ROLES)[number];

export interface EmbedGrant {
  tokenId: string;
  frameworkKey: string;
  subjectIds: string[];
}

export interface Viewer {
  companyId: string;
  /** "embed": a portal's read-only token, which may read its one scorecard and nothing else. */
  role: Role | "embed";
  /** The API key or embed token that authenticated the request (for audit and rate limits). */
  keyId: string;
  /** The company's time zone, read with the key (periods are cut in it). */
  timeZone: string;
  /** The company's catalogue version, read with the key (cache staleness). */
  catalogVersion: number;
  /** The company's data version, read with the key (metric result cache staleness). */
  dataVersion: number;
  embed?: EmbedGrant;
}

/** admin ⊃ manager ⊃ viewer; an embed token holds none of them. */
export function hasRole(viewer: Viewer | null, needed: Role): boolean {
  if (!viewer || viewer.role === "embed") return false;
  return ROLES.indexOf(viewer.role) <= ROLES.indexOf(needed);
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
