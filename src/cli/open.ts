// Shared by the CLIs: open the database the same way the server does, find a company by slug.
import { mkdir } from "node:fs/promises";
import { loadConfig } from "../config.js";
import { isPostgresUrl, openDatabase, type Database } from "../db/database.js";

export async function openCliDatabase(url?: string): Promise<Database> {
  const config = loadConfig();
  const databaseUrl = isPostgresUrl(url) ? url : config.databaseUrl;
  if (!databaseUrl) await mkdir(config.dataDir, { recursive: true });
  return openDatabase({ url: databaseUrl, dataDir: config.dataDir });
}

export async function companyBySlug(db: Database, slug: string) {
  const company = await db.prisma.company.findUnique({ where: { slug } });
  if (!company) throw new Error(`--company: no company with slug "${slug}"`);
  return company;
}

export class UsageError extends Error {}
