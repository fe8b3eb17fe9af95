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
  return {
    companyId: row.companyId,
    role: row.role,
    keyId: row.id,
    timeZone: row.company.timeZone,
    catalogVersion: row.company.catalogVersion,
    dataVersion: row.company.dataVersion,
  };
}
