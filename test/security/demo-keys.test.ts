import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_KEY_FILE, DEMO_SLUG, ensureDemoCompany, legacyDemoPrefix } from "../../src/seed/demo.js";
import { createApp } from "../../src/server.js";
import { openTestDatabase, TEST_DB, type TestDatabase } from "../helpers/database.js";

// The demo keys of an installation: random, stored hashed, the admin key kept in a
// 0600 file; the keys earlier versions derived from a constant (anyone could
// compute them) revoked on the next start; a demo key an admin revoked stays gone.
describe(`demo keys (${TEST_DB})`, () => {
  let db: TestDatabase;
  let dir: string;
  let companyId: string;

  beforeAll(async () => {
    db = await openTestDatabase();
    dir = await mkdtemp(path.join(tmpdir(), "ys-demo-keys-"));
    // The demo company already there (as after an earlier version's first start), with its derived keys.
    companyId = (await db.prisma.company.create({ data: { slug: DEMO_SLUG, name: "Demo" } })).id;
    for (const role of ["admin", "viewer"] as const) {
      await db.prisma.apiKey.create({ data: { companyId, name: `demo ${role}`, role, prefix: legacyDemoPrefix(role), secretHash: "0".repeat(64) } });
    }
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await db.close();
  });

  const call = async (key: string, query: string) => {
    const r = await createApp({ db, graphiql: false }).fetch("http://localhost/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ query }),
    });
    return { status: r.status, body: (await r.json()) as { data?: Record<string, unknown>; errors?: { extensions?: { code?: string } }[] } };
  };

  it("revokes the derived keys and issues random ones, stored as hashes, the admin key in a 0600 file", async () => {
    const demo = await ensureDemoCompany(db, dir);
    const legacy = await db.prisma.apiKey.findMany({ where: { prefix: { in: [legacyDemoPrefix("admin"), legacyDemoPrefix("viewer")] } } });
    expect(legacy.map((k) => k.revokedAt !== null)).toEqual([true, true]);
    expect(demo.issued).not.toBeNull();
    const { adminKey, viewerKey } = demo.issued!;
    expect(adminKey).not.toBe(viewerKey);
    expect(demo.adminKey).toBe(adminKey);
    const file = path.join(dir, DEMO_KEY_FILE);
    expect((await readFile(file, "utf8")).trim()).toBe(adminKey);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    // Only a hash is stored: no row holds the secret part of the key.
    const secret = adminKey.split("_").slice(2).join("_");
    const rows = await db.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM api_keys WHERE secret_hash = $1 OR prefix = $1 OR name = $1", [secret]);
    expect(Number(rows[0]!.n)).toBe(0);
    // The keys work, with their roles.
    expect((await call(adminKey, "{ company { slug } }")).body.data).toEqual({ company: { slug: DEMO_SLUG } });
    expect((await call(viewerKey, `mutation { createApiKey(name: "x", role: ADMIN) { key } }`)).body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("a later start reads the admin key back from its file and issues nothing", async () => {
    const before = await db.prisma.apiKey.count();
    const demo = await ensureDemoCompany(db, dir);
    expect(demo.issued).toBeNull();
    expect(demo.adminKey).toBe((await readFile(path.join(dir, DEMO_KEY_FILE), "utf8")).trim());
    expect(await db.prisma.apiKey.count()).toBe(before);
  });

  it("a demo admin key an admin revoked stays revoked: no new key, no pre-fill", async () => {
    const demo = await ensureDemoCompany(db, dir);
    const mine = await db.prisma.apiKey.findFirstOrThrow({ where: { companyId, name: "demo admin", revokedAt: null } });
    const res = await call(demo.adminKey!, `mutation { revokeApiKey(id: "${mine.id}") { revokedAt } }`);
    expect(res.body.errors ?? []).toEqual([]);
    const before = await db.prisma.apiKey.count();
    const later = await ensureDemoCompany(db, dir);
    expect(later.adminKey).toBeNull();
    expect(later.issued).toBeNull();
    expect(await db.prisma.apiKey.count()).toBe(before);
    expect((await call(demo.adminKey!, "{ company { slug } }")).status).toBe(401);
  });
});
