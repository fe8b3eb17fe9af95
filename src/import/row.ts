// One CSV record being cleaned: typed getters over its cells that either return
// a clean value or refuse the row with a reason (RowRejected), counting what
// they changed. The kind-specific cleaners are written with these.
import { createHash } from "node:crypto";
import { normalizeEmail, normalizePhone } from "./contact.js";
import { parseDate } from "./dates.js";
import type { HeaderMap } from "./header.js";
import { parseBoolean, parseDuration, parseInteger, parseMoney, parseNumber } from "./numbers.js";
import type { StatEvent } from "./stats.js";
import { cleanCode, cleanLine, cleanMultiline } from "./text.js";
import type { VocabName, VocabularySet } from "./vocab.js";

/**
 * A row refused by cleaning: the reason as shown to users, and the column it is
 * about (null when it is about the row as a whole), so an API can name the field.
 */
export class RowRejected extends Error {
  constructor(
    readonly reason: string,
    readonly field: string | null = null,
  ) {
    super(reason);
  }
}

/**
 * Where a row's cells come from: a CSV record read through its header, or an
 * object (a JSON sync batch) keyed by column name. Cleaning is the same for both.
 */
export interface RowCells {
  /** The cell of a canonical column, as text; undefined when the row has no such column. */
  get(column: string): string | undefined;
  has(column: string): boolean;
  /** Free-form attribute cells (customers' attr_<name> columns). */
  attributes(): Iterable<readonly [string, string | undefined]>;
}

/** A CSV record's cells through its resolved header. */
export function csvCells(cells: readonly string[], header: HeaderMap): RowCells {
  return {
    get: (column) => {
      const i = header.index.get(column);
      return i === undefined ? undefined : cells[i];
    },
    has: (column) => header.index.has(column),
    attributes: () => [...header.attributes].map(([name, i]) => [name, cells[i]] as const),
  };
}

/**
 * An object's values by column name (a JSON record): strings as they are, numbers and
 * booleans as text, objects as JSON, null/undefined as absent. `attributes` may be an object.
 */
export function objectCells(record: Readonly<Record<string, unknown>>): RowCells {
  const text = (v: unknown): string | undefined => {
    if (v === null || v === undefined) return undefined;
    if (typeof v === "string") return v;
    if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
    if (v instanceof Date) return v.toISOString();
    return JSON.stringify(v);
  };
  return {
    get: (column) => (Object.prototype.hasOwnProperty.call(record, column) ? text(record[column]) : undefined),
    has: (column) => Object.prototype.hasOwnProperty.call(record, column),
    attributes: () => [],
  };
}

/** Per-import settings the cleaners need. */
export interface CleanEnv {
  readonly zone: string;
  readonly dayFirst: boolean;
  readonly defaultCountry: string | null;
  readonly currency: string;
  readonly vocab: VocabularySet;
}

/** How a fact row names its customer. */
export interface CustomerRef {
  readonly by: "external_id" | "email" | "phone" | "name";
  readonly value: string;
}

const MAX_TEXT = 1000;
const MAX_ID = 200;

export class Row {
  readonly warnings: string[] = [];
  /** Cleaning done on this row, counted on the job only if the row is imported. */
  readonly events: StatEvent[] = [];

  constructor(
    readonly cells: RowCells,
    readonly line: number,
    readonly env: CleanEnv,
  ) {}

  has(column: string): boolean {
    return this.cells.has(column);
  }

  raw(column: string): string | undefined {
    return this.cells.get(column);
  }

  /** One-line text; `required` refuses the row when blank. */
  text(column: string, required: true, max?: number): string;
  text(column: string, required?: false, max?: number): string | null;
  text(column: string, required = false, max = MAX_TEXT): string | null {
    const v = cleanLine(this.raw(column));
    if (v === null) {
      if (required) throw new RowRejected(`missing ${column}`, column);
      return null;
    }
    if (v.length > max) throw new RowRejected(`${column} is longer than ${max} characters`, column);
    return v;
  }

  multiline(column: string, max = 4000): string | null {
    const v = cleanMultiline(this.raw(column));
    if (v !== null && v.length > max) throw new RowRejected(`${column} is longer than ${max} characters`, column);
    return v;
  }

  /** An identifier (external ids): NFKC, trimmed, at most 200 characters. */
  id(column: string): string | null {
    const v = cleanCode(this.raw(column));
    if (v !== null && v.length > MAX_ID) throw new RowRejected(`${column} is longer than ${MAX_ID} characters`, column);
    return v;
  }

  email(column: string): string | null {
    const raw = this.raw(column);
    if (cleanLine(raw) === null) return null;
    const r = normalizeEmail(raw!);
    if (!r.ok) throw new RowRejected(`${column}: ${r.reason}`, column);
    if (r.changed) this.events.push({ k: "email" });
    if (r.note) this.warnings.push(`${column}: ${r.note}`);
    return r.value;
  }

