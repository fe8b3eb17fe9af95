// Validates a plugin document against the format and the catalogue, and
// reports every fault at once with its JSON path (e.g.
// `measures.atEnd.where.status`), the way Cube's ErrorReporter does: an admin
// fixes a document in one round, not one error per round.
import jsonata from "jsonata";
import { SOURCES, isSourceName, type SourceDef, type SubjectLevel } from "./catalog.js";
import { formulaFaults, MAX_RANGE } from "./formula-checks.js";
import { pluginSchema, type Filter, type Measure, type Plugin } from "./plugin-schema.js";

export interface ValidationIssue {
  path: string;
  message: string;
}

export type ValidationResult = { ok: true; plugin: Plugin } | { ok: false; issues: ValidationIssue[] };

/** Own properties only: a field named "constructor" or "__proto__" is not in the catalogue. */
export function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** The path of the first string (value or key) holding a NUL character, which PostgreSQL cannot store. */
export function nulPath(value: unknown, path = ""): string | null {
  if (typeof value === "string") return value.includes("\u0000") ? path || "(document)" : null;
  if (!value || typeof value !== "object") return null;
  for (const [k, v] of Object.entries(value)) {
    const p = path ? `${path}.${k}` : k;
    if (k.includes("\u0000")) return p;
    const hit = nulPath(v, p);
    if (hit) return hit;
  }
  return null;
}

/** Names a formula may use besides its measures. */
const FORMULA_GLOBALS = new Set(["params", "period"]);
export { MAX_RANGE };

type AstNode = { type?: string; value?: unknown; steps?: AstNode[]; [k: string]: unknown };

/** Root names a JSONata expression reads, and faults such as oversized ranges. */
export function formulaNames(ast: AstNode): { names: Set<string>; faults: string[] } {
  const names = new Set<string>();
  const faults: string[] = [];
  const walk = (node: unknown, relative: boolean): void => {
    if (Array.isArray(node)) {
      node.forEach((n) => walk(n, relative));
      return;
    }
    if (!node || typeof node !== "object") return;
    const n = node as AstNode;
    if (n.type === "path" && Array.isArray(n.steps) && n.steps[0]?.type === "name" && !relative) {
      names.add(String(n.steps[0].value));
    }
    if (n.type === "name" && !relative) names.add(String(n.value));
    for (const [key, child] of Object.entries(n)) {
      if (key === "steps" && n.type === "path") {
        // Later steps of a path are relative to the first.
        (child as AstNode[]).forEach((s, i) => walk(i === 0 ? s : { ...s, type: s.type === "name" ? "_step" : s.type }, relative));
      } else if (key === "predicate" || key === "stages" || key === "group") {
        walk(child, true);
      } else if (typeof child === "object") {
        walk(child, relative);
      }
    }
  };
  walk(ast, false);
  // Work refused before it runs: oversized literal ranges, heavy built-ins over them, $eval, unsafe regexes.
  faults.push(...formulaFaults(ast));
  return { names, faults };
}

export function parseFormula(source: string): { ast: AstNode } | { error: string } {
  try {
    return { ast: jsonata(source).ast() as AstNode };
  } catch (err) {
    const e = err as { message?: string; position?: number };
    return { error: `does not parse: ${e.message ?? "syntax error"}${e.position !== undefined ? ` at character ${e.position}` : ""}` };
  }
}

function checkFilter(source: SourceDef, sourceName: string, path: string, field: string, filter: Filter, issues: ValidationIssue[]) {
  const def = own(source.fields, field);
  if (!def) {
    issues.push({ path, message: `unknown field "${field}" of source ${sourceName}; known: ${Object.keys(source.fields).join(", ")}` });
    return;
  }
  const values: unknown[] = [];
  if (typeof filter !== "object") values.push(filter);
  else {
    for (const k of ["eq", "ne"] as const) if (filter[k] !== undefined) values.push(filter[k]);
    for (const k of ["in", "notIn"] as const) if (filter[k]) values.push(...filter[k]);
    if ([filter.gt, filter.gte, filter.lt, filter.lte].some((v) => v !== undefined) && def.type !== "number") {
      issues.push({ path, message: `gt/gte/lt/lte need a number field; ${field} is ${def.type}` });
    }
  }
  for (const v of values) {
    const ok =
      def.type === "number" ? typeof v === "number" : def.type === "boolean" ? typeof v === "boolean" : typeof v === "string";
    if (!ok) issues.push({ path, message: `${field} is a ${def.type} field; ${JSON.stringify(v)} does not fit` });
  }
}

/** A "params.<name>" reference, or a number as it is; NaN when the param is missing. */
function paramValue(plugin: Plugin, v: number | string): number {
  if (typeof v === "number") return v;
  const p = own(plugin.params, v.slice("params.".length));
  return p === undefined ? Number.NaN : p;
}

