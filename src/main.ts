// Starts Yardstick: opens the database (embedded by default, PostgreSQL with
// DATABASE_URL), applies migrations, seeds the demo company on first start,
// listens, and closes the database on SIGINT/SIGTERM.
import { createServer } from "node:http";
import { mkdir } from "node:fs/promises";
import { loadConfig } from "./config.js";
import { openDatabase } from "./db/database.js";
import { createApp } from "./server.js";
import { logger } from "./logger.js";
import { ensureDemoCompany } from "./seed/demo.js";

const config = loadConfig();
if (!config.databaseUrl) await mkdir(config.dataDir, { recursive: true });
const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
logger.info({ database: db.kind, dataDir: config.databaseUrl ? undefined : config.dataDir }, "database ready");

const demo = config.seedDemo ? await ensureDemoCompany(db) : null;
const app = createApp({
  db,
  graphiql: { headers: demo ? { Authorization: `Bearer ${demo.adminKey}` } : {} },
});
const server = createServer(app);
server.listen(config.port, () => {
  logger.info(`Yardstick listening: GraphiQL at http://localhost:${config.port}/graphql`);
  if (demo) {
    logger.info(
      `demo company "${demo.slug}" — admin key ${demo.adminKey} (GraphiQL sends it for you; viewer key ${demo.viewerKey})`,
    );
  }
});

let closing = false;
async function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  logger.info({ signal }, "shutting down");
  const force = setTimeout(() => process.exit(1), 10_000);
  force.unref();
  server.close();
  server.closeAllConnections();
  await db.close();
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
