// Helpers for the org, ratings and sync tests: a snapshot of every table a
// refused write could touch, to show that it touched none.
import type { TestDatabase } from "../helpers/database.js";

const TABLES = [
  "companies", "teams", "members", "customers", "campaigns", "campaign_costs", "orders", "interactions",
  "opportunities", "opportunity_stages", "tickets", "survey_responses", "ratings", "api_keys", "audit_log",
] as const;

/** Every row of every table, as text (ordered), so two snapshots compare equal only if nothing changed. */
export async function snapshot(db: TestDatabase): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of TABLES) {
    // last_used_at moves with every authenticated request (at most once a minute): not a change by the write.
    const rows = await db.sql.query<{ r: string }>(
      table === "api_keys" ? `SELECT (t.id, t.name, t.role, t.revoked_at)::text AS r FROM ${table} t ORDER BY 1` : `SELECT t::text AS r FROM ${table} t ORDER BY 1`,
    );
    out[table] = rows.map((x) => x.r);
  }
  return out;
}

export async function dataVersionOf(db: TestDatabase, companyId: string): Promise<number> {
  const rows = await db.sql.query<{ v: number }>("SELECT data_version AS v FROM companies WHERE id = $1::uuid", [companyId]);
  return Number(rows[0]!.v);
}

export async function auditActions(db: TestDatabase, companyId: string): Promise<string[]> {
  const rows = await db.sql.query<{ action: string }>("SELECT action FROM audit_log WHERE company_id = $1::uuid ORDER BY at, id", [companyId]);
  return rows.map((r) => r.action);
}

/** The error of a GraphQL answer that must have failed, with its code and field. */
export function errorOf(res: { errors?: { message: string; extensions?: Record<string, unknown> }[] }) {
  if (!res.errors?.length) throw new Error(`expected an error, got ${JSON.stringify(res)}`);
  const e = res.errors[0]!;
  return { code: e.extensions?.code, field: e.extensions?.field, message: e.message };
}

/** The database id inside a Relay global ID (base64 of "Type:id"). */
export function dbId(globalId: string): string {
  return Buffer.from(globalId, "base64").toString("utf8").split(":").slice(1).join(":");
}

/** A Relay global ID; with a random UUID it names a row that does not exist. */
export function globalId(type: string, id: string = crypto.randomUUID()): string {
  return Buffer.from(`${type}:${id}`).toString("base64");
}
