// Who may read /metrics. The figures name operations, companies' load and the
// pool's state: not for the public. Two ways in, both off the public surface
// by default:
// - the metrics listener (src/ops/metrics-server.ts): its own port, bound to
//   127.0.0.1 unless YARDSTICK_METRICS_HOST says otherwise;
// - /metrics on the API port, only when YARDSTICK_METRICS_TOKEN is set, and
//   only with `Authorization: Bearer <that token>`. Without the token the
//   path does not exist there (404). A loopback peer gets no exception: behind
//   a proxy on the same host every request comes from loopback.
import { timingSafeEqual, createHash } from "node:crypto";
import type { Plugin } from "graphql-yoga";
import { renderMetrics } from "./metrics.js";

const digest = (s: string) => createHash("sha256").update(s).digest();

/** Constant-time comparison of a presented bearer token with the configured one. */
export function tokenMatches(presented: string | null | undefined, token: string): boolean {
  if (!presented?.startsWith("Bearer ")) return false;
  return timingSafeEqual(digest(presented.slice(7).trim()), digest(token));
}

export function useMetricsRoute(token: string | undefined): Plugin {
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== "/metrics" || !token) return;
      if (!tokenMatches(request.headers.get("authorization"), token)) {
        endResponse(
          new fetchAPI.Response(JSON.stringify({ errors: [{ message: "/metrics needs the metrics token (Authorization: Bearer …).", extensions: { code: "UNAUTHENTICATED" } }] }), {
            status: 401,
            headers: { "content-type": "application/json", "www-authenticate": 'Bearer realm="metrics"' },
          }),
        );
        return;
      }
      const { body, contentType } = await renderMetrics();
      endResponse(new fetchAPI.Response(body, { status: 200, headers: { "content-type": contentType, "cache-control": "no-store" } }));
    },
  };
}
