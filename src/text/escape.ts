// Text that leaves Yardstick in a document someone else opens: CSV files (Excel,
// LibreOffice, Google Sheets) and Markdown (a wiki, a chat, a mail client).
// Customer, team and KPI names come from CRM imports and API callers, so any of
// them may be an attack on the reader's software.

/**
 * Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection"): = + - @,
 * tab and carriage return, and their full-width forms, which some spreadsheets fold to ASCII.
 */
const FORMULA_START = /^[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/;
/** A plain number ("-12.5", "+3", "1e-3") is data, not a formula, even with a sign. */
const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A CSV cell a spreadsheet shows as text: a value that would start a formula gets a leading
 * apostrophe (the spreadsheets' own "this is text" mark, which they do not display).
 */
export function spreadsheetSafe(value: string): string {
  return FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
}

/** spreadsheetSafe for every string of a row; numbers, null and the rest pass as they are. */
export function spreadsheetSafeRow<T>(row: readonly T[]): T[] {
  return row.map((v) => (typeof v === "string" ? (spreadsheetSafe(v) as T) : v));
}

/** The inverse on import: an apostrophe our export put before a formula character is dropped. */
export function fromSpreadsheetSafe(value: string): string {
  return value.length > 1 && value[0] === "'" && FORMULA_START.test(value.slice(1)) && !PLAIN_NUMBER.test(value.slice(1)) ? value.slice(1) : value;
}

/**
 * Text for a Markdown table cell or heading. Escaped (CommonMark allows a backslash before any
 * ASCII punctuation): | (would close the cell), [ and ] (links and images: [x](javascript:…),
 * reference links), < and > (raw HTML, autolinks <javascript:…>), the backtick (code spans that
 * swallow the rest of the row) and the backslash itself. Line breaks become spaces: a table row
 * is one line. Emphasis marks (* _ ~) are left: they change how a name looks, nothing more.
 */
export function markdownText(value: string): string {
  return value.replace(/\r\n?|\n/g, " ").replace(/[\\`|[\]<>]/g, (c) => `\\${c}`);
}
