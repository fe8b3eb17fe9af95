// The embed page's company settings (companies.settings.embed) and the checks
// shared by the settings mutation and the page: a frame-ancestors source goes
// into an HTTP header, a colour into CSS, so both are held to strict shapes.
import { z } from "zod";

export const THEMES = ["light", "dark", "auto"] as const;
export type Theme = (typeof THEMES)[number];
export const LANGS = ["en", "zh"] as const;
export type Lang = (typeof LANGS)[number];

export const DEFAULT_ACCENT = "#2563eb";
export const MAX_FRAME_ANCESTORS = 20;

/** Where the stored settings live: settings.embed. */
export interface EmbedSettings {
  frameAncestors?: string[];
  theme?: Theme;
  accent?: string;
  language?: Lang;
}

const HEX = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i;

/** "#0A7" / "0a7d5a" / "#0a7d5a" → "#0a7d5a"; anything else → null. */
export function normaliseAccent(value: string): string | null {
  const m = HEX.exec(value.trim());
  if (!m) return null;
  const hex = m[1]!.toLowerCase();
  return `#${hex.length === 3 ? [...hex].map((c) => c + c).join("") : hex}`;
}

// scheme://host[:port] with an optional leading "*." label; no path, query, user info,
// spaces, semicolons, commas or quotes.
const ORIGIN = /^(https?):\/\/(\*\.)?((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::(\d{1,5}))?\/?$/;

/**
 * One frame-ancestors entry, normalised ("https://Portal.example.com/" → "https://portal.example.com"),
 * or an explanation of why it is refused.
 */
export function checkFrameAncestor(raw: string): { ok: true; value: string } | { ok: false; reason: string } {
  const value = raw.trim();
  if (value === "'self'" || value === "'none'") return { ok: true, value };
  if (value.length === 0) return { ok: false, reason: "is empty" };
  if (value.length > 200) return { ok: false, reason: "is longer than 200 characters" };
  if (/[\s;,'"]/.test(value)) return { ok: false, reason: `"${value.slice(0, 60)}" contains a space, semicolon, comma or quote; give an origin such as https://portal.example.com, or 'self'` };
  const m = ORIGIN.exec(value.toLowerCase());
  if (!m) return { ok: false, reason: `"${value.slice(0, 60)}" is not an origin; give scheme and host (and port), e.g. https://portal.example.com, without a path` };
  if (m[4] !== undefined && (Number(m[4]) < 1 || Number(m[4]) > 65535)) return { ok: false, reason: `"${value.slice(0, 60)}" has a port outside 1–65535` };
  return { ok: true, value: value.toLowerCase().replace(/\/$/, "") };
}

/** The header value: the stored list re-checked (settings may have been edited by hand), default 'none'. */
export function frameAncestorsValue(settings: EmbedSettings): string {
  const list = (settings.frameAncestors ?? []).map(checkFrameAncestor).filter((r) => r.ok).map((r) => r.value);
  const unique = [...new Set(list)].filter((v) => v !== "'none'");
  return unique.length > 0 ? unique.join(" ") : "'none'";
}

const stored = z.object({
  frameAncestors: z.array(z.string()).optional().catch(undefined),
  theme: z.enum(THEMES).optional().catch(undefined),
  accent: z
    .string()
    .optional()
    .catch(undefined)
    .transform((a) => (a === undefined ? undefined : (normaliseAccent(a) ?? undefined))),
  language: z.enum(LANGS).optional().catch(undefined),
});

/** settings.embed of a company's settings JSON, leniently: a malformed entry is ignored, never trusted. */
export function embedSettingsOf(settings: unknown): EmbedSettings {
  const obj = typeof settings === "string" ? safeJson(settings) : settings;
  const embed = obj && typeof obj === "object" ? (obj as Record<string, unknown>).embed : undefined;
  const parsed = stored.safeParse(embed ?? {});
  return parsed.success ? parsed.data : {};
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
