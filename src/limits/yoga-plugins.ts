// Cross-cutting limits as Yoga plugins: request size, metric cost.
import { createGraphQLError, type Plugin } from "graphql-yoga";
import { Kind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode } from "graphql";
import { LRUCache } from "lru-cache";
import type { Context } from "../schema/context.js";
import { KEY_PATTERN } from "../metrics/plugin-schema.js";
import { frameworkKeysOf, mentionsMetrics, metricCost, type FrameworkShape, type FrameworkShapes, type SubjectCounts } from "./metric-cost.js";

/** Refuses bodies over maxBytes (413): by Content-Length before reading, else (chunked) while reading. */
export function useRequestSizeLimit(maxBytes: number): Plugin {
  return {
    async onRequest({ request, setRequest, endResponse, fetchAPI }) {
      const refuse = (size: string) =>
        endResponse(
          new fetchAPI.Response(
            JSON.stringify({ errors: [{ message: `request body is ${size} bytes; the limit is ${maxBytes}`, extensions: { code: "REQUEST_TOO_LARGE" } }] }),
            { status: 413, headers: { "content-type": "application/json" } },
          ),
        );
      const declared = request.headers.get("content-length");
      if (declared !== null) {
        if (Number(declared) > maxBytes) refuse(declared);
        return;
      }
      if (!request.body) return;
      // No length declared (chunked upload): read it here, stopping at the limit so an
      // unbounded body is never buffered whole, and hand Yoga a request over the bytes read
      // (request.clone() cannot help: the Node ponyfill's clone returns the same request).
      const reader = request.body.getReader();
      const chunks: Uint8Array[] = [];
      let seen = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        seen += value.byteLength;
        if (seen > maxBytes) {
          await reader.cancel();
          refuse(`more than ${maxBytes}`);
          return;
        }
        chunks.push(value);
      }
      const body = new Uint8Array(seen);
      let at = 0;
      for (const c of chunks) {
        body.set(c, at);
        at += c.byteLength;
      }
      setRequest(new fetchAPI.Request(request.url, { method: request.method, headers: request.headers, body }));
    },
  };
}

export interface MetricCostOptions {
  /** Most metric values one request may ask for. */
  limit: number;
  counts(ctx: Context): Promise<SubjectCounts>;
  /** Level and item count of the named frameworks (rankings are costed by them); none: rankings cost nothing. */
  frameworks?(ctx: Context, keys: string[]): Promise<FrameworkShapes>;
}

export function useMetricCostLimit(options: MetricCostOptions): Plugin<Context> {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const doc = args.document as DocumentNode;
      const ops = doc.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
      const op = args.operationName ? ops.find((o) => o.name?.value === args.operationName) : ops[0];
      const ctx = args.contextValue as Context;
      if (!op || !ctx.viewer || !mentionsMetrics(doc.loc?.source.body ?? "metric")) return;
      const fragments: Record<string, FragmentDefinitionNode> = {};
      for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
      const variables = (args.variableValues ?? {}) as Record<string, unknown>;
      const embedFramework = ctx.viewer.embed?.frameworkKey;
      const keys = [...frameworkKeysOf(op, fragments, variables), ...(embedFramework ? [embedFramework] : [])];
      return Promise.all([options.counts(ctx), keys.length && options.frameworks ? options.frameworks(ctx, keys) : new Map<string, FrameworkShape>()]).then(([counts, frameworks]) => {
        const cost = metricCost(args.schema, op, fragments, variables, counts, { frameworks, embedFramework });
        if (cost > options.limit) {
          setResultAndStopExecution({
            errors: [
              createGraphQLError(
                `This request asks for about ${cost} metric values (metrics × subjects × periods); the limit is ${options.limit}. Ask for fewer subjects (first:), fewer periods (last:) or fewer KPIs per request.`,
                // 400 under application/graphql-response+json, 200 under application/json (see server.ts).
                { extensions: { code: "COST_LIMIT", cost, limit: options.limit, http: { status: 400, spec: true } } },
              ),
            ],
          });
        }
      }) as unknown as void;
    },
  };
}

/** Subject counts per company, cached briefly: a cost estimate need not be exact to the row. */
export function subjectCounter(ttlMs = 30_000) {
  const cache = new LRUCache<string, Promise<SubjectCounts>>({ max: 10_000, ttl: ttlMs });
  return (ctx: Context): Promise<SubjectCounts> => {
    const companyId = ctx.viewer!.companyId;
    let hit = cache.get(companyId);
    if (!hit) {
      hit = ctx.db.sql
        .query<{ teams: number; members: number; customers: number }>(
          `SELECT (SELECT count(*) FROM teams WHERE company_id = $1::uuid)::int AS teams,
                  (SELECT count(*) FROM members WHERE company_id = $1::uuid)::int AS members,
                  (SELECT count(*) FROM customers WHERE company_id = $1::uuid)::int AS customers`,
          [companyId],
        )
        .then((rows) => rows[0]!);
      cache.set(companyId, hit);
    }
    return hit;
  };
}

/**
 * Level and item count of a company's frameworks (the latest version of each key, drafts included:
 * costing needs the shape, not the right to read it), cached briefly like the subject counts.
 */
export function frameworkShapes(ttlMs = 30_000) {
  const cache = new LRUCache<string, FrameworkShape | "none">({ max: 50_000, ttl: ttlMs });
  return async (ctx: Context, keys: string[]): Promise<FrameworkShapes> => {
    const companyId = ctx.viewer!.companyId;
    const out = new Map<string, FrameworkShape>();
    const missing: string[] = [];
    // Only well-formed keys can name a framework (and only they may reach SQL: no NUL, no 100 KB string).
    for (const key of new Set(keys.filter((k) => KEY_PATTERN.test(k)))) {
      const hit = cache.get(`${companyId}|${key}`);
      if (hit === undefined) missing.push(key);
      else if (hit !== "none") out.set(key, hit);
    }
    if (missing.length > 0) {
      const rows = await ctx.db.sql.query<{ key: string; level: string | null; items: number | null }>(
        `SELECT DISTINCT ON (key) key, document->>'level' AS level, jsonb_array_length(CASE WHEN jsonb_typeof(document->'items') = 'array' THEN document->'items' ELSE '[]'::jsonb END)::int AS items
           FROM frameworks WHERE company_id = $1::uuid AND key = ANY($2::text[]) AND deleted_at IS NULL
          ORDER BY key, version DESC`,
        [companyId, missing],
      );
      const found = new Map(rows.map((r) => [r.key, r]));
      for (const key of missing) {
        const r = found.get(key);
        const level = r?.level;
        const shape: FrameworkShape | "none" =
          r && (level === "company" || level === "team" || level === "member" || level === "customer") ? { level, items: Number(r.items ?? 0) } : "none";
        cache.set(`${companyId}|${key}`, shape);
        if (shape !== "none") out.set(key, shape);
      }
    }
    return out;
  };
}
