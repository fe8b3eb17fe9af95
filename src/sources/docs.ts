// The docs tables generated from the source declarations: docs/import.md's
// column table of each import kind and the import order. `npm run docs`
// rewrites the marked regions; test/import/docs.test.ts fails when they differ.
import { CUSTOMER_REF_COLUMNS } from "../import/facts.js";
import { IMPORT_DECLARATIONS } from "./index.js";

const code = (s: string) => `\`${s}\``;

/** The columns table of one kind (plus its notes). */
export function importColumnsTable(kind: string): string {
  const index = IMPORT_DECLARATIONS.findIndex((d) => d.import.kind === kind);
  const decl = IMPORT_DECLARATIONS[index]!.import;
  // The customer columns are spelled out once, in the first kind that has them; later kinds refer to it.
  const first = IMPORT_DECLARATIONS.find((d) => CUSTOMER_REF_COLUMNS.every((c) => d.import.columns.some((x) => x.name === c)));
  const condensed = first !== undefined && first.import.kind !== kind;
  const lines = ["| column | also accepted | rule |", "|---|---|---|"];
  let refDone = false;
  for (const c of decl.columns) {
    if (condensed && CUSTOMER_REF_COLUMNS.includes(c.name)) {
      if (!refDone) lines.push(`| ${CUSTOMER_REF_COLUMNS.map(code).join(", ")} | as for ${first.import.kind} | |`);
      refDone = true;
      continue;
    }
    lines.push(`| ${code(c.name)} | ${c.aliases.map(code).join(", ")} |${c.rule ? ` ${c.rule} ` : " "}|`);
  }
  if (decl.notes) lines.push("", decl.notes);
  return lines.join("\n");
}

/** The import order: each kind after the kinds its rows name. */
export function importOrderList(): string {
  const kinds = new Set(IMPORT_DECLARATIONS.map((d) => d.import.kind));
  return IMPORT_DECLARATIONS.map((d, i) => {
    const before = d.import.after.filter((k) => kinds.has(k));
    const after = before.length > 0 ? ` — after ${before.map(code).join(", ")}` : "";
    return `${i + 1}. ${code(d.import.kind)}${after}`;
  }).join("\n");
}

export interface Region {
  readonly name: string;
  readonly text: string;
}

/** Every generated region of docs/import.md, by marker name. */
export function importDocRegions(): Region[] {
  return [
    { name: "import-order", text: importOrderList() },
    ...IMPORT_DECLARATIONS.map((d) => ({ name: `columns:${d.import.kind}`, text: importColumnsTable(d.import.kind) })),
  ];
}

const marker = (name: string) => new RegExp(`(<!-- generated:${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} -->\\n)([\\s\\S]*?)(<!-- \\/generated -->)`);

/** The region's current text in a document, or null when its markers are missing. */
export function regionIn(doc: string, name: string): string | null {
  const m = marker(name).exec(doc);
  return m ? m[2]!.replace(/\n$/, "") : null;
}

/** The document with each region replaced by its generated text (regions without markers are left out). */
export function withRegions(doc: string, regions: readonly Region[]): string {
  let out = doc;
  for (const r of regions) out = out.replace(marker(r.name), (_m, open: string, _old: string, close: string) => `${open}${r.text}\n${close}`);
  return out;
}
