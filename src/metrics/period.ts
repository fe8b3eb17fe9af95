// Periods in a company's time zone: day, week (ISO, Monday first), month,
// quarter, year and custom ranges of whole days. A period is a half-open
// window of instants [start, end); SQL only ever sees those instants, so DST
// and zones are settled here once, not per row.
import { DateTime } from "luxon";

export const GRAINS = ["day", "week", "month", "quarter", "year"] as const;
export type Grain = (typeof GRAINS)[number];
export type PeriodGrain = Grain | "custom";

export interface Period {
  grain: PeriodGrain;
  start: DateTime;
  /** Exclusive. */
  end: DateTime;
  zone: string;
}

export interface Window {
  start: Date;
  end: Date;
}

export class PeriodError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const MAX_CUSTOM_DAYS = 3660;

/** Years a period may fall in: wide enough for any business history, inside every database's range. */
export const MIN_YEAR = 1900;
export const MAX_YEAR = 2200;

function parseDay(value: string, zone: string, field: string): DateTime {
  if (!DATE_RE.test(value)) throw new PeriodError(field, `expected a date as YYYY-MM-DD, got "${value.slice(0, 40)}"`);
  const d = DateTime.fromISO(value, { zone });
  if (!d.isValid) throw new PeriodError(field, `not a calendar date: "${value}"`);
  if (d.year < MIN_YEAR || d.year > MAX_YEAR) throw new PeriodError(field, `years ${MIN_YEAR}–${MAX_YEAR} only, got ${d.year}`);
  return d.startOf("day");
}

export function assertZone(zone: string): void {
  if (!DateTime.now().setZone(zone).isValid) throw new PeriodError("timeZone", `unknown IANA time zone "${zone}"`);
}

export function periodOf(grain: Grain, day: DateTime): Period {
  const unit = grain === "week" ? "week" : grain;
  const start = day.startOf(unit);
  return { grain, start, end: start.plus({ [`${unit}s`]: 1 }), zone: day.zoneName ?? "UTC" };
}

export interface PeriodSpec {
  grain: PeriodGrain;
  /** Any day inside the period (grains); default today in the zone. */
  date?: string;
  /** Custom ranges: first and last day, inclusive. */
  from?: string;
  to?: string;
}

export function resolvePeriod(spec: PeriodSpec, zone: string, now: DateTime = DateTime.now()): Period {
  if (spec.grain === "custom") {
    if (spec.from === undefined || spec.to === undefined) throw new PeriodError("period", "a custom period needs from and to (YYYY-MM-DD)");
    if (spec.date !== undefined) throw new PeriodError("period.date", "a custom period takes from and to, not date");
    const start = parseDay(spec.from, zone, "period.from");
    const last = parseDay(spec.to, zone, "period.to");
    if (last < start) throw new PeriodError("period.to", "is before period.from");
    const end = last.plus({ days: 1 });
    if (end.diff(start, "days").days > MAX_CUSTOM_DAYS) throw new PeriodError("period", `a custom period may span at most ${MAX_CUSTOM_DAYS} days`);
    return { grain: "custom", start, end, zone };
  }
  if (spec.from !== undefined || spec.to !== undefined) throw new PeriodError("period", `from and to belong to custom periods; a ${spec.grain} period takes date`);
  const day = spec.date !== undefined ? parseDay(spec.date, zone, "period.date") : now.setZone(zone).startOf("day");
  return periodOf(spec.grain, day);
}

/** Parses the short forms a CLI or URL uses: 2026, 2026-Q3, 2026-10, 2026-W14, 2026-10-15, 2026-01-01..2026-03-31. */
export function parsePeriodString(text: string, zone: string): Period {
  const s = text.trim();
  let m: RegExpExecArray | null;
  if ((m = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(s))) return resolvePeriod({ grain: "custom", from: m[1], to: m[2] }, zone);
  if (/^\d{4}$/.test(s)) return resolvePeriod({ grain: "year", date: `${s}-01-01` }, zone);
  if ((m = /^(\d{4})-Q([1-4])$/.exec(s))) return resolvePeriod({ grain: "quarter", date: `${m[1]}-${String((Number(m[2]) - 1) * 3 + 1).padStart(2, "0")}-01` }, zone);
  if (/^\d{4}-\d{2}$/.test(s)) return resolvePeriod({ grain: "month", date: `${s}-01` }, zone);
  if ((m = /^(\d{4})-W(\d{2})$/.exec(s))) {
    const d = DateTime.fromObject({ weekYear: Number(m[1]), weekNumber: Number(m[2]), weekday: 1 }, { zone });
    if (!d.isValid) throw new PeriodError("period", `no such week: ${s}`);
    return periodOf("week", d);
  }
  if (DATE_RE.test(s)) return resolvePeriod({ grain: "day", date: s }, zone);
  throw new PeriodError("period", `"${s}" is not a period; use 2026, 2026-Q3, 2026-10, 2026-W14, 2026-10-15 or 2026-01-01..2026-03-31`);
}

export type Offset = "none" | "previousPeriod" | "samePeriodLastYear";

export function shiftPeriod(p: Period, offset: Offset): Period {
  if (offset === "none") return p;
  if (offset === "samePeriodLastYear") {
    return { ...p, start: p.start.minus({ years: 1 }), end: p.end.minus({ years: 1 }) };
  }
  if (p.grain === "custom") {
    const days = Math.round(p.end.diff(p.start, "days").days);
    return { ...p, start: p.start.minus({ days }), end: p.start };
  }
  return periodOf(p.grain, p.start.minus({ days: 1 }));
}

/** The `count` consecutive periods of `grain` ending with the one that holds `last`. */
export function trendPeriods(grain: Grain, count: number, last: DateTime): Period[] {
  const out: Period[] = [];
  let p = periodOf(grain, last);
  for (let i = 0; i < count; i++) {
    out.unshift(p);
    p = periodOf(grain, p.start.minus({ days: 1 }));
  }
  return out;
}

export function toWindow(p: Period): Window {
  return { start: p.start.toUTC().toJSDate(), end: p.end.toUTC().toJSDate() };
}

export function windowKey(w: Window): string {
  return `${w.start.getTime()}-${w.end.getTime()}`;
}

const labels = new WeakMap<Period, string>();

/** 2026-03, 2026-Q1, 2026-W09, 2026, 2026-03-01, or a..b for custom ranges (memoised: luxon formatting is slow). */
export function periodLabel(p: Period): string {
  let label = labels.get(p);
  if (label === undefined) labels.set(p, (label = formatLabel(p)));
  return label;
}

function formatLabel(p: Period): string {
  switch (p.grain) {
    case "day":
      return p.start.toISODate()!;
    case "week":
      return `${p.start.weekYear}-W${String(p.start.weekNumber).padStart(2, "0")}`;
    case "month":
      return p.start.toFormat("yyyy-MM");
    case "quarter":
      return `${p.start.year}-Q${p.start.quarter}`;
    case "year":
      return String(p.start.year);
    case "custom":
      return `${p.start.toISODate()}..${p.end.minus({ days: 1 }).toISODate()}`;
  }
}
