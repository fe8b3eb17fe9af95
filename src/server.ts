// Builds the Yoga app over an open database. It does not listen: main.ts
// listens, tests call app.fetch() on the same pipeline.
import { EnvelopArmorPlugin } from "@escape.tech/graphql-armor";
import { GraphQLError, Kind, type ASTVisitor, type ValidationContext, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from "graphql";
import { createGraphQLError, createYoga, maskError, type Plugin, type YogaServerInstance } from "graphql-yoga";
import { randomBytes } from "node:crypto";
import { IANAZone } from "luxon";
import type { Database } from "./db/database.js";
import { apiKeyPrefix, authenticateApiKey } from "./auth/api-keys.js";
import { AuthThrottle, clientAddress, type AuthThrottleOptions } from "./auth/throttle.js";
import { authenticateEmbedToken, EmbedTokenError, isJwt } from "./auth/embed-tokens.js";
import type { Viewer } from "./auth/viewer.js";
import { RateLimiter } from "./limits/rate-limit.js";
import { frameworkShapes, subjectCounter, useMetricCostLimit, useRequestSizeLimit } from "./limits/yoga-plugins.js";
import { usePaginationLimits } from "./limits/pagination.js";
import { logger } from "./logger.js";
import { useEmbedPage } from "./embed/route.js";
import { useHealthChecks } from "./ops/health.js";
import { isLoopback } from "./config.js";
import { renderOfflineGraphiQL, useOfflineGraphiQL } from "./graphiql/offline.js";
import type { Lifecycle } from "./ops/lifecycle.js";
import { opsPlugins, type OpsOptions } from "./ops/yoga-ops.js";
import { deadlineOf, useRequestTimeout, withinDeadline } from "./ops/request-timeout.js";
import { databaseFault, databaseFaultError } from "./ops/db-errors.js";
import { DEFAULT_REQUEST_TIMEOUT_MS } from "./ops/timeouts.js";
import { DEFAULT_REQUEST_FORMULA_MS, formulaPool, formulaRun } from "./metrics/formula-pool.js";
import { ResultCache, type ResultCacheOptions } from "./metrics/result-cache.js";
import type { Context } from "./schema/context.js";
import { createSessions, type MetricScope } from "./session.js";
import type { CatalogCache } from "./metrics/catalog-cache.js";
import { schema } from "./schema/index.js";
import { TenantSchemas } from "./schema/tenant-schema.js";

export interface AppOptions {
  db: Database;
  /**
   * GraphiQL, served from the installed package (src/graphiql/offline.ts); off when false.
   * `headers` (the demo admin key) are pre-filled only for a page asked for by a loopback host
   * name (localhost, 127.0.0.1, [::1]): main.ts passes them only when listening on loopback,
   * and the Host check keeps a DNS-rebound name from reading them.
   */
  graphiql?: false | { headers?: Record<string, string> };
  /**
   * Origins whose browser pages may read answers (CORS). Absent or empty: no CORS headers at all.
   * Never with credentials: clients authenticate with a bearer header, not cookies.
   */
  corsOrigins?: readonly string[];
  /** Failed-authentication budgets (src/auth/throttle.ts). */
  authThrottle?: AuthThrottleOptions;
  /**
   * Proxies in front that append to X-Forwarded-For (YARDSTICK_TRUST_PROXY, src/ops/ops-config.ts):
   * the client address for throttling is the entry they appended, not the socket's (true = 1).
   */
  trustProxy?: boolean | number;
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
  /** Access log, slow-request log, /metrics, tracing, the shutdown lifecycle (src/ops/yoga-ops.ts). */
  ops?: OpsOptions;
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
  /**
   * Worker time all of one request's JSONata formulas may use together (their own work, not
   * time queued); past it the request's remaining formula values fail with FORMULA_LIMIT.
   */
  formulaMsPerRequest: number;
}

export const DEFAULT_LIMITS: Limits = {
  metricValues: 100_000,
  requestsPerMinutePerKey: 600,
  maxRequestBytes: 256 * 1024,
  maxDepth: 12,
  maxAliases: 60,
  maxTokens: 4000,
  // The pool's statement_timeout defaults to the same (src/db/timeouts.ts).
  requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
  formulaMsPerRequest: DEFAULT_REQUEST_FORMULA_MS,
};

export type App = YogaServerInstance<Record<string, never>, Context> & {
  tokenSecret: string;
  /** Draining on shutdown turns /ready to 503 (src/ops/shutdown.ts). */
  lifecycle: Lifecycle;
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
    extensions: { ...e.extensions, code, field, ...(code === "QUERY_TOO_COMPLEX" ? { http: BAD_REQUEST_PER_SPEC } : {}) },
  });
}

/**
 * 400 under application/graphql-response+json (the GraphQL-over-HTTP spec: a request refused
 * before execution is a client error), 200 under legacy application/json (Yoga reads `spec`).
 */
export const BAD_REQUEST_PER_SPEC = { status: 400, spec: true } as const;

/** A quoted echo of the caller's input longer than this is cut ("unknown metric \"aaaa…\"" for a 100 KB key). */
const MAX_ECHO = 80;

