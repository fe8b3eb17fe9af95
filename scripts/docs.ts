// Rewrites the generated regions of docs/import.md from the source declarations
// (src/sources): `npm run docs`. With --check, exits 1 when the file is stale.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { importDocRegions, regionIn, withRegions } from "../src/sources/docs.js";

const file = fileURLToPath(new URL("../docs/import.md", import.meta.url));
const doc = readFileSync(file, "utf8");
const regions = importDocRegions();
const missing = regions.filter((r) => regionIn(doc, r.name) === null).map((r) => r.name);
if (missing.length > 0) {
  console.error(`docs/import.md lacks the markers <!-- generated:NAME --> … <!-- /generated --> for: ${missing.join(", ")}`);
  process.exit(1);
}
const next = withRegions(doc, regions);
if (process.argv.includes("--check")) {
  if (next !== doc) {
    console.error("docs/import.md is stale: run npm run docs");
    process.exit(1);
  }
} else if (next !== doc) {
  writeFileSync(file, next);
  console.log("docs/import.md updated");
}
