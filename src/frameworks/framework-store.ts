// Frameworks in the database, versioned like plugins: every update is a new
// row; scorecards name the version they used.
import type { Database } from "../db/database.js";
import type { Prisma } from "../generated/prisma/client.js";
import { audit } from "../auth/audit.js";
import type { Viewer } from "../auth/viewer.js";
import { KEY_PATTERN } from "../metrics/plugin-schema.js";
import type { Catalog } from "../metrics/registry.js";
import type { ValidationIssue } from "../metrics/validate.js";
import { frameworkSchema, isRatingItem } from "./framework-schema.js";
import type { VersionedFramework } from "./scorecard.js";
import { validateFramework } from "./validate.js";

export class FrameworkRejected extends Error {
  constructor(readonly issues: ValidationIssue[]) {
    super(`framework rejected: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`);
  }
}

export class FrameworkNotFound extends Error {
  constructor(readonly key: string) {
    super(`no framework "${key}" in your company`);
  }
}

export interface FrameworkRecord {
  id: string;
  key: string;
  version: number;
  document: unknown;
  createdAt: Date;
}

export function parseStored(row: FrameworkRecord): VersionedFramework {
  return { framework: frameworkSchema.parse(row.document), version: row.version };
}

// A key that is not lower_snake_case (KEY_PATTERN) cannot name a framework, and never reaches SQL.
export async function loadFramework(db: Database, companyId: string, key: string, version?: number | null): Promise<FrameworkRecord> {
  if (!KEY_PATTERN.test(key)) throw new FrameworkNotFound(key.slice(0, 63));
  const row = await db.prisma.framework.findFirst({
    where: { companyId, key, ...(version ? { version } : {}) },
    orderBy: { version: "desc" },
  });
  if (!row) throw new FrameworkNotFound(version ? `${key}@${version}` : key);
  return row;
}

export async function saveFramework(db: Database, viewer: Viewer, catalog: Catalog, document: unknown, expectKey?: string): Promise<FrameworkRecord> {
  const result = validateFramework(document, catalog);
  if (!result.ok) throw new FrameworkRejected(result.issues);
  const key = result.framework.key;
  if (expectKey && !KEY_PATTERN.test(expectKey)) throw new FrameworkNotFound(expectKey.slice(0, 63));
  if (expectKey && key !== expectKey) throw new FrameworkRejected([{ path: "key", message: `the document's key "${key}" differs from "${expectKey}"` }]);
  return db.prisma.$transaction(async (tx) => {
    const latest = await tx.framework.findFirst({ where: { companyId: viewer.companyId, key }, orderBy: { version: "desc" } });
    if (!expectKey && latest) throw new FrameworkRejected([{ path: "key", message: `your company already has "${key}"; update it instead` }]);
    if (expectKey && !latest) throw new FrameworkNotFound(key);
    const row = await tx.framework.create({
      data: { companyId: viewer.companyId, key, version: (latest?.version ?? 0) + 1, document: document as Prisma.InputJsonValue },
    });
    await audit(tx, viewer, latest ? "framework.update" : "framework.create", key, { version: row.version });
    await tx.company.update({ where: { id: viewer.companyId }, data: { catalogVersion: { increment: 1 } } });
    return row;
  });
}

/** Latest versions of the company's frameworks. */
export async function latestFrameworks(db: Database, companyId: string): Promise<FrameworkRecord[]> {
  const rows = await db.prisma.framework.findMany({ where: { companyId }, orderBy: [{ key: "asc" }, { version: "desc" }] });
  const seen = new Set<string>();
  return rows.filter((r) => (seen.has(r.key) ? false : (seen.add(r.key), true)));
}

/** Keys of the frameworks whose latest version includes a KPI. */
export async function frameworksUsing(db: Database, companyId: string, kpi: string): Promise<string[]> {
  return (await latestFrameworks(db, companyId))
    .filter((r) => {
      const parsed = frameworkSchema.safeParse(r.document);
      return parsed.success && parsed.data.items.some((i) => !isRatingItem(i) && i.kpi === kpi);
    })
    .map((r) => r.key);
}
