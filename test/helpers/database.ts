// A fresh, isolated database per test file: in-memory PGlite by default, a new
// PostgreSQL database on 127.0.0.1:5432 when YARDSTICK_TEST_DB=postgres.
// Both are clones of the database test/helpers/global-setup.ts migrated once
// for the run (a PGlite data-dir snapshot, a PostgreSQL template), so a file
// pays neither initdb nor migrations.
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import pg from "pg";
import { inject } from "vitest";
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

/** One statement on the PostgreSQL server's maintenance database (CREATE/DROP DATABASE). */
export async function adminQuery(sql: string): Promise<void> {
  await admin((c) => c.query(sql));
}

/** URL of a database on the test PostgreSQL server. */
export function postgresUrlOf(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The run's migrated template / snapshot (undefined outside a vitest run with the global setup). */
function provided<K extends "pgTemplate" | "pgliteSnapshot" | "pgliteEmptySnapshot">(key: K): string | undefined {
  try {
    return inject(key);
  } catch {
    return undefined;
  }
}

/**
 * A new PostgreSQL database. `migrated: true` clones the run's migrated template
 * (falls back to an empty database the caller's openDatabase() migrates);
 * by default it is EMPTY, for tests of the migrations themselves.
 */
export async function createScratchPostgres(
  options: { migrated?: boolean } = {},
): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `ys_test_${randomBytes(6).toString("hex")}`;
  const template = options.migrated ? provided("pgTemplate") : undefined;
  if (template) {
    // Concurrent clones of one template are fine; a clone racing a connection to the
    // template is not ("being accessed by other users") — nothing connects to it after setup, but retry anyway.
    for (let attempt = 0; ; attempt++) {
      try {
        await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${template}`);
        break;
      } catch (err) {
        if (attempt >= 5 || !/being accessed by other users/.test(String(err))) throw err;
        await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
      }
    }
  } else {
    await adminQuery(`CREATE DATABASE ${name}`);
  }
  return {
    name,
    url: postgresUrlOf(name),
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

const snapshots = new Map<string, Promise<Blob | undefined>>();

/**
 * The run's migrated PGlite data directory as a tar (read once per file), if there is one;
 * `empty`: the one right after initdb, with no migration applied.
 */
export function pgliteSnapshot(which: "migrated" | "empty" = "migrated"): Promise<Blob | undefined> {
  let found = snapshots.get(which);
  if (!found) {
    found = (async () => {
      const file = provided(which === "empty" ? "pgliteEmptySnapshot" : "pgliteSnapshot");
      return file ? new Blob([new Uint8Array(await readFile(file))]) : undefined;
    })();
    snapshots.set(which, found);
  }
  return found;
}

/**
 * Where a test opens the embedded database in a folder (CLIs, restarts): start the folder
 * from the migrated snapshot first, so neither the test nor the CLI process runs initdb.
 * A no-op without a snapshot (the first open then creates and migrates the folder).
 */
export async function prepareDataDir(dataDir: string): Promise<void> {
  const loadDataDir = await pgliteSnapshot();
  if (!loadDataDir) return;
  const db = await openDatabase({ dataDir, loadDataDir, migrate: false });
  await db.close();
}

export async function openTestDatabase(options: Omit<DatabaseOptions, "url" | "dataDir" | "loadDataDir"> = {}): Promise<TestDatabase> {
  if (TEST_DB === "pglite") return openDatabase({ ...options, loadDataDir: await pgliteSnapshot() });
  const scratch = await createScratchPostgres({ migrated: true });
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
