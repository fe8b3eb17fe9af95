import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DateTime } from "luxon";
import { createApp } from "../../src/server.js";
import { createTestApp, dataOf, type TestApp } from "../helpers/app.js";
import { TEST_DB } from "../helpers/database.js";
import {
  CUSTOMERS,
  expireToken,
  foreignSignedToken,
  HOSTILE_NAME,
  HOSTILE_TEAM,
  issue,
  LEAKS,
  MARCH,
  SCORECARDS,
  seedEmbedCompany,
  SETTINGS,
  type ApiCard,
  type EmbedFixture,
} from "./fixtures.js";

// The embed page through app.fetch: headers, numbers against the API, escaping,
// no personal data, refusals as clear pages, and the settings mutation.
const CSP_BASE = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors ";

interface Page {
  status: number;
  headers: Headers;
  html: string;
}

/** Every data-value of the elements with this data-testid, in page order. */
function values(html: string, testid: string): string[] {
  return [...html.matchAll(new RegExp(`data-testid="${testid}"[^>]*? data-value="([^"]*)"`, "g"))].map((m) => m[1]!);
}

/** The visible text of the first element with this data-testid. */
function textOf(html: string, testid: string): string | undefined {
  return new RegExp(`data-testid="${testid}"[^>]*>([^<]*)<`).exec(html)?.[1];
}

