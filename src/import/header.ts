// Maps a file's header row onto a kind's columns. A canonical name wins over an
// alias (an export carries both customer_external_id and customer_id); among
// aliases the leftmost wins. Unknown headers are reported, never guessed at.
import { declarationOfKind } from "../sources/index.js";
import { requiredColumnGroups, type ImportKind } from "./kinds.js";
import { headerKey } from "./text.js";

export interface HeaderMap {
  /** Canonical column → index in the record. */
  readonly index: ReadonlyMap<string, number>;
  /** Width of the header; rows must match it (trailing blank cells aside). */
  readonly width: number;
  /** Header cells that are not columns of the kind. */
  readonly ignored: readonly string[];
  /** customers: "attr_<name>" columns → attributes[name]. */
  readonly attributes: ReadonlyMap<string, number>;
}

export class HeaderError extends Error {}

export function resolveHeader(kind: ImportKind, cells: readonly string[]): HeaderMap {
  const keys = cells.map(headerKey);
  const decl = declarationOfKind(kind).import;
  const defs = decl.columns;
  const index = new Map<string, number>();
  const used = new Set<number>();
  keys.forEach((k, i) => {
    const def = defs.find((d) => d.name === k);
    if (!def) return;
    if (index.has(def.name)) throw new HeaderError(`column "${def.name}" appears twice in the header`);
    index.set(def.name, i);
    used.add(i);
  });
  keys.forEach((k, i) => {
    if (used.has(i)) return;
    const def = defs.find((d) => d.aliases.includes(k));
    if (!def || index.has(def.name)) return;
    index.set(def.name, i);
    used.add(i);
  });
  const attributes = new Map<string, number>();
  const attributeColumns = decl.attributeColumns === true;
  const ignored: string[] = [];
  keys.forEach((k, i) => {
    if (used.has(i)) return;
    if (attributeColumns && k.startsWith("attr_") && k.length > 5) attributes.set(k.slice(5), i);
    else if (k !== "") ignored.push(cells[i]!.trim());
  });
  const missing = requiredColumnGroups(kind).filter((group) => !group.some((c) => index.has(c)));
  if (missing.length > 0) {
    const describe = (group: readonly string[]) => (group.length === 1 ? `"${group[0]}"` : `one of ${group.map((c) => `"${c}"`).join(", ")}`);
    throw new HeaderError(`the header lacks ${missing.map(describe).join(" and ")} (header: ${cells.join(", ")})`);
  }
  return { index, width: cells.length, ignored, attributes };
}
