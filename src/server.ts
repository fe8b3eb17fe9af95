// Builds the Yoga app over an open database. It does not listen: main.ts
// listens, tests call app.fetch() on the same pipeline.
import { EnvelopArmorPlugin } from "@escape.tech/graphql-armor";
import { GraphQLError } from "graphql";
import { createGraphQLError, createYoga, maskError, type YogaServerInstance } from "graphql-yoga";
import { randomBytes } from "node:crypto";
import type { Database } from "./db/database.js";
import { authenticateApiKey } from "./auth/api-keys.js";
import { authenticateEmbedToken, EmbedTokenError, isJwt } from "./auth/embed-tokens.js";
import type { Viewer } from "./auth/viewer.js";
import { RateLimiter } from "./limits/rate-limit.js";
import { subjectCounter, useMetricCostLimit, useRequestSizeLimit } from "./limits/yoga-plugins.js";
import { logger } from "./logger.js";
import { useEmbedPage } from "./embed/route.js";
import { useHealthChecks } from "./ops/health.js";
import { useRequestTimeout, withinDeadline } from "./ops/request-timeout.js";
import { databaseFault, databaseFaultError } from "./ops/db-errors.js";
import { DEFAULT_REQUEST_TIMEOUT_MS } from "./ops/timeouts.js";
import { CatalogCache } from "./metrics/catalog-cache.js";
import { createMetricSession } from "./metrics/engine.js";
import { metricSql } from "./db/read-routing.js";
import { ResultCache, type ResultCacheOptions } from "./metrics/result-cache.js";
import { loadCompanyPlugins } from "./metrics/plugin-store.js";
import type { Context, MetricScope } from "./schema/context.js";
import { schema } from "./schema/index.js";
import { TenantSchemas } from "./schema/tenant-schema.js";

export interface AppOptions {
  db: Database;
  /** Headers GraphiQL pre-fills (the demo key); GraphiQL is off when false. */
  graphiql?: false | { headers?: Record<string, string> };
  /** Companies whose compiled catalogue stays in memory (LRU). */
  catalogCacheSize?: number;
  /** Companies whose own schema (typed fields for their KPIs) stays in memory (LRU). */
  schemaCacheSize?: number;
  /** Signs embed tokens; every process behind one database needs the same one. */
  tokenSecret?: string;
  limits?: Partial<Limits>;
  /**
   * Metric statement results shared across requests, keyed by company, catalogue and data
   * versions and the exact statement (src/metrics/result-cache.ts). On by default; false = off.
   */
  resultCache?: ResultCacheOptions | false;
}

export interface Limits {
  /** Most metric values (metrics × subjects × periods) one request may ask for. */
  metricValues: number;
  requestsPerMinutePerKey: number;
  maxRequestBytes: number;
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  /** A request still running after this is answered with TIMEOUT. */
  requestTimeoutMs: number;
}

export const DEFAULT_LIMITS: Limits = {
  metricValues: 100_000,
  requestsPerMinutePerKey: 600,
  maxRequestBytes: 256 * 1024,
  maxDepth: 12,
  maxAliases: 60,
  maxTokens: 4000,
  // The pool's statement_timeout defaults to the same (src/ops/timeouts.ts).
  requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
};

export type App = YogaServerInstance<Record<string, never>, Context> & {
  tokenSecret: string;
  /** Exposed for benchmarks and tests of the per-company caches. */
  caches: { catalogs: CatalogCache; schemas: TenantSchemas; results: ResultCache | null };
};

/**
 * Errors that reach the client unmasked but without a code — graphql-armor's refusals, Pothos'
 * argument checks ("Invalid global ID", negative first:), variable coercion — get one, so every
 * error a client sees can be handled by its code.
 */
function withCode(error: Error): Error {
  const e = error as GraphQLError;
  if (!(e && typeof e === "object" && "extensions" in e) || e.extensions?.code) return error;
  const code = /(depth|alias|token|directive)[^.]*limit|limit of \d+|exceeds? the maximum/i.test(e.message) ? "QUERY_TOO_COMPLEX" : "BAD_USER_INPUT";
  // The input at fault: a variable ("$p" at "p.grain"), an argument ("first"), or the field's path.
  const field =
    /Variable "\$\w+" got invalid value .* at "([^"]+)"/.exec(e.message)?.[1] ??
    /Variable "\$(\w+)"/.exec(e.message)?.[1] ??
    /Argument "(\w+)"/.exec(e.message)?.[1] ??
    (e.path?.length ? e.path.join(".") : "query");
  return new GraphQLError(e.message, {
    nodes: e.nodes,
    source: e.source,
    positions: e.positions,
    path: e.path,
    originalError: e.originalError,
    extensions: { ...e.extensions, code, field },
  });
}

const unauthenticated = (message: string) => createGraphQLError(message, { extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } });

