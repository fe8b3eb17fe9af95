// Metric fields on every subject (Company, Team, Member, Customer): metric,
// metrics, trend, kpis { <typed field per KPI> }, and breakdown on a value.
// Resolvers only translate GraphQL to the engine's calls.
import type { DateTime } from "luxon";
import { DIMENSIONS, type Dimension, type SubjectLevel } from "../metrics/catalog.js";
import type { MetricValueResult } from "../metrics/engine.js";
import { GRAINS, PeriodError, periodLabel, resolvePeriod, type Grain, type Period, type PeriodGrain } from "../metrics/period.js";
import { UNITS } from "../metrics/plugin-schema.js";
import { builtInPlugins, type RegisteredPlugin } from "../metrics/registry.js";
import { builder } from "./builder.js";
import { CompanyRef } from "./company.js";
import type { Context } from "./context.js";
import { CustomerRef } from "./customer.js";
import { withUserErrors } from "./errors.js";
import { MemberRef, TeamRef } from "./team.js";

const MAX_TREND_POINTS = 400;

export const GrainEnum = builder.enumType("Grain", {
  values: Object.fromEntries(GRAINS.map((g) => [g.toUpperCase(), { value: g }])) as Record<Uppercase<Grain>, { value: Grain }>,
});
const PeriodGrainEnum = builder.enumType("PeriodGrain", {
  values: Object.fromEntries([...GRAINS, "custom" as const].map((g) => [g.toUpperCase(), { value: g }])) as Record<
    Uppercase<PeriodGrain>,
    { value: PeriodGrain }
  >,
});
export const DimensionEnum = builder.enumType("Dimension", {
  values: Object.fromEntries(DIMENSIONS.map((d) => [d.replace(/([A-Z])/g, "_$1").toUpperCase(), { value: d }])) as Record<
    string,
    { value: Dimension }
  >,
});
const UnitEnum = builder.enumType("Unit", {
  values: Object.fromEntries(UNITS.map((u) => [u.toUpperCase(), { value: u }])) as Record<string, { value: (typeof UNITS)[number] }>,
});

export const PeriodInput = builder.inputType("PeriodInput", {
  description:
    "A period in the company's time zone: a grain and any day inside it (default today), or CUSTOM with from/to (inclusive days).",
  fields: (t) => ({
    grain: t.field({ type: PeriodGrainEnum, required: true }),
    date: t.string({ required: false, description: "YYYY-MM-DD: any day inside the period." }),
    from: t.string({ required: false, description: "CUSTOM: first day, YYYY-MM-DD." }),
    to: t.string({ required: false, description: "CUSTOM: last day, YYYY-MM-DD (inclusive)." }),
  }),
});

export const PeriodInfo = builder.objectRef<Period>("Period").implement({
  fields: (t) => ({
    grain: t.field({ type: PeriodGrainEnum, resolve: (p) => p.grain }),
    start: t.field({ type: "DateTime", resolve: (p) => p.start.toJSDate() }),
    end: t.field({ type: "DateTime", description: "Exclusive.", resolve: (p) => p.end.toJSDate() }),
    label: t.string({ resolve: (p) => periodLabel(p) }),
  }),
});

export interface Subject {
  level: SubjectLevel;
  id: string | null;
}
type ValueShape = MetricValueResult & { subject: Subject };

const MetricSlice = builder.objectRef<{ key: string; value: number | null; label: string | null; reason: string | null; dimension: Dimension }>("MetricSlice").implement({
  fields: (t) => ({
    dimension: t.field({ type: DimensionEnum, resolve: (s) => s.dimension }),
    key: t.exposeString("key", { description: "The dimension's value, e.g. a channel name." }),
    value: t.exposeFloat("value", { nullable: true }),
    label: t.exposeString("label", { nullable: true }),
    reason: t.exposeString("reason", { nullable: true }),
  }),
});

