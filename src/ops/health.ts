// /ready: the database answers within a deadline — for load balancers and
// orchestrators. It fails fast while the database is away and recovers by
// itself when it returns. Once shutdown has begun it answers 503 "draining"
// without asking the database, while requests in flight finish
// (src/ops/shutdown.ts). (/health, "the process is up", is Yoga's own.)
import type { Plugin } from "graphql-yoga";
import type { Database } from "../db/database.js";
import type { Lifecycle } from "./lifecycle.js";

export function useHealthChecks(db: Database, options: { readyTimeoutMs?: number; lifecycle?: Lifecycle } = {}): Plugin {
  const timeout = options.readyTimeoutMs ?? 2_000;
  const json = (Response: typeof globalThis.Response, body: unknown, status = 200) =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", "cache-control": "no-store" } });
  return {
    async onRequest({ request, endResponse, fetchAPI }) {
      const { pathname } = new URL(request.url);
      if (pathname !== "/ready") return;
      if (options.lifecycle?.draining) {
        endResponse(json(fetchAPI.Response, { status: "draining", reason: "the process is shutting down" }, 503));
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          db.sql.query("SELECT 1"),
          new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeout} ms`)), timeout))),
        ]);
        endResponse(json(fetchAPI.Response, { status: "ready", database: db.kind }));
      } catch (err) {
        endResponse(json(fetchAPI.Response, { status: "unavailable", reason: `database: ${(err as Error).message}` }, 503));
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
