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

/** The viewer a bearer key stands for, or null when it is unknown, malformed or revoked. */
export async function authenticateApiKey(prisma: PrismaClient, key: string): Promise<Viewer | null> {
  const m = KEY_PATTERN.exec(key);
  if (!m) return null;
  const row = await prisma.apiKey.findUnique({
    where: { prefix: m[1]! },
    include: { company: { select: { timeZone: true, catalogVersion: true, dataVersion: true } } },
  });
  if (!row || row.revokedAt) return null;
  const given = Buffer.from(hashSecret(m[2]!), "hex");
  const stored = Buffer.from(row.secretHash, "hex");
  if (given.length !== stored.length || !timingSafeEqual(given, stored)) return null;
  if (!isRole(row.role)) return null;
  await touchLastUsed(prisma, row.id, row.lastUsedAt);
  return {
    companyId: row.companyId,
    role: row.role,
    keyId: row.id,
    timeZone: row.company.timeZone,
    catalogVersion: row.company.catalogVersion,
    dataVersion: row.company.dataVersion,
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
