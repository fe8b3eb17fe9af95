// Runs once per vitest run (per project), before any test file: migrates ONE
// database and hands the test files a way to clone it, so no file pays for
// initdb + migrations again.
//   - PGlite: a migrated in-memory database dumped to a tar file (dumpDataDir),
//     kept between runs until a migration changes; each file starts its PGlite
//     from it (loadDataDir) — ~1 s instead of ~5–20 s for initdb + migrations.
//   - PostgreSQL: a migrated template database; each file gets
//     CREATE DATABASE … TEMPLATE it (a file copy on the server, ~50 ms).
// The paths/names reach the test workers through vitest's provide/inject.
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { TestProject } from "vitest/node";
import { openDatabase } from "../../src/db/database.js";
import { loadMigrations } from "../../src/db/migrate.js";
import { adminQuery, postgresUrlOf, TEST_DB } from "./database.js";

const run = promisify(execFile);
const SNAPSHOT_SCRIPT = fileURLToPath(new URL("./pglite-snapshot.ts", import.meta.url));
const CACHE_DIR = fileURLToPath(new URL("../../node_modules/.cache/yardstick-test/", import.meta.url));
// Not resolvable through the package's exports map: found from the project root.
const PGLITE_PACKAGE = fileURLToPath(new URL("../../node_modules/@electric-sql/pglite/package.json", import.meta.url));

declare module "vitest" {
  export interface ProvidedContext {
    /** Tar file of a migrated PGlite data directory (embedded runs). */
    pgliteSnapshot: string | undefined;
    /** Tar file of a PGlite data directory right after initdb, nothing migrated (migration tests). */
    pgliteEmptySnapshot: string | undefined;
    /** Name of a migrated template database (PostgreSQL runs). */
    pgTemplate: string | undefined;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const tag = randomBytes(5).toString("hex");
  if (TEST_DB === "postgres") {
    const name = `ys_template_${tag}`;
    await adminQuery(`CREATE DATABASE ${name}`);
    // Migrated, then closed: CREATE DATABASE … TEMPLATE refuses a source with open connections.
    const db = await openDatabase({ url: postgresUrlOf(name), poolSize: 1 });
    await db.close();
    project.provide("pgTemplate", name);
    project.provide("pgliteSnapshot", undefined);
    project.provide("pgliteEmptySnapshot", undefined);
    return async () => {
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    };
  }
  const { empty, migrated } = await cachedPgliteSnapshots();
  project.provide("pgliteSnapshot", migrated);
  project.provide("pgliteEmptySnapshot", empty);
  project.provide("pgTemplate", undefined);
  // Nothing to tear down: the snapshots are kept for the next run.
  return async () => undefined;
}

/**
 * The PGlite snapshots, made once per set of migrations (and PGlite version) and kept in
 * node_modules/.cache: initdb alone takes 5–20 s on a loaded machine, so a run of a few
 * test files would otherwise spend most of its time making a snapshot it already had.
 */
async function cachedPgliteSnapshots(): Promise<{ empty: string; migrated: string }> {
  const hash = createHash("sha256");
  hash.update(JSON.parse(await readFile(PGLITE_PACKAGE, "utf8")).version);
  hash.update(await readFile(SNAPSHOT_SCRIPT, "utf8"));
  for (const m of await loadMigrations()) hash.update(`${m.name}:${m.checksum}\n`);
  const key = hash.digest("hex").slice(0, 16);
  const empty = path.join(CACHE_DIR, `pglite-${key}-empty.tar`);
  const migrated = path.join(CACHE_DIR, `pglite-${key}-migrated.tar`);
  if (existsSync(empty) && existsSync(migrated)) return { empty, migrated };

  await mkdir(CACHE_DIR, { recursive: true });
  // Written under temporary names and renamed: a run killed half-way leaves no torn snapshot.
  const tag = randomBytes(4).toString("hex");
  await run(process.execPath, ["--import", "tsx", SNAPSHOT_SCRIPT, `${empty}.${tag}`, `${migrated}.${tag}`]);
  await rename(`${empty}.${tag}`, empty);
  await rename(`${migrated}.${tag}`, migrated);
  // Older migration sets' snapshots are dead weight (~40 MB each).
  for (const name of await readdir(CACHE_DIR)) {
    if (name.startsWith("pglite-") && !name.startsWith(`pglite-${key}-`)) await rm(path.join(CACHE_DIR, name), { force: true });
  }
  return { empty, migrated };
}
