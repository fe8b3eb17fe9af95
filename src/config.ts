// Process configuration from the environment, read once at start.
import { isPostgresUrl } from "./db/database.js";

export interface Config {
  port: number;
  /**
   * Interface to listen on (HOST). The embedded database defaults to loopback (127.0.0.1): a
   * first `npm start` is reachable from this machine only. PostgreSQL (a deployment) defaults to
   * every interface (0.0.0.0).
   */
  host: string;
  /** PostgreSQL URL; when absent the embedded database is used. */
  databaseUrl?: string;
  /** PostgreSQL read replica for metric SQL (DATABASE_READ_URL); only with databaseUrl. */
  databaseReadUrl?: string;
  /** Folder of the embedded database; also holds the demo admin key file and the embedded token secret. */
  dataDir: string;
  /** Seed the demo company when the database has no company yet. */
  seedDemo: boolean;
  /** Signs embed tokens; set it (the same) on every process behind one database. */
  tokenSecret?: string;
  /**
   * Origins (scheme://host[:port]) whose pages may call the API from a browser (YARDSTICK_CORS_ORIGINS,
   * comma-separated). Empty: no CORS headers at all, so no other origin can read an answer.
   */
  corsOrigins: string[];
}

export class ConfigError extends Error {}

/** "https://portal.example.com" or "http://localhost:3000": an origin exactly as browsers send it. */
function parseOrigins(raw: string | undefined): string[] {
  if (!raw?.trim()) return [];
  return raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      let url: URL;
      try {
        url = new URL(s);
      } catch {
        throw new ConfigError(`YARDSTICK_CORS_ORIGINS: "${s}" is not an origin (scheme://host[:port])`);
      }
      if ((url.protocol !== "https:" && url.protocol !== "http:") || url.origin !== s.replace(/\/$/, "")) {
        throw new ConfigError(`YARDSTICK_CORS_ORIGINS: "${s}" is not an origin (scheme://host[:port], no path, no "*")`);
      }
      return url.origin;
    });
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = isPostgresUrl(env.DATABASE_URL) ? env.DATABASE_URL : undefined;
  const port = Number(env.PORT ?? 4000);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new ConfigError(`PORT: not a port number: ${env.PORT}`);
  return {
    port,
    host: env.HOST?.trim() || (databaseUrl ? "0.0.0.0" : "127.0.0.1"),
    databaseUrl,
    databaseReadUrl: databaseUrl && isPostgresUrl(env.DATABASE_READ_URL) ? env.DATABASE_READ_URL : undefined,
    dataDir: env.YARDSTICK_DATA_DIR ?? ".data/pglite",
    // The demo seeds itself on the embedded database; on PostgreSQL only when asked.
    seedDemo: env.YARDSTICK_SEED_DEMO ? env.YARDSTICK_SEED_DEMO === "1" : !databaseUrl,
    tokenSecret: env.YARDSTICK_TOKEN_SECRET || undefined,
    corsOrigins: parseOrigins(env.YARDSTICK_CORS_ORIGINS),
  };
}

/** 127.0.0.1, ::1, localhost (and the rest of 127/8): only this machine can connect. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h) || h === "::ffff:127.0.0.1";
}
