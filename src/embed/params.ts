// The embed page's query parameters, checked before anything is computed.
// Every refusal names the parameter at fault.
import { DateTime } from "luxon";
import { GRAINS, MIN_YEAR, parsePeriodString, PeriodError, periodOf, resolvePeriod, shiftPeriod, type Period, type PeriodGrain } from "../metrics/period.js";
import { LANGS, normaliseAccent, THEMES, type Lang, type Theme } from "./settings.js";

export const DEFAULT_TREND = 6;
export const MAX_TREND = 12;

export class ParamError extends Error {
  constructor(
    readonly param: string,
    readonly detail: string,
  ) {
    super(`${param}: ${detail}`);
  }
}

export interface EmbedParams {
  token: string | null;
  /** Unset: the company's default, else English. */
  lang?: Lang;
  theme?: Theme;
  accent?: string;
  /** Periods in the trend chart, the selected one included. */
  trend: number;
  /** The period as asked; resolved in the company's zone once it is known. */
  period: { kind: "default" } | { kind: "short"; text: string } | { kind: "spec"; grain: PeriodGrain; date?: string; from?: string; to?: string };
}

/** The token from `Authorization: Bearer …` or `?token=`. */
export function tokenOf(request: Request, url: URL): string | null {
  const auth = request.headers.get("authorization");
  if (auth?.startsWith("Bearer ")) return auth.slice(7).trim() || null;
  return url.searchParams.get("token")?.trim() || null;
}

/** `lang` alone, so that even a page refusing other parameters speaks the asked language. */
export function langOf(url: URL): Lang | undefined {
  const raw = url.searchParams.get("lang");
  if (raw === null) return undefined;
  const base = raw.trim().toLowerCase().split(/[-_]/)[0];
  return (LANGS as readonly string[]).includes(base ?? "") ? (base as Lang) : undefined;
}

const one = (url: URL, name: string): string | undefined => {
  const all = url.searchParams.getAll(name);
  if (all.length > 1) throw new ParamError(name, "given more than once");
  return all[0];
};

/** Every parameter but the period's meaning (which needs the company's zone); throws ParamError. */
export function parseParams(request: Request, url: URL): EmbedParams {
  const params: EmbedParams = { token: tokenOf(request, url), trend: DEFAULT_TREND, period: { kind: "default" } };

  const lang = one(url, "lang");
  if (lang !== undefined) {
    params.lang = langOf(url);
    if (!params.lang) throw new ParamError("lang", `expected ${LANGS.join(" or ")}, got "${lang.slice(0, 20)}"`);
  }
  const theme = one(url, "theme");
  if (theme !== undefined) {
    const t = theme.trim().toLowerCase();
    if (!(THEMES as readonly string[]).includes(t)) throw new ParamError("theme", `expected ${THEMES.join(", ")}, got "${theme.slice(0, 20)}"`);
    params.theme = t as Theme;
  }
  const accent = one(url, "accent");
  if (accent !== undefined) {
    const a = normaliseAccent(accent);
    if (!a) throw new ParamError("accent", `expected a hex colour such as 2563eb or #2563eb (encode # as %23), got "${accent.slice(0, 20)}"`);
    params.accent = a;
  }
  const trend = one(url, "trend");
  if (trend !== undefined) {
    if (!/^\d{1,2}$/.test(trend) || Number(trend) < 1 || Number(trend) > MAX_TREND) throw new ParamError("trend", `expected a number of periods from 1 to ${MAX_TREND}, got "${trend.slice(0, 20)}"`);
    params.trend = Number(trend);
  }

  const period = one(url, "period");
  const grain = one(url, "grain");
  const date = one(url, "date");
  const from = one(url, "from");
  const to = one(url, "to");
  if (period !== undefined) {
    if (grain !== undefined || date !== undefined || from !== undefined || to !== undefined) {
      throw new ParamError("period", "give either period= (e.g. 2026-10) or grain= with date= (or from= and to=), not both");
    }
    if (period.length > 40) throw new ParamError("period", "too long");
    params.period = { kind: "short", text: period };
  } else if (grain !== undefined) {
    const g = grain.trim().toLowerCase();
    if (!([...GRAINS, "custom"] as string[]).includes(g)) throw new ParamError("grain", `expected ${[...GRAINS, "custom"].join(", ")}, got "${grain.slice(0, 20)}"`);
    params.period = { kind: "spec", grain: g as PeriodGrain, date, from, to };
  } else if (date !== undefined || from !== undefined || to !== undefined) {
    throw new ParamError("grain", "date=, from= and to= need grain= (month, quarter, year, week, day or custom)");
  }
  return params;
}

/** The last whole month in the zone. */
export function defaultPeriod(zone: string, now: DateTime = DateTime.now()): Period {
  return periodOf("month", now.setZone(zone).startOf("month").minus({ days: 1 }));
}

/** The asked period in the company's zone; throws ParamError naming the parameter. */
export function resolveParamPeriod(asked: EmbedParams["period"], zone: string, now?: DateTime): Period {
  try {
    if (asked.kind === "default") return defaultPeriod(zone, now);
    if (asked.kind === "short") return parsePeriodString(asked.text, zone);
    return resolvePeriod({ grain: asked.grain, date: asked.date, from: asked.from, to: asked.to }, zone, now);
  } catch (err) {
    if (!(err instanceof PeriodError)) throw err;
    const detail = err.message.replace(/^[\w.]+: /, "");
    if (asked.kind === "short") return fail("period", detail);
    // period.date → date, period.from → from; "period" itself means the combination: grain.
    const name = err.field.startsWith("period.") ? err.field.slice("period.".length) : "grain";
    return fail(name, detail);
  }
}

const fail = (param: string, detail: string): never => {
  throw new ParamError(param, detail);
};

/** The `count` periods ending with `period` (same grain or custom length), oldest first; none before MIN_YEAR. */
export function trendOf(period: Period, count: number): Period[] {
  const out = [period];
  let p = period;
  while (out.length < count) {
    p = shiftPeriod(p, "previousPeriod");
    if (p.start.year < MIN_YEAR) break;
    out.unshift(p);
  }
  return out;
}
