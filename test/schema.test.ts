import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

// Runs the same check CI runs, in its own process: schema.graphql must be what the code prints.
describe("schema.graphql", () => {
  it("is what the code prints (run `npm run schema:print` after changing the schema)", async () => {
    const { stdout } = await promisify(execFile)(path.resolve("node_modules/.bin/tsx"), ["scripts/print-schema.ts", "--check"]);
    expect(stdout).toMatch(/up to date/);
  });
});
