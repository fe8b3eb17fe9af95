import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { IMPORT_KINDS } from "../../src/import/kinds.js";
import { importDocRegions, regionIn } from "../../src/sources/docs.js";
import { declarationOfKind, IMPORT_DECLARATIONS } from "../../src/sources/index.js";

// docs/import.md stays true to the source declarations: its column tables and
// the import order are generated from them (`npm run docs`), and each kind's
// section names every column the importer reads and every spelling it accepts.
const DOC = readFileSync(fileURLToPath(new URL("../../docs/import.md", import.meta.url)), "utf8");

function section(kind: string): string {
  const start = DOC.indexOf(`### ${kind}\n`);
  expect(start, kind).toBeGreaterThan(0);
  const end = DOC.indexOf("\n### ", start + 1);
  return DOC.slice(start, end === -1 ? undefined : end);
}

describe("docs/import.md", () => {
  it.each(importDocRegions().map((r) => [r.name, r.text]))("region %s is generated from the declarations (npm run docs)", (name, text) => {
    expect(regionIn(DOC, name)).toBe(text);
  });

  it.each(IMPORT_KINDS.map((k) => [k]))("the section of %s lists its columns and their spellings", (kind) => {
    const text = section(kind);
    const refersTo = /as for (\w+)/.exec(text)?.[1];
    for (const col of declarationOfKind(kind).import.columns) {
      expect(text, `${kind}.${col.name}`).toContain(`\`${col.name}\``);
      // Shared columns (the customer reference) spell out their aliases in the kind they refer to.
      const home = refersTo && section(refersTo).includes(`| \`${col.name}\` |`) && !text.includes(`| \`${col.name}\` |`) ? section(refersTo) : text;
      for (const alias of col.aliases) expect(home, `${kind}.${col.name} alias ${alias}`).toContain(`\`${alias}\``);
    }
  });

  it("lists the kinds in an order where each comes after the kinds its rows name", () => {
    const seen = new Set<string>();
    const kinds = new Set(IMPORT_KINDS);
    for (const d of IMPORT_DECLARATIONS) {
      for (const k of d.import.after) if (kinds.has(k)) expect(seen, `${d.import.kind} after ${k}`).toContain(k);
      seen.add(d.import.kind);
    }
  });
});
