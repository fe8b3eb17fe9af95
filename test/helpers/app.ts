// The real Yoga app over a real database, queried through app.fetch().
import { issueApiKey } from "../../src/auth/api-keys.js";
import type { Role } from "../../src/auth/viewer.js";
import { createApp, type App } from "../../src/server.js";
import { openTestDatabase, type TestDatabase } from "./database.js";

export interface GraphQLResponse<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export interface TestApp {
  db: TestDatabase;
  app: App;
  /** POST a GraphQL operation with the given API key (or none). */
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    key?: string | null,
  ): Promise<GraphQLResponse<T>>;
  close(): Promise<void>;
}

export async function createTestApp(): Promise<TestApp> {
  const db = await openTestDatabase();
  const app = createApp({ db, graphiql: false });
  return {
    db,
    app,
    async gql(query, variables, key) {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (key) headers.authorization = `Bearer ${key}`;
      const res = await app.fetch("http://yardstick.test/graphql", {
        method: "POST",
        headers,
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as GraphQLResponse<never>;
    },
    close: () => db.close(),
  };
}

export interface TestCompany {
  id: string;
  keys: Record<Role, string>;
}

/** A company with one key per role. */
export async function createCompany(
  db: TestDatabase,
  slug: string,
  options: { timeZone?: string; currency?: string } = {},
): Promise<TestCompany> {
  const company = await db.prisma.company.create({
    data: { slug, name: slug, timeZone: options.timeZone ?? "UTC", currency: options.currency ?? "USD" },
  });
  const keys = {} as Record<Role, string>;
  for (const role of ["admin", "manager", "viewer"] as const) {
    keys[role] = (await issueApiKey(db.prisma, { companyId: company.id, name: `${role} key`, role })).key;
  }
  return { id: company.id, keys };
}

/** Fails the test with the GraphQL errors when there are any. */
export function dataOf<T>(res: GraphQLResponse<T>): T {
  if (res.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors)}`);
  if (!res.data) throw new Error("GraphQL response has no data");
  return res.data;
}
