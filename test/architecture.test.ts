// The layering the code promises, checked on the import graph (static imports
// and `import type` alike, followed transitively through src/): a rule breaks
// when a module of one layer reaches a module or package it must not know.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL("../src/", import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "generated" ? [] : sources(full);
    return e.name.endsWith(".ts") ? [full] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"|import\(\s*"([^"]+)"\s*\)/g;

/** module (path under src/, or a package name) → what it imports directly. */
const graph = new Map<string, string[]>();
for (const file of sources(SRC)) {
  const text = readFileSync(file, "utf8");
  const deps = [...text.matchAll(IMPORT)].map((m) => {
    const spec = (m[1] ?? m[2])!;
    if (!spec.startsWith(".")) return spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!;
    return path.relative(SRC, path.resolve(path.dirname(file), spec)).replace(/\.js$/, ".ts");
  });
  graph.set(path.relative(SRC, file), deps);
}

/** Every module and package reachable from the modules under `prefix`, with one path that reaches it. */
function reachable(prefix: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const queue: [string, string[]][] = [...graph.keys()].filter((m) => m.startsWith(prefix)).map((m) => [m, [m]]);
  while (queue.length) {
    const [m, via] = queue.shift()!;
    for (const d of graph.get(m) ?? []) {
      if (seen.has(d)) continue;
      seen.set(d, [...via, d]);
      queue.push([d, [...via, d]]);
    }
  }
  return seen;
}

function violations(prefix: string, forbidden: (dep: string) => boolean): string[] {
  return [...reachable(prefix)].filter(([dep]) => forbidden(dep)).map(([, via]) => via.join(" → "));
}

const GRAPHQL = (d: string) => d === "graphql" || d === "graphql-yoga" || d.startsWith("@pothos") || d === "@escape.tech/graphql-armor" || d.startsWith("schema/") || d === "server.ts";

describe("layering", () => {
  it("the database layer (src/db) knows nothing of GraphQL, the HTTP layer or the engine", () => {
    expect(violations("db/", (d) => GRAPHQL(d) || d.startsWith("ops/") || d.startsWith("metrics/") || d.startsWith("seed/"))).toEqual([]);
  });
  it("the metric engine (src/metrics) is free of GraphQL", () => {
    expect(violations("metrics/", GRAPHQL)).toEqual([]);
  });
  it("the importer and the source declarations do not depend on the demo generator", () => {
    expect(violations("import/", (d) => d.startsWith("seed/"))).toEqual([]);
    expect(violations("sources/", (d) => d.startsWith("seed/"))).toEqual([]);
  });
  it("the server and the CLIs open metric sessions through session.ts only", () => {
    const direct = [...graph].filter(([m, deps]) => m !== "session.ts" && !m.startsWith("metrics/") && deps.includes("metrics/engine.ts") && /^(server\.ts|cli\/)/.test(m));
    // Importing engine.ts for its types or errors is fine; creating sessions is not.
    for (const [m] of direct) expect(readFileSync(path.join(SRC, m), "utf8"), m).not.toMatch(/createMetricSession/);
  });
});
