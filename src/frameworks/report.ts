// The periodic management report the articles describe: a framework's results
// for a period as CSV (one row per subject, one column per item) and as a
// readable Markdown summary — top and bottom performers, biggest movers, KPIs
// below target.
import { stringify } from "csv-stringify/sync";
import type { Locale } from "../metrics/locale.js";
import { periodLabel } from "../metrics/period.js";
import { markdownText, spreadsheetSafeRow } from "../text/escape.js";
import type { Scorecard } from "./scorecard.js";

export interface NamedScorecard extends Scorecard {
  subjectName: string;
}

export function reportCsv(cards: NamedScorecard[]): string {
  const items = cards[0]?.items ?? [];
  const header = ["rank", "subject", "total", "grade", "previous_total", "change", ...items.flatMap((i) => [`${i.id}_value`, `${i.id}_score`])];
  const rows = cards.map((c) => [
    c.rank ?? "",
    c.subjectName,
    c.total ?? "",
    c.grade ?? "",
    c.previousTotal ?? "",
    c.change ?? "",
    ...c.items.flatMap((i) => [i.value ?? "", i.score ?? ""]),
  ]);
  // Names come from imports and API callers: none may run as a formula in the reader's spreadsheet.
  return stringify([header, ...rows].map(spreadsheetSafeRow));
}

const num = (x: number | null, digits = 1) => (x === null ? "—" : x.toFixed(digits));
/** Names and grades as Markdown text: no cell break, link, image or raw HTML can come out of them. */
const md = (s: string | null | undefined) => (s == null ? "—" : markdownText(s));

export function reportMarkdown(cards: NamedScorecard[], options: { top?: number; title?: string; locale?: Locale } = {}): string {
  const locale = options.locale ?? "en";
  const n = options.top ?? 3;
  const first = cards[0];
  if (!first) return `# ${md(options.title ?? "Assessment report")}\n\nNo subjects to assess.\n`;
  const ranked = cards.filter((c) => c.total !== null);
  const lines: string[] = [
    `# ${md(options.title ?? `${first.frameworkName} (version ${first.frameworkVersion})`)} — ${periodLabel(first.period)}`,
    "",
    `${ranked.length} of ${cards.length} ${first.level}s scored; average total ${num(ranked.length ? ranked.reduce((a, c) => a + c.total!, 0) / ranked.length : null)}.`,
    "",
    "## Top performers",
    "",
    "| rank | " + first.level + " | total | grade | change |",
    "|---|---|---|---|---|",
    ...ranked.slice(0, n).map((c) => `| ${c.rank} | ${md(c.subjectName)} | ${num(c.total)} | ${md(c.grade)} | ${num(c.change)} |`),
    "",
    "## Bottom performers",
    "",
    "| rank | " + first.level + " | total | grade | change |",
    "|---|---|---|---|---|",
    ...ranked.slice(-n).reverse().map((c) => `| ${c.rank} | ${md(c.subjectName)} | ${num(c.total)} | ${md(c.grade)} | ${num(c.change)} |`),
    "",
    "## Biggest movers",
    "",
    "| " + first.level + " | previous | total | change |",
    "|---|---|---|---|",
    ...cards
      .filter((c) => c.change !== null)
      .sort((a, b) => Math.abs(b.change!) - Math.abs(a.change!))
      .slice(0, n)
      .map((c) => `| ${md(c.subjectName)} | ${num(c.previousTotal)} | ${num(c.total)} | ${c.change! > 0 ? "+" : ""}${num(c.change)} |`),
    "",
    "## KPIs below target",
    "",
    "Subjects whose value is under their target (attainment below 100 %), per item with a target;",
    "a manager's rating against the top of its own scale.",
    "",
    "| item | target | below target | average value |",
    "|---|---|---|---|",
  ];
  first.items.forEach((item, idx) => {
    const withTarget = cards.map((c) => c.items[idx]!).filter((i) => i.target !== null && i.value !== null);
    if (withTarget.length === 0) return;
    const below = withTarget.filter((i) => i.attainment !== null && i.attainment < 100).length;
    const targets = new Set(withTarget.map((i) => i.target));
    // Targets per subject (targets store) differ: say so instead of printing one.
    const target = item.scale !== null ? `${item.scale} (scale 1–${item.scale})` : targets.size === 1 ? String(withTarget[0]!.target) : "per subject";
    const values = withTarget.map((i) => i.value!);
    if (below > 0) {
      const name = locale === "en" ? item.name : (item.translations?.[locale]?.name ?? item.name);
      lines.push(`| ${md(name)} | ${target} | ${below} of ${withTarget.length} | ${num(values.reduce((a, v) => a + v, 0) / values.length, 2)} |`);
    }
  });
  return `${lines.join("\n")}\n`;
}
