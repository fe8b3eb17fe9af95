// What cleaning did to a file, counted: kept on the job (JSON) so a user can
// see that 312 channels became "other" and which spellings they were.
import type { DateFormat } from "./dates.js";

export interface CleaningStats {
  /** Lines with no value in any cell (skipped, not rows). */
  blankLines: number;
  emailsNormalised: number;
  phonesNormalised: number;
  /** Phones kept as digits because their country could not be told. */
  phonesWithoutCountry: number;
  /** How the date cells were written (dmy / mdy show how slashes were read). */
  dateFormats: Partial<Record<DateFormat, number>>;
  /** Column → unknown value → rows mapped to the column's fallback ("other"). */
  mappedToOther: Record<string, Record<string, number>>;
  /** Column → rows whose value was a recognised synonym ("电话" → phone). */
  synonyms: Record<string, number>;
  /** Column → rows where a blank cell was filled (default, derived from another column). */
  filled: Record<string, number>;
  /** Fact rows without an external id that got one derived from their content. */
  derivedExternalIds: number;
  /** Customer rows merged into a customer an earlier line of the file already wrote. */
  customersMerged: number;
  /** Header cells that are not columns of this kind (their values are not imported). */
  ignoredColumns: string[];
  /** Text encoding and delimiter the file was read with. */
  encoding?: string;
  delimiter?: string;
}

/** Distinct unknown values remembered per column; the rest are summed under "…". */
const MAX_DISTINCT = 50;

export function emptyStats(): CleaningStats {
  return {
    blankLines: 0,
    emailsNormalised: 0,
    phonesNormalised: 0,
    phonesWithoutCountry: 0,
    dateFormats: {},
    mappedToOther: {},
    synonyms: {},
    filled: {},
    derivedExternalIds: 0,
    customersMerged: 0,
    ignoredColumns: [],
  };
}

/**
 * What cleaning did to one row. A row's events count only once the row is
 * imported (or found unchanged), so the counters describe rows that landed,
 * not rows rejected later for an unknown customer or as duplicates.
 */
export type StatEvent =
  | { readonly k: "other"; readonly column: string; readonly value: string }
  | { readonly k: "synonym" | "filled"; readonly column: string }
  | { readonly k: "date"; readonly format: DateFormat }
  | { readonly k: "email" | "phone" | "phoneNoCountry" | "derived" };

export class StatsCollector {
  constructor(readonly data: CleaningStats) {}

  other(column: string, raw: string): void {
    const byValue = (this.data.mappedToOther[column] ??= {});
    const key = raw in byValue || Object.keys(byValue).length < MAX_DISTINCT ? raw : "…";
    byValue[key] = (byValue[key] ?? 0) + 1;
  }

  synonym(column: string): void {
    this.data.synonyms[column] = (this.data.synonyms[column] ?? 0) + 1;
  }

  filled(column: string): void {
    this.data.filled[column] = (this.data.filled[column] ?? 0) + 1;
  }

  dateFormat(format: DateFormat): void {
    this.data.dateFormats[format] = (this.data.dateFormats[format] ?? 0) + 1;
  }

  apply(events: readonly StatEvent[]): void {
    for (const e of events) {
      switch (e.k) {
        case "other": this.other(e.column, e.value); break;
        case "synonym": this.synonym(e.column); break;
        case "filled": this.filled(e.column); break;
        case "date": this.dateFormat(e.format); break;
        case "email": this.data.emailsNormalised++; break;
        case "phone": this.data.phonesNormalised++; break;
        case "phoneNoCountry": this.data.phonesWithoutCountry++; break;
        case "derived": this.data.derivedExternalIds++; break;
      }
    }
  }
}
