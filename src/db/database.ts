// Opens the database: embedded PGlite (data in a local folder, or in memory)
// by default, PostgreSQL when a postgres:// URL is given. Returns the Prisma
// client and the raw driver over the same connection(s), plus a counter of SQL
// statements issued (used by tests and benchmarks to pin batching).
import type { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "../generated/prisma/client.js";
import { pgliteDriver, postgresDriver, type SqlDriver, type SqlParam } from "./driver.js";
import { migrate } from "./migrate.js";
import { takeTurns } from "./pglite-turns.js";
import { releaseDeadClients } from "./pool-guard.js";
import { DEFAULT_CONNECTION_TIMEOUT_MS, DEFAULT_STATEMENT_TIMEOUT_MS, QUERY_TIMEOUT_MARGIN_MS } from "./timeouts.js";
// Not GraphQL: the per-request record the access log reads (AsyncLocalStorage, no dependencies).
import { noteStatement } from "../telemetry/request-context.js";

export interface DatabaseOptions {
  /** postgresql://… for PostgreSQL; otherwise the embedded database. */
  url?: string;
  /**
   * A read replica (postgresql://…) for the metric engine's aggregate SQL only
   * (src/db/read-routing.ts). Ignored on the embedded database.
   */
  readUrl?: string;
  /** Read replica pool size (default 5). */
  readPoolSize?: number;
  /** Folder for the embedded database's files; omitted = in memory. */
  dataDir?: string;
  /**
   * Start the embedded database from a dumped data directory (PGlite's dumpDataDir), e.g. an
   * already-migrated snapshot: unpacking one is ~20× faster than initdb. Only for a new database.
   */
  loadDataDir?: Blob;
  /** Embedded database: statements take turns with the event loop (default true; src/db/pglite-turns.ts). */
  pgliteTurns?: boolean;
  /** Apply pending migrations on open (default true). */
  migrate?: boolean;
  /** PostgreSQL pool size. */
  poolSize?: number;
  /** PostgreSQL statement_timeout in ms (default: the request deadline, src/db/timeouts.ts); 0 = none. */
  statementTimeoutMs?: number;
  /** How long to wait for a free pooled connection, or a new one to open, before failing (DATABASE_BUSY). */
  connectionTimeoutMs?: number;
}

export interface StatementCounter {
  /** SQL statements issued since open (ORM and raw). */
  readonly count: number;
}

export interface Database {
  readonly kind: "pglite" | "postgres";
  readonly prisma: PrismaClient;
  readonly sql: SqlDriver;
  readonly statements: StatementCounter;
  /** The read replica's driver, when DATABASE_READ_URL is set (PostgreSQL only). Never for writes. */
  readonly readSql?: SqlDriver;
  /** Statements issued on the read replica (not counted in `statements`). */
  readonly readStatements: StatementCounter;
  /** Connections of the PostgreSQL pools now (primary and replica); null on the embedded database (one connection, no pool). */
  poolUsage(): PoolUsage[] | null;
  close(): Promise<void>;
}

export interface PoolUsage {
  pool: "primary" | "replica";
  max: number;
  /** Open connections, idle ones included. */
  total: number;
  idle: number;
  /** Requests waiting for a connection. */
  waiting: number;
}

export function isPostgresUrl(url: string | undefined): url is string {
  return !!url && /^postgres(ql)?:\/\//.test(url);
}

export async function openDatabase(options: DatabaseOptions = {}): Promise<Database> {
  let raw: SqlDriver;
  let adapter: PrismaPg | PrismaPGlite;
  let readRaw: SqlDriver | undefined;
  const pools: { pool: PoolUsage["pool"]; pg: pg.Pool; max: number }[] = [];
  if (isPostgresUrl(options.url)) {
    const max = options.poolSize ?? 10;
    const pool = openPool(options.url, max, options);
    pools.push({ pool: "primary", pg: pool, max });
    raw = postgresDriver(pool);
    adapter = new PrismaPg(pool);
    if (isPostgresUrl(options.readUrl)) {
      const readMax = options.readPoolSize ?? 5;
      const readPool = openPool(options.readUrl, readMax, options);
      pools.push({ pool: "replica", pg: readPool, max: readMax });
      readRaw = postgresDriver(readPool);
    }
  } else {
    // Loaded only for the embedded database: a PostgreSQL process does not carry PGlite's WASM.
    const [{ PGlite }, { PrismaPGlite }] = await Promise.all([import("@electric-sql/pglite"), import("pglite-prisma-adapter")]);
    const pglite = new PGlite({ dataDir: options.dataDir, loadDataDir: options.loadDataDir });
    await pglite.waitReady;
    // Other requests, probes and signals get the event loop between statements (src/db/pglite-turns.ts).
    if (options.pgliteTurns !== false) takeTurns(pglite);
    raw = pgliteDriver(pglite);
    adapter = new PrismaPGlite(pglite);
  }

  const counter = { count: 0 };
  const countingDriver = counting(raw, counter);
  const readCounter = { count: 0 };

  if (options.migrate !== false) await migrate(raw);

  const prisma = new PrismaClient({ adapter, log: [{ level: "query", emit: "event" }] });
  prisma.$on("query", (e) => {
    counter.count++;
    // For the request that sent it (access log, slow-request log, /metrics): the text only, never e.params.
    noteStatement(e.query, e.duration);
  });

  return {
    kind: raw.kind,
    prisma,
    sql: countingDriver,
    statements: counter,
    readSql: readRaw && counting(readRaw, readCounter),
    readStatements: readCounter,
    poolUsage: () =>
      pools.length === 0
        ? null
        : pools.map((p) => ({ pool: p.pool, max: p.max, total: p.pg.totalCount, idle: p.pg.idleCount, waiting: p.pg.waitingCount })),
    async close() {
      await prisma.$disconnect();
      await Promise.all([raw.close(), readRaw?.close()]);
    },
  };
}

/** A statement sent through `run`, reported to the request that sent it (src/telemetry/request-context.ts). */
function noted<Row>(sql: string, run: () => Promise<Row>): Promise<Row> {
  const t0 = performance.now();
  const done = () => noteStatement(sql, performance.now() - t0);
  const p = run();
  p.then(done, done);
  return p;
}

function counting(raw: SqlDriver, counter: { count: number }): SqlDriver {
  return {
    ...raw,
    query<Row extends Record<string, unknown>>(sql: string, params?: readonly SqlParam[]) {
      counter.count++;
      return noted(sql, () => raw.query<Row>(sql, params));
    },
    // Statements inside a transaction are reported too, but not counted in `statements` (which tests pin).
    transaction: (fn) =>
      raw.transaction((tx) =>
        fn({
          query: <Row extends Record<string, unknown>>(sql: string, params?: readonly SqlParam[]) => noted(sql, () => tx.query<Row>(sql, params)),
          exec: (script: string) => noted(script, () => tx.exec(script)),
        }),
      ),
  };
}

/** A PostgreSQL pool with the request-bounding timeouts and the dead-client guard (primary and replica alike). */
function openPool(url: string, max: number, options: DatabaseOptions): pg.Pool {
  const statementTimeout = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  const pool = new pg.Pool({
    connectionString: url,
    max,
    // The server cancels a statement past this (lock waits included), so nothing outlives its request for long.
    statement_timeout: statementTimeout,
    // When the server cannot answer at all, the driver gives up a little later and the pool drops the connection.
    ...(statementTimeout > 0 ? { query_timeout: statementTimeout + QUERY_TIMEOUT_MARGIN_MS } : {}),
    // A full pool fails a request after this instead of queueing it forever.
    connectionTimeoutMillis: options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
  });
  // An idle client losing its server must not crash the process.
  pool.on("error", () => undefined);
  // A client whose connection dies while checked out goes back to the pool (Prisma can leak it).
  releaseDeadClients(pool);
  return pool;
}
