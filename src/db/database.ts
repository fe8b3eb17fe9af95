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

export interface DatabaseOptions {
  /** postgresql://… for PostgreSQL; otherwise the embedded database. */
  url?: string;
  /** Folder for the embedded database's files; omitted = in memory. */
  dataDir?: string;
  /** Apply pending migrations on open (default true). */
  migrate?: boolean;
  /** PostgreSQL pool size. */
  poolSize?: number;
  /** Per-statement timeout in ms on PostgreSQL. */
  statementTimeoutMs?: number;
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
  close(): Promise<void>;
}

export function isPostgresUrl(url: string | undefined): url is string {
  return !!url && /^postgres(ql)?:\/\//.test(url);
}

export async function openDatabase(options: DatabaseOptions = {}): Promise<Database> {
  let raw: SqlDriver;
  let adapter: PrismaPg | PrismaPGlite;
  if (isPostgresUrl(options.url)) {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      statement_timeout: options.statementTimeoutMs ?? 30_000,
      connectionTimeoutMillis: 5_000,
    });
    // An idle client losing its server must not crash the process.
    pool.on("error", () => undefined);
    raw = postgresDriver(pool);
    adapter = new PrismaPg(pool);
  } else {
    // Loaded only for the embedded database: a PostgreSQL process does not carry PGlite's WASM.
    const [{ PGlite }, { PrismaPGlite }] = await Promise.all([import("@electric-sql/pglite"), import("pglite-prisma-adapter")]);
    const pglite = new PGlite(options.dataDir);
    await pglite.waitReady;
    raw = pgliteDriver(pglite);
    adapter = new PrismaPGlite(pglite);
  }

  const counter = { count: 0 };
  const countingDriver: SqlDriver = {
    ...raw,
    query<Row extends Record<string, unknown>>(sql: string, params?: readonly SqlParam[]) {
      counter.count++;
      return raw.query<Row>(sql, params);
    },
  };

  if (options.migrate !== false) await migrate(raw);

  const prisma = new PrismaClient({ adapter, log: [{ level: "query", emit: "event" }] });
  prisma.$on("query", () => {
    counter.count++;
  });

  return {
    kind: raw.kind,
    prisma,
    sql: countingDriver,
    statements: counter,
    async close() {
      await prisma.$disconnect();
      await raw.close();
    },
  };
}
