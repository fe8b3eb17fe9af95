// Embed tokens for portals: a JWT (HS256, jose) naming a row of embed_tokens.
// The signature proves the token was issued here; the row carries the grant
// (framework, subjects) and can be revoked; both expiry checks must pass.
import { jwtVerify, SignJWT, errors as joseErrors } from "jose";
import { Prisma, type PrismaClient } from "../generated/prisma/client.js";
import type { Viewer } from "./viewer.js";

// subject_ids is uuid[], which the PGlite Prisma adapter cannot read back
// (UnsupportedNativeDataType): rows are never read whole through Prisma; the
// subjects come from SQL as text[].
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const ISSUER = "yardstick";
const AUDIENCE = "yardstick-embed";

export class EmbedTokenError extends Error {
  constructor(
    readonly code: "TOKEN_EXPIRED" | "TOKEN_INVALID" | "TOKEN_REVOKED",
    message: string,
  ) {
    super(message);
  }
}

export function tokenKey(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

export async function issueEmbedToken(
  prisma: Pick<PrismaClient, "embedToken"> | Prisma.TransactionClient,
  secret: string,
  input: { companyId: string; frameworkKey: string; subjectIds: string[]; expiresAt: Date },
): Promise<{ id: string; token: string; expiresAt: Date }> {
  const row = await prisma.embedToken.create({ data: input, select: { id: true, expiresAt: true } });
  const token = await new SignJWT({ cid: input.companyId })
    .setProtectedHeader({ alg: "HS256" })
    .setJti(row.id)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(input.expiresAt.getTime() / 1000))
    .sign(tokenKey(secret));
  return { id: row.id, token, expiresAt: row.expiresAt };
}

/** Looks like a JWT (three base64url parts), as opposed to an API key. */
export function isJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}

interface TokenRow {
  id: string;
  companyId: string;
  frameworkKey: string;
  subjectIds: string[];
  expiresAt: Date;
  revokedAt: Date | null;
  timeZone: string;
  catalogVersion: number;
  dataVersion: number;
}

/** Subject count of each token (by id), read as SQL for the reason above. */
export async function embedTokenSubjectCounts(prisma: PrismaClient, ids: string[]): Promise<Map<string, number>> {
  const valid = ids.filter((id) => UUID.test(id));
  if (valid.length === 0) return new Map();
  const rows = await prisma.$queryRaw<{ id: string; n: number }[]>`
    SELECT id::text AS id, coalesce(cardinality(subject_ids), 0)::int AS n FROM embed_tokens WHERE id IN (${Prisma.join(valid.map((id) => Prisma.sql`${id}::uuid`))})`;
  return new Map(rows.map((r) => [r.id, Number(r.n)]));
}

export async function authenticateEmbedToken(prisma: PrismaClient, secret: string, token: string): Promise<Viewer> {
  let jti: string | undefined;
  let cid: unknown;
  try {
    const { payload } = await jwtVerify(token, tokenKey(secret), { issuer: ISSUER, audience: AUDIENCE, algorithms: ["HS256"] });
    jti = payload.jti;
    cid = payload.cid;
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) throw new EmbedTokenError("TOKEN_EXPIRED", "This embed token has expired; ask for a new one.");
    throw new EmbedTokenError("TOKEN_INVALID", "This embed token is not valid (malformed, tampered with, or not issued here).");
  }
  const rows =
    jti && UUID.test(jti)
      ? await prisma.$queryRaw<TokenRow[]>`
          SELECT e.id::text AS id, e.company_id::text AS "companyId", e.framework_key AS "frameworkKey",
                 coalesce(e.subject_ids::text[], '{}') AS "subjectIds", e.expires_at AS "expiresAt", e.revoked_at AS "revokedAt",
                 c.time_zone AS "timeZone", c.catalog_version AS "catalogVersion",
                 c.data_version AS "dataVersion"
          FROM embed_tokens e JOIN companies c ON c.id = e.company_id
          WHERE e.id = ${jti}::uuid`
      : [];
  const row = rows[0];
  if (!row || row.companyId !== cid) throw new EmbedTokenError("TOKEN_INVALID", "This embed token is not valid (malformed, tampered with, or not issued here).");
  if (row.revokedAt) throw new EmbedTokenError("TOKEN_REVOKED", "This embed token was revoked.");
  if (new Date(row.expiresAt).getTime() <= Date.now()) throw new EmbedTokenError("TOKEN_EXPIRED", "This embed token has expired; ask for a new one.");
  return {
    companyId: row.companyId,
    role: "embed",
    keyId: row.id,
    timeZone: row.timeZone,
    catalogVersion: Number(row.catalogVersion),
    dataVersion: Number(row.dataVersion),
    embed: { tokenId: row.id, frameworkKey: row.frameworkKey, subjectIds: row.subjectIds },
  };
}
