// Shared by the fault suites: a scratch PostgreSQL database with one company,
// its admin key and one order, an admin connection outside the API's pool (to
// take locks and read pg_stat_activity), and a GraphQL call that measures time.
import pg from "pg";
import { issueApiKey } from "../../src/auth/api-keys.js";
import type { App } from "../../src/server.js";
import type { Database } from "../../src/db/database.js";
import { createScratchPostgres } from "../helpers/database.js";

export interface Answer {
  status: number;
  ms: number;
  text: string;
  body: { data?: unknown; errors?: { message: string; path?: unknown[]; extensions?: { code?: string } }[] };
  headers: Headers;
}

export async function call(app: App, query: string, key?: string): Promise<Answer> {
  const t0 = Date.now();
  const res = await app.fetch("http://ops.test/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query }),
  });
  const text = await res.text();
  return { status: res.status, ms: Date.now() - t0, text, body: JSON.parse(text) as Answer["body"], headers: res.headers };
}

export const REVENUE = `{ company { metric(key: "revenue", period: { grain: MONTH, date: "2026-03-01" }) { value } } }`;

/** A company with an admin key and one 250.00 order in March 2026. */
export async function seedCompany(db: Database, slug: string): Promise<{ companyId: string; key: string }> {
  const company = await db.prisma.company.create({ data: { slug, name: slug } });
  const key = (await issueApiKey(db.prisma, { companyId: company.id, name: "admin", role: "admin" })).key;
  const customer = await db.prisma.customer.create({ data: { companyId: company.id, name: "c", acquiredAt: new Date("2026-01-01T00:00:00Z") } });
  await db.prisma.order.create({
    data: { companyId: company.id, customerId: customer.id, amount: "250", product: "p", category: "c", channel: "web", at: new Date("2026-03-10T00:00:00Z") },
  });
  return { companyId: company.id, key };
}

/** A client outside the API's pool, on the same scratch database. */
export async function adminClient(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: "ops-test-admin" });
  await client.connect();
  return client;
}

/** Statements of the API's pool still running (or waiting on a lock) in the database: everything but the admin connections. */
export async function runningStatements(admin: pg.Client, database: string): Promise<{ pid: number; state: string; wait: string | null; query: string }[]> {
  const { rows } = await admin.query<{ pid: number; state: string; wait: string | null; query: string }>(
    `SELECT pid, state, wait_event_type AS wait, query FROM pg_stat_activity
      WHERE datname = $1 AND state = 'active' AND application_name <> 'ops-test-admin' AND pid <> pg_backend_pid()`,
    [database],
  );
  return rows;
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<number> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - t0;
}

export { createScratchPostgres };

/** No SQL, stack trace, host or connection detail in what the client sees. */
export const LEAK = /ECONNREFUSED|127\.0\.0\.1|postgres|SELECT|FROM |\.ts:\d|at [\w.]+ \(|timeout exceeded|canceling statement|pg_/i;
