// Shared by the access-control suites: the real app over a real database, a
// client that keeps the HTTP status and raw text (to look for leaks), and row
// counts of every table (to prove a refused request changed nothing).
import { expect } from "vitest";
import { createApp, type App, type Limits } from "../../src/server.js";
import type { GraphQLResponse } from "../helpers/app.js";
import { openTestDatabase, type TestDatabase } from "../helpers/database.js";

export interface Call<T = Record<string, unknown>> {
  status: number;
  text: string;
  body: GraphQLResponse<T>;
}

export interface Client {
  app: App;
  /** POST a GraphQL operation; `token` is an API key or an embed token (Bearer). */
  call<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<Call<T>>;
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GraphQLResponse<T>>;
  /** Any request, for headers and bodies call() does not send. */
  raw(init: RequestInit, url?: string): Promise<Call>;
  /** Raw text of every response so far (leak checks run over all of them). */
  readonly seen: string[];
}

export interface AuthTestApp extends Client {
  db: TestDatabase;
  close(): Promise<void>;
}

export interface AppSettings {
  limits?: Partial<Limits>;
  tokenSecret?: string;
}

const URL_ = "http://yardstick.test/graphql";

/** A client over a new app on an existing database (e.g. a second app with other limits). */
export function clientFor(db: TestDatabase, settings: AppSettings = {}): Client {
  const app = createApp({ db, graphiql: false, limits: settings.limits, tokenSecret: settings.tokenSecret });
  const seen: string[] = [];
  const raw = async (init: RequestInit, url = URL_): Promise<Call> => {
    const res = await app.fetch(url, init);
    const text = await res.text();
    seen.push(text);
    let body: GraphQLResponse;
    try {
      body = JSON.parse(text) as GraphQLResponse;
    } catch {
      body = { errors: [{ message: `not JSON: ${text.slice(0, 200)}` }] };
    }
    return { status: res.status, text, body };
  };
  const call = async <T,>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<Call<T>> => {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (token) headers.authorization = `Bearer ${token}`;
    return (await raw({ method: "POST", headers, body: JSON.stringify({ query, variables }) })) as Call<T>;
  };
  return {
    app,
    call,
    gql: async (query, variables, token) => (await call(query, variables, token)).body as never,
    raw,
    seen,
  };
}

/** A fresh database and an app over it. Rate limits are lifted unless given: suites send hundreds of requests. */
export async function openAuthApp(settings: AppSettings = {}): Promise<AuthTestApp> {
  const db = await openTestDatabase();
  const client = clientFor(db, { ...settings, limits: { requestsPerMinutePerKey: 1_000_000, ...settings.limits } });
  return { ...client, seen: client.seen, db, close: () => db.close() };
}

/** The first error's code, or undefined. */
export function codeOf(res: GraphQLResponse<unknown>): unknown {
  return res.errors?.[0]?.extensions?.code;
}

// What an error must never carry: stack frames, file paths, SQL.
export const STACK = /\n\s+at |\bat [\w.<>]+ \(|"stack"/;
export const FILE_PATH = /\/work\/|node_modules|\.ts:\d|\.m?js:\d/;
export const SQL = /select |insert |syntax error at or near|relation "/i;

/** Fails when a response shows a stack trace or a file path anywhere, or SQL in its errors. */
export function expectNoLeak(text: string): void {
  expect(text, "stack trace in a response").not.toMatch(STACK);
  expect(text, "file path in a response").not.toMatch(FILE_PATH);
  let errors: unknown = [];
  try {
    errors = (JSON.parse(text) as { errors?: unknown }).errors ?? [];
  } catch {
    errors = text;
  }
  expect(JSON.stringify(errors), "SQL in an error").not.toMatch(SQL);
}

export const TABLES = [
  "companies", "teams", "members", "customers", "orders", "interactions", "opportunities", "opportunity_stages",
  "tickets", "survey_responses", "campaigns", "campaign_costs", "ratings", "metric_plugins", "frameworks",
  "api_keys", "embed_tokens", "audit_log",
] as const;

/** Row count of every table, optionally of one company only (tables with company_id). */
export async function rowCounts(db: TestDatabase, companyId?: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of TABLES) {
    const where = companyId ? (table === "companies" ? "WHERE id = $1::uuid" : "WHERE company_id = $1::uuid") : "";
    const rows = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} ${where}`, companyId ? [companyId] : []);
    out[table] = Number(rows[0]!.n);
  }
  return out;
}

/** Base64 of "Type:id", the way Relay global IDs are made. */
export const globalId = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString("base64");
