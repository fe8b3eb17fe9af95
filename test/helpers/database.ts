// A fresh, isolated database per test file: in-memory PGlite by default, a new
// PostgreSQL database on 127.0.0.1:5432 when YARDSTICK_TEST_DB=postgres.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { openDatabase, type Database, type DatabaseOptions } from "../../src/db/database.js";

export const TEST_DB = process.env.YARDSTICK_TEST_DB === "postgres" ? "postgres" : "pglite";
const ADMIN_URL = process.env.YARDSTICK_TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase extends Database {
  /** Name of the scratch PostgreSQL database, when there is one. */
  readonly scratchName?: string;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createScratchPostgres(): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `ys_test_${randomBytes(6).toString("hex")}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

export async function openTestDatabase(options: Omit<DatabaseOptions, "url" | "dataDir"> = {}): Promise<TestDatabase> {
  if (TEST_DB === "pglite") return openDatabase(options);
  const scratch = await createScratchPostgres();
  const db = await openDatabase({ ...options, url: scratch.url, poolSize: 4 });
  return {
    ...db,
    scratchName: scratch.name,
    async close() {
      await db.close();
      await scratch.drop();
    },
  };
}
