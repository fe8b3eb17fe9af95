// Companies: the rules for a company's identity (slug, name, time zone,
// currency) and its provisioning (the company row and its first admin key in
// one transaction). Shared by the `npm run company` CLI and the admin's
// updateCompanySettings mutation, so both refuse the same values for the same
// reasons. No GraphQL here.
import { IANAZone } from "luxon";
import { issueApiKey } from "../auth/api-keys.js";
import type { Role } from "../auth/viewer.js";
import type { Prisma, PrismaClient } from "../generated/prisma/client.js";

/** A value refused, with the option/field it came from and why. */
export class CompanyInputError extends Error {
  constructor(
    readonly field: "slug" | "name" | "timeZone" | "currency" | "role",
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

/** The slug is already taken (checked before writing, and again by the unique index). */
export class CompanyExists extends Error {
  constructor(readonly slug: string) {
    super(`slug: a company with slug "${slug}" already exists`);
  }
}

export class CompanyNotFound extends Error {
  constructor(readonly slug: string) {
    super(`slug: no company with slug "${slug}"`);
  }
}

// The seed's rule (src/seed/generate.ts): URL- and shell-safe, starts with a letter or digit.
const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;
const CONTROL = /[\u0000-\u001f\u007f]/;
// Current ISO 4217 codes as the runtime's ICU knows them (Node ships full ICU).
const CURRENCIES = new Set(Intl.supportedValuesOf("currency"));

export function checkSlug(slug: string): string {
  if (!SLUG.test(slug)) throw new CompanyInputError("slug", `"${slug.slice(0, 80)}" is not a slug: 1–63 lower-case letters, digits and dashes, starting with a letter or digit`);
  return slug;
}

export function checkName(name: string): string {
  const trimmed = name.normalize("NFC").trim();
  if (!trimmed || trimmed.length > 200 || CONTROL.test(trimmed)) throw new CompanyInputError("name", "must be 1–200 characters, without control characters");
  return trimmed;
}

/** An IANA zone name (Asia/Shanghai, Europe/Paris, UTC); fixed offsets and abbreviations are refused. */
export function checkTimeZone(zone: string): string {
  // IANAZone.isValidZone accepts any zone ICU can resolve; names must look like IANA ids too
  // (ICU also resolves "EST" and the like, which are not what a company means).
  if (!/^[A-Za-z][A-Za-z0-9_+\-]*(\/[A-Za-z0-9_+\-]+)*$/.test(zone) || !IANAZone.isValidZone(zone)) {
    throw new CompanyInputError("timeZone", `"${zone.slice(0, 80)}" is not an IANA time zone (e.g. Asia/Shanghai, Europe/Berlin, UTC)`);
  }
  // The canonical spelling (asia/shanghai → Asia/Shanghai).
  return new Intl.DateTimeFormat("en", { timeZone: zone }).resolvedOptions().timeZone;
}

/** An ISO 4217 alphabetic code; lower case is accepted and upper-cased. */
export function checkCurrency(code: string): string {
  const upper = code.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(upper) || !CURRENCIES.has(upper)) throw new CompanyInputError("currency", `"${code.slice(0, 80)}" is not an ISO 4217 currency code (e.g. CNY, USD, EUR)`);
  return upper;
}

export interface NewCompany {
  slug: string;
  name: string;
  timeZone: string;
  currency: string;
}

/** Checks every field; throws the first fault (nothing has been written). */
export function checkNewCompany(input: { slug?: string; name?: string; timeZone?: string; currency?: string }): NewCompany {
  if (input.slug === undefined) throw new CompanyInputError("slug", "is required");
  if (input.name === undefined) throw new CompanyInputError("name", "is required");
  return {
    slug: checkSlug(input.slug),
    name: checkName(input.name),
    timeZone: checkTimeZone(input.timeZone ?? "UTC"),
    currency: checkCurrency(input.currency ?? "USD"),
  };
}

export interface Provisioned {
  companyId: string;
  slug: string;
  keyId: string;
  /** The first ADMIN key: shown once, never stored in clear. */
  key: string;
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string; cause?: { code?: string } } | null;
  return e?.code === "P2002" || e?.cause?.code === "23505" || /unique constraint|duplicate key/i.test(e?.message ?? "");
}

/** Creates the company and its first admin key, audited, in one transaction. */
export async function provisionCompany(prisma: PrismaClient, input: NewCompany, actor = "cli"): Promise<Provisioned> {
  if (await prisma.company.findUnique({ where: { slug: input.slug }, select: { id: true } })) throw new CompanyExists(input.slug);
  try {
    return await prisma.$transaction(async (tx) => {
      const company = await tx.company.create({ data: input });
      const key = await issueApiKey(tx, { companyId: company.id, name: "first admin key", role: "admin" });
      await tx.auditEntry.create({ data: { companyId: company.id, actor, action: "company.create", target: company.id, details: { ...input } } });
      await tx.auditEntry.create({ data: { companyId: company.id, actor, action: "apiKey.create", target: key.id, details: { name: "first admin key", role: "admin" } } });
      return { companyId: company.id, slug: company.slug, keyId: key.id, key: key.key };
    });
  } catch (err) {
    // A concurrent create of the same slug lost the race on the unique index.
    if (isUniqueViolation(err)) throw new CompanyExists(input.slug);
    throw err;
  }
}

/** Issues another key for a company (e.g. the way back in for a locked-out admin), audited. */
export async function issueCompanyKey(prisma: PrismaClient, slug: string, role: Role, name: string, actor = "cli"): Promise<Provisioned> {
  const company = await prisma.company.findUnique({ where: { slug }, select: { id: true, slug: true } });
  if (!company) throw new CompanyNotFound(slug);
  return prisma.$transaction(async (tx: Prisma.TransactionClient) => {
    const key = await issueApiKey(tx, { companyId: company.id, name, role });
    await tx.auditEntry.create({ data: { companyId: company.id, actor, action: "apiKey.create", target: key.id, details: { name, role } } });
    return { companyId: company.id, slug: company.slug, keyId: key.id, key: key.key };
  });
}

export interface CompanyListing {
  slug: string;
  name: string;
  timeZone: string;
  currency: string;
  createdAt: Date;
  activeKeys: number;
}

export async function listCompanies(prisma: PrismaClient): Promise<CompanyListing[]> {
  const rows = await prisma.company.findMany({
    orderBy: { slug: "asc" },
    select: { slug: true, name: true, timeZone: true, currency: true, createdAt: true, _count: { select: { apiKeys: { where: { revokedAt: null } } } } },
  });
  return rows.map(({ _count, ...r }) => ({ ...r, activeKeys: _count.apiKeys }));
}
