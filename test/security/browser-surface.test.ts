import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type App } from "../../src/server.js";
import { GRAPHIQL_CSP } from "../../src/graphiql/offline.js";
import { createCompany, type TestCompany } from "../helpers/app.js";
import { openTestDatabase, TEST_DB, type TestDatabase } from "../helpers/database.js";
import { codeOf, rowCounts } from "../auth/support.js";

// What a browser page on another origin, or a DNS-rebound name, can get out of
// the API: the GraphiQL page (and its pre-filled key), CORS answers, keys in
// URLs, requests with no key at all.
describe(`GraphiQL, CORS and keys in URLs (${TEST_DB})`, () => {
  let db: TestDatabase;
  let co: TestCompany;
  let app: App;
  let withCors: App;
  const PORTAL = "https://portal.example.com";
  const EVIL = "https://evil.example.net";

  beforeAll(async () => {
    db = await openTestDatabase();
    co = await createCompany(db, "surface");
    app = createApp({ db, graphiql: { headers: { Authorization: `Bearer ${co.keys.admin}` } } });
    withCors = createApp({ db, graphiql: false, corsOrigins: [PORTAL] });
  });
  afterAll(() => db.close());

  const page = (a: App, host: string) => a.fetch(`http://${host}/graphql`, { headers: { accept: "text/html" } });
  const createKey = JSON.stringify({ query: `mutation { createApiKey(name: "stolen", role: ADMIN) { key } }` });

  describe("GraphiQL", () => {
    it("pre-fills the key for a loopback name only, with its own CSP and no third-party URL", async () => {
      for (const host of ["localhost:4000", "127.0.0.1:4000", "[::1]:4000"]) {
        const res = await page(app, host);
        expect(res.status).toBe(200);
        const html = await res.text();
        expect(html).toContain(co.keys.admin);
        expect(res.headers.get("content-security-policy")).toBe(GRAPHIQL_CSP);
        expect(res.headers.get("cache-control")).toBe("no-store");
        expect(res.headers.get("x-frame-options")).toBe("DENY");
        // Every script, style and icon comes from this origin: no absolute URL at all.
        expect(html).not.toMatch(/(src|href)="?(https?:)?\/\//);
        expect(html).not.toMatch(/unpkg|jsdelivr|githubusercontent/);
        // No inline script: only JSON data and same-origin files.
        expect([...html.matchAll(/<script(?![^>]*(src=|type="application\/json"))[^>]*>/g)]).toEqual([]);
      }
    });

    it("does not pre-fill the key for any other host name (a DNS-rebound name, a LAN address)", async () => {
      for (const host of ["evil.example.net", "192.168.1.20:4000", "127.0.0.1.nip.io"]) {
        const res = await page(app, host);
        expect(res.status).toBe(200);
        const html = await res.text();
        expect(html).not.toContain(co.keys.admin);
        expect(html).not.toMatch(/ys_[A-Za-z0-9]{12}_/);
      }
    });

    it("serves its bundle, styles and workers from the installed package, and nothing else under /graphiql/", async () => {
      for (const [file, type] of [
        ["yoga-graphiql.js", "text/javascript"], ["graphiql.css", "text/css"], ["boot.js", "text/javascript"],
        ["editor.worker.js", "text/javascript"], ["json.worker.js", "text/javascript"], ["graphql.worker.js", "text/javascript"],
      ] as const) {
        const res = await app.fetch(`http://localhost/graphiql/${file}`);
        expect(res.status, file).toBe(200);
        expect(res.headers.get("content-type")).toContain(type);
        expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(100);
      }
      for (const probe of ["../package.json", "..%2Fpackage.json", "%2e%2e/%2e%2e/package.json", "yoga-graphiql.es.js", "", "boot.js/x"]) {
        const res = await app.fetch(`http://localhost/graphiql/${probe}`);
        expect(res.status, probe).not.toBe(200);
      }
    });
  });

  describe("CORS", () => {
    it("answers another origin's preflight for an admin mutation without any allow header (off by default)", async () => {
      const before = await rowCounts(db, co.id);
      const pre = await app.fetch("http://localhost/graphql", {
        method: "OPTIONS",
        headers: { origin: EVIL, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" },
      });
      expect(pre.headers.get("access-control-allow-origin")).toBeNull();
      expect(pre.headers.get("access-control-allow-credentials")).toBeNull();
      expect(pre.headers.get("access-control-allow-headers")).toBeNull();
      // Even a request a browser would send anyway (no preflight) gets no allow header: its answer stays unreadable.
      const simple = await app.fetch("http://localhost/graphql?query=%7B__typename%7D", { headers: { origin: EVIL } });
      expect(simple.headers.get("access-control-allow-origin")).toBeNull();
      // And the GraphiQL page with the key is not readable from another origin either.
      const html = await app.fetch("http://localhost/graphql", { headers: { accept: "text/html", origin: EVIL } });
      expect(html.headers.get("access-control-allow-origin")).toBeNull();
      expect(await rowCounts(db, co.id)).toEqual(before);
    });

    it("allows exactly the configured origins, never with credentials, and no one else", async () => {
      const pre = await withCors.fetch("http://api/graphql", {
        method: "OPTIONS",
        headers: { origin: PORTAL, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" },
      });
      expect(pre.headers.get("access-control-allow-origin")).toBe(PORTAL);
      expect(pre.headers.get("access-control-allow-credentials")).toBeNull();
      expect(pre.headers.get("access-control-allow-headers")).toMatch(/authorization/);
      const post = await withCors.fetch("http://api/graphql", {
        method: "POST",
        headers: { origin: PORTAL, "content-type": "application/json", authorization: `Bearer ${co.keys.viewer}` },
        body: JSON.stringify({ query: "{ company { slug } }" }),
      });
      expect(post.headers.get("access-control-allow-origin")).toBe(PORTAL);
      expect(post.headers.get("access-control-allow-credentials")).toBeNull();
      for (const origin of [EVIL, "null", `${PORTAL}.evil.net`, "http://portal.example.com"]) {
        const res = await withCors.fetch("http://api/graphql", {
          method: "OPTIONS",
          headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization" },
        });
        expect(res.headers.get("access-control-allow-origin"), origin).toBeNull();
      }
    });
  });

  describe("keys", () => {
    it("refuses an API key in ?token= on /graphql (401), running nothing", async () => {
      const before = await rowCounts(db, co.id);
      const url = `http://localhost/graphql?token=${encodeURIComponent(co.keys.admin)}`;
      const res = await app.fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: createKey });
      expect(res.status).toBe(401);
      const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[]; data?: unknown };
      expect(body.errors[0]!.extensions.code).toBe("UNAUTHENTICATED");
      expect(body.errors[0]!.message).toMatch(/not accepted in the URL/);
      expect(body.data ?? null).toBeNull();
      const get = await app.fetch(`http://localhost/graphql?query=${encodeURIComponent("{ company { slug } }")}&token=${co.keys.admin}`);
      expect(get.status).toBe(401);
      expect(await rowCounts(db, co.id)).toEqual(before);
    });

    it("answers a request with no key 401 UNAUTHENTICATED, like a bad key; introspection alone may go without", async () => {
      const before = await rowCounts(db, co.id);
      const send = (body: string) => app.fetch("http://localhost/graphql", { method: "POST", headers: { "content-type": "application/json" }, body });
      for (const query of ["{ company { slug } }", `mutation { createApiKey(name: "x", role: ADMIN) { key } }`, "{ __typename company { slug } }"]) {
        const res = await send(JSON.stringify({ query }));
        expect(res.status, query).toBe(401);
        const body = (await res.json()) as { errors: unknown[]; data?: unknown };
        expect(codeOf(body as never), query).toBe("UNAUTHENTICATED");
        expect(body.data ?? null).toBeNull();
      }
      const intro = await send(JSON.stringify({ query: "{ __schema { queryType { name } } }" }));
      expect(intro.status).toBe(200);
      expect(((await intro.json()) as { data: { __schema: { queryType: { name: string } } } }).data.__schema.queryType.name).toBe("Query");
      expect(await rowCounts(db, co.id)).toEqual(before);
    });
  });
});
