// Builds the Yoga app over an open database. It does not listen: main.ts
// listens, tests call app.fetch() on the same pipeline.
import { createYoga, maskError, type YogaServerInstance } from "graphql-yoga";
import type { Database } from "./db/database.js";
import { authenticateApiKey } from "./auth/api-keys.js";
import { schema } from "./schema/index.js";
import type { Context, MetricScope } from "./schema/context.js";
import type { Viewer } from "./auth/viewer.js";
import { createMetricSession } from "./metrics/engine.js";
import { CatalogCache } from "./metrics/catalog-cache.js";
import { loadCompanyPlugins } from "./metrics/plugin-store.js";
import { logger } from "./logger.js";

export interface AppOptions {
  db: Database;
  /** Companies whose compiled catalogue stays in memory (LRU). */
  catalogCacheSize?: number;
  /** Headers GraphiQL pre-fills (the demo key); GraphiQL is off when false. */
  graphiql?: false | { headers?: Record<string, string> };
}

export type App = YogaServerInstance<Record<string, never>, Context>;

export function createApp(options: AppOptions): App {
  const { db } = options;
  const catalogs = new CatalogCache((companyId) => loadCompanyPlugins(db, companyId), { max: options.catalogCacheSize ?? 1000 });
  return createYoga<Record<string, never>, Context>({
    schema,
    graphqlEndpoint: "/graphql",
    landingPage: false,
    graphiql:
      options.graphiql === false
        ? false
        : { title: "Yardstick", headers: JSON.stringify(options.graphiql?.headers ?? {}) },
    maskedErrors: {
      isDev: false,
      // Clients see "Unexpected error."; the log keeps what was hidden.
      maskError(error, message, isDev) {
        const masked = maskError(error, message, isDev);
        if (masked !== error) {
          const original = error instanceof Error && "originalError" in error ? error.originalError : error;
          logger.error({ err: original }, "masked an internal error");
        }
        return masked;
      },
    },
    logging: false,
    context: async ({ request }): Promise<Context> => {
      const auth = request.headers.get("authorization");
      const token = auth?.startsWith("Bearer ") ? auth.slice(7).trim() : null;
      const viewer = token ? await authenticateApiKey(db.prisma, token) : null;
      let metrics: Promise<MetricScope> | undefined;
      return {
        db,
        prisma: db.prisma,
        viewer,
        metrics: () => (metrics ??= openMetricScope(db, catalogs, viewer)),
      };
    },
  });
}

async function openMetricScope(db: Database, catalogs: CatalogCache, viewer: Viewer | null): Promise<MetricScope> {
  if (!viewer) throw new Error("metrics need an authenticated viewer");
  const catalog = await catalogs.get(viewer.companyId, viewer.catalogVersion);
  return {
    timeZone: viewer.timeZone,
    memo: new Map(),
    session: createMetricSession({ sql: db.sql, companyId: viewer.companyId, catalog }),
  };
}
