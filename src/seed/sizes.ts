// How much demo data to generate. Per-customer behaviour rates do not depend on
// the size, so fact rows grow linearly with `customers` (≈ 21 fact rows per
// customer over 24 months) and team count only changes how they are split.

export interface SizeSpec {
  /** Sales teams. */
  readonly teams: number;
  /** Members per team (the first is the team's manager). */
  readonly membersPerTeam: number;
  /** Customer rows, prospects included. */
  readonly customers: number;
  /** Months of history ending at the reference date. */
  readonly months: number;
}

export const SIZES = {
  /** Seconds on in-memory PGlite: 4 teams, 24 members, ~26k fact rows. */
  demo: { teams: 4, membersPerTeam: 6, customers: 1_100, months: 24 },
  /** Benchmark scale: 50 teams, 500 members, 60k customers, ~1.3M fact rows. */
  large: { teams: 50, membersPerTeam: 10, customers: 60_000, months: 24 },
} as const satisfies Record<string, SizeSpec>;

export type SizeName = keyof typeof SIZES;

export function isSizeName(value: string): value is SizeName {
  return Object.prototype.hasOwnProperty.call(SIZES, value);
}

export function resolveSize(size: SizeName | SizeSpec): SizeSpec {
  const spec = typeof size === "string" ? SIZES[size] : size;
  if (spec === undefined) throw new Error(`unknown seed size "${String(size)}"`);
  const check = (field: keyof SizeSpec, min: number, max: number): void => {
    const v = spec[field];
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new Error(`seed size: ${field} must be an integer in [${min}, ${max}], got ${String(v)}`);
    }
  };
  check("teams", 1, 1_000);
  check("membersPerTeam", 1, 1_000);
  check("customers", 1, 10_000_000);
  check("months", 1, 120);
  return { teams: spec.teams, membersPerTeam: spec.membersPerTeam, customers: spec.customers, months: spec.months };
}
