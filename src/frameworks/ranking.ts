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
import { FrameworkNotFound, FrameworkStateError, loadFramework, parseStored, type VersionedFramework } from "./framework-store.js";
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

export interface ComparisonRow {
  subjectId: string | null;
  subjectName: string;
  published: NamedScorecard | null;
  draft: NamedScorecard;
  /** draft total − published total. */
  change: number | null;
}

export interface PeriodComparison {
  period: Period;
  publishedVersion: number | null;
  draftVersion: number;
  rows: ComparisonRow[];
}

/**
 * What-if: a draft (or any version) scored beside the published version in force, for each
 * period, every subject under both. Ordered by the draft's ranking.
 */
export async function compareWithPublished(
  db: Database,
  session: MetricSession,
  companyId: string,
  key: string,
  draftVersion: number | null | undefined,
  periods: Period[],
): Promise<PeriodComparison[]> {
  // Default: the latest version (the open draft, when there is one).
  const draft = parseStored(await loadFramework(db, companyId, key, draftVersion, { drafts: true }));
  return Promise.all(
    periods.map(async (period) => {
      const published = await frameworkForPeriod(db, companyId, { key }, period).catch((err: unknown) => {
        // No published version in force then: the draft stands alone for that period.
        if (err instanceof FrameworkNotFound || (err instanceof FrameworkStateError && err.code === "NOT_IN_FORCE")) return null;
        throw err;
      });
      const [draftCards, publishedCards] = await Promise.all([
        scoreFramework(db, session, companyId, draft, period),
        published ? scoreFramework(db, session, companyId, published, period) : Promise.resolve([]),
      ]);
      const byId = new Map(publishedCards.map((c) => [c.subjectId, c]));
      return {
        period,
        publishedVersion: published?.version ?? null,
        draftVersion: draft.version,
        rows: draftCards.map((d) => {
          const p = byId.get(d.subjectId) ?? null;
          const change = d.total !== null && p?.total != null ? Math.round((d.total - p.total) * 100) / 100 : null;
          return { subjectId: d.subjectId, subjectName: d.subjectName, published: p, draft: d, change };
        }),
      };
    }),
  );
}