  phone(column: string): string | null {
    const raw = this.raw(column);
    if (cleanLine(raw) === null) return null;
    const r = normalizePhone(raw!, this.env.defaultCountry);
    if (!r.ok) throw new RowRejected(`${column}: ${r.reason}`, column);
    if (r.changed) this.events.push({ k: "phone" });
    if (!r.value.e164) this.events.push({ k: "phoneNoCountry" });
    if (r.note) this.warnings.push(`${column}: ${r.note}`);
    return r.value.value;
  }

  date(column: string, required: true): Date;
  date(column: string, required?: false): Date | null;
  date(column: string, required = false): Date | null {
    const raw = this.raw(column);
    if (cleanLine(raw) === null) {
      if (required) throw new RowRejected(`missing ${column}`, column);
      return null;
    }
    const r = parseDate(raw!, column, { zone: this.env.zone, dayFirst: this.env.dayFirst });
    if (!r.ok) throw new RowRejected(r.reason, column);
    this.events.push({ k: "date", format: r.format });
    return r.value;
  }

  /** Money in cents; negative amounts are refused. */
  money(column: string): bigint {
    const r = parseMoney(this.raw(column) ?? "", column);
    if (!r.ok) throw new RowRejected(r.reason, column);
    if (r.value < 0n) throw new RowRejected(`negative ${column}: "${cleanLine(this.raw(column))}"`, column);
    return r.value;
  }

  number(column: string, required: true): number;
  number(column: string, required?: false): number | null;
  number(column: string, required = false): number | null {
    const raw = this.raw(column);
    if (cleanLine(raw) === null) {
      if (required) throw new RowRejected(`missing ${column}`, column);
      return null;
    }
    const r = parseNumber(raw!, column);
    if (!r.ok) throw new RowRejected(r.reason, column);
    return r.value;
  }

  integer(column: string): number | null {
    const raw = this.raw(column);
    if (cleanLine(raw) === null) return null;
    const r = parseInteger(raw!, column);
    if (!r.ok) throw new RowRejected(r.reason, column);
    return r.value;
  }

  duration(column: string): number | null {
    const raw = this.raw(column);
    if (cleanLine(raw) === null) return null;
    const r = parseDuration(raw!, column);
    if (!r.ok) throw new RowRejected(r.reason, column);
    if (r.value < 0) throw new RowRejected(`negative ${column}`, column);
    return r.value;
  }

  boolean(column: string, fallback: boolean): boolean {
    const raw = this.raw(column);
    if (cleanLine(raw) === null) return fallback;
    const r = parseBoolean(raw!, column);
    if (!r.ok) throw new RowRejected(r.reason, column);
    return r.value;
  }

  /**
   * A vocabulary value; a blank cell is `blank` (a default, counted as filled) or,
   * when `blank` is undefined, refuses the row. Unknown values become the
   * vocabulary's fallback and are counted per spelling.
   */
  vocab(column: string, name: VocabName, blank?: string | null): string | null {
    const v = cleanLine(this.raw(column));
    if (v === null) {
      if (blank === undefined) throw new RowRejected(`missing ${column}`, column);
      if (blank !== null) this.filled(column);
      return blank;
    }
    const r = this.env.vocab.map(name, v, column);
    if (!r.ok) throw new RowRejected(r.reason, column);
    if (r.unknown) this.events.push({ k: "other", column, value: v });
    if (r.synonym) this.events.push({ k: "synonym", column });
    return r.value;
  }

  /** Counts a blank cell filled with a default or a value derived from another column. */
  filled(column: string): void {
    this.events.push({ k: "filled", column });
  }

  /** The customer a fact row refers to: external id, else email, else phone. */
  customerRef(): CustomerRef {
    const ext = this.id("customer_external_id");
    if (ext !== null) return { by: "external_id", value: ext };
    const email = this.email("customer_email");
    if (email !== null) return { by: "email", value: email };
    const phone = this.phone("customer_phone");
    if (phone !== null) return { by: "phone", value: phone };
    // Kinds whose exports name the account instead (a CRM's "Account Name") also match by the customer's name.
    if (this.has("customer_name")) {
      const name = this.text("customer_name", false, 300);
      if (name !== null) return { by: "name", value: name.toLowerCase() };
      throw new RowRejected("missing customer (customer_external_id, customer_email, customer_phone or customer_name)", "customer_external_id");
    }
    throw new RowRejected("missing customer (customer_external_id, customer_email or customer_phone)", "customer_external_id");
  }
}

/**
 * An external id for a row that has none: a hash of the kind and the row's cleaned
 * values, so the same row imported again (in this file or another) is the same
 * record, while two rows differing in any value stay two records.
 */
export function derivedId(kind: string, values: readonly (string | null)[]): string {
  const h = createHash("sha256").update(kind);
  for (const v of values) h.update(v === null ? "\u0000" : `\u0001${v}\u001f`);
  return `row-${h.digest("hex").slice(0, 24)}`;
}
