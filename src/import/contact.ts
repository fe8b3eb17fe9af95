// Email addresses and phone numbers: normalised so the same person written two
// ways ("Li.Wei@Example.CN", "li.wei@example.cn ") is one identity, validated
// so a typo is reported instead of stored.
import { cleanCode } from "./text.js";

export type Parsed<T> = { ok: true; value: T; changed: boolean; note?: string } | { ok: false; reason: string };

const EMAIL =
  /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/**
 * Lower case (mail systems treat addresses case-insensitively in practice), full-width
 * characters and the ideographic full stop to ASCII, "mailto:" and "Name <addr>" unwrapped.
 * A cell with several addresses keeps the first and says so.
 */
export function normalizeEmail(raw: string): Parsed<string> {
  const code = cleanCode(raw);
  if (code === null) return { ok: false, reason: "empty email" };
  let s = code.replace(/[。．]/g, ".").replace(/^mailto:/i, "");
  const angle = /<([^<>]+)>/.exec(s);
  if (angle) s = angle[1]!;
  let note: string | undefined;
  const parts = s.split(/[;,\s]+/).filter((p) => p.length > 0);
  if (parts.length > 1) note = `kept the first of ${parts.length} email addresses`;
  s = (parts[0] ?? "").replace(/^["'(]+|["').,;:]+$/g, "").toLowerCase();
  if (s.length > 254 || !EMAIL.test(s) || (s.split("@")[0]?.length ?? 0) > 64) {
    return { ok: false, reason: `invalid email "${code}"` };
  }
  return { ok: true, value: s, changed: s !== raw, note };
}

/** Default country calling code from the company's time zone, when it names one country. */
const ZONE_COUNTRY: Record<string, string> = {
  "Asia/Shanghai": "86", "Asia/Chongqing": "86", "Asia/Harbin": "86", "Asia/Urumqi": "86", "PRC": "86",
  "Asia/Hong_Kong": "852", "Asia/Macau": "853", "Asia/Taipei": "886", "Asia/Singapore": "65",
  "Asia/Tokyo": "81", "Asia/Seoul": "82", "Asia/Kolkata": "91", "Asia/Dubai": "971",
  "Europe/London": "44", "Europe/Berlin": "49", "Europe/Paris": "33", "Europe/Madrid": "34", "Europe/Rome": "39",
  "Europe/Amsterdam": "31", "Europe/Zurich": "41", "Europe/Vienna": "43", "Europe/Stockholm": "46",
  "Australia/Sydney": "61", "Australia/Melbourne": "61",
  "America/New_York": "1", "America/Chicago": "1", "America/Denver": "1", "America/Los_Angeles": "1",
  "America/Phoenix": "1", "America/Toronto": "1", "America/Vancouver": "1",
};

export function countryCodeForZone(zone: string): string | null {
  return ZONE_COUNTRY[zone] ?? null;
}

export interface PhoneResult {
  /** E.164 ("+8613812345678") when the country is known, else the digits as written. */
  value: string;
  e164: boolean;
}

const CN_MOBILE = /^1[3-9]\d{9}$/;

/**
 * Digits only, with the country code: E.164 when it can be told. Rules, in order:
 * "+…" or "00…" carry their country; an 11-digit number 1[3-9]… is a Chinese mobile
 * (+86) unless the company's country is +1; "86" + a Chinese mobile is +86; otherwise
 * the company's country code (from settings or its time zone) is prefixed, dropping a
 * national trunk "0". A number whose country cannot be told keeps its digits.
 */
export function normalizePhone(raw: string, defaultCountry: string | null): Parsed<PhoneResult> {
  const code = cleanCode(raw);
  if (code === null) return { ok: false, reason: "empty phone" };
  // "(0)" is the trunk prefix written beside a country code: +44 (0)20 …
  let s = code.replace(/\(0\)/g, "");
  let note: string | undefined;
  const ext = /\s*(?:ext\.?|x|#|转|分机)\s*\d{1,6}$/i.exec(s);
  if (ext && ext.index > 0) {
    s = s.slice(0, ext.index);
    note = "dropped a phone extension";
  }
  if (/[^\d+()\s.\-/]/.test(s)) return { ok: false, reason: `invalid phone "${code}"` };
  const all = s.replace(/\D/g, "");
  const plus = s.trimStart().startsWith("+");
  const international = plus || all.startsWith("00");
  const digits = !plus && international ? all.slice(2) : all;

  let value: string;
  let e164: boolean;
  if (international) {
    value = `+${digits}`;
    e164 = true;
  } else if (defaultCountry === "1" && /^1?\d{10}$/.test(digits)) {
    value = `+1${digits.slice(-10)}`;
    e164 = true;
  } else if (CN_MOBILE.test(digits)) {
    value = `+86${digits}`;
    e164 = true;
  } else if (/^861[3-9]\d{9}$/.test(digits)) {
    value = `+${digits}`;
    e164 = true;
  } else if (defaultCountry && digits.startsWith("0") && digits.length >= 9) {
    value = `+${defaultCountry}${digits.slice(1)}`;
    e164 = true;
  } else if (defaultCountry && defaultCountry !== "86" && defaultCountry !== "1" && digits.length >= 8) {
    value = `+${defaultCountry}${digits}`;
    e164 = true;
  } else {
    value = digits;
    e164 = false;
  }
  const n = value.replace(/\D/g, "").length;
  if (n < 5 || n > 15 || (e164 && (n < 8 || value[1] === "0"))) return { ok: false, reason: `invalid phone "${code}"` };
  return { ok: true, value: { value, e164 }, changed: value !== raw, note };
}