/** The error with every long quoted echo in its message shortened: an error never repeats a 100 KB input. */
function bounded(error: Error): Error {
  const e = error as GraphQLError;
  if (typeof e.message !== "string" || e.message.length <= 300) return error;
  const message = e.message.replace(/"([^"]{81,})"/g, (_m, inner: string) => `"${inner.slice(0, MAX_ECHO)}…" (${inner.length} characters)`).slice(0, 4000);
  if (message === e.message || !("extensions" in e)) return error;
  return new GraphQLError(message, { nodes: e.nodes, source: e.source, positions: e.positions, path: e.path, originalError: e.originalError, extensions: e.extensions });
}

/** Periods are cut in the company's zone: a zone stored wrong (by hand, by an old bug) is named, not an internal error. */
const invalidTimeZone = (zone: string) =>
  createGraphQLError(`The company's time zone "${zone.slice(0, 64)}" is not an IANA time zone; an admin can set one with updateCompanySettings.`, {
    extensions: { code: "INVALID_TIME_ZONE", field: "company.timeZone" },
  });

const unauthenticated = (message: string) => createGraphQLError(message, { extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } });
const throttled = (seconds: number) =>
  createGraphQLError(`Too many failed authentication attempts; try again in ${seconds} s.`, {
    extensions: { code: "RATE_LIMITED", retryAfter: seconds, http: { status: 429, headers: { "retry-after": String(seconds) } } },
  });

export function createApp(options: AppOptions): App {
  const { db } = options;
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const tokenSecret = options.tokenSecret ?? randomBytes(32).toString("hex");
  const sessions = createSessions(db, {
    catalogCacheSize: options.catalogCacheSize,
    results: options.resultCache === false ? null : new ResultCache(options.resultCache),
  });
  const { catalogs, results } = sessions;
  const rateLimiter = new RateLimiter(limits.requestsPerMinutePerKey);
  // Formula workers start with the app, not on the first request that needs JSONata.
  void formulaPool().warm();
  const ops = opsPlugins(db, results, options.ops);
  const tenantSchemas = new TenantSchemas(schema, { max: options.schemaCacheSize ?? options.catalogCacheSize ?? 1000 });
  const throttle = new AuthThrottle(options.authThrottle);
  // The schema is chosen per request (a company's own KPIs are typed fields), before the context
  // exists: authenticate once per request and share the result.
  const viewers = new WeakMap<Request, Promise<Viewer | null>>();
  const viewerOf = (request: Request, serverContext: unknown) => {
    let v = viewers.get(request);
    if (!v) viewers.set(request, (v = withinDeadline(request, limits.requestTimeoutMs, authenticate(request, serverContext))));
    return v;
  };

  async function authenticate(request: Request, serverContext: unknown): Promise<Viewer | null> {
    const auth = request.headers.get("authorization");
    const fromUrl = new URL(request.url).searchParams.get("token");
    const token = auth?.startsWith("Bearer ") ? auth.slice(7).trim() : fromUrl;
    if (!token) return null;
    // An API key in a URL ends up in access logs, proxies and referrers: only read-only embed
    // tokens may come that way (portals put them in an iframe's URL).
    if (token === fromUrl && !isJwt(token)) {
      throw unauthenticated("API keys are not accepted in the URL (?token=): send them as Authorization: Bearer ys_…");
    }
    const address = clientAddress(request, serverContext, options.trustProxy ?? false);
    const wait = throttle.addressWait(address);
    if (wait > 0) throw throttled(wait);
    const refuse = (error: GraphQLError, prefix: string | null) => {
      const after = throttle.failed(address, prefix);
      return after > 0 ? throttled(after) : error;
    };
    if (isJwt(token)) {
      try {
        return await authenticateEmbedToken(db.prisma, tokenSecret, token);
      } catch (err) {
        if (err instanceof EmbedTokenError) throw refuse(createGraphQLError(err.message, { extensions: { code: err.code, http: { status: 401 } } }), null);
        throw err;
      }
    }
    const viewer = await authenticateApiKey(db.prisma, token);
    if (!viewer) throw refuse(unauthenticated("This API key is not valid (unknown, malformed or revoked)."), apiKeyPrefix(token));
    return viewer;
  }

  const yoga = createYoga<Record<string, never>, Context>({
    schema: async (context) => {
      const { request } = context;
      // Authentication errors surface from the context factory; here they just mean the base schema.
      const viewer = await viewerOf(request, context).catch(() => null);
      if (!viewer) return schema;
      const catalog = await catalogs.get(viewer.companyId, viewer.catalogVersion);
      return tenantSchemas.schemaFor(viewer.companyId, viewer.catalogVersion, catalog);
    },
    graphqlEndpoint: "/graphql",
    landingPage: false,
    graphiql: options.graphiql === false ? false : graphiqlOptions(options.graphiql?.headers),
    renderGraphiQL: renderOfflineGraphiQL,
    cors: corsOptions(options.corsOrigins ?? []),
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
        return bounded(withCode(masked));
      },
    },
    logging: false,
    plugins: [
      ...ops.plugins,
      useHealthChecks(db, { lifecycle: ops.lifecycle }),
      useOfflineGraphiQL(),
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
      useRequireCredentials(),
      useAliasLimit(limits.maxAliases),
      useUnsupportedMediaTypeBody(),
      useMetricCostLimit({ limit: limits.metricValues, counts: subjectCounter(), frameworks: frameworkShapes() }),
      usePaginationLimits(),
    ],
    context: async (initial): Promise<Context> => {
      const viewer = await viewerOf(initial.request, initial);
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
        metrics: () =>
          (metrics ??= viewer
            ? !IANAZone.isValidZone(viewer.timeZone)
              ? Promise.reject(invalidTimeZone(viewer.timeZone))
              : sessions.openSession(viewer, {
                // The request's formula budget and deadline; the worker pool is fair between companies.
                formulaRun: formulaRun(viewer.companyId, {
                  budgetMs: limits.formulaMsPerRequest,
                  deadline: deadlineOf(initial.request, limits.requestTimeoutMs),
                }),
              })
            : Promise.reject(new Error("metrics need an authenticated viewer"))),
      };
    },
  });
  return Object.assign(yoga, { tokenSecret, lifecycle: ops.lifecycle, caches: { catalogs, schemas: tenantSchemas, results } });
}