export function createApp(options: AppOptions): App {
  const { db } = options;
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const tokenSecret = options.tokenSecret ?? randomBytes(32).toString("hex");
  const catalogs = new CatalogCache((companyId) => loadCompanyPlugins(db, companyId), { max: options.catalogCacheSize ?? 1000 });
  const results = options.resultCache === false ? null : new ResultCache(options.resultCache);
  const rateLimiter = new RateLimiter(limits.requestsPerMinutePerKey);
  const tenantSchemas = new TenantSchemas(schema, { max: options.schemaCacheSize ?? options.catalogCacheSize ?? 1000 });
  // The schema is chosen per request (a company's own KPIs are typed fields), before the context
  // exists: authenticate once per request and share the result.
  const viewers = new WeakMap<Request, Promise<Viewer | null>>();
  const viewerOf = (request: Request) => {
    let v = viewers.get(request);
    if (!v) viewers.set(request, (v = withinDeadline(request, limits.requestTimeoutMs, authenticate(request))));
    return v;
  };

  async function authenticate(request: Request): Promise<Viewer | null> {
    const auth = request.headers.get("authorization");
    const token = auth?.startsWith("Bearer ") ? auth.slice(7).trim() : new URL(request.url).searchParams.get("token");
    if (!token) return null;
    if (isJwt(token)) {
      try {
        return await authenticateEmbedToken(db.prisma, tokenSecret, token);
      } catch (err) {
        if (err instanceof EmbedTokenError) throw createGraphQLError(err.message, { extensions: { code: err.code, http: { status: 401 } } });
        throw err;
      }
    }
    const viewer = await authenticateApiKey(db.prisma, token);
    if (!viewer) throw unauthenticated("This API key is not valid (unknown, malformed or revoked).");
    return viewer;
  }

  const yoga = createYoga<Record<string, never>, Context>({
    schema: async ({ request }) => {
      // Authentication errors surface from the context factory; here they just mean the base schema.
      const viewer = await viewerOf(request).catch(() => null);
      if (!viewer) return schema;
      const catalog = await catalogs.get(viewer.companyId, viewer.catalogVersion);
      return tenantSchemas.schemaFor(viewer.companyId, viewer.catalogVersion, catalog);
    },
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
        // The database busy, away or too slow: a clear 503 the client can retry (src/ops/db-errors.ts).
        const fault = databaseFault(error);
        if (fault) {
          logger.warn({ err: error instanceof Error && "originalError" in error ? error.originalError : error, code: fault.code }, "database fault");
          return databaseFaultError(fault, error);
        }
        const masked = maskError(error, message, isDev);
        if (masked !== error) {
          const original = error instanceof Error && "originalError" in error ? error.originalError : error;
          logger.error({ err: original }, "masked an internal error");
          return masked;
        }
        return withCode(masked);
      },
    },
    logging: false,
    plugins: [
      useHealthChecks(db),
      // The page's inner GraphQL requests reuse the viewer it authenticated (one token check per page).
      useEmbedPage({ db, tokenSecret, shareViewer: (request, viewer) => viewers.set(request, Promise.resolve(viewer)) }),
      useRequestTimeout(limits.requestTimeoutMs),
      useRequestSizeLimit(limits.maxRequestBytes),
      EnvelopArmorPlugin({
        maxDepth: { n: limits.maxDepth, ignoreIntrospection: true },
        maxAliases: { n: limits.maxAliases },
        maxTokens: { n: limits.maxTokens },
        maxDirectives: { n: 20 },
        costLimit: { enabled: false },
        // Unknown-field errors keep "did you mean" hints: the schema is public anyway.
        blockFieldSuggestion: { enabled: false },
      }),
      useMetricCostLimit({ limit: limits.metricValues, counts: subjectCounter() }),
    ],
    context: async ({ request }): Promise<Context> => {
      const viewer = await viewerOf(request);
      if (viewer && !rateLimiter.take(viewer.keyId)) {
        throw createGraphQLError(`Rate limit: at most ${limits.requestsPerMinutePerKey} requests a minute per key.`, {
          extensions: { code: "RATE_LIMITED", http: { status: 429 } },
        });
      }
      let metrics: Promise<MetricScope> | undefined;
      return {
        db,
        prisma: db.prisma,
        viewer,
        tokenSecret,
        metrics: () => (metrics ??= openMetricScope(db, catalogs, results, viewer)),
      };
    },
  });
  return Object.assign(yoga, { tokenSecret, caches: { catalogs, schemas: tenantSchemas, results } });
}

async function openMetricScope(db: Database, catalogs: CatalogCache, results: ResultCache | null, viewer: Viewer | null): Promise<MetricScope> {
  if (!viewer) throw new Error("metrics need an authenticated viewer");
  const catalog = await catalogs.get(viewer.companyId, viewer.catalogVersion);
  return {
    timeZone: viewer.timeZone,
    memo: new Map(),
    session: createMetricSession({
      // The read replica when it has replayed the request's data version, else the primary (src/db/read-routing.ts).
      sql: metricSql(db, viewer.companyId, viewer.dataVersion),
      companyId: viewer.companyId,
      catalog,
      // The versions read with the key: a write committed since then is a new key, never a stale hit.
      results: results
        ? { cache: results, scope: { companyId: viewer.companyId, catalogVersion: viewer.catalogVersion, dataVersion: viewer.dataVersion } }
        : undefined,
    }),
  };
}
