// Applies pending migrations to DATABASE_URL (or the embedded database) and exits.
// The server does the same on start; this is for deploy pipelines.
import { openDatabase } from "../src/db/database.js";
import { loadConfig } from "../src/config.js";

const config = loadConfig();
const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, migrate: false });
const { migrate } = await import("../src/db/migrate.js");
const result = await migrate(db.sql);
console.log(`applied: ${result.applied.join(", ") || "none"}; already there: ${result.skipped.length}`);
await db.close();
