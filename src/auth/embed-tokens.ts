// Embed tokens for portals: a JWT (HS256, jose) naming a row of embed_tokens.
// The signature proves the token was issued here; the row carries the grant
// (framework, subjects) and can be revoked; both expiry checks must pass.
import { jwtVerify, SignJWT, errors as joseErrors } from "jose";
import type { PrismaClient } from "../generated/prisma/client.js";
import type { Viewer } from "./viewer.js";

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
  prisma: PrismaClient,
  secret: string,
  input: { companyId: string; frameworkKey: string; subjectIds: string[]; expiresAt: Date },
): Promise<{ id: string; token: string; expiresAt: Date }> {
  const row = await prisma.embedToken.create({ data: input });
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
  const row = jti && /^[0-9a-f-]{36}$/.test(jti) ? await prisma.embedToken.findUnique({ where: { id: jti }, include: { company: true } }) : null;
  if (!row || row.companyId !== cid) throw new EmbedTokenError("TOKEN_INVALID", "This embed token is not valid (malformed, tampered with, or not issued here).");
  if (row.revokedAt) throw new EmbedTokenError("TOKEN_REVOKED", "This embed token was revoked.");
  if (row.expiresAt.getTime() <= Date.now()) throw new EmbedTokenError("TOKEN_EXPIRED", "This embed token has expired; ask for a new one.");
  return {
    companyId: row.companyId,
    role: "embed",
    keyId: row.id,
    timeZone: row.company.timeZone,
    catalogVersion: row.company.catalogVersion,
    embed: { tokenId: row.id, frameworkKey: row.frameworkKey, subjectIds: row.subjectIds },
  };
}
