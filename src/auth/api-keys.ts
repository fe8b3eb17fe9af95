// API keys: ys_<prefix>_<secret>. The prefix finds the row; only a SHA-256 of
// the secret is stored (the secret is 32 random bytes, so a slow hash adds
// nothing), compared in constant time. The full key is returned once.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Prisma, PrismaClient } from "../generated/prisma/client.js";
import { isRole, type Role, type Viewer } from "./viewer.js";

const KEY_PATTERN = /^ys_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

export interface IssuedKey {
  id: string;
  key: string;
  prefix: string;
}

export async function issueApiKey(
  prisma: Pick<PrismaClient, "apiKey"> | Prisma.TransactionClient,
  input: { companyId: string; name: string; role: Role },
  random: (n: number) => Buffer = randomBytes,
): Promise<IssuedKey> {
  const prefix = random(9).toString("base64url").replace(/[-_]/g, "x").slice(0, 12);
  const secret = random(32).toString("base64url");
  const row = await prisma.apiKey.create({
    data: { companyId: input.companyId, name: input.name, role: input.role, prefix, secretHash: hashSecret(secret) },
  });
  return { id: row.id, key: `ys_${prefix}_${secret}`, prefix };
}

/** The prefix of a well-formed key (for per-prefix throttling), else null. */
export function apiKeyPrefix(key: string): string | null {
  return KEY_PATTERN.exec(key)?.[1] ?? null;
}

/** Compared against when the prefix is unknown, so a known and an unknown prefix cost the same work. */
const NO_KEY_HASH = hashSecret(randomBytes(32).toString("base64url"));

/**
 * The viewer a bearer key stands for, or null when it is unknown, malformed or revoked.
 * A known prefix with a wrong secret and an unknown prefix do the same work (one indexed
 * lookup, one hash, one constant-time comparison): the answer's timing does not tell an
 * attacker which prefixes exist. The company is read only once the key proved valid.
 */
export async function authenticateApiKey(prisma: PrismaClient, key: string): Promise<Viewer | null> {
  const m = KEY_PATTERN.exec(key);
  if (!m) return null;
  const row = await prisma.apiKey.findUnique({
    where: { prefix: m[1]! },
    select: { id: true, companyId: true, role: true, secretHash: true, revokedAt: true, lastUsedAt: true },
  });
  const given = Buffer.from(hashSecret(m[2]!), "hex");
  const stored = Buffer.from(row?.secretHash ?? NO_KEY_HASH, "hex");
  const matches = given.length === stored.length && timingSafeEqual(given, stored);
  if (!row || !matches || row.revokedAt || !isRole(row.role)) return null;
  const company = await prisma.company.findUnique({ where: { id: row.companyId }, select: { timeZone: true, catalogVersion: true, dataVersion: true } });
  if (!company) return null;
  await touchLastUsed(prisma, row.id, row.lastUsedAt);
  return {
    companyId: row.companyId,
    role: row.role,
    keyId: row.id,
    timeZone: company.timeZone,
    catalogVersion: company.catalogVersion,
    dataVersion: company.dataVersion,
  };
}

/** How stale `last_used_at` may get: one write a minute per key, not one per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** Records that a key was used, at most once a minute; a failed write never fails the request. */
async function touchLastUsed(prisma: PrismaClient, keyId: string, lastUsedAt: Date | null): Promise<void> {
  const now = Date.now();
  if (lastUsedAt && now - lastUsedAt.getTime() < LAST_USED_RESOLUTION_MS) return;
  const stale = new Date(now - LAST_USED_RESOLUTION_MS);
  // The condition again in SQL: concurrent requests of one key write once.
  await prisma.apiKey
    .updateMany({ where: { id: keyId, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: stale } }] }, data: { lastUsedAt: new Date(now) } })
    .catch(() => undefined);
}
