// The seeder's clock: a fixed window of whole months in the company's time zone,
// ending at a fixed reference date (never "now", so a seed is reproducible).
// Day and month boundaries are computed once with luxon; events are then placed
// with plain millisecond arithmetic, which keeps generation fast.
import { DateTime } from "luxon";
import type { Rng } from "./random.js";

export const SEED_TIME_ZONE = "Asia/Shanghai";
/**
 * History ends at the start of this local day (exclusive): the last event is
 * before 2026-11-01 00:00 Asia/Shanghai (= 2026-10-31T16:00:00Z), so October
 * 2026 is the last whole month in company time.
 */
export const REFERENCE_END_LOCAL = { year: 2026, month: 11, day: 1 } as const;

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export interface MonthInfo {
  /** First instant of the month in the company zone (epoch ms). */
  readonly start: number;
  /** First instant of the next month (exclusive). */
  readonly end: number;
  /** Calendar month 1–12 in the company zone. */
  readonly calendarMonth: number;
  readonly year: number;
}

export interface Calendar {
  readonly zone: string;
  /** First instant of the window. */
  readonly start: number;
  /** End of the window (exclusive): no generated event is at or after it. */
  readonly end: number;
  readonly months: readonly MonthInfo[];
  /** Local midnight of every day in the window (epoch ms), ascending. */
  readonly dayStarts: readonly number[];
  /** ISO weekday (1 = Monday … 7 = Sunday) of each day. */
  readonly weekdays: readonly number[];
}

export function buildCalendar(monthCount: number, zone = SEED_TIME_ZONE): Calendar {
  const endLocal = DateTime.fromObject(REFERENCE_END_LOCAL, { zone });
  const startLocal = endLocal.minus({ months: monthCount });
  const months: MonthInfo[] = [];
  for (let m = 0; m < monthCount; m++) {
    const s = startLocal.plus({ months: m });
    const e = startLocal.plus({ months: m + 1 });
    months.push({ start: s.toMillis(), end: e.toMillis(), calendarMonth: s.month, year: s.year });
  }
  const dayStarts: number[] = [];
  const weekdays: number[] = [];
  for (let d = startLocal; d < endLocal; d = d.plus({ days: 1 })) {
    dayStarts.push(d.toMillis());
    weekdays.push(d.weekday);
  }
  return { zone, start: startLocal.toMillis(), end: endLocal.toMillis(), months, dayStarts, weekdays };
}

/** Index of the last element ≤ ms in an ascending list (-1 if ms is before all). */
function floorIndex(sorted: readonly number[], ms: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  if (hi < 0 || ms < sorted[0]!) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (sorted[mid]! <= ms) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function dayIndexOf(cal: Calendar, ms: number): number {
  return floorIndex(cal.dayStarts, ms);
}

/** Rounds down to the whole minute: generated times look like real entries. */
export function toMinute(ms: number): number {
  return ms - (((ms % 60_000) + 60_000) % 60_000);
}

export interface TimeProfile {
  /** Local hours [from, to) when such events happen. */
  readonly fromHour: number;
  readonly toHour: number;
  /** Relative chance of a weekend day against a weekday (1 = no difference). */
  readonly weekendWeight: number;
}

export const BUSINESS_HOURS: TimeProfile = { fromHour: 9, toHour: 18.5, weekendWeight: 0.2 };
export const RETAIL_HOURS: TimeProfile = { fromHour: 9, toHour: 22, weekendWeight: 1.3 };
export const ANY_HOUR: TimeProfile = { fromHour: 0, toHour: 24, weekendWeight: 1 };

/**
 * A time in [from, to) at a plausible local hour and weekday, to the minute.
 * Falls back to a uniform time when the range is too short for the profile.
 */
export function randomTime(cal: Calendar, rng: Rng, from: number, to: number, profile: TimeProfile): number {
  if (!(to > from)) throw new Error("randomTime: empty range");
  const d0 = Math.max(0, dayIndexOf(cal, from));
  const d1 = Math.max(d0, dayIndexOf(cal, to - 1));
  let day = rng.int(d0, d1);
  // Rejection keeps the weekday/weekend ratio without building weight tables.
  const weekendAccept = Math.min(1, profile.weekendWeight);
  const weekdayAccept = Math.min(1, 1 / Math.max(profile.weekendWeight, 1e-9));
  for (let tries = 0; tries < 4; tries++) {
    const weekend = (cal.weekdays[day] ?? 1) >= 6;
    if (rng.chance(weekend ? weekendAccept : weekdayAccept)) break;
    day = rng.int(d0, d1);
  }
  const hour = rng.float(profile.fromHour, profile.toHour);
  let t = toMinute((cal.dayStarts[day] ?? from) + hour * HOUR_MS);
  if (t < from || t >= to) t = Math.min(to - 1, from + Math.floor(rng.next() * (to - from)));
  return t;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