const MetricValue = builder.objectRef<ValueShape>("MetricValue").implement({
  fields: (t) => ({
    key: t.exposeString("key"),
    unit: t.field({ type: UnitEnum, resolve: (v) => v.unit as (typeof UNITS)[number] }),
    value: t.exposeFloat("value", { nullable: true }),
    label: t.exposeString("label", { nullable: true, description: "A category the formula assigned, e.g. an RFM segment." }),
    reason: t.exposeString("reason", { nullable: true, description: "Why value is null, when it is." }),
    score: t.exposeFloat("score", { nullable: true, description: "0–100 by the KPI's scoring method." }),
    previous: t.exposeFloat("previous", { nullable: true, description: "Value in the previous period." }),
    change: t.exposeFloat("change", { nullable: true, description: "value − previous." }),
    changePercent: t.exposeFloat("changePercent", { nullable: true, description: "change / |previous| × 100." }),
    period: t.field({ type: PeriodInfo, resolve: (v) => v.period }),
    breakdown: t.field({
      type: [MetricSlice],
      args: { by: t.arg({ type: DimensionEnum, required: true }) },
      resolve: (v, { by }, ctx) =>
        withUserErrors(async () => (await ctx.metrics()).session.breakdown(v.key, v.subject.level, v.subject.id, v.period, by)),
    }),
  }),
});

const MetricPoint = builder.objectRef<{ period: Period; value: number | null; label: string | null; reason: string | null }>("MetricPoint").implement({
  fields: (t) => ({
    period: t.field({ type: PeriodInfo, resolve: (p) => p.period }),
    value: t.exposeFloat("value", { nullable: true }),
    label: t.exposeString("label", { nullable: true }),
    reason: t.exposeString("reason", { nullable: true }),
  }),
});

export type PeriodArg = { grain: PeriodGrain; date?: string | null; from?: string | null; to?: string | null };

export async function periodFor(ctx: Context, arg: PeriodArg): Promise<Period> {
  const scope = await ctx.metrics();
  // Memoised per request: a dashboard names the same period in every field.
  const key = `period|${arg.grain}|${arg.date ?? ""}|${arg.from ?? ""}|${arg.to ?? ""}`;
  let period = scope.memo.get(key) as Period | undefined;
  if (!period) {
    period = resolvePeriod({ grain: arg.grain, date: arg.date ?? undefined, from: arg.from ?? undefined, to: arg.to ?? undefined }, scope.timeZone);
    scope.memo.set(key, period);
  }
  return period;
}

export async function evaluate(ctx: Context, key: string, subject: Subject, period: PeriodArg): Promise<ValueShape> {
  return withUserErrors(async () => {
    const p = await periodFor(ctx, period);
    const r = await (await ctx.metrics()).session.evaluate(key, subject.level, subject.id, p);
    return { ...r, subject };
  });
}

