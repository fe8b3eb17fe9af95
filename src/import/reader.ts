// Streams CSV records with the physical line each starts on (line 1 is the
// header), so every reject can name its line even when quoted fields span
// several lines. Records the parser cannot read (an unclosed quote, a runaway
// field) come out as problems in file order instead of stopping the import.
import { parse, type CsvError, type Options } from "csv-parse";
import { Readable } from "node:stream";
import { decodeStream, type ImportSource, type SourceScan } from "./source.js";
import { fromSpreadsheetSafe } from "../text/escape.js";

export interface CsvRecord {
  readonly kind: "record";
  /** First and last physical line of the record. */
  readonly line: number;
  readonly endLine: number;
  readonly cells: string[];
}

export interface CsvProblem {
  readonly kind: "problem";
  readonly line: number;
  readonly endLine: number;
  readonly reason: string;
}

/** A record larger than this is refused (a quote left open would otherwise swallow the file into memory). */
const MAX_RECORD_BYTES = 1_000_000;

function describe(err: CsvError, line: number, endLine: number): string {
  const span = endLine > line ? ` (lines ${line}–${endLine} could not be read)` : "";
  switch (err.code) {
    case "CSV_QUOTE_NOT_CLOSED":
      return `a quoted field is never closed${span}`;
    case "CSV_MAX_RECORD_SIZE":
      return `record larger than ${MAX_RECORD_BYTES} bytes, likely an unbalanced quote${span}`;
    default:
      return `${err.message}${span}`;
  }
}

export async function* readCsv(source: ImportSource, scan: SourceScan): AsyncGenerator<CsvRecord | CsvProblem> {
  let prevEnd = 0;
  const problems: CsvProblem[] = [];
  const options: Options<CsvRecord, string[]> = {
    delimiter: scan.delimiter,
    record_delimiter: ["\r\n", "\n", "\r"],
    relax_column_count: true,
    // A stray quote inside a field ("5" screen") is text, not a syntax error.
    relax_quotes: true,
    skip_empty_lines: false,
    skip_records_with_error: true,
    max_record_size: MAX_RECORD_BYTES,
    // Runs at parse time, in file order: the only place a record's first line is known.
    on_record: (cells: string[], ctx): CsvRecord => {
      // Our export marks formula-like text with an apostrophe (as spreadsheets do): not part of the value.
      const r: CsvRecord = { kind: "record", line: prevEnd + 1, endLine: ctx.lines, cells: cells.map(fromSpreadsheetSafe) };
      prevEnd = ctx.lines;
      return r;
    },
  };
  // The typings only accept on_record returning string[] without `columns`; ours returns a CsvRecord.
  const parser = parse(options as unknown as Options);
  // "skip" fires while parsing, possibly ahead of records still buffered: queue and merge by line.
  parser.on("skip", (err: CsvError & { lines?: number }) => {
    const line = prevEnd + 1;
    const endLine = Math.max(line, err.lines ?? line);
    problems.push({ kind: "problem", line, endLine, reason: describe(err, line, endLine) });
    prevEnd = endLine;
  });
  const decoder = new TextDecoder(scan.encoding);
  const input = Readable.from(decodeStream(source.open(), decoder));
  input.on("error", (err) => parser.destroy(err));
  input.pipe(parser);
  try {
    for await (const record of parser as AsyncIterable<CsvRecord>) {
      while (problems.length > 0 && problems[0]!.line < record.line) yield problems.shift()!;
      yield record;
    }
    while (problems.length > 0) yield problems.shift()!;
  } finally {
    input.destroy();
    parser.destroy();
  }
}
