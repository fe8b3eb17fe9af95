// Managers' ratings: setRating (manager or admin) and the ratings a company's
// managers have entered, with who rated and when. The checks live in
// src/frameworks/ratings.ts; this module translates GraphQL to it.
import type { Prisma } from "../generated/prisma/client.js";
import { RatingRejected, setRating, type RatingLevel } from "../frameworks/ratings.js";
import { resolvePeriod, PeriodError } from "../metrics/period.js";
import { builder } from "./builder.js";
import { CompanyRef } from "./company.js";
import { companyOf } from "./context.js";
import { CustomerRef } from "./customer.js";
import { userError } from "./errors.js";
import { isUuid, NIL_UUID, uuidOrNil } from "./ids.js";
import { PeriodInput } from "./metric.js";
import { MemberRef, TeamRef } from "./team.js";

const LEVEL_OF = { Member: "member", Team: "team", Customer: "customer" } as const satisfies Record<string, RatingLevel>;

export const RatingRef = builder.prismaNode("Rating", {
  id: { field: "id" },
  nullable: true,
  description: "A manager's score of one subject on one rating item of a framework, for one whole period.",
  authScopes: { manager: true },
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), companyId: companyOf(ctx) }),
  fields: (t) => ({
    item: t.exposeString("item", { description: "The rating item's key (a framework's items[].rating)." }),
    score: t.exposeFloat("score", { description: "The score given, 1–scale." }),
    scale: t.exposeInt("scale", { description: "Top of the scale the score was given on (the item's scale)." }),
    periodStart: t.expose("periodStart", { type: "DateTime", description: "Start of the rated period." }),
    periodEnd: t.expose("periodEnd", { type: "DateTime", description: "End of the rated period (exclusive)." }),
    ratedBy: t.exposeString("ratedBy", { nullable: true, description: "Who rated: the name given, or the API key's name." }),
    ratedAt: t.expose("createdAt", { type: "DateTime", description: "When the score was (last) set." }),
    comment: t.exposeString("comment", { nullable: true, description: "The rater's comment." }),
    // Three fields rather than a union: per-company schemas (tenant-schema.ts) rebuild the object
    // types that reach Kpis, not unions, so a union of Member | Team | Customer would name stale types.
    member: t.field({
      type: MemberRef,
      nullable: true,
      description: "The member rated, when the subject is a member.",
      resolve: (r, _args, ctx) => (r.subjectType === "member" && r.memberId ? ctx.prisma.member.findFirst({ where: { id: r.memberId, companyId: r.companyId } }) : null),
    }),
    team: t.field({
      type: TeamRef,
      nullable: true,
      description: "The team rated, when the subject is a team.",
      resolve: (r, _args, ctx) => (r.subjectType === "team" && r.teamId ? ctx.prisma.team.findFirst({ where: { id: r.teamId, companyId: r.companyId } }) : null),
    }),
    customer: t.field({
      type: CustomerRef,
      nullable: true,
      description: "The customer rated, when the subject is a customer.",
      resolve: (r, _args, ctx) => (r.subjectType === "customer" && r.customerId ? ctx.prisma.customer.findFirst({ where: { id: r.customerId, companyId: r.companyId } }) : null),
    }),
  }),
});

const SetRatingInput = builder.inputType("SetRatingInput", {
  description: "One score of one subject on one rating item of a framework, for one whole period of the item's grain.",
  fields: (t) => ({
    framework: t.string({ required: true, description: "Key of the framework whose rating item is scored." }),
    item: t.string({ required: true, description: "The rating item's key in that framework." }),
    subject: t.globalID({ required: true, for: [MemberRef, TeamRef, CustomerRef], description: "The member, team or customer rated: of the framework's level." }),
    period: t.field({ type: PeriodInput, required: true, description: "Exactly one whole period of the item's grain (default MONTH), in the company's time zone." }),
    score: t.float({ required: true, description: "The score, 1 to the item's scale." }),
    comment: t.string({ required: false, description: "Why (up to 4,000 characters)." }),
    ratedBy: t.string({ required: false, description: "Who rated (a person's name); default: the API key's name." }),
  }),
});

builder.mutationField("setRating", (t) =>
  t.prismaField({
    type: RatingRef,
    authScopes: { manager: true },
    description:
      "Sets a manager's rating of a subject on a framework's rating item for a period (replacing the score set before for the same subject, item and period). Audited; scorecards read it at once.",
    args: { input: t.arg({ type: SetRatingInput, required: true, description: "The subject, item, period and score." }) },
    resolve: async (query, _root, { input }, ctx) => {
      const viewer = ctx.viewer!;
      const typename = input.subject.typename as keyof typeof LEVEL_OF;
      const id = isUuid(String(input.subject.id)) ? String(input.subject.id) : NIL_UUID;
      try {
        const key = await ctx.prisma.apiKey.findUnique({ where: { id: viewer.keyId }, select: { name: true } });
        const ratingId = await setRating(ctx.db, viewer, key?.name ?? "api key", {
          framework: input.framework,
          item: input.item,
          subject: { level: LEVEL_OF[typename], id },
          period: { grain: input.period.grain, date: input.period.date ?? undefined, from: input.period.from ?? undefined, to: input.period.to ?? undefined },
          score: input.score,
          comment: input.comment,
          ratedBy: input.ratedBy,
        });
        return ctx.prisma.rating.findUniqueOrThrow({ ...query, where: { id: ratingId } });
      } catch (err) {
        if (err instanceof RatingRejected) throw userError(err.code, err.field, err.message);
        throw err;
      }
    },
  }),
);

const RatingFilter = builder.inputType("RatingFilter", {
  description: "Which ratings to list; every field given must match.",
  fields: (t) => ({
    item: t.string({ required: false, description: "Only this rating item." }),
    subject: t.globalID({ required: false, for: [MemberRef, TeamRef, CustomerRef], description: "Only ratings of this member, team or customer." }),
    period: t.field({ type: PeriodInput, required: false, description: "Only ratings of periods that start inside this period." }),
  }),
});

builder.prismaObjectField(CompanyRef, "ratings", (t) =>
  t.relatedConnection("ratings", {
    cursor: "id",
    totalCount: true,
    authScopes: { manager: true },
    description: "Managers' ratings, newest period first, with who rated and when.",
    args: { filter: t.arg({ type: RatingFilter, required: false, description: "Narrow the list." }) },
    query: ({ filter }, ctx) => {
      const where: Prisma.RatingWhereInput = {};
      if (filter?.item) where.item = filter.item;
      if (filter?.subject) {
        const level = LEVEL_OF[filter.subject.typename as keyof typeof LEVEL_OF];
        const id = uuidOrNil(String(filter.subject.id));
        where.subjectType = level;
        if (level === "member") where.memberId = id;
        else if (level === "team") where.teamId = id;
        else where.customerId = id;
      }
      if (filter?.period) {
        try {
          const p = resolvePeriod(
            { grain: filter.period.grain, date: filter.period.date ?? undefined, from: filter.period.from ?? undefined, to: filter.period.to ?? undefined },
            ctx.viewer!.timeZone,
          );
          where.periodStart = { gte: p.start.toUTC().toJSDate(), lt: p.end.toUTC().toJSDate() };
        } catch (err) {
          if (err instanceof PeriodError) throw userError("BAD_PERIOD", `filter.${err.field}`, err.message);
          throw err;
        }
      }
      return { where, orderBy: [{ periodStart: "desc" }, { createdAt: "desc" }, { id: "asc" }] };
    },
  }),
);
