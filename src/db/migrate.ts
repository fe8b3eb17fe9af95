// Applies the checked-in SQL migrations (prisma/migrations/*/migration.sql) that
// the database has not seen yet: one transaction each, recorded in
// _yardstick_migrations, under an advisory lock so concurrent processes wait
// instead of racing. Running it twice is a no-op. Same code for PGlite and
// PostgreSQL — `prisma migrate deploy` cannot run offline on PostgreSQL.
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import path from "node:path";
import type { SqlDriver } from "./driver.js";

export const MIGRATIONS_DIR = fileURLToPath(new URL("../../prisma/migrations/", import.meta.url));
const LOCK_KEY = 7_243_101; // arbitrary, fixed: Yardstick's migration lock

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    entries.map(async (name) => {
      const sql = await readFile(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    }),
  );
}

export interface MigrationResult {
  applied: string[];
  skipped: string[];
}

export async function migrate(driver: SqlDriver, migrations?: Migration[]): Promise<MigrationResult> {
  const all = migrations ?? (await loadMigrations());
  // Under the lock too: two CREATE TABLE IF NOT EXISTS at the same moment can both try to create
  // it, and one fails (duplicate key in pg_type) — processes started together would crash.
  await driver.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1)", [LOCK_KEY]);
    await tx.exec(
      `CREATE TABLE IF NOT EXISTS _yardstick_migrations (
         name text PRIMARY KEY,
         checksum text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
  });
  const result: MigrationResult = { applied: [], skipped: [] };
  for (const m of all) {
    await driver.transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock($1)", [LOCK_KEY]);
      const done = await tx.query<{ checksum: string }>(
        "SELECT checksum FROM _yardstick_migrations WHERE name = $1",
        [m.name],
      );
      if (done.length > 0) {
        if (done[0]!.checksum !== m.checksum) {
          throw new Error(`migration ${m.name} was changed after it was applied (checksum differs)`);
        }
        result.skipped.push(m.name);
        return;
      }
      await tx.exec(m.sql);
      await tx.query("INSERT INTO _yardstick_migrations (name, checksum) VALUES ($1, $2)", [m.name, m.checksum]);
      result.applied.push(m.name);
    });
  }
  return result;
}
