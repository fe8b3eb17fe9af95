// Who is calling. Every resolver and every SQL statement is scoped to
// viewer.companyId; nothing in the API accepts a company id from the client.
export const ROLES = ["admin", "manager", "viewer"] as const;
export type Role = (typeof ROLES)[number];

export interface Viewer {
  companyId: string;
  role: Role;
  /** The API key that authenticated the request (for audit). */
  keyId: string;
  /** The company's time zone, read with the key (periods are cut in it). */
  timeZone: string;
  /** The company's catalogue version, read with the key (cache staleness). */
  catalogVersion: number;
}

/** admin ⊃ manager ⊃ viewer. */
export function hasRole(viewer: Viewer | null, needed: Role): boolean {
  if (!viewer) return false;
  return ROLES.indexOf(viewer.role) <= ROLES.indexOf(needed);
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
