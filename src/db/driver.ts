// The raw SQL driver under Prisma. The metric engine runs its compiled,
// parameterised aggregates here (no ORM overhead on the hot path); migrations
// run multi-statement scripts here. One interface over PGlite and node-postgres.
import type { PGlite } from "@electric-sql/pglite";
import type pg from "pg";

export type SqlParam = string | number | boolean | null | Date | readonly (string | number | null)[];

export interface SqlDriver {
  readonly kind: "pglite" | "postgres";
  /** One parameterised statement; rows come back as plain objects. */
  query<Row extends Record<string, unknown>>(sql: string, params?: readonly SqlParam[]): Promise<Row[]>;
  /** A script of several statements, no parameters (migrations). */
  exec(script: string): Promise<void>;
  /** Runs fn inside one transaction on one connection. */
  transaction<T>(fn: (tx: Pick<SqlDriver, "query" | "exec">) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function pgliteDriver(db: PGlite): SqlDriver {
  const wrap = (q: Pick<PGlite, "query" | "exec">): Pick<SqlDriver, "query" | "exec"> => ({
    async query<Row extends Record<string, unknown>>(sql: string, params: readonly SqlParam[] = []) {
      const res = await q.query<Row>(sql, params as unknown[]);
      return res.rows;
    },
    async exec(script: string) {
      await q.exec(script);
    },
  });
  return {
    kind: "pglite",
    ...wrap(db),
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    close: () => db.close(),
  };
}

export function postgresDriver(pool: pg.Pool): SqlDriver {
  const wrap = (q: Pick<pg.Pool, "query">): Pick<SqlDriver, "query" | "exec"> => ({
    async query<Row extends Record<string, unknown>>(sql: string, params: readonly SqlParam[] = []) {
      const res = await q.query<Row>(sql, params as unknown[]);
      return res.rows;
    },
    async exec(script: string) {
      await q.query(script);
    },
  });
  return {
    kind: "postgres",
    ...wrap(pool),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const out = await fn(wrap(client));
        await client.query("COMMIT");
        return out;
      } catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
