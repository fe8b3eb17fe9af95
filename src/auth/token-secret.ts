// The secret that signs embed tokens. It must outlive restarts (every portal's
// iframe URL holds a token) and be the same in every process behind one
// database:
//   1. YARDSTICK_TOKEN_SECRET when set (several processes, or a secret manager);
//   2. embedded database: a 0600 file inside the data folder (moved there from
//      the folder's parent, where earlier versions kept it);
//   3. PostgreSQL: a row of instance_secrets, created once by whichever process
//      starts first (INSERT … ON CONFLICT DO NOTHING, then read back), so a
//      restart or a second process signs and verifies with the same secret.
import { randomBytes } from "node:crypto";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { SqlDriver } from "../db/driver.js";

export const TOKEN_SECRET_NAME = "embed_token_secret";
export const TOKEN_SECRET_FILE = "token-secret";
/** Shorter secrets are refused: HS256 wants at least 256 bits of key. */
export const MIN_SECRET_LENGTH = 32;

export type TokenSecretSource = "environment" | "data-dir" | "database";

export class TokenSecretError extends Error {}

const fresh = () => randomBytes(32).toString("hex");

async function readSecretFile(file: string): Promise<string> {
  return (await readFile(file, "utf8").catch(() => "")).trim();
}

/** The embedded database's secret file, created (0600) on first use. */
export async function dataDirSecret(dataDir: string): Promise<string> {
  const file = path.join(dataDir, TOKEN_SECRET_FILE);
  const existing = await readSecretFile(file);
  if (existing) return existing;
  // Earlier versions wrote it beside the data folder, readable by the umask's rules: move it in.
  const legacy = path.join(dataDir, "..", TOKEN_SECRET_FILE);
  const old = await readSecretFile(legacy);
  const secret = old || fresh();
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, secret, { mode: 0o600 });
  await rename(tmp, file);
  if (old) await rm(legacy, { force: true });
  return secret;
}

/** The PostgreSQL installation's secret, shared through the database. */
export async function databaseSecret(sql: Pick<SqlDriver, "query">): Promise<string> {
  await sql.query(`INSERT INTO instance_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [TOKEN_SECRET_NAME, fresh()]);
  const rows = await sql.query<{ value: string }>(`SELECT value FROM instance_secrets WHERE name = $1`, [TOKEN_SECRET_NAME]);
  const value = rows[0]?.value;
  if (!value) throw new TokenSecretError("the embed-token secret could not be stored in instance_secrets");
  return value;
}

export async function resolveTokenSecret(options: {
  fromEnv?: string;
  database: "pglite" | "postgres";
  dataDir: string;
  sql: Pick<SqlDriver, "query">;
}): Promise<{ secret: string; source: TokenSecretSource }> {
  if (options.fromEnv) {
    if (options.fromEnv.length < MIN_SECRET_LENGTH) {
      throw new TokenSecretError(`YARDSTICK_TOKEN_SECRET: at least ${MIN_SECRET_LENGTH} characters (e.g. \`openssl rand -hex 32\`)`);
    }
    return { secret: options.fromEnv, source: "environment" };
  }
  if (options.database === "pglite") return { secret: await dataDirSecret(options.dataDir), source: "data-dir" };
  return { secret: await databaseSecret(options.sql), source: "database" };
}
