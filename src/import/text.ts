// Cell-level text cleanup shared by every field: trimming, invisible and
// control characters, "no value" markers. Structured fields (emails, phones,
// numbers, dates, codes) are also NFKC-normalised, which turns full-width
// characters typed on Chinese input methods (１３８, ＠, ：) into ASCII.

/** Spaces that String.prototype.trim() keeps or that Excel and IMEs produce: NBSP, ideographic space, zero-widths, BOM. */
const EDGE_SPACE = /^[\s\u00a0\u3000\u200b-\u200d\u2060\ufeff]+|[\s\u00a0\u3000\u200b-\u200d\u2060\ufeff]+$/g;
const INNER_SPACE = /[\s\u00a0\u3000]+/g;
const ZERO_WIDTH = /[\u200b-\u200d\u2060\ufeff]/g;
// PostgreSQL text cannot hold NUL, and other C0/C1 controls are never meant in a CRM field.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/**
 * Cell values that mean "nothing here". Exported spreadsheets write them for
 * empty cells; taking them literally would store "NULL" as a name.
 */
const NULL_MARKERS = new Set(["", "null", "nil", "none", "n/a", "na", "-", "--", "—", "–", "无", "空", "暂无"]);
/** Excel error values: the cell held a broken formula, so there is no value. */
const EXCEL_ERRORS = /^#(?:n\/a|value!|ref!|div\/0!|name\?|num!|null!)$/i;

/** One-line text: trimmed, inner whitespace collapsed, controls removed; null when blank or a null marker. */
export function cleanLine(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  const s = raw.replace(CONTROL, "").replace(ZERO_WIDTH, "").replace(EDGE_SPACE, "").replace(INNER_SPACE, " ");
  return isNullMarker(s) ? null : s;
}

/** Free text that may span lines (comments, notes): line breaks kept, each line trimmed at the ends. */
export function cleanMultiline(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  const s = raw
    .replace(/\r\n?/g, "\n")
    .replace(CONTROL, "")
    .replace(ZERO_WIDTH, "")
    .replace(EDGE_SPACE, "")
    .replace(/[ \t\u00a0\u3000]+/g, " ");
  return isNullMarker(s) ? null : s;
}

/** For structured values: NFKC (full-width → ASCII) before the one-line cleanup. */
export function cleanCode(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  return cleanLine(raw.normalize("NFKC"));
}

export function isNullMarker(s: string): boolean {
  return NULL_MARKERS.has(s.toLowerCase()) || EXCEL_ERRORS.test(s);
}

/** Header cell → canonical key: NFKC, lower case, separators to "_". */
export function headerKey(raw: string): string {
  return raw
    .normalize("NFKC")
    .replace(ZERO_WIDTH, "")
    .replace(EDGE_SPACE, "")
    .toLowerCase()
    .replace(/["'`]/g, "")
    .replace(/[\s\-./]+/g, "_")
    .replace(/^_+|_+$/g, "");
}

/** Vocabulary key: lower case, spaces and dashes to "_" ("Sales Rep" → "sales_rep"). */
export function vocabKey(value: string): string {
  return value.normalize("NFKC").trim().toLowerCase().replace(/[\s\-/]+/g, "_");
}
