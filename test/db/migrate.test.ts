import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/database.js";
import { loadMigrations, migrate } from "../../src/db/migrate.js";
import { createScratchPostgres, pgliteSnapshot, TEST_DB } from "./../helpers/database.js";

// Brings an EMPTY database (a new PostgreSQL database, or a new in-memory
// PGlite) to the schema, and proves a second run changes nothing.
describe(`migrations on an empty ${TEST_DB} database`, () => {
  let url: string | undefined;
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    if (TEST_DB === "postgres") {
      const scratch = await createScratchPostgres();
      url = scratch.url;
      drop = scratch.drop;
    }
  });
  afterAll(async () => {
    await drop?.();
  });

  it("applies every migration once and is a no-op the second time", async () => {
    const db = await openDatabase({ url, migrate: false, loadDataDir: url ? undefined : await pgliteSnapshot("empty") });
    try {
      const before = await db.sql.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'",
      );
      expect(before[0]!.n).toBe(0);

      const all = await loadMigrations();
      const first = await migrate(db.sql);
      expect(first.applied).toEqual(all.map((m) => m.name));
      const second = await migrate(db.sql);
      expect(second.applied).toEqual([]);
      expect(second.skipped).toEqual(all.map((m) => m.name));

      const tables = await db.sql.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
      );
      const names = tables.map((t) => t.table_name);
      for (const t of ["companies", "teams", "members", "customers", "orders", "interactions", "opportunities",
        "opportunity_stages", "tickets", "survey_responses", "campaigns", "campaign_costs", "ratings",
        "metric_plugins", "api_keys", "audit_log", "_yardstick_migrations"]) {
        expect(names).toContain(t);
      }
      // The ORM works against the migrated schema.
      const c = await db.prisma.company.create({ data: { slug: "m", name: "M" } });
      expect(await db.prisma.company.count({ where: { id: c.id } })).toBe(1);
    } finally {
      await db.close();
    }
  });

  it("refuses a migration whose text changed after it was applied", async () => {
    const db = await openDatabase({ url: undefined, migrate: false, loadDataDir: await pgliteSnapshot("empty") });
    try {
      const [first] = await loadMigrations();
      await migrate(db.sql, [first!]);
      await expect(migrate(db.sql, [{ ...first!, checksum: "changed" }])).rejects.toThrow(/checksum differs/);
    } finally {
      await db.close();
    }
  });
});