function checkDays(plugin: Plugin, path: string, v: number | string, issues: ValidationIssue[]) {
  const n = paramValue(plugin, v);
  if (Number.isNaN(n)) issues.push({ path, message: `${String(v)} is not one of the plugin's params` });
  else if (!Number.isInteger(n) || n < 1 || n > 3660) issues.push({ path, message: `${String(v)} must be a whole number of days, 1–3660 (is ${n})` });
}

/** Trailing windows, cohorts and nested aggregates: what each needs and what they cannot be combined with. */
function checkShape(plugin: Plugin, name: string, m: Measure, source: SourceDef, issues: ValidationIssue[]) {
  const base = `measures.${name}`;
  if (m.window) checkDays(plugin, `${base}.window.days`, m.window.days, issues);
  if (m.cohort) {
    const c = m.cohort;
    if (m.at) issues.push({ path: `${base}.cohort`, message: "a cohort follows events; it takes no at" });
    if (m.window) issues.push({ path: `${base}.cohort`, message: "a cohort places its entry event in the period; it takes no window (use cohort.within to bound the follow-up)" });
    if (m.per) issues.push({ path: `${base}.cohort`, message: "a measure is either a cohort or a nested aggregate (per), not both" });
    if (!isSourceName(c.source)) {
      issues.push({ path: `${base}.cohort.source`, message: `unknown source "${c.source}"; known: ${Object.keys(SOURCES).join(", ")}` });
    } else {
      const cs = SOURCES[c.source];
      if (c.time !== undefined && !cs.timeFields.includes(c.time)) {
        issues.push({ path: `${base}.cohort.time`, message: `"${c.time}" is not a time field of ${c.source}; use one of ${cs.timeFields.join(", ")}` });
      }
      for (const [field, filter] of Object.entries(c.where ?? {})) checkFilter(cs, c.source, `${base}.cohort.where.${field}`, field, filter, issues);
      if (!cs.entities?.[c.by]) issues.push({ path: `${base}.cohort.by`, message: `${c.source} rows do not name a ${c.by}` });
      if (!source.entities?.[c.by]) issues.push({ path: `${base}.cohort.by`, message: `${m.source} rows do not name a ${c.by}` });
      for (const level of plugin.subjects as SubjectLevel[]) {
        if (level !== "company" && !cs.subjects[level]) {
          issues.push({ path: `${base}.cohort.source`, message: `${c.source} cannot be attributed to a ${level}; remove "${level}" from subjects` });
        }
      }
      for (const [i, dim] of plugin.breakdowns.entries()) {
        if (!m.whole && !own(cs.dimensions, dim)) issues.push({ path: `breakdowns.${i}`, message: `${c.source} (cohort of measure ${name}) cannot be broken down by ${dim}` });
      }
    }
    if (c.within) checkDays(plugin, `${base}.cohort.within.days`, c.within.days, issues);
  }
  if (m.per) {
    if (!source.entities?.[m.per]) issues.push({ path: `${base}.per`, message: `${m.source} rows do not name a ${m.per}` });
    if (m.at) issues.push({ path: `${base}.per`, message: "a nested aggregate groups events; it takes no at" });
    if (m.aggregate === "percentile") issues.push({ path: `${base}.aggregate`, message: "with per, the per-entity aggregate cannot be a percentile; use over: percentile across entities" });
    const over = m.over ?? "count";
    if (over === "percentile" && m.percentile === undefined) issues.push({ path: `${base}.percentile`, message: "over: percentile needs a fraction between 0 and 1" });
    for (const [op, v] of Object.entries(m.having ?? {})) {
      if (v !== undefined && Number.isNaN(paramValue(plugin, v))) issues.push({ path: `${base}.having.${op}`, message: `${String(v)} is not one of the plugin's params` });
    }
  } else {
    if (m.over !== undefined) issues.push({ path: `${base}.over`, message: "over needs per (the entity to aggregate by first)" });
    if (m.having !== undefined) issues.push({ path: `${base}.having`, message: "having needs per (the entity whose value it bounds)" });
  }
}

/** The measures with every "params.<name>" replaced by its number (what compile.ts reads). */
function resolveParams(plugin: Plugin): Plugin {
  const days = (v: number | string) => paramValue(plugin, v);
  const measures: Record<string, Measure> = {};
  for (const [name, m] of Object.entries(plugin.measures)) {
    const r: Measure = { ...m };
    if (m.window) r.window = { days: days(m.window.days) };
    if (m.cohort?.within) r.cohort = { ...m.cohort, within: { days: days(m.cohort.within.days) } };
    if (m.having) r.having = Object.fromEntries(Object.entries(m.having).map(([op, v]) => [op, v === undefined ? v : days(v)]));
    measures[name] = r;
  }
  return { ...plugin, measures };
}

