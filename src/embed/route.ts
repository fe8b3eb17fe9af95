// GET /embed/scorecard?token=…&period=2026-10&lang=zh&theme=dark&accent=0a7d5a
// A Yoga plugin that answers the embed page before GraphQL handling: checks the
// parameters and the token, loads the data through the app's own GraphQL
// pipeline (load.ts), renders it (render.ts) and sets the security headers.
// Every failure is a short page in the asked language with a status, never a stack trace.
import { decodeJwt } from "jose";
import type { Plugin } from "graphql-yoga";
import { authenticateEmbedToken, EmbedTokenError, isJwt } from "../auth/embed-tokens.js";
import type { Viewer } from "../auth/viewer.js";
import type { Database } from "../db/database.js";
import { logger } from "../logger.js";
import { isUuid } from "../schema/ids.js";
import { labelsFor, type Labels } from "./i18n.js";
import { EmbedLoadError, loadCompanyEmbed, loadEmbedData, type CompanyEmbed, type GraphQLAnswer, type GraphQLExec } from "./load.js";
import { langOf, ParamError, parseParams, resolveParamPeriod, tokenOf, trendOf, type EmbedParams } from "./params.js";
import { renderMessagePage, renderScorecardPage, type Look } from "./render.js";
import { DEFAULT_ACCENT, frameAncestorsValue, normaliseAccent, THEMES, type EmbedSettings, type Lang, type Theme } from "./settings.js";

export const EMBED_PATHS = new Set(["/embed/scorecard", "/embed"]);

export interface EmbedPageOptions {
  db: Database;
  tokenSecret: string;
  /**
   * Hands the viewer this page already authenticated to the app for one of the page's inner
   * GraphQL requests, so the token is not verified (and its row read) again per request.
   */
  shareViewer?: (request: Request, viewer: Viewer) => void;
}

/** The page's security headers; frame-ancestors from the company's settings ('none' when unknown). */
export function embedHeaders(frameAncestors: string, cache: string): Record<string, string> {
  const headers: Record<string, string> = {
    "content-type": "text/html; charset=utf-8",
    "content-security-policy": `default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors ${frameAncestors}`,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": cache,
    vary: "Authorization",
  };
  // Older browsers without frame-ancestors still refuse framing when nobody may frame.
  if (frameAncestors === "'none'") headers["x-frame-options"] = "DENY";
  return headers;
}

interface Outcome {
  status: number;
  html: string;
  frameAncestors: string;
  cache: string;
  extra?: Record<string, string>;
}

/** Look and language: the URL's, else the company's defaults, else light/English/blue. */
function lookOf(params: Partial<Pick<EmbedParams, "lang" | "theme" | "accent">>, settings: EmbedSettings = {}): Look & { lang: Lang } {
  const lang = params.lang ?? settings.language ?? "en";
  const theme: Theme = params.theme ?? settings.theme ?? "light";
  return { lang, labels: labelsFor(lang), theme, accent: params.accent ?? settings.accent ?? DEFAULT_ACCENT };
}

/** Theme and accent of a URL whose other parameters may be wrong (message pages still follow them). */
function lenientLook(url: URL): Partial<Pick<EmbedParams, "lang" | "theme" | "accent">> {
  const theme = url.searchParams.get("theme")?.toLowerCase();
  const accent = url.searchParams.get("accent");
  return {
    lang: langOf(url),
    theme: (THEMES as readonly string[]).includes(theme ?? "") ? (theme as Theme) : undefined,
    accent: accent ? (normaliseAccent(accent) ?? undefined) : undefined,
  };
}

function message(look: Look, status: number, code: string, text: (l: Labels) => string, frameAncestors = "'none'", extra?: Record<string, string>): Outcome {
  return { status, html: renderMessagePage(look, text(look.labels), code), frameAncestors, cache: "no-store", extra };
}

/**
 * The company of a token that was refused as expired or revoked: its signature was verified before
 * either check, so its claim can be trusted, and the refusal page may be framed by that company's portal.
 */
async function companyOfRefused(db: Database, token: string, err: EmbedTokenError): Promise<CompanyEmbed | null> {
  if (err.code === "TOKEN_INVALID") return null;
  try {
    const cid = decodeJwt(token).cid;
    return isUuid(cid) ? await loadCompanyEmbed(db, cid) : null;
  } catch {
    return null;
  }
}

function tokenRefusal(look: Look, code: string, frameAncestors: string): Outcome {
  if (code === "TOKEN_EXPIRED") return message(look, 401, code, (l) => l.errors.expired, frameAncestors);
  if (code === "TOKEN_REVOKED") return message(look, 403, code, (l) => l.errors.revoked, frameAncestors);
  return message(look, 401, "TOKEN_INVALID", (l) => l.errors.invalid, frameAncestors);
}

