import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // One graphql for everyone: Vite would pick graphql's ESM build for our sources while
    // Pothos, loaded by Node, gets the CommonJS one — two "realms" that reject each other's types.
    alias: [{ find: /^graphql$/, replacement: require.resolve("graphql") }],
  },
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    // Two cores: more workers only contend for the CPU the databases need.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
