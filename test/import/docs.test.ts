import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { COLUMNS, CUSTOMER_REF_COLUMNS, IMPORT_KINDS } from "../../src/import/kinds.js";

// docs/import.md stays true: each kind's section names every column the
// importer reads and every spelling it accepts for it.
const DOC = readFileSync(fileURLToPath(new URL("../../docs/import.md", import.meta.url)), "utf8");

function section(kind: string): string {
  const start = DOC.indexOf(`### ${kind}\n`);
  expect(start, kind).toBeGreaterThan(0);
  const end = DOC.indexOf("\n### ", start + 1);
  return DOC.slice(start, end === -1 ? undefined : end);
}

describe("docs/import.md", () => {
  it.each(IMPORT_KINDS.map((k) => [k]))("lists the columns of %s", (kind) => {
    const text = section(kind);
    // Facts other than orders refer to the orders table for the customer columns.
    const shared = kind !== "orders" && kind !== "customers";
    for (const col of COLUMNS[kind]) {
      expect(text, `${kind}.${col.name}`).toContain(`\`${col.name}\``);
      if (shared && CUSTOMER_REF_COLUMNS.includes(col.name)) continue;
      for (const alias of col.aliases) expect(text, `${kind}.${col.name} alias ${alias}`).toContain(`\`${alias}\``);
    }
    if (shared) expect(text).toContain("as for orders");
  });
});
