// Targets per KPI, subject and period (setTargets, Company.targets), and the
// fields every metric value gains from issue 17: its target with the source
// and attainment, and its rank / peers / percentile among the subjects of its
// level (the same function the quantile score uses: metrics/score.ts).
import { decodeGlobalID, encodeGlobalID } from "@pothos/plugin-relay";
import DataLoader from "dataloader";
import { DateTime } from "luxon";
import { attainmentOf, resolveTarget } from "../metrics/attainment.js";
import type { SubjectLevel } from "../metrics/catalog.js";
import type { PeriodGrain } from "../metrics/period.js";
import type { PeerPosition } from "../metrics/score.js";
import { setTargets, type TargetWrite } from "../targets/store.js";
import { builder } from "./builder.js";
import { CompanyRef } from "./company.js";
import { companyOf, type Context } from "./context.js";
import { userError, withUserErrors } from "./errors.js";
import { isUuid, uuidOrNil } from "./ids.js";
import { MetricValue, periodFor, PeriodInfo, PeriodInput, type ValueShape } from "./metric.js";
import { TargetSourceEnum, TYPE_OF } from "./scorecard.js";

const LEVEL_OF: Record<string, SubjectLevel> = { Team: "team", Member: "member", Customer: "customer", Company: "company" };

export const TargetRef = builder.prismaNode("Target", {
  id: { field: "id" },
  nullable: true,
  description: "A target for one KPI, one subject (or the company) and one period.",
  authScopes: { viewer: true },
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), companyId: companyOf(ctx) }),
  fields: (t) => ({
    kpi: t.exposeString("kpi", { description: "The KPI's key." }),
    subjectId: t.id({
      description: "Global ID of the subject (the Company for a company target).",
      resolve: (r) => encodeGlobalID(TYPE_OF[r.subjectType as SubjectLevel], r.subjectId ?? r.companyId),
    }),
    value: t.exposeFloat("value", { description: "The target value, in the KPI's unit." }),
    period: t.field({
      type: PeriodInfo,
      description: "The period the target is for.",
      resolve: async (r, _a, ctx) => {
        const zone = (await ctx.metrics()).timeZone;
        return { grain: r.grain as PeriodGrain, start: DateTime.fromJSDate(r.periodStart, { zone }), end: DateTime.fromJSDate(r.periodEnd, { zone }), zone };
      },
    }),
    updatedAt: t.expose("updatedAt", { type: "DateTime", description: "When it was last set." }),
  }),
});

const TargetInput = builder.inputType("TargetInput", {
  description: "One target to set: a KPI, a subject (or none for the company), a period and the value.",
  fields: (t) => ({
    kpi: t.string({ required: true, description: "The KPI's key." }),
    subject: t.id({ required: false, description: "Global ID of a team, member or customer; omit for the company." }),
    period: t.field({ type: PeriodInput, required: true, description: "The period the target is for (e.g. QUARTER with a date inside Q4)." }),
    value: t.float({ required: false, description: "The target; null removes it." }),
  }),
});

builder.mutationField("setTargets", (t) =>
  t.field({
    type: "Int",
    authScopes: { manager: true },
    description: "Sets (or with value null removes) targets per KPI, subject and period; all or nothing, audited. Returns how many changed.",
    args: { input: t.arg({ type: [TargetInput], required: true, description: "1–1000 targets." }) },
    resolve: (_r, { input }, ctx) =>
      withUserErrors(async () => {
        if (input.length === 0 || input.length > 1000) throw userError("BAD_USER_INPUT", "input", "input: give 1 to 1000 targets");
        const writes: TargetWrite[] = [];
        for (const [i, row] of input.entries()) {
          let level: SubjectLevel = "company";
          let subjectId: string | null = null;
          if (row.subject !== null && row.subject !== undefined) {
            let decoded: { typename: string; id: string };
            try {
              decoded = decodeGlobalID(String(row.subject));
            } catch {
              throw userError("BAD_USER_INPUT", `input.${i}.subject`, `input.${i}.subject: not a valid ID`);
            }
            const l = LEVEL_OF[decoded.typename];
            if (!l || !isUuid(decoded.id)) throw userError("BAD_USER_INPUT", `input.${i}.subject`, `input.${i}.subject: give a Team, Member or Customer ID`);
            level = l;
            subjectId = l === "company" ? null : decoded.id;
            if (l === "company" && decoded.id !== companyOf(ctx)) throw userError("NOT_FOUND", `input.${i}.subject`, `input.${i}.subject: not your company`);
          }
          writes.push({ kpi: row.kpi, level, subjectId, period: await periodFor(ctx, row.period), value: row.value ?? null });
        }
        return setTargets(ctx.db, ctx.viewer!, (await ctx.metrics()).session.catalog, writes, "input");
      }),
  }),
);

