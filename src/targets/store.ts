// Targets per KPI, subject and period (a sales org sets Q4 targets per team).
// A period is identified by its grain and its exact start and end in the
// company's time zone, so "Q4 2026" set today is found by every Q4 2026 query.
// Writes are validated whole (bad input writes nothing), audited and bump the
// company's data_version in the same transaction.
import type { Database } from "../db/database.js";
import type { Prisma } from "../generated/prisma/client.js";
import { audit } from "../auth/audit.js";
import type { Viewer } from "../auth/viewer.js";
import type { SubjectLevel } from "../metrics/catalog.js";
import type { Period } from "../metrics/period.js";
import type { Catalog } from "../metrics/registry.js";

export interface TargetWrite {
  kpi: string;
  level: SubjectLevel;
  /** null for the company. */
  subjectId: string | null;
  period: Period;
  /** null removes the target. */
  value: number | null;
}

export class TargetRejected extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** kpi → subject id ("" for the company) → target, for one level and period. */
export async function loadTargets(db: Database, companyId: string, level: SubjectLevel, kpis: string[], period: Period): Promise<Map<string, Map<string, number>>> {
  const out = new Map<string, Map<string, number>>();
  if (kpis.length === 0) return out;
  const rows = await db.prisma.target.findMany({
    where: { companyId, subjectType: level, kpi: { in: kpis }, periodStart: period.start.toJSDate(), periodEnd: period.end.toJSDate() },
    select: { kpi: true, subjectId: true, value: true },
  });
  for (const r of rows) {
    let bySubject = out.get(r.kpi);
    if (!bySubject) out.set(r.kpi, (bySubject = new Map()));
    bySubject.set(r.subjectId ?? "", r.value);
  }
  return out;
}

async function subjectsExist(tx: Prisma.TransactionClient, companyId: string, level: SubjectLevel, ids: string[]): Promise<Set<string>> {
  const where = { companyId, id: { in: ids } };
  const select = { id: true } as const;
  const rows =
    level === "team"
      ? await tx.team.findMany({ where, select })
      : level === "member"
        ? await tx.member.findMany({ where, select })
        : level === "customer"
          ? await tx.customer.findMany({ where, select })
          : [];
  return new Set(rows.map((r) => r.id));
}

/** Sets (or, with value null, removes) targets; all or nothing. Returns how many rows changed. */
export async function setTargets(db: Database, viewer: Viewer, catalog: Catalog, writes: TargetWrite[], fieldPrefix = "targets"): Promise<number> {
  writes.forEach((w, i) => {
    const p = catalog.get(w.kpi);
    if (!p) throw new TargetRejected(`${fieldPrefix}.${i}.kpi`, `${fieldPrefix}.${i}.kpi: unknown KPI "${w.kpi.slice(0, 63)}"`);
    if (!p.plugin.subjects.includes(w.level)) {
      throw new TargetRejected(`${fieldPrefix}.${i}.subject`, `${fieldPrefix}.${i}.subject: ${w.kpi} is not defined for a ${w.level}; it supports ${p.plugin.subjects.join(", ")}`);
    }
    if (w.value !== null && !Number.isFinite(w.value)) throw new TargetRejected(`${fieldPrefix}.${i}.value`, `${fieldPrefix}.${i}.value: must be a finite number`);
  });
  return db.prisma.$transaction(async (tx) => {
    const byLevel = new Map<SubjectLevel, string[]>();
    for (const w of writes) if (w.subjectId) byLevel.set(w.level, [...(byLevel.get(w.level) ?? []), w.subjectId]);
    for (const [level, ids] of byLevel) {
      const found = await subjectsExist(tx, viewer.companyId, level, [...new Set(ids)]);
      const i = writes.findIndex((w) => w.level === level && w.subjectId && !found.has(w.subjectId));
      if (i >= 0) throw new TargetRejected(`${fieldPrefix}.${i}.subject`, `${fieldPrefix}.${i}.subject: no such ${level} in your company`);
    }
    let changed = 0;
    for (const w of writes) {
      const key = {
        companyId: viewer.companyId,
        kpi: w.kpi,
        subjectType: w.level,
        subjectId: w.subjectId,
        periodStart: w.period.start.toJSDate(),
        periodEnd: w.period.end.toJSDate(),
      };
      const existing = await tx.target.findFirst({ where: key, select: { id: true } });
      if (w.value === null) {
        if (existing) changed += (await tx.target.deleteMany({ where: { id: existing.id } })).count;
        continue;
      }
      if (existing) await tx.target.update({ where: { id: existing.id }, data: { value: w.value, grain: w.period.grain } });
      else await tx.target.create({ data: { ...key, grain: w.period.grain, value: w.value } });
      changed++;
    }
    await audit(tx, viewer, "targets.set", writes.length === 1 ? writes[0]!.kpi : `${writes.length} targets`, { count: writes.length });
    await tx.company.update({ where: { id: viewer.companyId }, data: { dataVersion: { increment: 1 } } });
    return changed;
  });
}