export function validatePlugin(document: unknown): ValidationResult {
  const nul = nulPath(document);
  if (nul) return { ok: false, issues: [{ path: nul, message: "contains a NUL character" }] };
  const parsed = pluginSchema.safeParse(document);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((i) => ({ path: i.path.map(String).join(".") || "(document)", message: i.message })),
    };
  }
  const plugin = parsed.data;
  const issues: ValidationIssue[] = [];
  const measureNames = Object.keys(plugin.measures);
  if (measureNames.length === 0) issues.push({ path: "measures", message: "a plugin needs at least one measure" });
  if (measureNames.length > 20) issues.push({ path: "measures", message: "at most 20 measures" });

  for (const [name, m] of Object.entries(plugin.measures)) {
    const base = `measures.${name}`;
    if (!isSourceName(m.source)) {
      issues.push({ path: `${base}.source`, message: `unknown source "${m.source}"; known: ${Object.keys(SOURCES).join(", ")}` });
      continue;
    }
    const source = SOURCES[m.source];
    if (m.aggregate === "count") {
      if (m.field) issues.push({ path: `${base}.field`, message: "count takes no field (use countDistinct to count distinct values)" });
    } else if (!m.field) {
      issues.push({ path: `${base}.field`, message: `${m.aggregate} needs a field` });
    } else {
      const def = own(source.fields, m.field);
      if (!def) {
        issues.push({ path: `${base}.field`, message: `unknown field "${m.field}" of source ${m.source}; known: ${Object.keys(source.fields).join(", ")}` });
      } else if (m.aggregate !== "countDistinct" && def.type !== "number") {
        issues.push({ path: `${base}.field`, message: `${m.aggregate} needs a number field; ${m.field} is ${def.type}` });
      }
    }
    if (m.aggregate === "percentile" && m.percentile === undefined) {
      issues.push({ path: `${base}.percentile`, message: "percentile needs a fraction between 0 and 1, e.g. 0.5 for the median" });
    }
    if (m.aggregate !== "percentile" && m.over !== "percentile" && m.percentile !== undefined) {
      issues.push({ path: `${base}.percentile`, message: "only the percentile aggregate takes a percentile" });
    }
    if (m.time !== undefined && !source.timeFields.includes(m.time)) {
      issues.push({ path: `${base}.time`, message: `"${m.time}" is not a time field of ${m.source}; use one of ${source.timeFields.join(", ")}` });
    }
    if (m.at !== undefined) {
      if (!source.snapshot) issues.push({ path: `${base}.at`, message: `${m.source} has no state at an instant; only customers do` });
      if (m.time !== undefined) issues.push({ path: `${base}.at`, message: "a measure takes either at (an instant) or time (events in the period), not both" });
    }
    const rawWhere = (document as { measures?: Record<string, { where?: object }> }).measures?.[name]?.where;
    if (rawWhere && Object.hasOwn(rawWhere, "__proto__")) issues.push({ path: `${base}.where.__proto__`, message: `unknown field "__proto__" of source ${m.source}` });
    for (const [field, filter] of Object.entries(m.where ?? {})) {
      checkFilter(source, m.source, `${base}.where.${field}`, field, filter, issues);
    }
    for (const level of plugin.subjects as SubjectLevel[]) {
      if (level !== "company" && !source.subjects[level]) {
        issues.push({ path: `${base}.source`, message: `${m.source} cannot be attributed to a ${level}; remove "${level}" from subjects` });
      }
    }
    for (const [i, dim] of plugin.breakdowns.entries()) {
      if (!m.whole && !own(source.dimensions, dim)) {
        issues.push({ path: `breakdowns.${i}`, message: `${m.source} (measure ${name}) cannot be broken down by ${dim}` });
      }
    }
    checkShape(plugin, name, m, source, issues);
  }

  const formula = parseFormula(plugin.formula);
  if ("error" in formula) {
    issues.push({ path: "formula", message: formula.error });
  } else {
    const { names, faults } = formulaNames(formula.ast);
    for (const f of faults) issues.push({ path: "formula", message: f });
    for (const n of names) {
      if (!own(plugin.measures, n) && !FORMULA_GLOBALS.has(n)) {
        issues.push({ path: "formula", message: `uses "${n}", which no measure defines; measures: ${measureNames.join(", ") || "none"}` });
      }
    }
    for (const m of measureNames) {
      if (!names.has(m)) issues.push({ path: `measures.${m}`, message: "the formula never uses this measure" });
    }
  }
  if (plugin.score.method === "expression") {
    const expr = parseFormula(plugin.score.expression);
    if ("error" in expr) issues.push({ path: "score.expression", message: expr.error });
    else for (const f of formulaFaults(expr.ast)) issues.push({ path: "score.expression", message: f });
  }
  if (plugin.score.method === "target" && plugin.score.worst !== undefined && plugin.score.worst === plugin.score.target) {
    issues.push({ path: "score.worst", message: "worst must differ from target" });
  }
  return issues.length ? { ok: false, issues } : { ok: true, plugin: resolveParams(plugin) };
}
