// Frameworks in the database, versioned like plugins. A version is a DRAFT
// (editable, seen by admins and managers only) until publishFramework makes it
// PUBLISHED: immutable, in force from its effectiveFrom, and pinned to the
// company plugin versions it scores with, so neither a later framework version
// nor a plugin update changes a past period's scorecard. Re-scoring history is
// explicit: a back-dated publish needs rescoreHistory, and repinFramework moves
// a published version to the current plugin versions — both audited.
import type { Database } from "../db/database.js";
import type { Prisma } from "../generated/prisma/client.js";
import { audit } from "../auth/audit.js";
import type { Viewer } from "../auth/viewer.js";
import { KEY_PATTERN } from "../metrics/plugin-schema.js";
import type { Catalog } from "../metrics/registry.js";
import type { ValidationIssue } from "../metrics/validate.js";
import { frameworkSchema, kpisOf, type Framework } from "./framework-schema.js";
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

/** A request the framework's lifecycle state does not allow (coded for GraphQL). */
export class FrameworkStateError extends Error {
  constructor(
    readonly code: "NOT_IN_FORCE" | "NOTHING_TO_PUBLISH" | "HISTORY_LOCKED" | "FRAMEWORK_DELETED" | "NOT_PUBLISHED",
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export type FrameworkStatus = "DRAFT" | "PUBLISHED";

export interface FrameworkRecord {
  id: string;
  key: string;
  version: number;
  document: unknown;
  createdAt: Date;
  status: string;
  effectiveFrom: Date | null;
  publishedAt: Date | null;
  pluginPins: unknown;
  deletedAt: Date | null;
}

export interface VersionedFramework {
  framework: Framework;
  version: number;
  status: FrameworkStatus;
  effectiveFrom: Date | null;
  /** Company plugin key → pinned version; empty for drafts (they score with the current catalogue). */
  pins: Record<string, number>;
}

export function parseStored(row: FrameworkRecord): VersionedFramework {
  return {
    framework: frameworkSchema.parse(row.document),
    version: row.version,
    status: row.status === "PUBLISHED" ? "PUBLISHED" : "DRAFT",
    effectiveFrom: row.effectiveFrom,
    pins: pinsOf(row.pluginPins),
  };
}

function pinsOf(raw: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (raw && typeof raw === "object") for (const [k, v] of Object.entries(raw)) if (typeof v === "number") out[k] = v;
  return out;
}

export interface LoadOptions {
  /** Pick the published version in force at this instant (a period's exclusive end): the latest effectiveFrom before it. */
  at?: Date;
  /** Drafts may be returned (admins and managers); never for viewers and embed tokens. */
  drafts?: boolean;
}

// A key that is not lower_snake_case (KEY_PATTERN) cannot name a framework, and never reaches SQL.
export async function loadFramework(
  db: Database,
  companyId: string,
  key: string,
  version?: number | null,
  options: LoadOptions = {},
): Promise<FrameworkRecord> {
  if (!KEY_PATTERN.test(key)) throw new FrameworkNotFound(key.slice(0, 63));
  const base = { companyId, key, deletedAt: null };
  if (version) {
    const row = await db.prisma.framework.findFirst({ where: { ...base, version } });
    if (!row || (row.status !== "PUBLISHED" && !options.drafts)) throw new FrameworkNotFound(`${key}@${version}`);
    return row;
  }
  if (options.at) {
    const row = await db.prisma.framework.findFirst({
      where: { ...base, status: "PUBLISHED", effectiveFrom: { lt: options.at } },
      orderBy: [{ effectiveFrom: "desc" }, { version: "desc" }],
    });
    if (row) return row;
    const first = await db.prisma.framework.findFirst({ where: { ...base, status: "PUBLISHED" }, orderBy: { effectiveFrom: "asc" } });
    if (first) {
      throw new FrameworkStateError(
        "NOT_IN_FORCE",
        "period",
        `framework "${key}" was not in force then: its first published version is effective from ${first.effectiveFrom!.toISOString()}`,
      );
    }
  } else {
    const row = await db.prisma.framework.findFirst({
      where: { ...base, ...(options.drafts ? {} : { status: "PUBLISHED" }) },
      orderBy: { version: "desc" },
    });
    if (row) return row;
  }
  throw new FrameworkNotFound(key);
}

/**
 * createFramework / updateFramework: the document becomes a DRAFT — a new version, or the
 * framework's open draft rewritten in place (one draft at a time; published versions never change).
 */
export async function saveFramework(
  db: Database,
  viewer: Viewer,
  catalog: Catalog,
  document: unknown,
  expectKey?: string,
  publish?: PublishOptions,
): Promise<FrameworkRecord> {
  const result = validateFramework(document, catalog);
  if (!result.ok) throw new FrameworkRejected(result.issues);
  const key = result.framework.key;
  if (expectKey && !KEY_PATTERN.test(expectKey)) throw new FrameworkNotFound(expectKey.slice(0, 63));
  if (expectKey && key !== expectKey) throw new FrameworkRejected([{ path: "key", message: `the document's key "${key}" differs from "${expectKey}"` }]);
  return db.prisma.$transaction(async (tx) => {
    const latest = await tx.framework.findFirst({ where: { companyId: viewer.companyId, key }, orderBy: { version: "desc" } });
    if (latest?.deletedAt) {
      if (expectKey) throw new FrameworkNotFound(key);
      throw new FrameworkRejected([{ path: "key", message: `"${key}" was deleted; its history is kept under that key, so choose another key` }]);
    }
    if (!expectKey && latest) throw new FrameworkRejected([{ path: "key", message: `your company already has "${key}"; update it instead` }]);
    if (expectKey && !latest) throw new FrameworkNotFound(key);
    const row =
      latest?.status === "DRAFT"
        ? await tx.framework.update({ where: { id: latest.id }, data: { document: document as Prisma.InputJsonValue } })
        : await tx.framework.create({
            data: { companyId: viewer.companyId, key, version: (latest?.version ?? 0) + 1, status: "DRAFT", document: document as Prisma.InputJsonValue },
          });
    const action = latest ? "framework.update" : "framework.create";
    // Created and published at once: one transaction (a refused publication stores no draft
    // either) and one audit entry saying both (entries of one transaction share a timestamp).
    if (publish) return publishIn(tx, viewer, key, publish, action);
    await audit(tx, viewer, action, key, { version: row.version, status: "DRAFT" });
    await tx.company.update({ where: { id: viewer.companyId }, data: { catalogVersion: { increment: 1 } } });
    return row;
  });
}

/** The latest version of each company plugin a framework's KPI items name (its pins at publication). */
async function currentPins(tx: Prisma.TransactionClient, companyId: string, document: unknown): Promise<Record<string, number>> {
  const kpis = kpisOf(frameworkSchema.parse(document));
  if (kpis.length === 0) return {};
  const rows = await tx.metricPlugin.groupBy({ by: ["key"], where: { companyId, key: { in: kpis } }, _max: { version: true } });
  return Object.fromEntries(rows.map((r) => [r.key, r._max.version!]));
}

export interface PublishOptions {
  effectiveFrom: Date;
  /** Needed when effectiveFrom lies in the past of a framework that is already published: periods already scored would change. */
  rescoreHistory?: boolean;
  now?: Date;
}

/** Publishes the framework's draft: in force from effectiveFrom, pinned to today's plugin versions. */
export async function publishFramework(db: Database, viewer: Viewer, key: string, options: PublishOptions): Promise<FrameworkRecord> {
  if (!KEY_PATTERN.test(key)) throw new FrameworkNotFound(key.slice(0, 63));
  return db.prisma.$transaction((tx) => publishIn(tx, viewer, key, options));
}

async function publishIn(tx: Prisma.TransactionClient, viewer: Viewer, key: string, options: PublishOptions, action = "framework.publish"): Promise<FrameworkRecord> {
  const now = options.now ?? new Date();
  {
    const versions = await tx.framework.findMany({ where: { companyId: viewer.companyId, key }, orderBy: { version: "desc" } });
    const draft = versions[0];
    if (!draft) throw new FrameworkNotFound(key);
    if (draft.deletedAt) throw new FrameworkStateError("FRAMEWORK_DELETED", "key", `framework "${key}" was deleted`);
    if (draft.status !== "DRAFT") throw new FrameworkStateError("NOTHING_TO_PUBLISH", "key", `framework "${key}" has no draft; updateFramework creates one`);
    const published = versions.filter((v) => v.status === "PUBLISHED");
    if (published.length > 0 && options.effectiveFrom < now && !options.rescoreHistory) {
      throw new FrameworkStateError(
        "HISTORY_LOCKED",
        "effectiveFrom",
        `effectiveFrom ${options.effectiveFrom.toISOString()} is in the past: periods already scored under version ${published[0]!.version} would change; pass rescoreHistory: true to re-score them`,
      );
    }
    const pins = await currentPins(tx, viewer.companyId, draft.document);
    const row = await tx.framework.update({
      where: { id: draft.id },
      data: { status: "PUBLISHED", effectiveFrom: options.effectiveFrom, publishedAt: now, pluginPins: pins },
    });
    await audit(tx, viewer, action, key, {
      version: row.version,
      status: "PUBLISHED",
      effectiveFrom: options.effectiveFrom.toISOString(),
      pins,
      ...(options.effectiveFrom < now && published.length > 0 ? { rescoreHistory: true } : {}),
    });
    await tx.company.update({ where: { id: viewer.companyId }, data: { catalogVersion: { increment: 1 } } });
    return row;
  }
}

/** Re-scores a published version's history with the current plugin versions: the explicit, audited act. */
export async function repinFramework(db: Database, viewer: Viewer, key: string, version: number): Promise<FrameworkRecord> {
  if (!KEY_PATTERN.test(key)) throw new FrameworkNotFound(key.slice(0, 63));
  return db.prisma.$transaction(async (tx) => {
    const row = await tx.framework.findFirst({ where: { companyId: viewer.companyId, key, version, deletedAt: null } });
    if (!row) throw new FrameworkNotFound(`${key}@${version}`);
    if (row.status !== "PUBLISHED") throw new FrameworkStateError("NOT_PUBLISHED", "version", `version ${version} of "${key}" is a draft; drafts always use the current plugins`);
    const pins = await currentPins(tx, viewer.companyId, row.document);
    const updated = await tx.framework.update({ where: { id: row.id }, data: { pluginPins: pins } });
    await audit(tx, viewer, "framework.repin", key, { version, from: pinsOf(row.pluginPins), to: pins });
    await tx.company.update({ where: { id: viewer.companyId }, data: { catalogVersion: { increment: 1 } } });
    return updated;
  });
}

/** Soft deletion: every version is hidden and no longer scored; rows and audit trail stay. */
export async function deleteFramework(db: Database, viewer: Viewer, key: string): Promise<void> {
  if (!KEY_PATTERN.test(key)) throw new FrameworkNotFound(key.slice(0, 63));
  await db.prisma.$transaction(async (tx) => {
    const { count } = await tx.framework.updateMany({ where: { companyId: viewer.companyId, key, deletedAt: null }, data: { deletedAt: new Date() } });
    if (count === 0) throw new FrameworkNotFound(key);
    // Embed tokens of the framework would only ever answer NOT_FOUND now: revoke them with it.
    await tx.embedToken.updateMany({ where: { companyId: viewer.companyId, frameworkKey: key, revokedAt: null }, data: { revokedAt: new Date() } });
    await audit(tx, viewer, "framework.delete", key, { versions: count });
    await tx.company.update({ where: { id: viewer.companyId }, data: { catalogVersion: { increment: 1 } } });
  });
}

/** Latest visible version of each of the company's (not deleted) frameworks. */
export async function latestFrameworks(db: Database, companyId: string, drafts = false): Promise<FrameworkRecord[]> {
  const rows = await db.prisma.framework.findMany({
    where: { companyId, deletedAt: null, ...(drafts ? {} : { status: "PUBLISHED" }) },
    orderBy: [{ key: "asc" }, { version: "desc" }],
  });
  const seen = new Set<string>();
  return rows.filter((r) => (seen.has(r.key) ? false : (seen.add(r.key), true)));
}

/** Every visible version of one framework, oldest first. */
export async function frameworkVersions(db: Database, companyId: string, key: string, drafts = false): Promise<FrameworkRecord[]> {
  return db.prisma.framework.findMany({
    where: { companyId, key, deletedAt: null, ...(drafts ? {} : { status: "PUBLISHED" }) },
    orderBy: { version: "asc" },
  });
}

/**
 * Keys of the frameworks that include a KPI in ANY version (draft or published, not
 * deleted): every version can still be scored, so none may lose its plugin.
 */
export async function frameworksUsing(db: Database, companyId: string, kpi: string): Promise<string[]> {
  const rows = await db.prisma.framework.findMany({ where: { companyId, deletedAt: null }, select: { key: true, document: true }, orderBy: { key: "asc" } });
  const keys = new Set<string>();
  for (const r of rows) {
    const parsed = frameworkSchema.safeParse(r.document);
    if (parsed.success && kpisOf(parsed.data).includes(kpi)) keys.add(r.key);
  }
  return [...keys];
}
