import { readFile, writeFile } from "node:fs/promises";

// Small timing helpers for benchmarks: medians of interleaved runs, so the API
// and its hand-written-SQL floor see the same machine state in one run.
export async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const t0 = performance.now();
  const result = await fn();
  return { ms: performance.now() - t0, result };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
}

export const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));

/** Replaces (or appends) the section between `<!-- marker:start -->` and `<!-- marker:end -->` in bench/RESULTS.md. */
export async function writeResultsSection(marker: string, body: string): Promise<void> {
  const file = new URL("./RESULTS.md", import.meta.url);
  const section = `<!-- ${marker}:start -->\n${body}\n<!-- ${marker}:end -->`;
  const current = await readFile(file, "utf8").catch(() => "# Benchmark results\n");
  const start = current.indexOf(`<!-- ${marker}:start -->`);
  const endMark = `<!-- ${marker}:end -->`;
  const next =
    start >= 0
      ? current.slice(0, start) + section + current.slice(current.indexOf(endMark) + endMark.length)
      : `${current.trimEnd()}\n\n${section}\n`;
  await writeFile(file, next);
}

/**
 * Raw results kept in RESULTS.md itself, in a hidden section (`<!-- {json} -->`), so a run
 * that measures part of a grid (one database, some configs) can re-render whole tables
 * with the rows it did not measure again.
 */
export async function readResultsData<T>(marker: string): Promise<T | null> {
  const file = new URL("./RESULTS.md", import.meta.url);
  const current = await readFile(file, "utf8").catch(() => "");
  const start = current.indexOf(`<!-- ${marker}:start -->`);
  if (start < 0) return null;
  const end = current.indexOf(`<!-- ${marker}:end -->`, start);
  const body = current.slice(start + `<!-- ${marker}:start -->`.length, end).trim();
  const json = body.replace(/^<!--/, "").replace(/-->$/, "").trim();
  try {
    return JSON.parse(json) as T;
  } catch {
    return null;
  }
}

export async function writeResultsData(marker: string, data: unknown): Promise<void> {
  const json = JSON.stringify(data);
  if (json.includes("-->")) throw new Error("results data must not contain -->");
  await writeResultsSection(marker, `<!-- ${json} -->`);
}
