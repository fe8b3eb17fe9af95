// A company's own KPI plugins in the database: register, version, enable,
// delete. Validation and a dry run on the company's data happen before
// anything is written; the write, the audit entry and the catalogue-version
// bump share one transaction, so a rejected plugin leaves nothing behind.
import { DateTime } from "luxon";
import type { Database } from "../db/database.js";
import type { Prisma } from "../generated/prisma/client.js";
import { audit } from "../auth/audit.js";
import type { Viewer } from "../auth/viewer.js";
import type { StoredPlugin } from "./catalog-cache.js";
import { createMetricSession, MetricError } from "./engine.js";
import { periodOf } from "./period.js";
import { KEY_PATTERN } from "./plugin-schema.js";
import { builtInPlugins, catalogOf, registerPlugin, type RegisteredPlugin } from "./registry.js";
import { validatePlugin, type ValidationIssue } from "./validate.js";

export class PluginRejected extends Error {
  constructor(readonly issues: ValidationIssue[]) {
    super(`plugin rejected: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`);
  }
}

export class PluginNotFound extends Error {
  constructor(readonly key: string) {
    super(`no plugin "${key}" in your company`);
  }
}

export class PluginInUse extends Error {
  constructor(
    readonly key: string,
    readonly frameworks: string[],
  ) {
    super(`plugin "${key}" is used by framework(s) ${frameworks.join(", ")}; remove it from them first`);
  }
}

/** Plugin keys are lower_snake_case; anything else cannot name a plugin (and never reaches SQL). */

function assertKey(key: string): void {
  if (!KEY_PATTERN.test(key)) throw new PluginNotFound(key.slice(0, 63));
}

export async function loadCompanyPlugins(db: Database, companyId: string): Promise<StoredPlugin[]> {
  const rows = await db.sql.query<{ key: string; version: number; document: unknown }>(
    `SELECT DISTINCT ON (key) key, version, document FROM metric_plugins
     WHERE company_id = $1::uuid AND enabled ORDER BY key, version DESC`,
    [companyId],
  );
  return rows.map((r) => ({ key: r.key, version: Number(r.version), document: r.document }));
}

/** Validates and dry-runs a document for a company; throws PluginRejected with every fault. */
async function check(db: Database, companyId: string, document: unknown): Promise<RegisteredPlugin> {
  const result = validatePlugin(document);
  if (!result.ok) throw new PluginRejected(result.issues);
  const plugin = result.plugin;
  if (builtInPlugins().has(plugin.key)) {
    throw new PluginRejected([{ path: "key", message: `"${plugin.key}" is a built-in KPI; choose another key` }]);
  }
  const registered = registerPlugin(document, { builtIn: false, version: 0 });
  // Dry run: evaluate on the company's own data for the current month at every level the plugin names.
  const session = createMetricSession({ sql: db.sql, companyId, catalog: catalogOf(new Map([[plugin.key, registered]])) });
  const company = await db.prisma.company.findUniqueOrThrow({ where: { id: companyId }, select: { timeZone: true } });
  const period = periodOf("month", DateTime.now().setZone(company.timeZone));
  try {
    for (const level of registered.plugin.subjects) {
      const outcomes = level === "company" ? [await session.value(plugin.key, "company", null, period)] : (await session.peerOutcomes(plugin.key, level, period)).values();
      for (const o of outcomes) if (o.error) throw o.error;
    }
  } catch (err) {
    if (err instanceof MetricError) throw new PluginRejected([{ path: err.field, message: `dry run failed: ${err.message}` }]);
    throw err;
  }
  return registered;
}

async function bump(tx: Prisma.TransactionClient, companyId: string) {
  await tx.company.update({ where: { id: companyId }, data: { catalogVersion: { increment: 1 } } });
}

export interface PluginRecord {
  key: string;
  version: number;
  enabled: boolean;
  document: unknown;
  createdAt: Date;
}

export async function registerCompanyPlugin(db: Database, viewer: Viewer, document: unknown): Promise<PluginRecord> {
  const plugin = await check(db, viewer.companyId, document);
  const key = plugin.plugin.key;
  return db.prisma.$transaction(async (tx) => {
    const existing = await tx.metricPlugin.findFirst({ where: { companyId: viewer.companyId, key } });
    if (existing) throw new PluginRejected([{ path: "key", message: `your company already has "${key}"; update it instead` }]);
    const row = await tx.metricPlugin.create({
      data: { companyId: viewer.companyId, key, version: 1, document: document as Prisma.InputJsonValue },
    });
    await audit(tx, viewer, "plugin.register", key, { version: 1 });
    await bump(tx, viewer.companyId);
    return row;
  });
}

export async function updateCompanyPlugin(db: Database, viewer: Viewer, key: string, document: unknown): Promise<PluginRecord> {
  assertKey(key);
  const plugin = await check(db, viewer.companyId, document);
  if (plugin.plugin.key !== key) {
    throw new PluginRejected([{ path: "key", message: `the document's key "${plugin.plugin.key}" differs from "${key}"` }]);
  }
  return db.prisma.$transaction(async (tx) => {
    const latest = await tx.metricPlugin.findFirst({ where: { companyId: viewer.companyId, key }, orderBy: { version: "desc" } });
    if (!latest) throw new PluginNotFound(key);
    const row = await tx.metricPlugin.create({
      data: { companyId: viewer.companyId, key, version: latest.version + 1, enabled: latest.enabled, document: document as Prisma.InputJsonValue },
    });
    await audit(tx, viewer, "plugin.update", key, { version: row.version });
    await bump(tx, viewer.companyId);
    return row;
  });
}

export async function setCompanyPluginEnabled(db: Database, viewer: Viewer, key: string, enabled: boolean): Promise<PluginRecord> {
  assertKey(key);
  return db.prisma.$transaction(async (tx) => {
    const { count } = await tx.metricPlugin.updateMany({ where: { companyId: viewer.companyId, key }, data: { enabled } });
    if (count === 0) throw new PluginNotFound(key);
    await audit(tx, viewer, enabled ? "plugin.enable" : "plugin.disable", key);
    await bump(tx, viewer.companyId);
    return tx.metricPlugin.findFirstOrThrow({ where: { companyId: viewer.companyId, key }, orderBy: { version: "desc" } });
  });
}

/** Keys of frameworks (latest versions) that include a KPI. */
export type FrameworkUsage = (companyId: string, key: string) => Promise<string[]>;

export async function deleteCompanyPlugin(db: Database, viewer: Viewer, key: string, usedBy: FrameworkUsage): Promise<void> {
  assertKey(key);
  if (!(await db.prisma.metricPlugin.findFirst({ where: { companyId: viewer.companyId, key }, select: { id: true } }))) throw new PluginNotFound(key);
  const frameworks = await usedBy(viewer.companyId, key);
  if (frameworks.length) throw new PluginInUse(key, frameworks);
  await db.prisma.$transaction(async (tx) => {
    const { count } = await tx.metricPlugin.deleteMany({ where: { companyId: viewer.companyId, key } });
    if (count === 0) throw new PluginNotFound(key);
    await audit(tx, viewer, "plugin.delete", key);
    await bump(tx, viewer.companyId);
  });
}

export async function companyPluginVersions(db: Database, companyId: string, key: string): Promise<PluginRecord[]> {
  if (!KEY_PATTERN.test(key)) return [];
  return db.prisma.metricPlugin.findMany({ where: { companyId, key }, orderBy: { version: "asc" } });
}
