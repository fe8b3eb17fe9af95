// The demo company a first start seeds. Its keys are derived from a fixed seed
// so the README and GraphiQL can name them; never enable this on a production
// database (main.ts only does it on the embedded database unless asked).
import { createHash } from "node:crypto";
import { issueApiKey } from "../auth/api-keys.js";
import type { Role } from "../auth/viewer.js";
import type { Database } from "../db/database.js";
import { logger } from "../logger.js";
import { seedDemoCompany } from "./generate.js";

export const DEMO_SLUG = "demo";
export const DEMO_SEED = 42;

/** Deterministic "random" bytes for the demo keys. */
function demoBytes(role: Role) {
  let counter = 0;
  return (n: number) => {
    const out = Buffer.alloc(n);
    let filled = 0;
    while (filled < n) {
      const block = createHash("sha256").update(`yardstick-demo-${role}-${counter++}`).digest();
      filled += block.copy(out, filled);
    }
    return out;
  };
}

export interface DemoCompany {
  slug: string;
  companyId: string;
  adminKey: string;
  viewerKey: string;
}

async function demoKey(db: Database, companyId: string, role: Role): Promise<string> {
  const random = demoBytes(role);
  const prefix = random(9).toString("base64url").replace(/[-_]/g, "x").slice(0, 12);
  const key = `ys_${prefix}_${random(32).toString("base64url")}`;
  if (!(await db.prisma.apiKey.findUnique({ where: { prefix } }))) {
    await issueApiKey(db.prisma, { companyId, name: `demo ${role}`, role }, demoBytes(role));
  }
  return key;
}

export async function ensureDemoCompany(db: Database): Promise<DemoCompany> {
  let company = await db.prisma.company.findUnique({ where: { slug: DEMO_SLUG } });
  if (!company) {
    logger.info("seeding the demo company (first start)…");
    const summary = await seedDemoCompany(db, { seed: DEMO_SEED, size: "demo", slug: DEMO_SLUG });
    logger.info({ rows: summary.counts, ms: summary.elapsedMs }, "demo company seeded");
    company = await db.prisma.company.findUniqueOrThrow({ where: { slug: DEMO_SLUG } });
  }
  return {
    slug: DEMO_SLUG,
    companyId: company.id,
    adminKey: await demoKey(db, company.id, "admin"),
    viewerKey: await demoKey(db, company.id, "viewer"),
  };
}
