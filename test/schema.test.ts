import { readFile } from "node:fs/promises";
import { printSchema } from "graphql";
import { describe, expect, it } from "vitest";
import { schema } from "../src/schema/index.js";

describe("schema.graphql", () => {
  it("is what the code prints (run `npm run schema:print` after changing the schema)", async () => {
    const checkedIn = await readFile(new URL("../schema.graphql", import.meta.url), "utf8");
    expect(checkedIn).toBe(`${printSchema(schema)}\n`);
  });
});
