// Every subject of a framework's level, scored and ranked — shared by the
// GraphQL ranking/scorecard fields, the report query and the report command.
import type { Database } from "../db/database.js";
import type { SubjectLevel } from "../metrics/catalog.js";
import type { MetricSession } from "../metrics/engine.js";
import type { Period } from "../metrics/period.js";
import { loadFramework, parseStored } from "./framework-store.js";
import type { NamedScorecard } from "./report.js";
import { computeScorecards } from "./scorecard.js";

export async function subjectNames(db: Database, companyId: string, level: SubjectLevel): Promise<Map<string, string>> {
  const select = { id: true, name: true } as const;
  const rows =
    level === "team"
      ? await db.prisma.team.findMany({ where: { companyId }, select })
      : level === "member"
        ? await db.prisma.member.findMany({ where: { companyId }, select })
        : await db.prisma.customer.findMany({ where: { companyId }, select });
  return new Map(rows.map((r) => [r.id, r.name]));
}

export async function rankSubjects(
  db: Database,
  session: MetricSession,
  companyId: string,
  framework: { key: string; version?: number | null },
  period: Period,
): Promise<NamedScorecard[]> {
  const fw = parseStored(await loadFramework(db, companyId, framework.key, framework.version));
  const names = await subjectNames(db, companyId, fw.framework.level);
  const cards = await computeScorecards(session, fw, [...names.keys()], period);
  return cards.map((c) => ({ ...c, subjectName: names.get(c.subjectId) ?? "" }));
}
