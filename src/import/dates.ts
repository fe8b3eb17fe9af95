// Dates and times as they arrive from CRMs, spreadsheets and Chinese systems,
// read in the company's time zone unless the value carries its own offset.
//
// Accepted (time optional everywhere: "14:30", "14:30:15", "14:30:15.250",
// "2:30 PM", "下午2:30"; without a time the value is local midnight):
//   ISO with offset   2026-03-05T14:30:00Z, 2026-03-05 14:30+08:00  → that instant
//   year first        2026-03-05, 2026/03/05, 2026.3.5, 2026-03-05T14:30
//   Chinese           2026年3月5日, 2026年3月5日 14:30
//   compact           20260305
//   day first         05.03.2026, 5-3-2026 (dots or dashes with the year last)
//   slashes, year last 3/5/2026, 3/5/26: month first like Excel's US format, unless
//                     the first number is over 12 (then it can only be the day), or
//                     the import's dayFirst option is set (then day first unless the
//                     second number is over 12). Two-digit years are 20yy.
//   Excel serial      46086, 46086.5 (days since 1899-12-30; 5 digits only, so a
//                     bare year like "2026" is refused)
// Local times that do not exist (spring-forward gap) move forward by the gap; a
// local time that occurs twice (fall-back) takes the second occurrence — luxon's
// rules. Years outside 1900–2100 are refused as typos.
import { LRUCache } from "lru-cache";
import { DateTime } from "luxon";
import { cleanCode } from "./text.js";

export type DateFormat = "iso" | "ymd" | "cn" | "compact" | "dmy" | "mdy" | "excel";

export interface DateOptions {
  zone: string;
  dayFirst: boolean;
}

export type DateResult = { ok: true; value: Date; format: DateFormat } | { ok: false; reason: string };

/** Optional time after a date; `sep` is what may stand between them. Groups: meridiem (CN), h, m, s, fraction, meridiem, offset. */
const time = (sep: string) =>
  String.raw`(?:${sep}(上午|下午)?\s*(\d{1,2})[:：时](\d{2})(?:[:：分](\d{2})(?:[.,](\d{1,9}))?秒?|分)?\s*(am|pm|a\.m\.|p\.m\.)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?`;
const TIME = time(String.raw`[T\s]+`);
const YMD = new RegExp(String.raw`^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})${TIME}$`, "i");
const CN = new RegExp(String.raw`^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?${time(String.raw`\s*`)}$`, "i");
const DMY = new RegExp(String.raw`^(\d{1,2})([.-])(\d{1,2})\2(\d{4})${TIME}$`, "i");
const SLASH = new RegExp(String.raw`^(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})${TIME}$`, "i");
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
const EXCEL = /^(\d{5})(?:\.(\d+))?$/;

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  offset: string | undefined;
}

/** Time groups start at index `i` of the match: meridiem (CN), hour, minute, second, fraction, meridiem, offset. */
function timeParts(m: RegExpExecArray, i: number): Omit<Parts, "year" | "month" | "day"> | string {
  if (m[i + 1] === undefined) return { hour: 0, minute: 0, second: 0, millisecond: 0, offset: undefined };
  let hour = Number(m[i + 1]);
  const minute = Number(m[i + 2]);
  const second = Number(m[i + 3] ?? 0);
  const millisecond = Math.round(Number(`0.${m[i + 4] ?? "0"}`) * 1000);
  const meridiem = (m[i] ?? m[i + 5] ?? "").toLowerCase().replace(/\./g, "");
  if (meridiem) {
    if (hour < 1 || hour > 12) return "hour out of range for AM/PM";
    const pm = meridiem === "pm" || meridiem === "下午";
    hour = (hour % 12) + (pm ? 12 : 0);
  }
  if (hour > 23 || minute > 59 || second > 59) return "time out of range";
  return { hour, minute, second, millisecond: Math.min(millisecond, 999), offset: m[i + 6] };
}

/**
 * A zone's UTC offset (minutes) for one local hour, or false when it changes
 * within that hour (a DST transition: luxon then resolves each value). Luxon
 * asks Intl for every conversion, which was most of an import's CPU time;
 * rows cluster in few hours, so this cache answers nearly all of them.
 */
const HOUR_OFFSETS = new LRUCache<string, number | false>({ max: 50_000 });