describe(`embed page (${TEST_DB})`, () => {
  let t: TestApp;
  let f: EmbedFixture;

  const page = async (query: string, init: RequestInit = {}): Promise<Page> => {
    const res = await t.app.fetch(`http://yardstick.test/embed/scorecard${query}`, init);
    return { status: res.status, headers: res.headers, html: await res.text() };
  };
  const withToken = (token: string, extra = "") => page(`?token=${encodeURIComponent(token)}${extra}`);

  beforeAll(async () => {
    t = await createTestApp();
    f = await seedEmbedCompany(t);
  });
  afterAll(() => t.close());

  describe("the page", () => {
    it("is self-contained HTML with the security headers; frame-ancestors defaults to 'none'", async () => {
      const p = await withToken(f.north.token, "&period=2026-03");
      expect(p.status).toBe(200);
      expect(p.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(p.headers.get("content-security-policy")).toBe(`${CSP_BASE}'none'`);
      expect(p.headers.get("x-content-type-options")).toBe("nosniff");
      expect(p.headers.get("referrer-policy")).toBe("no-referrer");
      expect(p.headers.get("cache-control")).toBe("private, max-age=60");
      expect(p.headers.get("x-frame-options")).toBe("DENY");
      expect(p.html).toMatch(/^<!doctype html>/);
      expect(p.html).toContain('<meta name="viewport" content="width=device-width,initial-scale=1">');
      // No script at all, nothing fetched from anywhere (the SVG namespace is a name, not a fetch).
      expect(p.html).not.toMatch(/<script|<link|<img|<iframe|\bsrc=|url\(|@import/i);
      expect(p.html.replace('xmlns="http://www.w3.org/2000/svg"', "")).not.toMatch(/https?:\/\//);
      expect(p.html).toContain("<svg");
      expect(Buffer.byteLength(p.html)).toBeLessThan(20_000);
    });

    it("shows the numbers embeddedScorecards returns for the same token and period", async () => {
      const api = dataOf(await t.gql<{ embeddedScorecards: ApiCard[] }>(SCORECARDS, { p: MARCH }, f.north.token)).embeddedScorecards;
      expect(api).toHaveLength(1);
      const card = api[0]!;
      // North, March: revenue 800 → 80; big orders 2 → 100; rating 4 of 5 → 80; weights ½ ¼ ¼ → 85, good.
      expect(card).toMatchObject({ subjectName: "North", total: 85, grade: "good", rank: 1 });
      const p = await withToken(f.north.token, "&period=2026-03");
      expect(values(p.html, "total").map(Number)).toEqual([card.total]);
      expect(textOf(p.html, "total")).toBe("85");
      expect(values(p.html, "grade")).toEqual([card.grade]);
      expect(textOf(p.html, "subject-name")).toBe("North");
      expect(values(p.html, "period")).toEqual(["2026-03"]);
      expect(values(p.html, "item-score").map(Number)).toEqual(card.items.map((i) => i.score));
      expect(values(p.html, "item-value").map(Number)).toEqual(card.items.map((i) => i.value));
      expect([...p.html.matchAll(/data-item-id="([^"]+)"/g)].map((m) => m[1])).toEqual(card.items.map((i) => i.id));
      expect(values(p.html, "item-target").map(Number)).toEqual(card.items.filter((i) => i.target !== null).map((i) => i.target));
      expect(values(p.html, "change").map(Number)).toEqual([card.change]);
      expect(p.html).toContain("Total score");
      expect(p.html).toContain("March 2026");
    });

    it("draws the trend of the last six periods from the API's totals", async () => {
      const p = await withToken(f.north.token, "&period=2026-03");
      const points = [...p.html.matchAll(/data-testid="trend-point" data-period="([^"]+)" data-value="([^"]+)"/g)].map((m) => [m[1], Number(m[2])]);
      const expected: [string, number][] = [];
      for (const month of ["2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03"]) {
        const api = dataOf(await t.gql<{ embeddedScorecards: ApiCard[] }>(SCORECARDS, { p: { grain: "MONTH", date: `${month}-01` } }, f.north.token)).embeddedScorecards[0]!;
        if (api.total !== null) expected.push([month, api.total]);
      }
      expect(points).toEqual(expected);
      expect(points.length).toBeGreaterThanOrEqual(4);
      expect(p.html).toMatch(/<polyline class="ln" points="[\d., ]+"\/>/);
      const three = await withToken(f.north.token, "&period=2026-03&trend=3");
      expect([...three.html.matchAll(/data-testid="trend-point" data-period="([^"]+)"/g)].map((m) => m[1])).toEqual(["2026-01", "2026-02", "2026-03"]);
    });

    it("accepts the token as Authorization: Bearer, and /embed as the path", async () => {
      const res = await t.app.fetch("http://yardstick.test/embed?period=2026-03", { headers: { authorization: `Bearer ${f.north.token}` } });
      expect(res.status).toBe(200);
      expect(values(await res.text(), "total")).toEqual(["85"]);
    });

    it("takes the period shapes of PeriodInput, and defaults to the last whole month in the company's zone", async () => {
      const cases: [string, string][] = [
        ["&period=2026-Q1", "2026-Q1"],
        ["&period=2026", "2026"],
        ["&period=2026-W10", "2026-W10"],
        ["&period=2026-03-05", "2026-03-05"],
        ["&period=2026-02-01..2026-03-31", "2026-02-01..2026-03-31"],
        ["&grain=quarter&date=2026-02-14", "2026-Q1"],
        ["&grain=MONTH&date=2026-03-31", "2026-03"],
        ["&grain=custom&from=2026-03-01&to=2026-03-15", "2026-03-01..2026-03-15"],
        ["", DateTime.now().setZone("UTC").startOf("month").minus({ days: 1 }).toFormat("yyyy-MM")],
      ];
      for (const [query, label] of cases) {
        const p = await withToken(f.north.token, `${query}&trend=2`);
        expect(p.status, query).toBe(200);
        expect(values(p.html, "period"), query).toEqual([label]);
      }
      const quarter = dataOf(await t.gql<{ embeddedScorecards: ApiCard[] }>(SCORECARDS, { p: { grain: "QUARTER", date: "2026-01-01" } }, f.north.token)).embeddedScorecards[0]!;
      const q = await withToken(f.north.token, "&period=2026-Q1");
      expect(values(q.html, "total").map(Number)).toEqual([quarter.total]);
      expect(q.html).toContain("Q1 2026");
    });

    it("lists every subject of the token, in the API's order", async () => {
      const api = dataOf(await t.gql<{ embeddedScorecards: ApiCard[] }>(SCORECARDS, { p: MARCH }, f.two.token)).embeddedScorecards;
      const p = await withToken(f.two.token, "&period=2026-03");
      expect(values(p.html, "total").map((v) => (v === "" ? null : Number(v)))).toEqual(api.map((c) => c.total));
      expect(values(p.html, "grade")).toEqual(api.map((c) => c.grade ?? ""));
      expect(p.html.match(/data-testid="scorecard"/g)).toHaveLength(2);
    });

    it("speaks Chinese with lang=zh, and follows theme and accent", async () => {
      const p = await withToken(f.north.token, "&period=2026-03&lang=zh&theme=dark&accent=0A7D5A");
      expect(p.status).toBe(200);
      expect(p.html).toContain('<html lang="zh-CN" data-theme="dark">');
      for (const label of ["总分", "等级", "指标", "得分", "实际值", "目标", "2026年3月", "近 6 期总分走势", "良好"]) expect(p.html).toContain(label);
      expect(p.html).not.toContain("Total score");
      // KPI names in Chinese too: the built-in revenue is 销售额; the company's own big_orders has no translation
      // and keeps its name; the rating item keeps the framework's name for it.
      expect(textOf(p.html, "item-name")).toBe("销售额");
      expect(p.html).not.toContain(">Revenue<");
      expect(p.html).toContain("Communication quality");
      expect(textOf((await withToken(f.north.token, "&period=2026-03")).html, "item-name")).toBe("Revenue");
      expect(p.html).toContain("--accent:#0a7d5a");
      expect((await withToken(f.north.token, "&period=2026-03&theme=auto&accent=%23abc")).html).toMatch(/data-theme="auto"[\s\S]*--accent:#aabbcc/);
      expect((await withToken(f.north.token, "&period=2026-03&lang=zh-CN")).html).toContain("总分");
    });

    it("escapes every name: a KPI name and a team name with markup come out as text", async () => {
      const p = await withToken(f.two.token, "&period=2026-03");
      expect(p.status).toBe(200);
      expect(p.html).not.toMatch(/<script|<img|onerror=alert\(1\)>/);
      expect(p.html).toContain("Big &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;orders&quot;");
      expect(p.html).toContain("West &lt;img src=x onerror=alert(1)&gt;");
      expect(HOSTILE_NAME).toContain("<script>");
      expect(HOSTILE_TEAM).toContain("<img");
    });

    it("shows no personal data for a customer-level framework: neutral labels only", async () => {
      const api = dataOf(await t.gql<{ embeddedScorecards: ApiCard[] }>(SCORECARDS, { p: MARCH }, f.customers.token)).embeddedScorecards;
      expect(api).toHaveLength(2);
      const p = await withToken(f.customers.token, "&period=2026-03");
      expect(p.status).toBe(200);
      for (const c of CUSTOMERS) {
        for (const secret of [c.name, c.email, c.phone, c.email.split("@")[0]!, c.phone.replace(/\D/g, "").slice(-8)]) {
          expect(p.html).not.toContain(secret);
        }
      }
      for (const id of f.customerIds) expect(p.html).not.toContain(id);
      const names = [...p.html.matchAll(/data-testid="subject-name">([^<]*)</g)].map((m) => m[1]).sort();
      expect(names).toEqual(["Customer 1", "Customer 2"]);
      expect(p.html).not.toMatch(/[\w.]+@[\w-]+\.\w+|\+\d{2} \d/);
      expect(values(p.html, "total").map((v) => (v === "" ? null : Number(v)))).toEqual(api.map((c) => c.total));
      expect((await withToken(f.customers.token, "&period=2026-03&lang=zh")).html).toContain("客户 1");
    });

    it("falls back to the selected period alone when the trend would pass the cost limit", async () => {
      // Each embeddedScorecards alias (one period each) is one ranking: 3 items × 3 teams = 9 values. Six are 54 > 20.
      const small = createApp({ db: t.db, graphiql: false, tokenSecret: t.app.tokenSecret, limits: { metricValues: 20 } });
      const res = await small.fetch(`http://yardstick.test/embed/scorecard?token=${f.north.token}&period=2026-03`);
      const html = await res.text();
      expect(res.status).toBe(200);
      expect(values(html, "total")).toEqual(["85"]);
      expect(html).not.toContain("<svg");
      expect(html).toContain("The trend is not available for this scorecard.");
    });

    it("answers 429 with a page when the token's rate limit is spent", async () => {
      const strict = createApp({ db: t.db, graphiql: false, tokenSecret: t.app.tokenSecret, limits: { requestsPerMinutePerKey: 1 } });
      const url = `http://yardstick.test/embed/scorecard?token=${f.north.token}&period=2026-03`;
      expect((await strict.fetch(url)).status).toBe(200);
      const second = await strict.fetch(url);
      expect(second.status).toBe(429);
      expect(second.headers.get("retry-after")).toBe("60");
      const html = await second.text();
      expect(html).toContain("opened too often");
      expect(html).not.toMatch(LEAKS);
    });

    it("answers HEAD with the headers and refuses other methods", async () => {
      const head = await t.app.fetch(`http://yardstick.test/embed/scorecard?token=${f.north.token}&period=2026-03`, { method: "HEAD" });
      expect(head.status).toBe(200);
      expect(head.headers.get("content-security-policy")).toContain("frame-ancestors");
      const post = await page(`?token=${f.north.token}`, { method: "POST" });
      expect(post.status).toBe(405);
      expect(post.headers.get("allow")).toBe("GET, HEAD");
    });
  });

  describe("refusals", () => {
    it.each([
      ["period=2026-13", "period"],
      ["period=last-month", "period"],
      ["period=2026-03&grain=month", "period"],
      ["period=2026-03&period=2026-04", "period"],
      ["grain=fortnight", "grain"],
      ["date=2026-03-01", "grain"],
      ["grain=month&date=2026-02-30", "date"],
      ["grain=custom&from=2026-03-10&to=2026-03-01", "to"],
      ["period=3000", "period"],
      ["lang=fr", "lang"],
      ["theme=neon", "theme"],
      ["accent=red", "accent"],
      ["accent=%2312345", "accent"],
      ["accent=%23123456;color:red", "accent"],
      ["trend=50", "trend"],
      ["trend=0", "trend"],
    ])("?%s → 400 naming %s", async (query, param) => {
      const p = await withToken(f.north.token, `&${query}`);
      expect(p.status).toBe(400);
      expect(p.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(p.headers.get("cache-control")).toBe("no-store");
      expect(p.headers.get("content-security-policy")).toMatch(/frame-ancestors /);
      expect(p.html).toContain(`The parameter “${param}” is not valid`);
      expect(p.html).toContain('data-code="BAD_PARAMETER"');
      expect(p.html).not.toMatch(LEAKS);
      expect(p.html).not.toContain("data-testid=\"total\"");
    });

    it("names the parameter in Chinese too", async () => {
      const p = await withToken(f.north.token, "&lang=zh&period=soon");
      expect(p.status).toBe(400);
      expect(p.html).toContain("参数“period”无效");
    });

    it("401 with a clear page for a missing, malformed, tampered, foreign or API-key token", async () => {
      const [h, pl, sig] = f.north.token.split(".");
      const cases: [string, string | null, RegExp][] = [
        ["missing", null, /needs a scorecard link with a token/],
        ["garbage", "not-a-token", /not valid/],
        ["tampered", `${h}.${pl}.${sig![0] === "A" ? "B" : "A"}${sig!.slice(1)}`, /not valid/],
        ["foreign secret", await foreignSignedToken(f.north.id, f.co.id), /not valid/],
        ["api key", f.co.keys.admin, /not an API key/],
      ];
      for (const [label, token, text] of cases) {
        const p = token === null ? await page("?period=2026-03") : await withToken(token, "&period=2026-03");
        expect(p.status, label).toBe(401);
        expect(p.html, label).toMatch(text);
        expect(p.html, label).not.toMatch(LEAKS);
        expect(p.html, label).not.toMatch(/North|data-testid="total"/);
        // Nobody's settings apply to a token nobody issued: nobody may frame the page.
        expect(p.headers.get("content-security-policy"), label).toBe(`${CSP_BASE}'none'`);
        expect(p.headers.get("cache-control"), label).toBe("no-store");
      }
    });

    it("a bad token outranks bad parameters", async () => {
      const p = await withToken("x.y.z", "&period=nope&lang=fr");
      expect(p.status).toBe(401);
      expect(p.html).toContain("This scorecard link is not valid");
    });

    it("an expired token: 401 'has expired' in the asked language; a revoked one: 403", async () => {
      const t1 = await issue(t, f.co.keys.admin, "team_review", [f.teams.South!]);
      await expireToken(t, t1.id);
      const en = await withToken(t1.token, "&period=2026-03");
      expect(en.status).toBe(401);
      expect(en.html).toContain("This scorecard link has expired. Ask the person who shared it with you for a new link.");
      expect(en.html).toContain('data-code="TOKEN_EXPIRED"');
      expect(en.html).not.toMatch(LEAKS);
      expect(en.html).not.toContain("South");
      const zh = await withToken(t1.token, "&lang=zh");
      expect(zh.html).toContain("此记分卡链接已过期");

      const t2 = await issue(t, f.co.keys.admin, "team_review", [f.teams.South!]);
      dataOf(await t.gql(`mutation($id: ID!) { revokeEmbedToken(id: $id) { id } }`, { id: t2.id }, f.co.keys.admin));
      const revoked = await withToken(t2.token, "&period=2026-03");
      expect(revoked.status).toBe(403);
      expect(revoked.html).toContain("This scorecard link has been withdrawn");
      expect(revoked.html).not.toMatch(LEAKS);
    });
  });

  describe("updateCompanySettings", () => {
    const settingsOf = async () =>
      dataOf(await t.gql<{ company: { settings: Record<string, unknown> } }>("{ company { settings } }", {}, f.co.keys.admin)).company.settings;

    it("is for admins only", async () => {
      for (const key of [f.co.keys.manager, f.co.keys.viewer, f.north.token]) {
        const res = await t.gql(SETTINGS, { i: { embedFrameAncestors: ["https://evil.example"] } }, key);
        expect(res.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
      }
      expect(await settingsOf()).toEqual({});
    });

    it.each([
      [["https://portal.example.com; script-src *"], "input.embedFrameAncestors.0"],
      [["https://portal.example.com", "https://a.example.com/path"], "input.embedFrameAncestors.1"],
      [["javascript:alert(1)"], "input.embedFrameAncestors.0"],
      [["'unsafe-inline'"], "input.embedFrameAncestors.0"],
      [["*"], "input.embedFrameAncestors.0"],
      [["https://a b.example.com"], "input.embedFrameAncestors.0"],
      [["https://a.example.com,https://b.example.com"], "input.embedFrameAncestors.0"],
      [["https://a.example.com\r\nX-Injected: 1"], "input.embedFrameAncestors.0"],
      [['"https://a.example.com"'], "input.embedFrameAncestors.0"],
      [["portal.example.com"], "input.embedFrameAncestors.0"],
      [["https://user@portal.example.com"], "input.embedFrameAncestors.0"],
      [["https://portal.example.com:99999"], "input.embedFrameAncestors.0"],
      [["https://a.example.com", "'none'"], "input.embedFrameAncestors.1"],
      [[""], "input.embedFrameAncestors.0"],
    ])("refuses frame-ancestors %j, naming %s", async (list, field) => {
      const res = await t.gql(SETTINGS, { i: { embedFrameAncestors: list } }, f.co.keys.admin);
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
      expect(res.errors![0]!.message.startsWith(`${field}: `)).toBe(true);
      expect(await settingsOf()).toEqual({});
    });

    it("refuses a bad accent colour, naming it", async () => {
      for (const accent of ["red", "#12345", "#123456;", "url(x)"]) {
        const res = await t.gql(SETTINGS, { i: { embedTheme: { accent } } }, f.co.keys.admin);
        expect(res.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.embedTheme.accent" });
      }
    });

    it("merges into settings, keeps other keys, audits, and sets the page's frame-ancestors and defaults", async () => {
      const imports = { import: { vocabularies: { "orders.channel": ["kiosk"] }, defaultCountryCode: "86" }, custom: { keep: true } };
      await t.db.prisma.company.update({ where: { id: f.co.id }, data: { settings: imports } });
      const res = dataOf(
        await t.gql<{ updateCompanySettings: { settings: Record<string, unknown> } }>(
          SETTINGS,
          { i: { embedFrameAncestors: ["https://Portal.Example.com/", "'self'", "https://*.intranet.example:8443", "http://127.0.0.1:3000"], embedTheme: { theme: "DARK", accent: "#0A7" } } },
          f.co.keys.admin,
        ),
      ).updateCompanySettings.settings;
      expect(res).toEqual({
        ...imports,
        embed: { frameAncestors: ["https://portal.example.com", "'self'", "https://*.intranet.example:8443", "http://127.0.0.1:3000"], theme: "dark", accent: "#00aa77" },
      });
      const p = await withToken(f.north.token, "&period=2026-03");
      expect(p.headers.get("content-security-policy")).toBe(`${CSP_BASE}https://portal.example.com 'self' https://*.intranet.example:8443 http://127.0.0.1:3000`);
      expect(p.headers.get("x-frame-options")).toBeNull();
      expect(p.html).toContain('data-theme="dark"');
      expect(p.html).toContain("--accent:#00aa77");
      // The URL still overrides the defaults.
      expect((await withToken(f.north.token, "&period=2026-03&theme=light")).html).toContain('data-theme="light"');
      // Expired links of this company keep its frame-ancestors, so its portal shows the message.
      const t1 = await issue(t, f.co.keys.admin, "team_review", [f.teams.South!]);
      await expireToken(t, t1.id);
      expect((await withToken(t1.token)).headers.get("content-security-policy")).toContain("https://portal.example.com");
      // Another company's token carries its own settings ('none'), never this company's.
      const foreign = await withToken(f.foreign.token, "&period=2026-03");
      expect(foreign.status).toBe(200);
      expect(foreign.headers.get("content-security-policy")).toBe(`${CSP_BASE}'none'`);
      expect(foreign.html).toContain("Elsewhere");
      expect(foreign.html).not.toContain("North");

      const log = dataOf(await t.gql<{ company: { auditLog: { edges: { node: { action: string; target: string; details: { changed: string[] } } }[] } } }>(
        "{ company { auditLog(first: 5) { edges { node { action target details } } } } }", {}, f.co.keys.admin)).company.auditLog.edges.map((e) => e.node);
      expect(log.find((e) => e.action === "company.settings.update")).toMatchObject({ action: "company.settings.update", target: f.co.id, details: { changed: ["embedFrameAncestors", "embedTheme"] } });

      // Language only: frame-ancestors and theme stay; then null removes settings again.
      dataOf(await t.gql(SETTINGS, { i: { embedLanguage: "ZH" } }, f.co.keys.admin));
      expect(((await settingsOf()).embed as Record<string, unknown>).frameAncestors).toHaveLength(4);
      expect((await withToken(f.north.token, "&period=2026-03")).html).toContain("总分");
      dataOf(await t.gql(SETTINGS, { i: { embedFrameAncestors: null, embedTheme: null, embedLanguage: null } }, f.co.keys.admin));
      expect(await settingsOf()).toEqual(imports);
      expect((await withToken(f.north.token, "&period=2026-03")).headers.get("content-security-policy")).toBe(`${CSP_BASE}'none'`);
      // An empty list is allowed and means nobody.
      dataOf(await t.gql(SETTINGS, { i: { embedFrameAncestors: [] } }, f.co.keys.admin));
      expect((await withToken(f.north.token, "&period=2026-03")).headers.get("content-security-policy")).toBe(`${CSP_BASE}'none'`);
    });

    it("ignores frame-ancestors entries written into the database by hand that would break the header", async () => {
      await t.db.prisma.company.update({
        where: { id: f.co.id },
        data: { settings: { embed: { frameAncestors: ["https://ok.example.com", "https://x.example.com; script-src *", "*"], accent: "red;}" } } },
      });
      const p = await withToken(f.north.token, "&period=2026-03");
      expect(p.headers.get("content-security-policy")).toBe(`${CSP_BASE}https://ok.example.com`);
      expect(p.html).toContain("--accent:#2563eb");
      await t.db.prisma.company.update({ where: { id: f.co.id }, data: { settings: {} } });
    });
  });
});
