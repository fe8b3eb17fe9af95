// Prisma CLI configuration. The CLI only generates code and diffs schemas here;
// the application applies migrations itself (src/db/migrate.ts), because
// `prisma migrate deploy` cannot run offline against PostgreSQL (prisma#27403).
import { defineConfig } from "prisma/config";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";

// The CLI wants a postgres-shaped URL even when nothing connects to it.
process.env.DATABASE_URL ??= "postgresql://placeholder@localhost:5432/placeholder";

export default defineConfig({
  schema: "prisma/schema.prisma",
  experimental: { adapter: true },
  engine: "js",
  adapter: async () => new PrismaPGlite(new PGlite()),
});
