// Column-wise row buffers flushed as one INSERT … SELECT FROM unnest(…) per
// batch: one array parameter per column, so a statement carries thousands of
// rows with a dozen parameters (far from the 65,535-parameter limit) and the
// same SQL works on PGlite and PostgreSQL. Every value travels as text and is
// cast by the server, which keeps parameter encoding identical on both drivers
// (PGlite encodes by the inferred type, node-postgres by the JS type).
import type { SqlDriver } from "../db/driver.js";

export type SqlType = "uuid" | "text" | "int" | "numeric" | "float8" | "timestamptz" | "boolean" | "jsonb";

export interface ColumnSpec {
  readonly name: string;
  readonly type: SqlType;
}

export type Executor = Pick<SqlDriver, "query">;

/** One row: a text value (or null) per column, in column order. */
export type RowOf<C extends readonly ColumnSpec[]> = { readonly [K in keyof C]: string | null };

/** A prepared batch: runs without touching the buffer it came from. */
export interface Batch {
  readonly table: string;
  readonly rows: number;
  run(exec: Executor): Promise<void>;
}

export class BulkTable<C extends readonly ColumnSpec[]> {
  private columns: (string | null)[][];
  private pending = 0;
  /** Rows added since creation (flushed or not). */
  total = 0;

  constructor(
    readonly table: string,
    readonly specs: C,
    /** Values equal on every row (company_id …), sent once as scalars. */
    private readonly constants: readonly (ColumnSpec & { readonly value: string })[] = [],
  ) {
    this.columns = specs.map(() => []);
  }

  get size(): number {
    return this.pending;
  }

  add(row: RowOf<C>): void {
    for (let i = 0; i < this.columns.length; i++) this.columns[i]!.push(row[i] ?? null);
    this.pending++;
    this.total++;
  }

  /** Takes the buffered rows as a batch (null when empty) and empties the buffer. */
  take(): Batch | null {
    if (this.pending === 0) return null;
    const data = this.columns;
    const rows = this.pending;
    this.columns = this.specs.map(() => []);
    this.pending = 0;
    const consts = this.constants;
    const names = [...consts.map((c) => c.name), ...this.specs.map((c) => c.name)].map((n) => `"${n}"`).join(", ");
    const constExprs = consts.map((c, i) => `$${i + 1}::${c.type}`);
    const arrays = this.specs.map((c, i) => `$${consts.length + i + 1}::text[]::${c.type}[]`);
    const select = constExprs.length > 0 ? `${constExprs.join(", ")}, u.*` : "u.*";
    const sql = `INSERT INTO "${this.table}" (${names}) SELECT ${select} FROM unnest(${arrays.join(", ")}) AS u`;
    const params = [...consts.map((c) => c.value), ...data];
    return {
      table: this.table,
      rows,
      run: async (exec) => {
        await exec.query(sql, params);
      },
    };
  }
}

/** Money from integer cents to a decimal string ("1234.05"); exact, no float rounding. */
export function cents(value: number | bigint): string {
  const v = BigInt(value);
  const neg = v < 0n;
  const abs = neg ? -v : v;
  const whole = abs / 100n;
  const frac = (abs % 100n).toString().padStart(2, "0");
  return `${neg ? "-" : ""}${whole.toString()}.${frac}`;
}
