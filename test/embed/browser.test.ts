import { existsSync, mkdirSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Frame, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, dataOf, type TestApp } from "../helpers/app.js";
import { TEST_DB } from "../helpers/database.js";
import { expireToken, foreignSignedToken, issue, LEAKS, SCORECARDS, seedEmbedCompany, SETTINGS, type ApiCard, type EmbedFixture } from "./fixtures.js";

// The embed page as a portal shows it: a real HTTP server for the API, a second
// one for a "portal" page that frames it, Debian's Chromium driven by
// playwright-core. Numbers read in the frame are compared with the API's.
/** Debian's Chromium; YARDSTICK_CHROMIUM names another build. */
const CHROMIUM = process.env.YARDSTICK_CHROMIUM ?? "/usr/bin/chromium";
const HAVE_BROWSER = existsSync(CHROMIUM);
const REQUIRED = process.env.YARDSTICK_REQUIRE_BROWSER === "1";
const SKIP_REASON = `${CHROMIUM} not found (apt-get install -y chromium); set YARDSTICK_REQUIRE_BROWSER=1 to make this a failure`;
/** Screenshots land here (gitignored), one set per database. */
export const SHOTS = join(dirname(fileURLToPath(import.meta.url)), "__screenshots__");
const PERIOD = "2026-03";

if (!HAVE_BROWSER && !REQUIRED) console.warn(`test/embed/browser.test.ts skipped: ${SKIP_REASON}`);

