import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCompany } from "../helpers/app.js";
import { openTestDatabase, TEST_DB, type TestDatabase } from "../helpers/database.js";
import { createApp } from "../../src/server.js";

// GraphiQL in Chromium with every request to another host refused, as on a
// machine with no network: the page must render from the installed package,
// ask nothing of any other host, break no rule of its own CSP, and run a query
// with the pre-filled key.
const CHROMIUM = process.env.YARDSTICK_CHROMIUM ?? "/usr/bin/chromium";
const HAVE_BROWSER = existsSync(CHROMIUM);
const REQUIRED = process.env.YARDSTICK_REQUIRE_BROWSER === "1";
if (!HAVE_BROWSER && REQUIRED) {
  describe("GraphiQL in Chromium", () => {
    it("needs Chromium (YARDSTICK_REQUIRE_BROWSER=1)", () => {
      throw new Error(`YARDSTICK_REQUIRE_BROWSER=1 but ${CHROMIUM} is missing: apt-get install -y chromium`);
    });
  });
}

describe.skipIf(!HAVE_BROWSER)(`offline GraphiQL in Chromium (${TEST_DB})`, () => {
  let db: TestDatabase;
  let server: Server;
  let base: string;
  let browser: Browser;
  let adminKey: string;

  beforeAll(async () => {
    db = await openTestDatabase();
    adminKey = (await createCompany(db, "gq")).keys.admin;
    const app = createApp({ db, graphiql: { headers: { Authorization: `Bearer ${adminKey}` } } });
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://localhost:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await db?.close();
  });

  it("renders from this origin only, within its CSP, and runs a query with the pre-filled key", async () => {
    const page = await browser.newPage();
    const foreign: string[] = [];
    const violations: string[] = [];
    const graphql: { auth: string | undefined; status: number }[] = [];
    // No network: anything not for this server is refused (and recorded).
    await page.route("**/*", (route) => {
      const url = new URL(route.request().url());
      if (url.origin === base || url.protocol === "data:" || url.protocol === "blob:") return route.continue();
      foreign.push(url.toString());
      return route.abort("internetdisconnected");
    });
    page.on("response", (r) => {
      const req = r.request();
      if (new URL(req.url()).pathname === "/graphql" && req.method() === "POST") graphql.push({ auth: req.headers().authorization, status: r.status() });
    });
    page.on("console", (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    await page.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (e) => console.error(`Refused to: CSP ${e.violatedDirective} ${e.blockedURI}`));
    });
    await page.goto(`${base}/graphql`, { waitUntil: "load" });
    await page.waitForSelector(".graphiql-container", { timeout: 60_000 });
    // The schema was introspected with the pre-filled key.
    await expect.poll(() => graphql.length, { timeout: 30_000 }).toBeGreaterThan(0);
    expect(graphql.some((g) => g.auth === `Bearer ${adminKey}` && g.status === 200)).toBe(true);
    expect(await page.title()).toBe("Yardstick");
    expect(foreign).toEqual([]);
    expect(violations).toEqual([]);
    await page.close();
  }, 120_000);
});
