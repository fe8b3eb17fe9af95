// The company KPI overview report: every company-level KPI asked for with its
// value, target (the company's own for the period, else the plugin's),
// previous period, change and attainment — as CSV or Markdown.
import { stringify } from "csv-stringify/sync";
import type { Database } from "../db/database.js";
import { attainmentOf, resolveTarget, type TargetSource } from "../metrics/attainment.js";
import type { MetricSession } from "../metrics/engine.js";
import { periodLabel, type Period } from "../metrics/period.js";
import { loadTargets } from "../targets/store.js";

export interface OverviewRow {
  key: string;
  name: string;
  unit: string;
  value: number | null;
  target: number | null;
  targetSource: TargetSource | null;
  previous: number | null;
  change: number | null;
  attainment: number | null;
}

/** Rows for the given KPIs (default: every KPI of the catalogue defined for the company), in the order asked. */
export async function companyOverview(db: Database, session: MetricSession, companyId: string, period: Period, keys?: string[] | null): Promise<OverviewRow[]> {
  const plugins = keys?.length ? keys.map((k) => session.plugin(k, "company")) : session.catalog.list().filter((p) => p.plugin.subjects.includes("company"));
  const targets = await loadTargets(db, companyId, "company", plugins.map((p) => p.plugin.key), period);
  return Promise.all(
    plugins.map(async (p) => {
      const v = await session.evaluate(p.plugin.key, "company", null, period);
      const t = resolveTarget(targets.get(p.plugin.key)?.get(""), undefined, p.plugin.score);
      return {
        key: p.plugin.key, name: p.plugin.name, unit: p.plugin.unit, value: v.value, target: t.target, targetSource: t.targetSource,
        previous: v.previous, change: v.change, attainment: attainmentOf(v.value, t.target, p.plugin.direction),
      };
    }),
  );
}

const HEADER = ["kpi", "name", "unit", "value", "target", "target_source", "previous", "change", "attainment_percent"];

export function overviewCsv(rows: OverviewRow[]): string {
  return stringify([HEADER, ...rows.map((r) => [r.key, r.name, r.unit, r.value ?? "", r.target ?? "", r.targetSource ?? "", r.previous ?? "", r.change ?? "", r.attainment ?? ""])]);
}

const num = (x: number | null) => (x === null ? "—" : String(Math.round(x * 100) / 100));
// Names come from plugin documents (admin-defined): no table breaks, no markup.
const cell = (s: string) => s.replace(/[|\r\n]/g, " ").replace(/[<>]/g, "");

export function overviewMarkdown(rows: OverviewRow[], period: Period, company: string): string {
  return [
    `# ${cell(company)} — KPI overview, ${periodLabel(period)}`,
    "",
    "| KPI | value | target | previous | change | attainment |",
    "|---|---|---|---|---|---|",
    ...rows.map((r) => `| ${cell(r.name)} | ${num(r.value)} | ${num(r.target)}${r.targetSource ? ` (${r.targetSource})` : ""} | ${num(r.previous)} | ${r.change !== null && r.change > 0 ? "+" : ""}${num(r.change)} | ${r.attainment === null ? "—" : `${num(r.attainment)} %`} |`),
    "",
  ].join("\n");
}
