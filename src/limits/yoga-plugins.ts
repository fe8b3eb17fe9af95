// Cross-cutting limits as Yoga plugins: request size, metric cost.
import { createGraphQLError, type Plugin } from "graphql-yoga";
import { Kind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode } from "graphql";
import { LRUCache } from "lru-cache";
import type { Context } from "../schema/context.js";
import { mentionsMetrics, metricCost, type SubjectCounts } from "./metric-cost.js";

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
      return options.counts(ctx).then((counts) => {
        const cost = metricCost(args.schema, op, fragments, (args.variableValues ?? {}) as Record<string, unknown>, counts);
        if (cost > options.limit) {
          setResultAndStopExecution({
            errors: [
              createGraphQLError(
                `This request asks for about ${cost} metric values (metrics × subjects × periods); the limit is ${options.limit}. Ask for fewer subjects (first:), fewer periods (last:) or fewer KPIs per request.`,
                { extensions: { code: "COST_LIMIT", cost, limit: options.limit } },
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
