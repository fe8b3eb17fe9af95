// Numbers as people type them into spreadsheets: currency signs, thousands
// separators, decimal commas, accounting parentheses, Excel's 1.2E+04.
// Money stays exact: it is parsed to integer cents (BigInt), never a float.
import { cleanCode } from "./text.js";

export type NumResult<T> = { ok: true; value: T } | { ok: false; reason: string };

// Global: one replace strips a prefix and a suffix ("CNY 12.00", "12.00元", "¥12 RMB"). Case-sensitive:
// ISO codes are upper case, and "12abc" must stay an error rather than become 12.
const CURRENCY_AFFIX = /^(?:[A-Z]{3}|[¥￥$€£₩])\s*|\s*(?:[A-Z]{3}|元|块|[¥￥$€£₩])$/g;

/**
 * A decimal number as text → [sign, integer digits, fraction digits]. Separators:
 * with both "," and ".", the last one is the decimal mark; a lone "," followed by
 * exactly three digits in groups ("1,234", "12,345,678") is a thousands separator,
 * otherwise ("1,5", "12,34") a decimal comma; dots grouped by three twice or more
 * ("1.234.567") are thousands separators. Spaces, apostrophes and "_" are grouping.
 */
function splitDecimal(raw: string): { negative: boolean; int: string; frac: string } | null {
  let s = raw.replace(CURRENCY_AFFIX, "").trim();
  let negative = false;
  if (/^\(.*\)$/.test(s)) {
    negative = true;
    s = s.slice(1, -1).trim();
  }
  if (s.startsWith("-") || s.startsWith("−")) {
    negative = !negative;
    s = s.slice(1);
  } else if (s.endsWith("-")) {
    negative = !negative;
    s = s.slice(0, -1);
  } else if (s.startsWith("+")) s = s.slice(1);
  s = s.replace(CURRENCY_AFFIX, "").replace(/[\s'_]/g, "");
  if (/^\d+(?:\.\d+)?e[+-]?\d+$/i.test(s)) {
    const n = Number(s);
    if (!Number.isFinite(n) || n >= 1e15) return null;
    const [int, frac = ""] = n.toFixed(6).split(".");
    return { negative, int: int!, frac: frac.replace(/0+$/, "") };
  }
  const comma = s.lastIndexOf(",");
  const dot = s.lastIndexOf(".");
  if (comma >= 0 && dot >= 0) {
    const decimal = comma > dot ? "," : ".";
    const group = decimal === "," ? "." : ",";
    s = s.split(group).join("");
    if (decimal === ",") s = s.replace(",", ".");
  } else if (comma >= 0) {
    s = /^\d{1,3}(?:,\d{3})+$/.test(s) ? s.replace(/,/g, "") : s.replace(",", ".");
  } else if (dot >= 0 && /^\d{1,3}(?:\.\d{3}){2,}$/.test(s)) {
    s = s.replace(/\./g, "");
  }
  const m = /^(\d*)(?:\.(\d*))?$/.exec(s);
  if (!m || (m[1] === "" && (m[2] ?? "") === "")) return null;
  return { negative, int: m[1] || "0", frac: m[2] ?? "" };
}

/** Money → integer cents, rounded half-up at the third decimal. Up to 12 integer digits (numeric(14,2)). */
export function parseMoney(raw: string, field: string): NumResult<bigint> {
  const code = cleanCode(raw);
  if (code === null) return { ok: false, reason: `missing ${field}` };
  const d = splitDecimal(code);
  if (!d) return { ok: false, reason: `${field} is not a number: "${code}"` };
  const int = d.int.replace(/^0+(?=\d)/, "");
  if (int.length > 12) return { ok: false, reason: `${field} is too large: "${code}"` };
  let cents = BigInt(int) * 100n + BigInt((d.frac + "00").slice(0, 2));
  if ((d.frac[2] ?? "0") >= "5") cents += 1n;
  return { ok: true, value: d.negative ? -cents : cents };
}

/** A plain decimal number (scores). */
export function parseNumber(raw: string, field: string): NumResult<number> {
  const code = cleanCode(raw);
  if (code === null) return { ok: false, reason: `missing ${field}` };
  const d = splitDecimal(code);
  const n = d ? Number(`${d.negative ? "-" : ""}${d.int}.${d.frac || "0"}`) : NaN;
  if (!Number.isFinite(n)) return { ok: false, reason: `${field} is not a number: "${code}"` };
  return { ok: true, value: n };
}

/** A whole number; "4.0" is 4, "4.5" is refused. */
export function parseInteger(raw: string, field: string): NumResult<number> {
  const n = parseNumber(raw, field);
  if (!n.ok) return n;
  if (!Number.isInteger(n.value) || Math.abs(n.value) > 2_147_483_647) {
    return { ok: false, reason: `${field} must be a whole number: "${raw.trim()}"` };
  }
  return n;
}

const UNIT_SECONDS: Record<string, number> = {
  s: 1, sec: 1, secs: 1, second: 1, seconds: 1, 秒: 1,
  m: 60, min: 60, mins: 60, minute: 60, minutes: 60, 分: 60, 分钟: 60,
  h: 3600, hr: 3600, hrs: 3600, hour: 3600, hours: 3600, 时: 3600, 小时: 3600,
};

/** Seconds from "95", "95.4", "1:35", "0:01:35", "1m 35s", "2 min", "1小时5分钟". */
export function parseDuration(raw: string, field: string): NumResult<number> {
  const code = cleanCode(raw);
  if (code === null) return { ok: false, reason: `missing ${field}` };
  const s = code.toLowerCase();
  const clock = /^(?:(\d+):)?(\d{1,2}):(\d{2})$/.exec(s);
  if (clock) {
    const [h, m, sec] = [Number(clock[1] ?? 0), Number(clock[2]), Number(clock[3])];
    if (sec > 59 || (clock[1] !== undefined && m > 59)) return { ok: false, reason: `${field} is not a duration: "${code}"` };
    return { ok: true, value: h * 3600 + m * 60 + sec };
  }
  if (/^\d+(?:[.,]\d+)?$/.test(s)) return { ok: true, value: Math.round(Number(s.replace(",", "."))) };
  const parts = [...s.matchAll(/(\d+(?:[.,]\d+)?)\s*([a-z]+|秒|分钟|分|小时|时)/g)];
  const joined = parts.map((p) => p[0]).join("");
  if (parts.length === 0 || joined.replace(/\s/g, "") !== s.replace(/\s/g, "")) {
    return { ok: false, reason: `${field} is not a duration: "${code}"` };
  }
  let total = 0;
  for (const p of parts) {
    const unit = UNIT_SECONDS[p[2]!];
    if (unit === undefined) return { ok: false, reason: `${field} is not a duration: "${code}"` };
    total += Number(p[1]!.replace(",", ".")) * unit;
  }
  return { ok: true, value: Math.round(total) };
}

const TRUE = new Set(["true", "t", "yes", "y", "1", "x", "是", "对", "有", "√", "✓"]);
const FALSE = new Set(["false", "f", "no", "n", "0", "否", "不", "无", "没有", "×", "✗"]);

/** Yes/no; a blank cell is the column's default. */
export function parseBoolean(raw: string, field: string): NumResult<boolean> {
  const code = cleanCode(raw);
  if (code === null) return { ok: false, reason: `missing ${field}` };
  const k = code.toLowerCase();
  if (TRUE.has(k)) return { ok: true, value: true };
  if (FALSE.has(k)) return { ok: true, value: false };
  return { ok: false, reason: `${field} is not yes/no: "${code}"` };
}
