// Starts Yardstick: opens the database (embedded by default, PostgreSQL with
// DATABASE_URL), applies migrations, seeds the demo company on first start,
// listens (and, on loopback, its metrics listener), and drains and closes on
// SIGINT/SIGTERM (src/ops/shutdown.ts).
import { productionByOperator } from "./production-mode.js";
import { createServer } from "node:http";
import { loadConfig, isLoopback } from "./config.js";
import { openDatabase } from "./db/database.js";
import { prepareDataDir, tightenDataDir } from "./db/data-dir.js";
import { resolveTokenSecret } from "./auth/token-secret.js";
import { createApp } from "./server.js";
import { logger } from "./logger.js";
import { ensureDemoCompany } from "./seed/demo.js";
import { loadOpsConfig } from "./ops/ops-config.js";
import { startMetricsServer } from "./ops/metrics-server.js";
import { installShutdown } from "./ops/shutdown.js";
import { loadTracingConfig, startTracing } from "./ops/tracing.js";

const config = loadConfig();
const ops = loadOpsConfig();
const tracing = await startTracing(loadTracingConfig());

// The data folder holds every row (embedded) and the demo key: this account's alone.
if (!config.databaseUrl || config.seedDemo) await prepareDataDir(config.dataDir);
const db = await openDatabase({ url: config.databaseUrl, readUrl: config.databaseReadUrl, dataDir: config.databaseUrl ? undefined : config.dataDir });
if (!config.databaseUrl) await tightenDataDir(config.dataDir);
logger.info(
  { database: db.kind, readReplica: !!db.readSql || undefined, dataDir: config.databaseUrl ? undefined : config.dataDir },
  "database ready",
);

const { secret: tokenSecret, source: tokenSecretSource } = await resolveTokenSecret({
  fromEnv: config.tokenSecret,
  database: db.kind,
  dataDir: config.dataDir,
  sql: db.sql,
});
logger.info({ source: tokenSecretSource }, "embed-token secret ready");

const demo = config.seedDemo ? await ensureDemoCompany(db, config.dataDir) : null;
// GraphiQL pre-fills the demo admin key only where nobody else can reach the page: listening on
// loopback, and not in production mode (NODE_ENV=production set by the operator).
const prefill = !!demo?.adminKey && isLoopback(config.host) && !productionByOperator;
const app = createApp({
  db,
  tokenSecret,
  corsOrigins: config.corsOrigins,
  trustProxy: ops.trustedProxies,
  graphiql: { headers: prefill ? { Authorization: `Bearer ${demo!.adminKey}` } : {} },
  ops: {
    slowRequestMs: ops.slowRequestMs,
    trustedProxies: ops.trustedProxies,
    metricsToken: ops.metricsToken,
    tracing: tracing?.plugin,
  },
});
const server = createServer(app);
const metricsServer = ops.metricsListener ? await startMetricsServer({ ...ops.metricsListener, token: ops.metricsToken }) : null;
server.listen(config.port, config.host, () => {
  const shown = isLoopback(config.host) ? "localhost" : config.host === "0.0.0.0" || config.host === "::" ? "<this host>" : config.host;
  logger.info({ host: config.host, port: config.port }, `Yardstick listening: GraphiQL at http://${shown}:${config.port}/graphql`);
  if (demo?.issued) {
    // Shown once, on the console and not in the structured log: the key is a secret, the log is not.
    process.stdout.write(
      `\nDemo company "${demo.slug}" — new keys for this installation (shown once):\n` +
        `  admin key ${demo.issued.adminKey} \n` +
        `  viewer key ${demo.issued.viewerKey} \n` +
        `The admin key is kept in ${demo.keyFile} (mode 0600)${prefill ? "; GraphiQL on localhost sends it for you" : ""}.\n\n`,
    );
  } else if (demo) {
    logger.info(
      { keyFile: demo.keyFile, prefilled: prefill },
      demo.adminKey ? "demo admin key: in its key file" : "demo admin key: none on file (revoked or removed); issue one with createApiKey",
    );
  }
});

installShutdown({
  server,
  lifecycle: app.lifecycle,
  delayMs: ops.shutdownDelayMs,
  drainTimeoutMs: ops.drainTimeoutMs,
  async close() {
    metricsServer?.close();
    metricsServer?.closeAllConnections();
    await tracing?.shutdown();
    await db.close();
  },
});
