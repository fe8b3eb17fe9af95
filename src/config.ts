// Process configuration from the environment, read once at start.
import { isPostgresUrl } from "./db/database.js";

export interface Config {
  port: number;
  /** PostgreSQL URL; when absent the embedded database is used. */
  databaseUrl?: string;
  /** PostgreSQL read replica for metric SQL (DATABASE_READ_URL); only with databaseUrl. */
  databaseReadUrl?: string;
  /** Folder of the embedded database. */
  dataDir: string;
  /** Seed the demo company when the database has no company yet. */
  seedDemo: boolean;
  /** Signs embed tokens; set it (the same) on every process behind one database. */
  tokenSecret?: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = isPostgresUrl(env.DATABASE_URL) ? env.DATABASE_URL : undefined;
  const port = Number(env.PORT ?? 4000);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`PORT: not a port number: ${env.PORT}`);
  return {
    port,
    databaseUrl,
    databaseReadUrl: databaseUrl && isPostgresUrl(env.DATABASE_READ_URL) ? env.DATABASE_READ_URL : undefined,
    dataDir: env.YARDSTICK_DATA_DIR ?? ".data/pglite",
    // The demo seeds itself on the embedded database; on PostgreSQL only when asked.
    seedDemo: env.YARDSTICK_SEED_DEMO ? env.YARDSTICK_SEED_DEMO === "1" : !databaseUrl,
    tokenSecret: env.YARDSTICK_TOKEN_SECRET || undefined,
  };
}
