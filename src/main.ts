// Starts Yardstick: opens the database (embedded by default, PostgreSQL with
// DATABASE_URL), applies migrations, seeds the demo company on first start,
// listens, and closes the database on SIGINT/SIGTERM.
import "./production-mode.js";
import { createServer } from "node:http";
import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { loadConfig } from "./config.js";
import { openDatabase } from "./db/database.js";
import { createApp } from "./server.js";
import { logger } from "./logger.js";
import { ensureDemoCompany } from "./seed/demo.js";

const config = loadConfig();

/** On the embedded database, embed tokens outlive restarts: the secret lives beside the data. */
async function localSecret(dir: string): Promise<string> {
  const file = path.join(dir, "..", "token-secret");
  const existing = await readFile(file, "utf8").catch(() => "");
  if (existing.trim()) return existing.trim();
  const secret = randomBytes(32).toString("hex");
  await writeFile(file, secret, { mode: 0o600 });
  return secret;
}
if (!config.databaseUrl) await mkdir(config.dataDir, { recursive: true });
const db = await openDatabase({ url: config.databaseUrl, readUrl: config.databaseReadUrl, dataDir: config.dataDir });
logger.info(
  { database: db.kind, readReplica: !!db.readSql || undefined, dataDir: config.databaseUrl ? undefined : config.dataDir },
  "database ready",
);

const demo = config.seedDemo ? await ensureDemoCompany(db) : null;
const app = createApp({
  db,
  tokenSecret: config.tokenSecret ?? (config.databaseUrl ? undefined : await localSecret(config.dataDir)),
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
