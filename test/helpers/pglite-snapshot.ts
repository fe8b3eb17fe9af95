// Writes the PGlite data directories the test run clones (see global-setup.ts):
//   node --import tsx test/helpers/pglite-snapshot.ts <empty.tar> <migrated.tar>
// A separate process, so PGlite's WASM heap does not stay in vitest's main
// process for the whole run.
import { writeFile } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { pgliteDriver } from "../../src/db/driver.js";
import { migrate } from "../../src/db/migrate.js";

const [empty, migrated] = process.argv.slice(2);
if (!empty || !migrated) throw new Error("usage: pglite-snapshot.ts <empty.tar> <migrated.tar>");

const pglite = new PGlite();
// Before anything else: dumpDataDir on a PGlite still starting never settles (Node exits 13).
await pglite.waitReady;
// Uncompressed: gunzipping ~40 MB in every test file would cost more than reading it.
const dumpTo = async (file: string) => writeFile(file, new Uint8Array(await (await pglite.dumpDataDir("none")).arrayBuffer()));
try {
  await dumpTo(empty);
  await migrate(pgliteDriver(pglite));
  await dumpTo(migrated);
} finally {
  await pglite.close();
}
