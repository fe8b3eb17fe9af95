// Every subject of a framework's level, scored and ranked — shared by the
// GraphQL ranking/scorecard fields, the what-if comparison, roll-ups, the
// report query and the report command. The version is the one in force at the
// period's end unless one is asked for (effective dating, framework-store.ts).
import type { Database } from "../db/database.js";
import type { SubjectLevel } from "../metrics/catalog.js";
import type { MetricSession } from "../metrics/engine.js";
import { shiftPeriod, type Period } from "../metrics/period.js";
import { loadTargets } from "../targets/store.js";
import { kpisOf } from "./framework-schema.js";
import { loadFramework, parseStored, type VersionedFramework } from "./framework-store.js";
import { resolveFrameworkPlugins } from "./plugin-pins.js";
import type { NamedScorecard } from "./report.js";
import { computeScorecards } from "./scorecard.js";

export async function subjectNames(db: Database, companyId: string, level: SubjectLevel): Promise<Map<string, string>> {
  const select = { id: true, name: true } as const;
  const rows =
    level === "team"
      ? await db.prisma.team.findMany({ where: { companyId }, select })
      : level === "member"
        ? await db.prisma.member.findMany({ where: { companyId }, select })
        : level === "customer"
          ? await db.prisma.customer.findMany({ where: { companyId }, select })
          : await db.prisma.company.findMany({ where: { id: companyId }, select });
  return new Map(rows.map((r) => [r.id, r.name]));
}

export interface FrameworkRequest {
  key: string;
  /** A version to use instead of the one in force at the period's end. */
  version?: number | null;
  /** The caller may see drafts (admins and managers). */
  drafts?: boolean;
}

/** The framework version that scores a period: the one asked for, or the one in force at the period's end. */
export async function frameworkForPeriod(db: Database, companyId: string, req: FrameworkRequest, period: Period): Promise<VersionedFramework> {
  return parseStored(await loadFramework(db, companyId, req.key, req.version, { at: period.end.toJSDate(), drafts: req.drafts }));
}

/** One framework version's scorecards of every subject of its level (the company alone for a company framework). */
export async function scoreFramework(db: Database, session: MetricSession, companyId: string, fw: VersionedFramework, period: Period): Promise<NamedScorecard[]> {
  const level = fw.framework.level as SubjectLevel;
  const kpis = kpisOf(fw.framework);
  const [names, plugins, targets, previousTargets] = await Promise.all([
    subjectNames(db, companyId, level),
    resolveFrameworkPlugins(db, companyId, session.catalog, fw),
    loadTargets(db, companyId, level, kpis, period),
    loadTargets(db, companyId, level, kpis, shiftPeriod(period, "previousPeriod")),
  ]);
  const subjectIds = level === "company" ? [null] : [...names.keys()];
  const cards = await computeScorecards({ session, fw, plugins, subjectIds, period, targets, previousTargets });
  return cards.map((c) => ({ ...c, subjectName: c.subjectId === null ? (names.get(companyId) ?? "") : (names.get(c.subjectId) ?? "") }));
}

export async function rankSubjects(db: Database, session: MetricSession, companyId: string, req: FrameworkRequest, period: Period): Promise<NamedScorecard[]> {
  return scoreFramework(db, session, companyId, await frameworkForPeriod(db, companyId, req, period), period);
}
