// Sends a request's metric statements to the read replica (DATABASE_READ_URL)
// when that is safe, to the primary otherwise (docs/scale-out.md, "Read
// replicas for metric reads").
//
// The lag rule: a request read its company's data_version V with its key, from
// the primary, and its results are cached under V (src/metrics/result-cache.ts).
// The replica may answer only if its own data_version for the company is ≥ V:
// the version is bumped in the same transaction as the rows, and a replica
// applies a transaction whole, so then it holds every row the request could
// know of. The check is one statement on the replica, made lazily (only when
// the request runs metric SQL, not on a cache hit) and once per request; a
// replica version ≥ V is remembered for a second (versions only grow, so it
// stays a lower bound). DATABASE_READ_URL must name one server (not a pool of
// replicas behind one address), or the check and the statements could meet
// different replicas.
//
// A replica that fails (down, refusing, cancelled by a replay conflict) costs
// no request: the statement is run again on the primary, and after a connection
// fault the replica is left alone for a few seconds.
import type { Database } from "./database.js";
import type { SqlDriver, SqlParam } from "./driver.js";
import { databaseFault } from "./faults.js";
import { logger } from "../logger.js";

type Query = Pick<SqlDriver, "query">;

export interface ReadRoutingOptions {
  /** How long a replica data_version ≥ the request's is trusted without asking again (ms). */
  versionTtlMs?: number;
  /** How long a replica that had a connection fault is skipped (ms). */
  unhealthyMs?: number;
}

export interface ReadRoutingStats {
  /** Metric statements run on the replica / on the primary (by requests while a replica is configured). */
  replicaStatements: number;
  primaryStatements: number;
  /** Requests sent to the primary because the replica lagged behind their data version. */
  lagged: number;
  /** Statements that failed on the replica and were run again on the primary. */
  fallbacks: number;
}

/** Postgres: the standby cancelled a statement that conflicted with replay. */
const REPLAY_CONFLICT = "40001";

export class ReadRouter {
  private readonly versions = new Map<string, { version: number; at: number }>();
  private readonly checks = new Map<string, Promise<number>>();
  private unhealthyUntil = 0;
  private readonly versionTtlMs: number;
  private readonly unhealthyMs: number;
  private readonly counts: ReadRoutingStats = { replicaStatements: 0, primaryStatements: 0, lagged: 0, fallbacks: 0 };

  constructor(
    private readonly primary: Query,
    private readonly replica: Query,
    options: ReadRoutingOptions = {},
  ) {
    this.versionTtlMs = options.versionTtlMs ?? 1000;
    this.unhealthyMs = options.unhealthyMs ?? 5000;
  }

  stats(): ReadRoutingStats {
    return { ...this.counts };
  }

  /** Whether the replica is currently skipped after a connection fault. */
  get unhealthy(): boolean {
    return Date.now() < this.unhealthyUntil;
  }

  /** The driver for one request's metric statements, at the data version the request read with its key. */
  forRequest(companyId: string, dataVersion: number): Query {
    let target: Promise<"replica" | "primary"> | undefined;
    const choose = () => (target ??= this.choose(companyId, dataVersion));
    return {
      query: async <Row extends Record<string, unknown>>(sql: string, params?: readonly SqlParam[]): Promise<Row[]> => {
        if ((await choose()) === "replica" && !this.unhealthy) {
          try {
            const rows = await this.replica.query<Row>(sql, params);
            this.counts.replicaStatements++;
            return rows;
          } catch (err) {
            if (!this.recoverable(err)) throw err;
            this.counts.fallbacks++;
            target = Promise.resolve("primary");
          }
        }
        this.counts.primaryStatements++;
        return this.primary.query<Row>(sql, params);
      },
    };
  }

  private async choose(companyId: string, dataVersion: number): Promise<"replica" | "primary"> {
    if (this.unhealthy) return "primary";
    const known = this.versions.get(companyId);
    if (known && known.version >= dataVersion && Date.now() - known.at < this.versionTtlMs) return "replica";
    let version: number;
    try {
      version = await this.replicaVersion(companyId);
    } catch (err) {
      // Whatever broke our own one-line check (connection, a schema the replica lacks), the primary can answer.
      if (!this.recoverable(err)) logger.warn({ err }, "read replica version check failed: metric SQL on the primary");
      return "primary";
    }
    if (version >= dataVersion) return "replica";
    this.counts.lagged++;
    logger.debug({ companyId, dataVersion, replicaVersion: version }, "read replica behind the request's data version: metric SQL on the primary");
    return "primary";
  }

  /** The replica's data_version for the company; concurrent requests share one check. */
  private replicaVersion(companyId: string): Promise<number> {
    let check = this.checks.get(companyId);
    if (!check) {
      const at = Date.now();
      check = this.replica
        .query<{ data_version: number | string }>("SELECT data_version FROM companies WHERE id = $1::uuid", [companyId])
        // A company the replica does not have yet: behind every version.
        .then((rows) => (rows[0] ? Number(rows[0].data_version) : -1))
        .then((version) => {
          const known = this.versions.get(companyId);
          if (!known || version >= known.version) this.versions.set(companyId, { version, at });
          return version;
        })
        .finally(() => this.checks.delete(companyId));
      this.checks.set(companyId, check);
    }
    return check;
  }

  /** A replica error the primary can make up for; a connection fault also benches the replica for a while. */
  private recoverable(err: unknown): boolean {
    const fault = databaseFault(err);
    const code = (err as { code?: unknown } | null)?.code;
    // A database missing on the replica's server (3D000) or a login refused (28xxx): the replica is not usable.
    const unusable = typeof code === "string" && (code === "3D000" || code.startsWith("28"));
    if (fault?.code === "DATABASE_UNAVAILABLE" || fault?.code === "DATABASE_BUSY" || unusable) {
      if (!this.unhealthy) logger.warn({ err, forMs: this.unhealthyMs }, "read replica unavailable: metric SQL on the primary");
      this.unhealthyUntil = Date.now() + this.unhealthyMs;
      return true;
    }
    // A statement the standby cancelled because it conflicted with replay: the primary has no such conflict.
    // (A statement timeout is not retried: it has used up the request's time.)
    return code === REPLAY_CONFLICT;
  }
}

const routers = new WeakMap<Database, ReadRouter>();

/** The database's read router (one per open database), or null without a read replica. */
export function readRouterOf(db: Database): ReadRouter | null {
  if (!db.readSql) return null;
  let router = routers.get(db);
  if (!router) routers.set(db, (router = new ReadRouter(db.sql, db.readSql)));
  return router;
}

/** The driver for a request's metric statements: the primary, or the replica when it has caught up with `dataVersion`. */
export function metricSql(db: Database, companyId: string, dataVersion: number): Query {
  return readRouterOf(db)?.forRequest(companyId, dataVersion) ?? db.sql;
}
