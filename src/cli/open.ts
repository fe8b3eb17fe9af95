// Shared by the CLIs: open the database the same way the server does, find a company by slug.
import { loadConfig } from "../config.js";
import { prepareDataDir, tightenDataDir } from "../db/data-dir.js";
import { isPostgresUrl, openDatabase, type Database } from "../db/database.js";

export async function openCliDatabase(url?: string): Promise<Database> {
  const config = loadConfig();
  const databaseUrl = isPostgresUrl(url) ? url : config.databaseUrl;
  if (databaseUrl) return openDatabase({ url: databaseUrl });
  await prepareDataDir(config.dataDir);
  const db = await openDatabase({ dataDir: config.dataDir });
  await tightenDataDir(config.dataDir);
  return db;
}

export async function companyBySlug(db: Database, slug: string) {
  const company = await db.prisma.company.findUnique({ where: { slug } });
  if (!company) throw new Error(`--company: no company with slug "${slug}"`);
  return company;
}

export class UsageError extends Error {}
