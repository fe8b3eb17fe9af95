import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);

// The large import cases (hundreds of thousands of rows; the export round trip of a seeded
// company) take minutes on their own:
// they run in the `slow` project (`npm run test:slow`, and in CI), not in `npm test`.
const SLOW = ["test/import/large.test.ts", "test/import/resume.test.ts", "test/import/export.test.ts"];

export default defineConfig({
  resolve: {
    // One graphql for everyone: Vite would pick graphql's ESM build for our sources while
    // Pothos, loaded by Node, gets the CommonJS one — two "realms" that reject each other's types.
    alias: [{ find: /^graphql$/, replacement: require.resolve("graphql") }],
  },
  test: {
    pool: "forks",
    // Two cores: more workers only contend for the CPU the databases need.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        // Migrates one database for the run; every test file clones it (test/helpers/database.ts).
        test: { name: "fast", include: ["test/**/*.test.ts"], exclude: SLOW, globalSetup: ["test/helpers/global-setup.ts"] },
      },
      {
        extends: true,
        test: { name: "slow", include: SLOW, globalSetup: ["test/helpers/global-setup.ts"] },
      },
    ],
  },
});
