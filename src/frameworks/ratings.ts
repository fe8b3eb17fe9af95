// Managers' ratings: one score per subject × rating item × period, checked
// against the framework that defines the item (its level, scale and rating
// period), written with its audit entry and a data-version bump in one
// transaction, so the next scorecard reads it. Setting a rating again for the
// same subject, item and period replaces it (the audit keeps the old score).
// No GraphQL here.
import { audit } from "../auth/audit.js";
import type { Viewer } from "../auth/viewer.js";
import type { Database } from "../db/database.js";
import { cleanLine, cleanMultiline } from "../import/text.js";
import { bumpDataVersion } from "../metrics/data-version.js";
import { periodOf, resolvePeriod, PeriodError, type PeriodSpec } from "../metrics/period.js";
import { FrameworkNotFound, loadFramework, parseStored } from "./framework-store.js";
import { isRatingItem, type RatingItem } from "./framework-schema.js";

export type RatingLevel = "member" | "team" | "customer";

export type RatingErrorCode = "BAD_USER_INPUT" | "NOT_FOUND" | "UNKNOWN_RATING_ITEM" | "WRONG_LEVEL" | "OUT_OF_SCALE" | "BAD_PERIOD";

export class RatingRejected extends Error {
  constructor(
    readonly code: RatingErrorCode,
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

export interface SetRatingInput {
  framework: string;
  item: string;
  subject: { level: RatingLevel; id: string };
  period: PeriodSpec;
  score: number;
  comment?: string | null;
  /** Who rated (a person's name); default: the API key's name. */
  ratedBy?: string | null;
}

/** The item of the framework, or a refusal naming the field. */
export async function ratingItemOf(db: Database, companyId: string, frameworkKey: string, itemKey: string): Promise<{ level: RatingLevel; item: RatingItem; version: number }> {
  let stored;
  try {
    // Drafts too: managers may rate a draft's new items before it is published (what-if).
    stored = parseStored(await loadFramework(db, companyId, frameworkKey, null, { drafts: true }));
  } catch (err) {
    if (err instanceof FrameworkNotFound) throw new RatingRejected("NOT_FOUND", "input.framework", err.message);
    throw err;
  }
  const items = stored.framework.items.filter(isRatingItem);
  const item = items.find((i) => i.rating === itemKey);
  if (!item) {
    const known = items.map((i) => i.rating);
    throw new RatingRejected(
      "UNKNOWN_RATING_ITEM",
      "input.item",
      `framework "${frameworkKey}" has no rating item "${itemKey.slice(0, 63)}"${known.length ? ` (it has ${known.join(", ")})` : " (it has none)"}`,
    );
  }
  // A company framework has no rating items (validate.ts), so the level is one managers rate.
  return { level: stored.framework.level as RatingLevel, item, version: stored.version };
}

/** The period as instants, refused unless it is exactly one whole period of the item's grain in the company's zone. */
export function ratedPeriod(spec: PeriodSpec, zone: string, item: RatingItem) {
  let period;
  try {
    period = resolvePeriod(spec, zone);
  } catch (err) {
    if (err instanceof PeriodError) throw new RatingRejected("BAD_PERIOD", `input.${err.field}`, err.message.replace(/^[^:]+: /, ""));
    throw err;
  }
  const whole = periodOf(item.period, period.start);
  if (+whole.start !== +period.start || +whole.end !== +period.end) {
    throw new RatingRejected("BAD_PERIOD", "input.period", `rating item "${item.rating}" is rated per ${item.period}: give one whole ${item.period} (e.g. grain ${item.period.toUpperCase()} with a date inside it)`);
  }
  return whole;
}

export async function setRating(db: Database, viewer: Viewer, keyName: string, input: SetRatingInput): Promise<string> {
  const { level, item } = await ratingItemOf(db, viewer.companyId, input.framework, input.item);
  if (input.subject.level !== level) {
    throw new RatingRejected("WRONG_LEVEL", "input.subject", `framework "${input.framework}" rates each ${level}; this subject is a ${input.subject.level}`);
  }
  if (!Number.isFinite(input.score) || input.score < 1 || input.score > item.scale) {
    throw new RatingRejected("OUT_OF_SCALE", "input.score", `${input.score} is outside the scale of "${item.rating}": 1–${item.scale}`);
  }
  const comment = input.comment === null || input.comment === undefined ? null : cleanMultiline(input.comment);
  if (comment !== null && comment.length > 4000) throw new RatingRejected("BAD_USER_INPUT", "input.comment", "is longer than 4000 characters");
  const ratedBy = input.ratedBy === null || input.ratedBy === undefined ? keyName : cleanLine(input.ratedBy);
  if (ratedBy === null || ratedBy.length > 200) throw new RatingRejected("BAD_USER_INPUT", "input.ratedBy", "must be 1–200 characters");
  const company = await db.prisma.company.findUniqueOrThrow({ where: { id: viewer.companyId }, select: { timeZone: true } });
  const period = ratedPeriod(input.period, company.timeZone, item);
  const periodStart = period.start.toUTC().toJSDate();
  const periodEnd = period.end.toUTC().toJSDate();

  return db.prisma.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id::text FROM companies WHERE id = ${viewer.companyId}::uuid FOR UPDATE`;
    // The subject, in the caller's company; a member's rating is also attributed to its team at the time.
    const where = { id: input.subject.id, companyId: viewer.companyId };
    const attributed =
      level === "member"
        ? await tx.member.findFirst({ where, select: { id: true, teamId: true } }).then((m) => m && { memberId: m.id, teamId: m.teamId, customerId: null })
        : level === "team"
          ? await tx.team.findFirst({ where, select: { id: true } }).then((t) => t && { teamId: t.id, memberId: null, customerId: null })
          : await tx.customer
              .findFirst({ where, select: { id: true, ownerTeamId: true, ownerMemberId: true } })
              .then((c) => c && { customerId: c.id, teamId: c.ownerTeamId, memberId: c.ownerMemberId });
    if (!attributed) throw new RatingRejected("NOT_FOUND", "input.subject", `no such ${level} in your company`);
    const subjectColumn = level === "member" ? "memberId" : level === "team" ? "teamId" : "customerId";
    const existing = await tx.rating.findFirst({
      where: { companyId: viewer.companyId, subjectType: level, [subjectColumn]: input.subject.id, item: item.rating, periodStart, periodEnd },
      select: { id: true, score: true },
    });
    const data = { score: input.score, scale: item.scale, comment, ratedBy, createdAt: new Date() };
    const row = existing
      ? await tx.rating.update({ where: { id: existing.id }, data, select: { id: true } })
      : await tx.rating.create({
          data: { companyId: viewer.companyId, subjectType: level, ...attributed, item: item.rating, periodStart, periodEnd, ...data },
          select: { id: true },
        });
    await audit(tx, viewer, "rating.set", row.id, {
      framework: input.framework, item: item.rating, subjectType: level, subjectId: input.subject.id,
      periodStart: periodStart.toISOString(), score: input.score, previousScore: existing?.score ?? null,
    });
    await bumpDataVersion(tx, viewer.companyId);
    return row.id;
  });
}