builder.objectField(CompanyRef, "targets", (t) =>
  t.prismaField({
    type: [TargetRef],
    description: "Targets of the company and its subjects, optionally for one KPI and one period.",
    args: {
      kpi: t.arg.string({ required: false, description: "Only this KPI." }),
      period: t.arg({ type: PeriodInput, required: false, description: "Only targets for exactly this period." }),
    },
    resolve: async (query, company, args, ctx) => {
      const period = args.period ? await withUserErrors(() => periodFor(ctx, args.period!)) : null;
      return ctx.prisma.target.findMany({
        ...query,
        where: {
          companyId: company.id,
          ...(args.kpi ? { kpi: args.kpi } : {}),
          ...(period ? { periodStart: period.start.toJSDate(), periodEnd: period.end.toJSDate() } : {}),
        },
        orderBy: [{ periodStart: "asc" }, { kpi: "asc" }, { subjectType: "asc" }],
        take: 5000,
      });
    },
  }),
);

// ---- fields on every metric value

type TargetKey = { kpi: string; level: SubjectLevel; subjectId: string | null; start: Date; end: Date };

/** One query per request for every metric value's stored target. */
function targetLoader(ctx: Context): Promise<DataLoader<TargetKey, number | undefined, string>> {
  return ctx.metrics().then((scope) => {
    let loader = scope.memo.get("targets|loader") as DataLoader<TargetKey, number | undefined, string> | undefined;
    if (!loader) {
      loader = new DataLoader<TargetKey, number | undefined, string>(
        async (keys) => {
          const rows = await ctx.prisma.target.findMany({
            where: {
              companyId: companyOf(ctx),
              kpi: { in: [...new Set(keys.map((k) => k.kpi))] },
              periodStart: { in: [...new Set(keys.map((k) => k.start.getTime()))].map((ms) => new Date(ms)) },
            },
            select: { kpi: true, subjectType: true, subjectId: true, periodStart: true, periodEnd: true, value: true },
          });
          const found = new Map(rows.map((r) => [keyOf({ kpi: r.kpi, level: r.subjectType as SubjectLevel, subjectId: r.subjectId, start: r.periodStart, end: r.periodEnd }), r.value]));
          return keys.map((k) => found.get(keyOf(k)));
        },
        { cacheKeyFn: keyOf },
      );
      scope.memo.set("targets|loader", loader);
    }
    return loader;
  });
}

function keyOf(k: TargetKey): string {
  return `${k.kpi}|${k.level}|${k.subjectId ?? ""}|${k.start.getTime()}|${k.end.getTime()}`;
}

async function targetOfValue(ctx: Context, v: ValueShape) {
  const loader = await targetLoader(ctx);
  const stored = await loader.load({ kpi: v.key, level: v.subject.level, subjectId: v.subject.id, start: v.period.start.toJSDate(), end: v.period.end.toJSDate() });
  const p = (await ctx.metrics()).session.plugin(v.key);
  const resolved = resolveTarget(stored, undefined, p.plugin.score);
  return { ...resolved, attainment: attainmentOf(v.value, resolved.target, p.plugin.direction) };
}

async function positionOf(ctx: Context, v: ValueShape): Promise<PeerPosition | null> {
  return (await ctx.metrics()).session.position(v.key, v.subject.level, v.value, v.period);
}

builder.objectFields(MetricValue, (t) => ({
  target: t.float({
    nullable: true,
    description: "The target: this subject's own for the period (targets store), else the KPI plugin's (scoring method target).",
    resolve: (v, _a, ctx) => withUserErrors(async () => (await targetOfValue(ctx, v)).target),
  }),
  targetSource: t.field({
    type: TargetSourceEnum,
    nullable: true,
    description: "Where target came from: SUBJECT or PLUGIN.",
    resolve: (v, _a, ctx) => withUserErrors(async () => (await targetOfValue(ctx, v)).targetSource),
  }),
  attainment: t.float({
    nullable: true,
    description: "value ÷ target × 100 (target ÷ value when lower is better).",
    resolve: (v, _a, ctx) => withUserErrors(async () => (await targetOfValue(ctx, v)).attainment),
  }),
  rank: t.int({
    nullable: true,
    description: "1 + the subjects of the level with a better value this period (ties share a rank). Null for the company or without a value.",
    resolve: (v, _a, ctx) => withUserErrors(async () => (await positionOf(ctx, v))?.rank ?? null),
  }),
  peers: t.int({
    nullable: true,
    description: "How many subjects of the level have a value this period (this one included): every team, member or customer, 0 where they have no rows.",
    resolve: (v, _a, ctx) => withUserErrors(async () => (await positionOf(ctx, v))?.peers ?? null),
  }),
  percentile: t.float({
    nullable: true,
    description: "Share of the peers this value beats, ties counting half (0–100): exactly the quantile score.",
    resolve: (v, _a, ctx) => withUserErrors(async () => (await positionOf(ctx, v))?.percentile ?? null),
  }),
}));
