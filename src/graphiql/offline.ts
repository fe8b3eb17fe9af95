// GraphiQL served from the installed @graphql-yoga/graphiql package instead of
// Yoga's default page, which loads its scripts and styles from a public CDN:
// that page is blank offline and runs third-party code next to an admin key.
//
// The page has no inline script (the options travel as a JSON data block), so
// its CSP allows scripts from this origin only. Assets are read from the
// package's dist/ on request (GraphiQL is rarely opened; nothing stays in memory).
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import type { GraphiQLOptions, Plugin } from "graphql-yoga";

export const GRAPHIQL_ASSET_PREFIX = "/graphiql/";

const require = createRequire(import.meta.url);
const DIST = path.join(path.dirname(require.resolve("@graphql-yoga/graphiql/package.json")), "dist");

/** Sets Monaco's worker URLs (before the bundle loads), then renders GraphiQL once the page is parsed. */
const BOOT_JS = `"use strict";
(function () {
  var workers = {
    editorWorkerService: "${GRAPHIQL_ASSET_PREFIX}editor.worker.js",
    json: "${GRAPHIQL_ASSET_PREFIX}json.worker.js",
    graphql: "${GRAPHIQL_ASSET_PREFIX}graphql.worker.js"
  };
  self.MonacoEnvironment = {
    globalAPI: false,
    getWorkerUrl: function (_moduleId, label) { return workers[label] || workers.editorWorkerService; }
  };
  document.addEventListener("DOMContentLoaded", function () {
    var options = JSON.parse(document.getElementById("graphiql-options").textContent || "{}");
    YogaGraphiQL.renderYogaGraphiQL(document.getElementById("root"), options);
  });
})();
`;

/** URL path → file in the package's dist/ (or the boot script above). Nothing else is served. */
const ASSETS: Record<string, { file: string | null; type: string }> = {
  "boot.js": { file: null, type: "text/javascript; charset=utf-8" },
  "graphiql.css": { file: "graphiql.css", type: "text/css; charset=utf-8" },
  "yoga-graphiql.js": { file: "yoga-graphiql.umd.js", type: "text/javascript; charset=utf-8" },
  "editor.worker.js": { file: "monacoeditorwork/editor.worker.bundle.js", type: "text/javascript; charset=utf-8" },
  "json.worker.js": { file: "monacoeditorwork/json.worker.bundle.js", type: "text/javascript; charset=utf-8" },
  "graphql.worker.js": { file: "monacoeditorwork/graphql.worker..bundle.js", type: "text/javascript; charset=utf-8" },
};

/**
 * The page's policy: scripts, styles, workers and requests to this origin only. Styles allow
 * 'unsafe-inline' because React and Monaco set style attributes; no script is inline.
 */
export const GRAPHIQL_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "worker-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** JSON that is safe inside a <script type="application/json"> block (no "</script>", no "<!--"). */
const jsonForScript = (value: unknown) => JSON.stringify(value).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026");

/** Yoga's renderGraphiQL replacement. */
export function renderOfflineGraphiQL(options: GraphiQLOptions): string {
  const title = escapeHtml(options.title ?? "GraphiQL");
  const p = GRAPHIQL_ASSET_PREFIX;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${p}graphiql.css">
</head>
<body id="body" class="no-focus-outline">
<noscript>GraphiQL needs JavaScript.</noscript>
<div id="root">Loading ${title}…</div>
<script type="application/json" id="graphiql-options">${jsonForScript(options)}</script>
<script src="${p}boot.js"></script>
<script src="${p}yoga-graphiql.js"></script>
</body>
</html>
`;
}

/** Headers of the GraphiQL page: its CSP, never framed, never cached (it may hold a key), no referrer. */
export function graphiqlPageHeaders(): Record<string, string> {
  return {
    "content-security-policy": GRAPHIQL_CSP,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
  };
}

/** Serves GraphiQL's assets under /graphiql/ and puts the page's headers on the GraphiQL page itself. */
export function useOfflineGraphiQL(graphqlEndpoint = "/graphql"): Plugin {
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (!url.pathname.startsWith(GRAPHIQL_ASSET_PREFIX)) return;
      const asset = ASSETS[url.pathname.slice(GRAPHIQL_ASSET_PREFIX.length)];
      if (!asset || (request.method !== "GET" && request.method !== "HEAD")) {
        endResponse(new fetchAPI.Response("not found", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } }));
        return;
      }
      const body = asset.file === null ? BOOT_JS : await readFile(path.join(DIST, asset.file));
      endResponse(
        new fetchAPI.Response(request.method === "HEAD" ? null : body, {
          status: 200,
          headers: {
            "content-type": asset.type,
            "x-content-type-options": "nosniff",
            // The files belong to the installed package version: a day of caching is safe.
            "cache-control": "public, max-age=86400",
            "cross-origin-resource-policy": "same-origin",
          },
        }),
      );
    },
    onResponse({ request, response }) {
      const url = new URL(request.url);
      if (url.pathname !== graphqlEndpoint && url.pathname !== `${graphqlEndpoint}/`) return;
      if (!response.headers.get("content-type")?.startsWith("text/html")) return;
      for (const [k, v] of Object.entries(graphiqlPageHeaders())) response.headers.set(k, v);
    },
  };
}
