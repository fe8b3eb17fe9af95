// The embed page as one HTML string: inline CSS, an inline SVG trend chart, no
// script, no external resource. Pure functions of the data; every piece of
// text passes through esc() (KPI and framework names are admin-defined).
import type { Labels } from "./i18n.js";
import type { EmbedData, EmbedItem, EmbedSubject, PeriodView } from "./load.js";
import type { Theme } from "./settings.js";

export interface Look {
  labels: Labels;
  theme: Theme;
  /** #rrggbb, already validated. */
  accent: string;
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** HTML-escapes text for element content and double- or single-quoted attribute values. */
export function esc(value: unknown): string {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Accent as CSS: only #rrggbb ever reaches the style sheet. */
function cssColour(accent: string): string {
  return /^#[0-9a-f]{6}$/.test(accent) ? accent : "#2563eb";
}

function css(look: Look): string {
  const light = "--bg:#fff;--fg:#111827;--muted:#4b5563;--card:#f8fafc;--line:#e2e8f0;--track:#e5e7eb;--up:#047857;--down:#b91c1c";
  const dark = "--bg:#0f172a;--fg:#e5e7eb;--muted:#a3adbb;--card:#1e293b;--line:#334155;--track:#334155;--up:#34d399;--down:#f87171";
  return `:root{--accent:${cssColour(look.accent)};${light}}
[data-theme=dark]{${dark};color-scheme:dark}
@media (prefers-color-scheme:dark){[data-theme=auto]{${dark};color-scheme:dark}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC",sans-serif}
main{max-width:1000px;margin:0 auto;padding:16px;border-top:4px solid var(--accent)}
h1{font-size:1.3rem;margin:0}
h2{font-size:1.1rem;margin:20px 0 8px}
h3{font-size:.95rem;margin:0 0 8px;color:var(--muted);font-weight:600}
.muted{color:var(--muted)}
.card{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:14px 16px;min-width:0}
.grid{display:grid;gap:12px;grid-template-columns:minmax(0,1fr);align-items:start}
@media (min-width:720px){.grid{grid-template-columns:minmax(0,2fr) minmax(0,3fr)}}
.sum{display:flex;flex-wrap:wrap;gap:12px 24px;align-items:flex-end;align-content:flex-start}
.k{font-size:.8rem;color:var(--muted);text-transform:uppercase;letter-spacing:.03em}
.total{font-size:2.6rem;font-weight:700;line-height:1.1;font-variant-numeric:tabular-nums}
.total small{font-size:1rem;font-weight:400;color:var(--muted)}
.grade{font-size:1.3rem;font-weight:600;border-bottom:3px solid var(--accent)}
.up{color:var(--up)}.down{color:var(--down)}
.chg{flex-basis:100%;font-size:.9rem}
svg{display:block;width:100%;height:auto;overflow:visible}
.ax{stroke:var(--line);stroke-width:1}
.ln{fill:none;stroke:var(--accent);stroke-width:2.5;stroke-linejoin:round;stroke-linecap:round}
.pt{fill:var(--bg);stroke:var(--accent);stroke-width:2}
.tx{fill:var(--muted);font-size:12px}
.tv{fill:var(--fg);font-size:12px;font-weight:600}
ul{list-style:none;margin:0;padding:0}
.it{padding:10px 0;border-top:1px solid var(--line)}
.it:first-child{border-top:0;padding-top:0}
.row{display:flex;justify-content:space-between;gap:12px;align-items:baseline}
.nm{font-weight:600;overflow-wrap:anywhere}
.sc{font-weight:700;font-variant-numeric:tabular-nums;white-space:nowrap}
.bar{height:8px;background:var(--track);border-radius:4px;margin:6px 0;overflow:hidden}
.bar i{display:block;height:100%;background:var(--accent);border-radius:4px}
.meta{display:flex;flex-wrap:wrap;gap:4px 16px;font-size:.85rem;color:var(--muted)}
.meta b{color:var(--fg);font-weight:600}
.msg{max-width:560px;margin:48px auto;text-align:center}
.msg p{font-size:1.05rem}`;
}

function page(look: Look, title: string, body: string): string {
  return `<!doctype html>
<html lang="${esc(look.labels.htmlLang)}" data-theme="${esc(look.theme)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex,nofollow">
<title>${esc(title)}</title>
<style>${css(look)}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

/** A clear message page (expired link, bad parameter …): no data, no stack trace. */
export function renderMessagePage(look: Look, message: string, code: string): string {
  return page(
    look,
    look.labels.errors.title,
    `<section class="msg" data-testid="message" data-code="${esc(code)}" role="alert">
<h1>${esc(look.labels.errors.title)}</h1>
<p>${esc(message)}</p>
</section>`,
  );
}

// ---- numbers

function fmt(labels: Labels, x: number, digits = 1, options: Intl.NumberFormatOptions = {}): string {
  return new Intl.NumberFormat(labels.locale, { maximumFractionDigits: digits, ...options }).format(x);
}

/** A KPI value in its unit. */
export function formatValue(labels: Labels, value: number | null, unit: string, currency: string): string {
  if (value === null) return labels.noData;
  switch (unit) {
    case "percent":
      return `${fmt(labels, value, 1)}%`;
    case "currency":
      try {
        return fmt(labels, value, Math.abs(value) >= 100 ? 0 : 2, { style: "currency", currency });
      } catch {
        return fmt(labels, value, 2);
      }
    case "count":
      return fmt(labels, value, 0);
    case "ratio":
      return fmt(labels, value, 2);
    case "days":
    case "hours":
    case "minutes":
      return `${fmt(labels, value, 1)} ${labels.units[unit] ?? unit}`;
    default:
      return fmt(labels, value, 2);
  }
}

/** A 0–100 score. */
export function formatScore(labels: Labels, score: number | null): string {
  return score === null ? "—" : fmt(labels, score, 1);
}

function periodText(labels: Labels, p: PeriodView): string {
  const [y, m] = p.from.split("-").map(Number) as [number, number];
  switch (p.grain) {
    case "month":
      return labels.period.month(y, m);
    case "quarter":
      return labels.period.quarter(y, Math.floor((m - 1) / 3) + 1);
    case "year":
      return labels.period.year(y);
    case "week":
      return labels.period.week(Number(p.label.slice(0, 4)), Number(/W(\d+)$/.exec(p.label)?.[1]));
    case "day":
      return labels.period.day(p.from);
    case "custom":
      return labels.period.custom(p.from, p.to);
  }
}

/** A chart axis label: a short line, and the year on a second line where it starts (or at the first point). */
function axisLabel(labels: Labels, p: PeriodView, first: boolean): [string, string | null] {
  const [y, m, d] = p.from.split("-").map(Number) as [number, number, number];
  switch (p.grain) {
    case "month":
      return [labels.period.monthShort(m), first || m === 1 ? labels.period.yearShort(y) : null];
    case "quarter": {
      const q = Math.floor((m - 1) / 3) + 1;
      return [`Q${q}`, first || q === 1 ? labels.period.yearShort(y) : null];
    }
    case "year":
      return [String(y), null];
    case "week":
      return [`W${Number(/W(\d+)$/.exec(p.label)?.[1])}`, first ? labels.period.yearShort(Number(p.label.slice(0, 4))) : null];
    case "day":
    case "custom":
      return [`${m}/${d}`, first || (m === 1 && d === 1) ? labels.period.yearShort(y) : null];
  }
}

function gradeText(labels: Labels, grade: string): string {
  return labels.grades[grade] ?? grade;
}

// ---- the trend chart

const W = 360;
const H = 200;
const PAD = { l: 30, r: 16, t: 20, b: 40 };

/** Inline SVG line chart of totals (0–100); gaps where a period has no total. */
export function trendSvg(labels: Labels, periods: PeriodView[], totals: (number | null)[]): string {
  const n = periods.length;
  const x = (i: number) => (n === 1 ? (PAD.l + W - PAD.r) / 2 : PAD.l + (i * (W - PAD.l - PAD.r)) / (n - 1));
  const y = (v: number) => PAD.t + (1 - Math.max(0, Math.min(100, v)) / 100) * (H - PAD.t - PAD.b);
  const r1 = (v: number) => Math.round(v * 10) / 10;
  const parts: string[] = [];
  for (const g of [0, 50, 100]) {
    parts.push(`<line class="ax" x1="${PAD.l}" x2="${W - PAD.r}" y1="${r1(y(g))}" y2="${r1(y(g))}"/>`);
    parts.push(`<text class="tx" x="${PAD.l - 6}" y="${r1(y(g) + 4)}" text-anchor="end">${g}</text>`);
  }
  // Consecutive periods with a total form one segment.
  let segment: string[] = [];
  const flush = () => {
    if (segment.length > 1) parts.push(`<polyline class="ln" points="${segment.join(" ")}"/>`);
    segment = [];
  };
  totals.forEach((v, i) => (v === null ? flush() : segment.push(`${r1(x(i))},${r1(y(v))}`)));
  flush();
  const step = n > 8 ? 2 : 1;
  periods.forEach((p, i) => {
    const v = totals[i] ?? null;
    const [label, sub] = axisLabel(labels, p, i === 0);
    if ((n - 1 - i) % step === 0 || sub !== null) {
      parts.push(`<text class="tx" x="${r1(x(i))}" y="${H - 22}" text-anchor="middle">${esc(label)}</text>`);
      if (sub !== null) parts.push(`<text class="tx" x="${r1(x(i))}" y="${H - 6}" text-anchor="middle">${esc(sub)}</text>`);
    }
    if (v !== null) {
      parts.push(
        `<g data-testid="trend-point" data-period="${esc(p.label)}" data-value="${v}"><circle class="pt" cx="${r1(x(i))}" cy="${r1(y(v))}" r="3.5"><title>${esc(periodText(labels, p))}: ${esc(formatScore(labels, v))}</title></circle>` +
          `<text class="tv" x="${r1(x(i))}" y="${r1(y(v) - 8)}" text-anchor="middle">${esc(formatScore(labels, v))}</text></g>`,
      );
    }
  });
  const summary = periods.map((p, i) => `${periodText(labels, p)}: ${formatScore(labels, totals[i] ?? null)}`).join("; ");
  return `<svg data-testid="trend" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(`${labels.trendTitle(n)} — ${summary}`)}" xmlns="http://www.w3.org/2000/svg">${parts.join("")}</svg>`;
}

// ---- the scorecard

function itemHtml(labels: Labels, item: EmbedItem, currency: string): string {
  const width = item.score === null ? 0 : Math.max(0, Math.min(100, item.score));
  const target = item.target === null ? "" : `<span>${esc(labels.target)} <b data-testid="item-target" data-value="${item.target}">${esc(formatValue(labels, item.target, item.unit, currency))}</b></span>`;
  return `<li class="it" data-testid="item" data-item-id="${esc(item.id)}">
<div class="row"><span class="nm" data-testid="item-name">${esc(item.name)}</span><span class="sc"><span class="k">${esc(labels.score)}</span> <span data-testid="item-score" data-value="${item.score ?? ""}">${esc(formatScore(labels, item.score))}</span></span></div>
<div class="bar"><i style="width:${Math.round(width * 10) / 10}%"></i></div>
<div class="meta"><span>${esc(labels.value)} <b data-testid="item-value" data-value="${item.value ?? ""}">${esc(formatValue(labels, item.value, item.unit, currency))}</b></span>${target}<span>${esc(labels.weight)} ${esc(fmt(labels, item.weight * 100, 0))}%</span></div>
</li>`;
}

function subjectHtml(labels: Labels, data: EmbedData, s: EmbedSubject, trendWanted: boolean): string {
  const name = s.name ?? labels.customer(s.ordinal);
  const change =
    s.change === null
      ? `<div class="chg muted">${esc(labels.noPrevious)}</div>`
      : `<div class="chg ${s.change > 0 ? "up" : s.change < 0 ? "down" : "muted"}" data-testid="change" data-value="${s.change}">${s.change > 0 ? "▲ +" : s.change < 0 ? "▼ " : ""}${esc(fmt(labels, s.change, 1))} <span class="muted">${esc(labels.change)}</span></div>`;
  const rank = s.rank === null ? "" : `<div><div class="k">${esc(labels.rankLabel)}</div><div data-testid="rank" data-value="${s.rank}">${esc(labels.rank(s.rank, s.peerCount))}</div></div>`;
  const trend =
    data.trend && s.trend
      ? `<div class="card"><h3>${esc(labels.trendTitle(data.trend.length))}</h3>${trendSvg(labels, data.trend, s.trend)}</div>`
      : trendWanted
        ? `<div class="card"><h3>${esc(labels.trend)}</h3><p class="muted">${esc(labels.trendUnavailable)}</p></div>`
        : "";
  return `<section data-testid="scorecard" data-ordinal="${s.ordinal}">
<h2 data-testid="subject-name">${esc(name)}</h2>
<div class="grid">
<div class="card sum">
<div><div class="k">${esc(labels.totalScore)}</div><div class="total"><span data-testid="total" data-value="${s.total ?? ""}">${esc(formatScore(labels, s.total))}</span><small> / 100</small></div></div>
<div><div class="k">${esc(labels.grade)}</div><div class="grade" data-testid="grade" data-value="${esc(s.grade ?? "")}">${esc(s.grade === null ? "—" : gradeText(labels, s.grade))}</div></div>
${rank}
${change}
</div>
${trend}
</div>
<div class="card" style="margin-top:12px"><h3>${esc(labels.indicators)}</h3>
<ul>
${s.items.map((i) => itemHtml(labels, i, data.currency)).join("\n")}
</ul></div>
</section>`;
}

/** The scorecard page. `trendWanted`: more than one period was asked for (say so when the trend is missing). */
export function renderScorecardPage(look: Look, data: EmbedData, trendWanted = true): string {
  const { labels } = look;
  const period = periodText(labels, data.period);
  const title = [data.frameworkName, data.subjects.length === 1 ? (data.subjects[0]!.name ?? labels.customer(data.subjects[0]!.ordinal)) : null, period]
    .filter(Boolean)
    .join(" · ");
  const body = `<header>
<h1 data-testid="framework">${esc(data.frameworkName)}</h1>
<div class="muted"><span>${esc(labels.scorecard)}</span> · <span data-testid="period" data-value="${esc(data.period.label)}">${esc(period)}</span></div>
</header>
${data.subjects.length === 0 ? `<p class="muted" data-testid="empty">${esc(labels.noSubjects)}</p>` : data.subjects.map((s) => subjectHtml(labels, data, s, trendWanted)).join("\n")}`;
  return page(look, title, body);
}