/**
 * A request without any key is refused like a bad key (401), not answered 200 with null data;
 * only an introspection-only operation (GraphiQL reading the schema) may go without one.
 */
function useRequireCredentials(): Plugin<Context> {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      if ((args.contextValue as Context).viewer) return;
      const doc = args.document as DocumentNode;
      const ops = doc.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
      const op = args.operationName ? ops.find((o) => o.name?.value === args.operationName) : ops[0];
      if (op && op.operation === "query" && introspectionOnly(op.selectionSet, doc, new Set())) return;
      setResultAndStopExecution({ errors: [unauthenticated("Authenticate with an API key: Authorization: Bearer ys_…")] });
    },
  };
}

function introspectionOnly(set: SelectionSetNode, doc: DocumentNode, seen: Set<string>): boolean {
  return set.selections.every((sel) => {
    if (sel.kind === Kind.FIELD) return sel.name.value.startsWith("__");
    if (sel.kind === Kind.INLINE_FRAGMENT) return introspectionOnly(sel.selectionSet, doc, seen);
    if (seen.has(sel.name.value)) return true;
    seen.add(sel.name.value);
    const frag = doc.definitions.find((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === sel.name.value);
    return !!frag && introspectionOnly(frag.selectionSet, doc, seen);
  });
}

/**
 * graphql-armor's alias limit does not count __typename: 1,000 `a1: __typename` passed. This
 * rule counts every aliased field, introspection included.
 */
function useAliasLimit(max: number): Plugin {
  const rule = (context: ValidationContext): ASTVisitor => {
    let aliases = 0;
    let reported = false;
    return {
      Field(node) {
        if (!node.alias || reported) return;
        if (++aliases > max) {
          reported = true;
          context.reportError(
            new GraphQLError(`Aliases limit of ${max} exceeded (counting __typename).`, { nodes: [node], extensions: { code: "QUERY_TOO_COMPLEX", field: "query" } }),
          );
        }
      },
    };
  };
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(rule);
    },
  };
}

/** Yoga answers an unsupported Content-Type with 415 and no body: say what it accepts. */
function useUnsupportedMediaTypeBody(): Plugin {
  return {
    onResponse({ response, setResponse, fetchAPI }) {
      if (response.status !== 415 || response.headers.get("content-type")) return;
      const message = "Unsupported Content-Type: send application/json (or application/graphql-response+json), multipart/form-data for uploads, or a GET with ?query=.";
      setResponse(
        new fetchAPI.Response(JSON.stringify({ errors: [{ message, extensions: { code: "UNSUPPORTED_MEDIA_TYPE" } }] }), {
          status: 415,
          headers: { "content-type": "application/json; charset=utf-8", accept: "application/json, multipart/form-data" },
        }),
      );
    },
  };
}

/** GraphiQL's options per request: the pre-filled headers only for a page asked for by a loopback name. */
function graphiqlOptions(headers: Record<string, string> | undefined) {
  return (request: Request) => {
    const local = isLoopback(new URL(request.url).hostname);
    return {
      title: "Yardstick",
      headers: JSON.stringify(local && headers ? headers : {}),
      // The key stays in the page's memory, not in the browser's storage.
      shouldPersistHeaders: false,
    };
  };
}

/** CORS answers for the configured origins only, without credentials; no CORS headers otherwise. */
function corsOptions(origins: readonly string[]) {
  if (origins.length === 0) return false as const;
  const allowed = new Set(origins);
  return (request: Request) => {
    const origin = request.headers.get("origin");
    if (!origin || !allowed.has(origin)) return false as const;
    return {
      origin: [origin],
      credentials: false,
      methods: ["GET", "POST", "OPTIONS"],
      allowedHeaders: ["authorization", "content-type", "accept", "x-request-id"],
      // The answer's request id (src/ops/request-id.ts), for the page to quote in a report.
      exposedHeaders: ["x-request-id"],
      maxAge: 600,
    };
  };
}
