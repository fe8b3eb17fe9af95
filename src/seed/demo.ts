// The demo company a first start seeds, with an admin and a viewer key that are
// random per installation and stored hashed like any key (src/auth/api-keys.ts).
// The plain admin key is handed back once, when issued, and kept in a 0600 file
// in the data folder so GraphiQL can pre-fill it on this machine (main.ts decides
// when); the viewer key is handed back once and then only its hash exists.
//
// Earlier versions derived both keys from a constant in the source: anyone could
// compute them. Such keys are revoked here on the next start and replaced.
import { createHash } from "node:crypto";
import { readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { authenticateApiKey, issueApiKey } from "../auth/api-keys.js";
import type { Role } from "../auth/viewer.js";
import type { Database } from "../db/database.js";
import { logger } from "../logger.js";
import { seedDemoCompany } from "./generate.js";

export const DEMO_SLUG = "demo";
export const DEMO_SEED = 42;
/** The plain demo admin key, inside the data folder (mode 0600). */
export const DEMO_KEY_FILE = "demo-admin-key";

const demoKeyName = (role: Role) => `demo ${role}`;

/** The prefix earlier versions derived for a role's demo key: public knowledge, so never a valid key. */
export function legacyDemoPrefix(role: Role): string {
  const block = createHash("sha256").update(`yardstick-demo-${role}-0`).digest();
  return block.subarray(0, 9).toString("base64url").replace(/[-_]/g, "x").slice(0, 12);
}

export interface DemoCompany {
  slug: string;
  companyId: string;
  /** Where the plain admin key is kept. */
  keyFile: string;
  /** The plain admin key when the file holds a valid one (for GraphiQL's pre-fill), else null. */
  adminKey: string | null;
  /** Keys issued by this start (first start, or replacing revoked/legacy ones): show them once. */
  issued: { adminKey: string; viewerKey: string } | null;
}

async function writeKeyFile(file: string, key: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${key}\n`, { mode: 0o600 });
  await rename(tmp, file);
}

/** Seeds the demo company if absent and makes sure it has working, private demo keys. */
export async function ensureDemoCompany(db: Database, dataDir: string): Promise<DemoCompany> {
  let company = await db.prisma.company.findUnique({ where: { slug: DEMO_SLUG } });
  if (!company) {
    logger.info("seeding the demo company (first start)…");
    const summary = await seedDemoCompany(db, { seed: DEMO_SEED, size: "demo", slug: DEMO_SLUG });
    logger.info({ rows: summary.counts, ms: summary.elapsedMs }, "demo company seeded");
    company = await db.prisma.company.findUniqueOrThrow({ where: { slug: DEMO_SLUG } });
  }
  const keyFile = path.join(dataDir, DEMO_KEY_FILE);

  // Keys anyone could compute from the source of earlier versions.
  const legacy = await db.prisma.apiKey.updateMany({
    where: { companyId: company.id, prefix: { in: [legacyDemoPrefix("admin"), legacyDemoPrefix("viewer")] }, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  if (legacy.count > 0) logger.warn({ revoked: legacy.count }, "revoked the demo keys of an earlier version (they were the same on every installation)");

  const stored = (await readFile(keyFile, "utf8").catch(() => "")).trim();
  const viewer = stored ? await authenticateApiKey(db.prisma, stored) : null;
  if (viewer && viewer.companyId === company.id && viewer.role === "admin") {
    return { slug: DEMO_SLUG, companyId: company.id, keyFile, adminKey: stored, issued: null };
  }
  // No usable admin key on file. Issue a pair only if this installation never had random demo
  // keys (a first start, or an upgrade from the derived ones): a demo key an admin revoked, or
  // whose file they removed, stays gone.
  const issuedBefore = await db.prisma.apiKey.count({
    where: { companyId: company.id, name: demoKeyName("admin"), prefix: { notIn: [legacyDemoPrefix("admin")] } },
  });
  if (issuedBefore > 0) return { slug: DEMO_SLUG, companyId: company.id, keyFile, adminKey: null, issued: null };

  const admin = await issueApiKey(db.prisma, { companyId: company.id, name: demoKeyName("admin"), role: "admin" });
  const viewerKey = await issueApiKey(db.prisma, { companyId: company.id, name: demoKeyName("viewer"), role: "viewer" });
  await writeKeyFile(keyFile, admin.key);
  return { slug: DEMO_SLUG, companyId: company.id, keyFile, adminKey: admin.key, issued: { adminKey: admin.key, viewerKey: viewerKey.key } };
}
