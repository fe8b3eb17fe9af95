// A company's data version: a counter on its companies row, bumped in the same
// transaction as every write of the rows its metrics are computed from (facts,
// customers, teams, members, ratings). Every request reads it with its API key
// or embed token (one statement, already there for the catalogue version), and
// the metric result cache (result-cache.ts) puts it in its keys: once a write
// commits, no process can read a result computed before it.
//
// Call bumpDataVersion from every writer, inside the writer's transaction, after
// its rows are written. A write outside a transaction would leave a window in
// which the new version is visible but the rows are not (a result computed then
// would be cached under the new version without them).
import type { SqlDriver } from "../db/driver.js";

/** A raw SQL executor (a transaction's), or a Prisma transaction client. */
export type DataVersionWriter =
  | Pick<SqlDriver, "query">
  | { $executeRawUnsafe(sql: string, ...values: unknown[]): Promise<number> };

const BUMP = "UPDATE companies SET data_version = data_version + 1 WHERE id = $1::uuid";

/** Marks the company's metric data as changed. Run it in the transaction that changes it. */
export async function bumpDataVersion(tx: DataVersionWriter, companyId: string): Promise<void> {
  if ("query" in tx) await tx.query(BUMP, [companyId]);
  else await tx.$executeRawUnsafe(BUMP, companyId);
}