if (!HAVE_BROWSER && REQUIRED) {
  describe("embed page in Chromium", () => {
    it("needs Chromium (YARDSTICK_REQUIRE_BROWSER=1)", () => {
      throw new Error(`YARDSTICK_REQUIRE_BROWSER=1 but ${CHROMIUM} is missing: apt-get install -y chromium`);
    });
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: Server | undefined): Promise<void> {
  if (!server) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** A portal: any path answers a page that frames the URL in ?src= (as a portal's template would). */
function portalServer(): Server {
  return createServer((req, res) => {
    const src = new URL(req.url ?? "/", "http://portal").searchParams.get("src") ?? "about:blank";
    const attr = src.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(`<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Customer portal</title>
<style>body{margin:0;font-family:sans-serif;background:#eef2f7}header{background:#1f2937;color:#fff;padding:12px 16px}iframe{display:block;width:100%;height:1100px;border:0;background:#fff}</style></head>
<body><header>Partner portal — your scorecard</header><iframe id="embed" title="Scorecard" src="${attr}"></iframe></body></html>`);
  });
}

describe.skipIf(!HAVE_BROWSER)(`embed page in Chromium (${TEST_DB})${HAVE_BROWSER ? "" : ` — skipped: ${SKIP_REASON}`}`, () => {
  let t: TestApp;
  let f: EmbedFixture;
  let api: Server | undefined;
  let portal: Server | undefined;
  let stranger: Server | undefined;
  let apiUrl: string;
  let portalUrl: string;
  let strangerUrl: string;
  let browser: Browser | undefined;

  const embedUrl = (token: string, extra = "") => `${apiUrl}/embed/scorecard?token=${encodeURIComponent(token)}&period=${PERIOD}${extra}`;
  const framed = (origin: string, src: string) => `${origin}/portal?src=${encodeURIComponent(src)}`;

  /** Opens the portal framing `src` and returns the page and the embed frame. */
  async function openPortal(src: string, viewport = { width: 1200, height: 900 }, origin = portalUrl): Promise<{ page: Page; frame: Frame; console: string[] }> {
    const page = await browser!.newPage({ viewport });
    const console: string[] = [];
    page.on("console", (m) => console.push(m.text()));
    await page.goto(framed(origin, src), { waitUntil: "load" });
    const handle = await page.waitForSelector("#embed");
    const frame = await handle.contentFrame();
    if (!frame) throw new Error("the portal's iframe has no frame");
    return { page, frame, console };
  }

  /** Numbers as the page shows them ("1,234.5" → 1234.5). */
  const num = (text: string | null) => Number((text ?? "").replace(/,/g, "").trim());

  async function apiCards(token: string): Promise<ApiCard[]> {
    const res = await fetch(`${apiUrl}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: SCORECARDS, variables: { p: { grain: "MONTH", date: `${PERIOD}-01` } } }),
    });
    return dataOf((await res.json()) as { data: { embeddedScorecards: ApiCard[] } }).embeddedScorecards;
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    t = await createTestApp();
    f = await seedEmbedCompany(t);
    api = createServer(t.app);
    apiUrl = await listen(api);
    portal = portalServer();
    portalUrl = await listen(portal);
    stranger = portalServer();
    strangerUrl = await listen(stranger);
    // The company lets its portal (and only it) frame the page.
    dataOf(await t.gql(SETTINGS, { i: { embedFrameAncestors: [portalUrl] } }, f.co.keys.admin));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await close(api);
    await close(portal);
    await close(stranger);
    await t?.close();
  });

  it("shows in the portal's frame the numbers the API returns, and screenshots it", async () => {
    const { page, frame } = await openPortal(embedUrl(f.north.token));
    const [card] = await apiCards(f.north.token);
    expect(card).toBeDefined();
    await frame.getByTestId("total").waitFor();
    expect(num(await frame.getByTestId("total").textContent())).toBeCloseTo(card!.total!, 1);
    expect(await frame.getByTestId("grade").getAttribute("data-value")).toBe(card!.grade);
    expect((await frame.getByTestId("grade").textContent())?.trim()).toBe(card!.grade);
    expect((await frame.getByTestId("subject-name").textContent())?.trim()).toBe(card!.subjectName);
    const items = frame.getByTestId("item");
    expect(await items.count()).toBe(card!.items.length);
    for (const [i, item] of card!.items.entries()) {
      const row = items.nth(i);
      expect(await row.getAttribute("data-item-id")).toBe(item.id);
      expect((await row.getByTestId("item-name").textContent())?.trim()).toBe(item.name);
      const shown = await row.getByTestId("item-score").textContent();
      if (item.score === null) expect(shown?.trim()).toBe("—");
      else expect(Math.abs(num(shown) - item.score)).toBeLessThanOrEqual(0.05 + 1e-9);
    }
    // The trend is drawn: one point per period with a total, the last one the selected period's.
    const points = frame.getByTestId("trend-point");
    expect(await points.count()).toBeGreaterThanOrEqual(4);
    expect(Number(await points.last().getAttribute("data-value"))).toBe(card!.total);
    expect(await frame.locator("svg[data-testid=trend] polyline").count()).toBeGreaterThan(0);
    // Rendered, not just present: the total is large and visible.
    const box = await frame.getByTestId("total").boundingBox();
    expect(box?.height ?? 0).toBeGreaterThan(20);

    const file = join(SHOTS, `embed-portal-desktop-${TEST_DB}.png`);
    await page.screenshot({ path: file, fullPage: true });
    expect(statSync(file).size).toBeGreaterThan(5_000);
    await page.close();
  });

  it("fits a phone (375×740) without horizontal scrolling, framed and on its own", async () => {
    const { page, frame } = await openPortal(embedUrl(f.two.token), { width: 375, height: 740 });
    await frame.getByTestId("total").first().waitFor();
    expect(await frame.evaluate(() => document.scrollingElement!.scrollWidth <= window.innerWidth)).toBe(true);
    await page.close();

    const alone = await browser!.newPage({ viewport: { width: 375, height: 740 }, isMobile: true, deviceScaleFactor: 2 });
    await alone.goto(embedUrl(f.two.token), { waitUntil: "load" });
    const widths = await alone.evaluate(() => ({ scroll: document.scrollingElement!.scrollWidth, inner: window.innerWidth }));
    expect(widths.inner).toBe(375);
    expect(widths.scroll).toBeLessThanOrEqual(widths.inner);
    // The chart scales to the column, and the KPI rows stay inside it.
    const chart = await alone.getByTestId("trend").first().boundingBox();
    expect(chart!.width).toBeLessThanOrEqual(375);
    expect(chart!.width).toBeGreaterThan(250);
    const file = join(SHOTS, `embed-phone-${TEST_DB}.png`);
    await alone.screenshot({ path: file, fullPage: true });
    expect(statSync(file).size).toBeGreaterThan(5_000);
    await alone.close();
  });

  it("speaks Chinese with lang=zh, dark theme included", async () => {
    const { page, frame } = await openPortal(embedUrl(f.north.token, "&lang=zh&theme=dark&accent=0a7d5a"));
    await frame.getByTestId("total").waitFor();
    const text = await frame.locator("body").innerText();
    for (const label of ["总分", "等级", "指标", "得分", "目标", "2026年3月"]) expect(text).toContain(label);
    expect(text).not.toContain("Total score");
    const bg = await frame.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe("rgb(15, 23, 42)");
    const file = join(SHOTS, `embed-portal-zh-dark-${TEST_DB}.png`);
    await page.screenshot({ path: file, fullPage: true });
    expect(statSync(file).size).toBeGreaterThan(5_000);
    await page.close();
  });

  it("an expired or revoked link shows a clear message in the portal, never a stack trace", async () => {
    const expired = await issue(t, f.co.keys.admin, "team_review", [f.teams.South!]);
    await expireToken(t, expired.id);
    const revoked = await issue(t, f.co.keys.admin, "team_review", [f.teams.South!]);
    dataOf(await t.gql(`mutation($id: ID!) { revokeEmbedToken(id: $id) { id } }`, { id: revoked.id }, f.co.keys.admin));
    for (const [token, message, lang] of [
      [expired.token, "This scorecard link has expired. Ask the person who shared it with you for a new link.", ""],
      [expired.token, "此记分卡链接已过期", "&lang=zh"],
      [revoked.token, "This scorecard link has been withdrawn.", ""],
    ] as const) {
      const { page, frame } = await openPortal(embedUrl(token, lang));
      const shown = frame.getByTestId("message");
      await shown.waitFor();
      const text = await shown.innerText();
      expect(text).toContain(message);
      expect(text).not.toMatch(LEAKS);
      expect(await frame.getByTestId("total").count()).toBe(0);
      if (lang === "") await page.screenshot({ path: join(SHOTS, `embed-portal-${token === expired.token ? "expired" : "revoked"}-${TEST_DB}.png`) });
      await page.close();
    }
  });

  it("a token not issued here, or another company's token tampered to name this one, gets the 'not valid' page", async () => {
    // Another installation's token, and a token whose company claim was changed (signature no longer matches).
    const [h, p, s] = f.foreign.token.split(".");
    const claims = JSON.parse(Buffer.from(p!, "base64url").toString()) as Record<string, unknown>;
    const retargeted = `${h}.${Buffer.from(JSON.stringify({ ...claims, cid: f.co.id })).toString("base64url")}.${s}`;
    for (const token of [await foreignSignedToken(f.north.id, f.co.id), retargeted]) {
      const page = await browser!.newPage();
      const res = await page.goto(embedUrl(token), { waitUntil: "load" });
      expect(res?.status()).toBe(401);
      const text = await page.getByTestId("message").innerText();
      expect(text).toContain("This scorecard link is not valid");
      expect(await page.content()).not.toMatch(LEAKS);
      // Nobody vouches for such a token: no portal may frame its page.
      expect(res?.headers()["content-security-policy"]).toMatch(/frame-ancestors 'none'$/);
      await page.close();
    }
  });

  it("a portal origin not in frame-ancestors gets the frame blocked", async () => {
    const res = await fetch(embedUrl(f.north.token));
    expect(res.headers.get("content-security-policy")).toMatch(new RegExp(`frame-ancestors ${portalUrl.replace(/[.:/]/g, "\\$&")}$`));
    expect(res.headers.get("content-security-policy")).not.toContain(strangerUrl);

    const { page, frame, console } = await openPortal(embedUrl(f.north.token), undefined, strangerUrl);
    // Chromium replaces the refused document: nothing of the scorecard is in the frame.
    await page.waitForTimeout(300);
    expect(await frame.getByTestId("total").count()).toBe(0);
    expect(await frame.evaluate(() => document.body?.innerText ?? "").catch(() => "")).not.toContain("Total score");
    expect(console.join("\n")).toMatch(/frame-ancestors/);
    await page.screenshot({ path: join(SHOTS, `embed-stranger-blocked-${TEST_DB}.png`) });
    await page.close();

    // Another company's valid token keeps that company's own settings ('none'): this portal cannot frame it either.
    const other = await openPortal(embedUrl(f.foreign.token));
    await other.page.waitForTimeout(300);
    expect(await other.frame.getByTestId("total").count()).toBe(0);
    await other.page.close();
  });
});
