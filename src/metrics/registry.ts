// Plugins ready to evaluate. Built-ins are read from plugins/*.json, validated
// and compiled ONCE per process and shared by every company; a company's
// catalogue is the built-ins plus its own plugins (see issue 10: nothing that
// does not differ between companies is copied per company).
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { compileFormula, type CompiledFormula } from "./formula.js";
import type { Plugin } from "./plugin-schema.js";
import { validatePlugin, type ValidationIssue } from "./validate.js";

export interface RegisteredPlugin {
  plugin: Plugin;
  formula: CompiledFormula;
  builtIn: boolean;
  version: number;
}

export const BUILT_IN_DIR = fileURLToPath(new URL("../../plugins/", import.meta.url));

export class PluginLoadError extends Error {
  constructor(
    readonly file: string,
    readonly issues: ValidationIssue[],
  ) {
    super(`${file}: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`);
  }
}

export function registerPlugin(document: unknown, options: { builtIn: boolean; version: number }): RegisteredPlugin {
  const result = validatePlugin(document);
  if (!result.ok) throw new PluginLoadError("(document)", result.issues);
  return { plugin: result.plugin, formula: compileFormula(result.plugin.formula), ...options };
}

function loadBuiltIns(dir: string): Map<string, RegisteredPlugin> {
  const out = new Map<string, RegisteredPlugin>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
    const doc: unknown = JSON.parse(readFileSync(path.join(dir, file), "utf8"));
    const result = validatePlugin(doc);
    if (!result.ok) throw new PluginLoadError(file, result.issues);
    if (`${result.plugin.key}.json` !== file) throw new PluginLoadError(file, [{ path: "key", message: `must match the file name (${file})` }]);
    out.set(result.plugin.key, { plugin: result.plugin, formula: compileFormula(result.plugin.formula), builtIn: true, version: 1 });
  }
  return out;
}

let builtIns: Map<string, RegisteredPlugin> | undefined;

/** The built-in plugins, loaded on first use and shared by the whole process. */
export function builtInPlugins(): ReadonlyMap<string, RegisteredPlugin> {
  builtIns ??= loadBuiltIns(BUILT_IN_DIR);
  return builtIns;
}

/** What one company can evaluate: built-ins first, then its own plugins. */
export interface Catalog {
  get(key: string): RegisteredPlugin | undefined;
  list(): RegisteredPlugin[];
}

export function catalogOf(own: ReadonlyMap<string, RegisteredPlugin> = new Map()): Catalog {
  const shared = builtInPlugins();
  return {
    get: (key) => shared.get(key) ?? own.get(key),
    list: () => [...shared.values(), ...own.values()],
  };
}
