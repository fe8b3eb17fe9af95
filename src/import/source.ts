// Where the CSV bytes come from (a file path, a string, an uploaded File) and a
// first streaming pass over them: the SHA-256 that identifies the file for
// resuming, a line count for progress, the text encoding and the delimiter.
// Nothing here holds more than one chunk of the file in memory.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";

export interface ImportSource {
  readonly name: string | null;
  /** A fresh stream of the whole content; called once per pass. */
  open(): Readable;
}

export function fileSource(file: string): ImportSource {
  return { name: path.basename(file), open: () => createReadStream(file, { highWaterMark: 256 * 1024 }) };
}

export function textSource(text: string, name: string | null = null): ImportSource {
  const bytes = Buffer.from(text, "utf8");
  return { name, open: () => Readable.from([bytes]) };
}

/**
 * An uploaded File (GraphQL multipart). The server has the whole upload in memory already
 * (bounded by the request size limit); its bytes are read once per pass.
 */
export function blobSource(blob: Pick<Blob, "arrayBuffer">, name: string | null = null): ImportSource {
  return {
    name,
    open: () =>
      Readable.from(
        (async function* () {
          yield Buffer.from(await blob.arrayBuffer());
        })(),
      ),
  };
}

export async function fileSize(file: string): Promise<number> {
  return (await stat(file)).size;
}

/** Encodings a file is read in: UTF-8, UTF-16 (Excel's "Unicode text"), or GB18030 (GBK/GB2312 CSVs saved by Excel on Chinese Windows). */
export type TextEncoding = "utf-8" | "utf-16le" | "utf-16be" | "gb18030";

export interface SourceScan {
  /** SHA-256 of the bytes, hex. */
  hash: string;
  bytes: number;
  /** Physical lines (for progress; the header is line 1). */
  lines: number;
  encoding: TextEncoding;
  delimiter: string;
  /** Why the bytes are not CSV text at all (an archive, a spreadsheet, binary data), or null. */
  notText: string | null;
}

/** File signatures of what people upload instead of a CSV (first bytes). */
const SIGNATURES: [string, number[]][] = [
  ["a zip archive (an .xlsx workbook or a .zip file); save the sheet as CSV", [0x50, 0x4b, 0x03, 0x04]],
  ["an empty zip archive", [0x50, 0x4b, 0x05, 0x06]],
  ["an old Excel workbook (.xls); save the sheet as CSV", [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]],
  ["a gzip archive", [0x1f, 0x8b]],
  ["a PDF document", [0x25, 0x50, 0x44, 0x46, 0x2d]],
  ["a PNG image", [0x89, 0x50, 0x4e, 0x47]],
  ["a JPEG image", [0xff, 0xd8, 0xff]],
  ["a 7-Zip archive", [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]],
  ["a RAR archive", [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07]],
];

/** Control characters a text file never holds (tab, LF, CR, form feed aside). */
const BINARY_CONTROL = /[\u0000-\u0008\u000e-\u001a\u001c-\u001f]/g;

/**
 * Not CSV text: a known binary signature, a NUL in the header line, or more than 1 % (and more
 * than 8) control characters in the first 64 KB (what binary data decoded as text looks like).
 */
export function notTextReason(firstBytes: Uint8Array, head: string): string | null {
  for (const [what, sig] of SIGNATURES) {
    if (firstBytes.length >= sig.length && sig.every((b, i) => firstBytes[i] === b)) return `this is not a CSV text file: it is ${what}`;
  }
  const firstLine = head.replace(/^\ufeff/, "").split(/\r\n|\n|\r/, 1)[0] ?? "";
  if (firstLine.includes("\u0000")) return "this is not a CSV text file: its header line holds a NUL byte (binary data, or UTF-16 text without a byte-order mark)";
  const controls = head.match(BINARY_CONTROL)?.length ?? 0;
  // A stray control character or two is a dirty export (the cleaning drops them), not binary data.
  if (controls > 8 && controls / head.length > 0.01) return `this is not a CSV text file: binary data (${controls} control characters in its first ${head.length} characters)`;
  return null;
}

function bomEncoding(head: Uint8Array): TextEncoding | null {
  if (head[0] === 0xff && head[1] === 0xfe) return "utf-16le";
  if (head[0] === 0xfe && head[1] === 0xff) return "utf-16be";
  return null;
}

/** The delimiter that occurs most in the first line outside quotes (",", ";", tab or "|"); "," on a tie. */
export function sniffDelimiter(firstLine: string): string {
  const counts = new Map<string, number>([[",", 0], [";", 0], ["\t", 0], ["|", 0]]);
  let quoted = false;
  for (const ch of firstLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best = ",";
  for (const [d, n] of counts) if (n > counts.get(best)!) best = d;
  return best;
}

export async function scanSource(source: ImportSource): Promise<SourceScan> {
  const hash = createHash("sha256");
  let bytes = 0;
  let lf = 0;
  let cr = 0;
  let lastByte = -1;
  let encoding: TextEncoding | null = null;
  // Validating UTF-8 over the whole file (not a sample) decides the encoding for sure.
  let utf8: TextDecoder | null = new TextDecoder("utf-8", { fatal: true });
  let head = "";
  let firstBytes: Uint8Array = new Uint8Array(0);
  for await (const chunk of source.open() as AsyncIterable<Buffer>) {
    hash.update(chunk);
    if (bytes === 0) encoding = bomEncoding(chunk);
    if (firstBytes.length < 16) firstBytes = Buffer.concat([firstBytes, chunk.subarray(0, 16 - firstBytes.length)]);
    bytes += chunk.length;
    if (chunk.length > 0) lastByte = chunk[chunk.length - 1]!;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lf++;
    if (lf === 0) for (let i = chunk.indexOf(13); i !== -1; i = chunk.indexOf(13, i + 1)) cr++;
    if (encoding === null && utf8 !== null) {
      try {
        const text = utf8.decode(chunk, { stream: true });
        if (head.length < 65_536) head += text;
      } catch {
        utf8 = null;
      }
    }
  }
  if (encoding === null && utf8 !== null) {
    try {
      utf8.decode();
    } catch {
      utf8 = null;
    }
  }
  encoding ??= utf8 === null ? "gb18030" : "utf-8";
  if (encoding !== "utf-8") head = await readHead(source, encoding);
  const firstLine = head.replace(/^\ufeff/, "").split(/\r\n|\n|\r/, 1)[0] ?? "";
  const breaks = lf > 0 ? lf : cr;
  const lines = bytes === 0 ? 0 : breaks + (lastByte === 10 || lastByte === 13 ? 0 : 1);
  return { hash: hash.digest("hex"), bytes, lines, encoding, delimiter: sniffDelimiter(firstLine), notText: notTextReason(firstBytes, head) };
}

async function readHead(source: ImportSource, encoding: TextEncoding): Promise<string> {
  const decoder = new TextDecoder(encoding);
  let head = "";
  for await (const chunk of decodeStream(source.open(), decoder)) {
    head += chunk;
    if (head.length >= 65_536) break;
  }
  return head;
}

/** Bytes → text in the scanned encoding, chunk by chunk (a character split across chunks is kept whole). */
export async function* decodeStream(bytes: Readable, decoder: TextDecoder): AsyncGenerator<string> {
  try {
    for await (const chunk of bytes as AsyncIterable<Buffer>) {
      const text = decoder.decode(chunk, { stream: true });
      if (text) yield text;
    }
    const rest = decoder.decode();
    if (rest) yield rest;
  } finally {
    bytes.destroy();
  }
}
