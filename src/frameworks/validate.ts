// Checks a framework document against the format and the company's catalogue;
// every fault at once, each with its path.
import type { Catalog } from "../metrics/registry.js";
import { formulaFaults } from "../metrics/formula-checks.js";
import { nulPath, parseFormula, type ValidationIssue } from "../metrics/validate.js";
import { frameworkSchema, isRatingItem, type Framework } from "./framework-schema.js";

export type FrameworkValidation = { ok: true; framework: Framework } | { ok: false; issues: ValidationIssue[] };

export function validateFramework(document: unknown, catalog: Catalog): FrameworkValidation {
  const nul = nulPath(document);
  if (nul) return { ok: false, issues: [{ path: nul, message: "contains a NUL character" }] };
  const parsed = frameworkSchema.safeParse(document);
  if (!parsed.success) {
    return { ok: false, issues: parsed.error.issues.map((i) => ({ path: i.path.map(String).join(".") || "(document)", message: i.message })) };
  }
  const fw = parsed.data;
  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
  let total = 0;
  fw.items.forEach((item, i) => {
    const id = isRatingItem(item) ? `rating:${item.rating}` : item.kpi;
    if (seen.has(id)) issues.push({ path: `items.${i}`, message: `${id} appears twice` });
    seen.add(id);
    if (isRatingItem(item)) {
      if (fw.level === "company") issues.push({ path: `items.${i}`, message: "managers rate teams, members and customers, not the company: a company framework has KPI items only" });
      total += item.weight;
      return;
    }
    const p = catalog.get(item.kpi);
    if (!p) {
      issues.push({ path: `items.${i}.kpi`, message: `unknown KPI "${item.kpi}"` });
      return;
    }
    if (!p.plugin.subjects.includes(fw.level)) {
      issues.push({ path: `items.${i}.kpi`, message: `${item.kpi} is not defined for a ${fw.level}; it supports ${p.plugin.subjects.join(", ")}` });
    }
    if (item.score?.method === "expression") {
      const e = parseFormula(item.score.expression);
      if ("error" in e) issues.push({ path: `items.${i}.score.expression`, message: e.error });
      else for (const f of formulaFaults(e.ast)) issues.push({ path: `items.${i}.score.expression`, message: f });
    }
    total += item.weight ?? p.plugin.weight;
  });
  if (fw.rollup.method === "weighted") {
    const by = fw.rollup.by ? catalog.get(fw.rollup.by) : undefined;
    if (!fw.rollup.by) issues.push({ path: "rollup.by", message: "a weighted roll-up needs `by`: the KPI whose value weighs each subject" });
    else if (!by) issues.push({ path: "rollup.by", message: `unknown KPI "${fw.rollup.by}"` });
    else if (!by.plugin.subjects.includes(fw.level)) issues.push({ path: "rollup.by", message: `${fw.rollup.by} is not defined for a ${fw.level}` });
  }
  if (total <= 0) issues.push({ path: "items", message: "the weights add up to 0; give at least one item a weight" });
  const mins = fw.grades.map((g) => g.min);
  if (mins.some((m, i) => i > 0 && m >= mins[i - 1]!)) issues.push({ path: "grades", message: "list grades from the highest min to the lowest" });
  if (mins[mins.length - 1] !== 0) issues.push({ path: `grades.${mins.length - 1}.min`, message: "the last grade must start at 0 so every score has a grade" });
  return issues.length ? { ok: false, issues } : { ok: true, framework: fw };
}