/** camelCase GraphQL field name of a plugin key: retention_rate → retentionRate. */
export function kpiFieldName(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

function kpiFields(plugins: Iterable<RegisteredPlugin>, typeName: string) {
  const list = [...plugins];
  return builder.objectRef<Subject>(typeName).implement({
    description: "Every KPI of the catalogue as a typed field.",
    fields: (t) =>
      Object.fromEntries(
        list.map((p) => [
          kpiFieldName(p.plugin.key),
          t.field({
            type: MetricValue,
            nullable: true,
            description: `${p.plugin.name} (${p.plugin.unit}). ${p.plugin.description}`,
            args: { period: t.arg({ type: PeriodInput, required: true }) },
            resolve: (subject, { period }, ctx) => {
              if (!p.plugin.subjects.includes(subject.level)) return null;
              return evaluate(ctx, p.plugin.key, subject, period);
            },
          }),
        ]),
      ),
  });
}

const Kpis = kpiFields(builtInPlugins().values(), "Kpis");

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

function metricFields(t: PothosSchemaTypes.ObjectFieldBuilder<Types, { id: string }>, level: SubjectLevel) {
  const idOf = (parent: { id: string }) => (level === "company" ? null : parent.id);
  return {
    metric: t.field({
      type: MetricValue,
      nullable: true,
      description: "One KPI for a period, with its score, previous value and change.",
      args: { key: t.arg.string({ required: true }), period: t.arg({ type: PeriodInput, required: true }) },
      resolve: (parent, { key, period }, ctx) => evaluate(ctx, key, { level, id: idOf(parent) }, period),
    }),
    metrics: t.field({
      type: [MetricValue],
      description: "Several KPIs for one period.",
      args: { keys: t.arg.stringList({ required: true }), period: t.arg({ type: PeriodInput, required: true }) },
      resolve: (parent, { keys, period }, ctx) =>
        Promise.all(keys.map((key) => evaluate(ctx, key, { level, id: idOf(parent) }, period))),
    }),
    trend: t.field({
      type: [MetricPoint],
      description: "The last `last` periods of `grain`, up to the one holding `until` (default today).",
      args: {
        key: t.arg.string({ required: true }),
        grain: t.arg({ type: GrainEnum, required: true }),
        last: t.arg.int({ required: true }),
        until: t.arg.string({ required: false, description: "YYYY-MM-DD" }),
      },
      resolve: (parent, { key, grain, last, until }, ctx) =>
        withUserErrors(async () => {
          if (last < 1 || last > MAX_TREND_POINTS) throw new PeriodError("last", `must be between 1 and ${MAX_TREND_POINTS}`);
          const anchor: Period = await periodFor(ctx, { grain, date: until });
          const end: DateTime = anchor.start;
          return (await ctx.metrics()).session.trend(key, level, idOf(parent), grain, last, end);
        }),
    }),
    kpis: t.field({ type: Kpis, resolve: (parent) => ({ level, id: idOf(parent) }) }),
  };
}

builder.objectFields(CompanyRef, (t) => metricFields(t, "company"));
builder.objectFields(TeamRef, (t) => metricFields(t, "team"));
builder.objectFields(MemberRef, (t) => metricFields(t, "member"));
builder.objectFields(CustomerRef, (t) => metricFields(t, "customer"));

const MetricDefinition = builder.objectRef<RegisteredPlugin>("MetricDefinition").implement({
  fields: (t) => ({
    key: t.string({ resolve: (p) => p.plugin.key }),
    fieldName: t.string({ description: "Its typed field under kpis { … }.", resolve: (p) => kpiFieldName(p.plugin.key) }),
    name: t.string({ resolve: (p) => p.plugin.name }),
    description: t.string({ resolve: (p) => p.plugin.description }),
    category: t.string({ resolve: (p) => p.plugin.category }),
    unit: t.field({ type: UnitEnum, resolve: (p) => p.plugin.unit }),
    direction: t.string({ resolve: (p) => p.plugin.direction }),
    subjects: t.stringList({ resolve: (p) => p.plugin.subjects }),
    breakdowns: t.field({ type: [DimensionEnum], resolve: (p) => p.plugin.breakdowns as Dimension[] }),
    weight: t.float({ resolve: (p) => p.plugin.weight }),
    formula: t.string({ resolve: (p) => p.plugin.formula }),
    measures: t.field({ type: "JSON", resolve: (p) => p.plugin.measures }),
    score: t.field({ type: "JSON", resolve: (p) => p.plugin.score }),
    params: t.field({ type: "JSON", resolve: (p) => p.plugin.params }),
    builtIn: t.boolean({ resolve: (p) => p.builtIn }),
    version: t.int({ resolve: (p) => p.version }),
  }),
});

builder.queryField("metricDefinitions", (t) =>
  t.field({
    type: [MetricDefinition],
    authScopes: { viewer: true },
    description: "The KPI catalogue the caller's company can query.",
    resolve: async (_r, _a, ctx) => (await ctx.metrics()).session.catalog.list(),
  }),
);
