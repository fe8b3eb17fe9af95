import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SOURCES } from "../../src/metrics/catalog.js";
import { createTables } from "../../src/db/tables.js";
import { DECLARATIONS } from "../../src/sources/index.js";
import { openTestDatabase, TEST_DB, type TestDatabase } from "../helpers/database.js";

// Each source is declared once (src/sources/*.ts); the places that used to
// repeat its shape are derived from it or checked against it here.
const PG_TYPE: Record<string, string> = {
  uuid: "uuid", text: "text", int: "integer", numeric: "numeric", float8: "double precision",
  timestamptz: "timestamp with time zone", boolean: "boolean", jsonb: "jsonb",
};

describe(`source declarations (${TEST_DB})`, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(() => db.close());

  it.each(DECLARATIONS.map((d) => [d.table, d] as const))("%s: the declared columns are the table's, with their types", async (table, d) => {
    const cols = await db.sql.query<{ column_name: string; data_type: string }>(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1",
      [table],
    );
    const actual = new Map(cols.map((c) => [c.column_name, c.data_type]));
    for (const [name, type] of Object.entries(d.columns)) expect(actual.get(name), `${table}.${name}`).toBe(PG_TYPE[type]);
    // Every column besides the key and the company is declared (so import, sync and export see it).
    const undeclared = [...actual.keys()].filter((c) => c !== "id" && c !== "company_id" && !(c in d.columns));
    expect(undeclared, table).toEqual([]);
  });

  it("the seed's tables write declared columns with the declared types", () => {
    const tables = createTables("00000000-0000-0000-0000-000000000000", "USD") as unknown as Record<string, { table: string; specs?: unknown }>;
    const byTable = new Map<string, (typeof DECLARATIONS)[number]>(DECLARATIONS.map((d) => [d.table, d]));
    for (const bulk of Object.values(tables)) {
      const d = byTable.get(bulk.table);
      expect(d, bulk.table).toBeDefined();
      const specs = (bulk as unknown as { specs: readonly { name: string; type: string }[] }).specs;
      for (const c of specs) if (c.name !== "id") expect(d!.columns[c.name], `${bulk.table}.${c.name}`).toBe(c.type);
    }
  });

  it("the catalogue is the declarations' metric parts", () => {
    expect(Object.keys(SOURCES).sort()).toEqual(DECLARATIONS.filter((d) => d.metric).map((d) => d.name).sort());
    for (const d of DECLARATIONS) if (d.metric) expect(SOURCES[d.name as keyof typeof SOURCES]).toMatchObject({ table: d.table, ...d.metric });
  });
});