function hourOffset(zone: string, year: number, month: number, day: number, hour: number): number | false {
  const key = `${zone}|${year}|${month}|${day}|${hour}`;
  let offset = HOUR_OFFSETS.get(key);
  if (offset === undefined) {
    const start = DateTime.fromObject({ year, month, day, hour }, { zone });
    const end = DateTime.fromObject({ year, month, day, hour, minute: 59, second: 59, millisecond: 999 }, { zone });
    offset = start.isValid && start.hour === hour && start.minute === 0 && end.hour === hour && end.minute === 59 && start.offset === end.offset ? start.offset : false;
    HOUR_OFFSETS.set(key, offset);
  }
  return offset;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function build(p: Parts, options: DateOptions, format: DateFormat): DateResult {
  if (p.year < 1900 || p.year > 2100) return { ok: false, reason: `implausible year ${p.year}` };
  if (p.month < 1 || p.month > 12 || p.day < 1 || p.day > daysInMonth(p.year, p.month)) return { ok: false, reason: "no such date" };
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second, p.millisecond);
  if (p.offset) {
    const o = /^([+-])(\d{2}):?(\d{2})?$/.exec(p.offset);
    const minutes = p.offset.toUpperCase() === "Z" || !o ? 0 : (o[1] === "-" ? -1 : 1) * (Number(o[2]) * 60 + Number(o[3] ?? 0));
    return { ok: true, value: new Date(wall - minutes * 60_000), format: "iso" };
  }
  const offset = hourOffset(options.zone, p.year, p.month, p.day, p.hour);
  if (offset !== false) return { ok: true, value: new Date(wall - offset * 60_000), format };
  const { offset: _offset, ...fields } = p;
  const dt = DateTime.fromObject(fields, { zone: options.zone });
  if (!dt.isValid) return { ok: false, reason: "no such date" };
  return { ok: true, value: dt.toJSDate(), format };
}

export function parseDate(raw: string, field: string, options: DateOptions): DateResult {
  const s = cleanCode(raw);
  if (s === null) return { ok: false, reason: `missing ${field}` };
  const fail = (why: string): DateResult => ({ ok: false, reason: `${field}: ${why}: "${s}"` });
  const withParts = (y: number, mo: number, d: number, m: RegExpExecArray, i: number, format: DateFormat): DateResult => {
    const t = timeParts(m, i);
    if (typeof t === "string") return fail(t);
    const r = build({ year: y, month: mo, day: d, ...t }, options, format);
    return r.ok ? r : fail(r.reason);
  };

  let m = YMD.exec(s);
  if (m) return withParts(Number(m[1]), Number(m[3]), Number(m[4]), m, 5, "ymd");
  m = CN.exec(s);
  if (m) return withParts(Number(m[1]), Number(m[2]), Number(m[3]), m, 4, "cn");
  m = DMY.exec(s);
  if (m) return withParts(Number(m[4]), Number(m[3]), Number(m[1]), m, 5, "dmy");
  m = SLASH.exec(s);
  if (m) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    const year = m[3]!.length === 2 ? 2000 + Number(m[3]) : Number(m[3]);
    // Month first (Excel's US format) unless only day-first can be right, or the import says day first.
    const dayFirst = a > 12 || (options.dayFirst && b <= 12);
    return dayFirst ? withParts(year, b, a, m, 4, "dmy") : withParts(year, a, b, m, 4, "mdy");
  }
  m = COMPACT.exec(s);
  if (m) {
    const r = build({ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), hour: 0, minute: 0, second: 0, millisecond: 0, offset: undefined }, options, "compact");
    return r.ok ? r : fail(r.reason);
  }
  m = EXCEL.exec(s);
  if (m) {
    const serial = Number(s);
    if (serial < 20_000 || serial > 80_000) return fail("not a date");
    // Excel's day 0 is 1899-12-30 (its 1900 leap-year bug folded in); the fraction is the time of day.
    const day = Math.floor(serial);
    const ms = Math.round((serial - day) * 86_400_000);
    const base = DateTime.fromObject({ year: 1899, month: 12, day: 30 }, { zone: "UTC" }).plus({ days: day, milliseconds: ms });
    const r = build({ year: base.year, month: base.month, day: base.day, hour: base.hour, minute: base.minute, second: base.second, millisecond: base.millisecond, offset: undefined }, options, "excel");
    return r.ok ? r : fail(r.reason);
  }
  return fail("not a date in an accepted format");
}
