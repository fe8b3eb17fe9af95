// Prints schema.graphql from the code. With --check, fails when the checked-in
// file differs from what the code builds (CI runs this).
import { readFile, writeFile } from "node:fs/promises";
import { printSchema } from "graphql";
import { schema } from "../src/schema/index.js";

const file = new URL("../schema.graphql", import.meta.url);
const printed = `${printSchema(schema)}\n`;

if (process.argv.includes("--check")) {
  const current = await readFile(file, "utf8").catch(() => "");
  if (current !== printed) {
    console.error("schema.graphql is stale: run `npm run schema:print` and commit it.");
    process.exit(1);
  }
  console.log("schema.graphql is up to date.");
} else {
  await writeFile(file, printed);
  console.log("wrote schema.graphql");
}