async function handle(options: EmbedPageOptions, request: Request, url: URL, exec: (token: string, viewer: Viewer) => GraphQLExec): Promise<Outcome> {
  const { db, tokenSecret } = options;
  const early = lookOf(lenientLook(url));
  if (request.method !== "GET" && request.method !== "HEAD") return message(early, 405, "METHOD_NOT_ALLOWED", (l) => l.errors.method, "'none'", { allow: "GET, HEAD" });

  let params: EmbedParams | null = null;
  let paramError: ParamError | null = null;
  try {
    params = parseParams(request, url);
  } catch (err) {
    if (!(err instanceof ParamError)) throw err;
    paramError = err;
  }

  // The token first: a page for a bad link must not depend on the other parameters.
  const token = params?.token ?? tokenOf(request, url);
  if (!token) return message(early, 401, "TOKEN_MISSING", (l) => l.errors.missing);
  if (!isJwt(token)) return message(early, 401, "TOKEN_INVALID", (l) => (token.startsWith("ys_") ? l.errors.apiKey : l.errors.invalid));
  let viewer: Viewer;
  try {
    viewer = await authenticateEmbedToken(db.prisma, tokenSecret, token);
  } catch (err) {
    if (!(err instanceof EmbedTokenError)) throw err;
    const company = await companyOfRefused(db, token, err);
    return tokenRefusal(lookOf(lenientLook(url), company?.settings), err.code, company ? frameAncestorsValue(company.settings) : "'none'");
  }
  const company = await loadCompanyEmbed(db, viewer.companyId);
  if (!company) return message(early, 401, "TOKEN_INVALID", (l) => l.errors.invalid);
  const frameAncestors = frameAncestorsValue(company.settings);

  if (paramError || !params) {
    const e = paramError!;
    return message(lookOf(lenientLook(url), company.settings), 400, "BAD_PARAMETER", (l) => l.errors.badParameter(e.param, e.detail), frameAncestors);
  }
  const look = lookOf(params, company.settings);
  let periods;
  try {
    periods = trendOf(resolveParamPeriod(params.period, viewer.timeZone), params.trend);
  } catch (err) {
    if (!(err instanceof ParamError)) throw err;
    return message(look, 400, "BAD_PARAMETER", (l) => l.errors.badParameter(err.param, err.detail), frameAncestors);
  }

  try {
    const data = await loadEmbedData({ db, viewer, company, periods, exec: exec(token, viewer), lang: look.lang });
    return { status: 200, html: renderScorecardPage(look, data, params.trend > 1), frameAncestors, cache: "private, max-age=60" };
  } catch (err) {
    if (!(err instanceof EmbedLoadError)) throw err;
    if (err.code.startsWith("TOKEN_") || err.code === "UNAUTHENTICATED") return tokenRefusal(look, err.code, frameAncestors);
    if (err.code === "RATE_LIMITED") return message(look, 429, err.code, (l) => l.errors.rateLimited, frameAncestors, { "retry-after": "60" });
    if (err.code === "NOT_FOUND" || err.code === "FORBIDDEN") return message(look, 404, err.code, (l) => l.errors.notFound, frameAncestors);
    if (err.code === "BAD_PERIOD") return message(look, 400, "BAD_PARAMETER", (l) => l.errors.badParameter("period", err.message.replace(/^[\w.]+: /, "")), frameAncestors);
    logger.warn({ code: err.code, reason: err.message }, "embed page: scorecard not loaded");
    return message(look, 503, err.code, (l) => l.errors.unavailable, frameAncestors);
  }
}

/** The embed page as a Yoga plugin (register it in createApp's plugins). */
export function useEmbedPage(options: EmbedPageOptions): Plugin {
  return {
    async onRequest({ request, endResponse, fetchAPI, requestHandler, serverContext }) {
      const url = new URL(request.url);
      if (!EMBED_PATHS.has(url.pathname)) return;
      // The data comes from the app's own GraphQL endpoint, as the token's holder would ask for it.
      const exec = (token: string, viewer: Viewer): GraphQLExec => async (query, variables) => {
        const inner = new fetchAPI.Request(new URL("/graphql", url).toString(), {
          method: "POST",
          headers: { "content-type": "application/json", accept: "application/json", authorization: `Bearer ${token}` },
          body: JSON.stringify({ query, variables, operationName: "EmbedPage" }),
        });
        options.shareViewer?.(inner, viewer);
        const res = await requestHandler(inner, serverContext);
        const text = await res.text();
        try {
          return { status: res.status, body: JSON.parse(text) as GraphQLAnswer["body"] };
        } catch {
          return { status: res.status, body: { errors: [{ message: `not JSON (HTTP ${res.status})`, extensions: { code: `HTTP_${res.status}` } }] } };
        }
      };
      let outcome: Outcome;
      try {
        outcome = await handle(options, request, url, exec);
      } catch (err) {
        logger.error({ err }, "embed page failed");
        const look = lookOf(lenientLook(url));
        outcome = message(look, 500, "INTERNAL", (l) => l.errors.unavailable);
      }
      const headers = { ...embedHeaders(outcome.frameAncestors, outcome.cache), ...outcome.extra };
      endResponse(new fetchAPI.Response(request.method === "HEAD" ? null : outcome.html, { status: outcome.status, headers }));
    },
  };
}
