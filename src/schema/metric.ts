// Metric fields on every subject (Company, Team, Member, Customer): metric,
// metrics, trend, kpis { <typed field per KPI> }, and breakdown on a value.
// Resolvers only translate GraphQL to the engine's calls.
import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from "graphql";
import type { DateTime } from "luxon";
import { DIMENSIONS, type Dimension, type SubjectLevel } from "../metrics/catalog.js";
import type { MetricValueResult } from "../metrics/engine.js";
import { GRAINS, PeriodError, periodLabel, resolvePeriod, type Grain, type Period, type PeriodGrain } from "../metrics/period.js";
import { UNITS } from "../metrics/plugin-schema.js";
import { builtInPlugins, type RegisteredPlugin } from "../metrics/registry.js";
import { localDescription, localName, type Locale } from "../metrics/locale.js";
import { builder } from "./builder.js";
import { EmbedLanguage } from "./company-settings.js";
import { CompanyRef } from "./company.js";
import type { Context } from "./context.js";
import { CustomerRef } from "./customer.js";
import { orFail, settleItems, withUserErrors } from "./errors.js";
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
export type ValueShape = MetricValueResult & { subject: Subject };

// Nullability (issue 15): a value that fails — a formula limit or error, an unknown or disabled
// KPI — is an error on that value's path only and the rest of the answer comes back. So every
// field that holds a computed value is nullable (its error sits on it), every field that may
// fail as a whole (an unknown key, a bad period) is nullable, and the items of metrics(keys:) are
// nullable (one unknown key fails its item). What is known without evaluating anything — key,
// unit, period, dimension — stays non-null.
type SliceShape = { key: string; value: number | null; label: string | null; reason: string | null; dimension: Dimension; error?: Error };

const VALUE_NULL = "Null when there is no data, the formula gave no number (reason says why), or the formula failed (then an error with this field's path says why).";

const MetricSlice = builder.objectRef<SliceShape>("MetricSlice").implement({
  description: "The KPI for one value of a dimension (e.g. one channel).",
  fields: (t) => ({
    dimension: t.field({ type: DimensionEnum, description: "The dimension broken down by.", resolve: (s) => s.dimension }),
    key: t.exposeString("key", { description: "The dimension's value, e.g. a channel name." }),
    value: t.float({ nullable: true, description: `The KPI's value in this slice. ${VALUE_NULL}`, resolve: (s) => orFail(s.value, s.error) }),
    label: t.exposeString("label", { nullable: true, description: "A category the formula assigned, when it assigns one." }),
    reason: t.exposeString("reason", { nullable: true, description: "Why value is null, when it is." }),
  }),
});

export const MetricValue = builder.objectRef<ValueShape>("MetricValue").implement({
  description: "One KPI for one subject and period. Fields that hold computed values are null when they cannot be computed; a formula failure is an error on its own field.",
  fields: (t) => ({
    key: t.exposeString("key", { description: "The KPI's key." }),
    unit: t.field({ type: UnitEnum, description: "The KPI's unit.", resolve: (v) => v.unit as (typeof UNITS)[number] }),
    value: t.float({ nullable: true, description: `The KPI's value. ${VALUE_NULL}`, resolve: (v) => orFail(v.value, v.error) }),
    label: t.exposeString("label", { nullable: true, description: "A category the formula assigned, e.g. an RFM segment." }),
    reason: t.exposeString("reason", { nullable: true, description: "Why value is null, when it is." }),
    score: t.float({
      nullable: true,
      description: "0–100 by the KPI's scoring method. Null when value is null or no peers score it; a failing score expression is an error on this field.",
      resolve: (v) => orFail(v.score, v.scoreError),
    }),
    previous: t.float({
      nullable: true,
      description: `Value in the previous period. ${VALUE_NULL}`,
      resolve: (v) => orFail(v.previous, v.previousError),
    }),
    change: t.exposeFloat("change", { nullable: true, description: "value − previous; null when either is null." }),
    changePercent: t.exposeFloat("changePercent", { nullable: true, description: "change / |previous| × 100; null when change is null or previous is 0." }),
    yearAgo: t.float({
      nullable: true,
      description: `Value in the same period a year earlier (the same days shifted by one year: March 2025 for March 2026), for seasonal comparison. ${VALUE_NULL}`,
      resolve: (v) => orFail(v.yearAgo ?? null, v.yearAgoError),
    }),
    yearAgoChange: t.float({ nullable: true, description: "value − yearAgo; null when either is null.", resolve: (v) => v.yearAgoChange ?? null }),
    yearAgoChangePercent: t.float({
      nullable: true,
      description: "yearAgoChange / |yearAgo| × 100; null when yearAgoChange is null or yearAgo is 0.",
      resolve: (v) => v.yearAgoChangePercent ?? null,
    }),
    period: t.field({ type: PeriodInfo, description: "The period evaluated.", resolve: (v) => v.period }),
    breakdown: t.field({
      type: [MetricSlice],
      nullable: true,
      description: "The value per slice of a dimension. Null (with an error) when the KPI cannot be broken down by it; a slice whose formula fails has an error on its value.",
      args: { by: t.arg({ type: DimensionEnum, required: true, description: "The dimension to break down by." }) },
      resolve: (v, { by }, ctx) =>
        withUserErrors(async () => (await ctx.metrics()).session.breakdown(v.key, v.subject.level, v.subject.id, v.period, by)),
    }),
  }),
});

const MetricPoint = builder.objectRef<{ period: Period; value: number | null; label: string | null; reason: string | null; error?: Error }>("MetricPoint").implement({
  description: "One period of a trend.",
  fields: (t) => ({
    period: t.field({ type: PeriodInfo, description: "The period.", resolve: (p) => p.period }),
    value: t.float({ nullable: true, description: `The KPI's value in the period. ${VALUE_NULL}`, resolve: (p) => orFail(p.value, p.error) }),
    label: t.exposeString("label", { nullable: true, description: "A category the formula assigned, when it assigns one." }),
    reason: t.exposeString("reason", { nullable: true, description: "Why value is null, when it is." }),
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

const YEAR_AGO_FIELDS = new Set(["yearAgo", "yearAgoChange", "yearAgoChangePercent"]);

/**
 * Does the query select a year-ago field of the MetricValue this field returns? Then the
 * year-ago period is loaded with the current and previous ones (same statements), and only then.
 */
export function selectsYearAgo(info: GraphQLResolveInfo | undefined): boolean {
  if (!info) return false;
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode | undefined): boolean =>
    !!set?.selections.some((s) => {
      if (s.kind === Kind.FIELD) return YEAR_AGO_FIELDS.has(s.name.value);
      if (s.kind === Kind.INLINE_FRAGMENT) return walk(s.selectionSet);
      if (seen.has(s.name.value)) return false;
      seen.add(s.name.value);
      return walk(info.fragments[s.name.value]?.selectionSet);
    });
  return info.fieldNodes.some((f) => walk(f.selectionSet));
}

export async function evaluate(ctx: Context, key: string, subject: Subject, period: PeriodArg, info?: GraphQLResolveInfo): Promise<ValueShape> {
  return withUserErrors(async () => {
    const p = await periodFor(ctx, period);
    const r = await (await ctx.metrics()).session.evaluate(key, subject.level, subject.id, p, { yearAgo: selectsYearAgo(info) });
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
            description: `${p.plugin.name} (${p.plugin.unit}). ${p.plugin.description} Null when the KPI is not defined for this subject level or the period is invalid (with an error).`,
            args: { period: t.arg({ type: PeriodInput, required: true }) },
            resolve: (subject, { period }, ctx, info) => {
              if (!p.plugin.subjects.includes(subject.level)) return null;
              return evaluate(ctx, p.plugin.key, subject, period, info);
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
      description: "One KPI for a period, with its score, previous value and change. Null (with an error at this path) when the key is unknown, disabled or not defined for this subject, or the period is invalid.",
      args: { key: t.arg.string({ required: true }), period: t.arg({ type: PeriodInput, required: true }) },
      resolve: (parent, { key, period }, ctx, info) => evaluate(ctx, key, { level, id: idOf(parent) }, period, info),
    }),
    metrics: t.field({
      type: [MetricValue],
      nullable: { list: true, items: true },
      description:
        "Several KPIs for one period, in the order of keys. An item is null (with an error at its index) when its key is unknown, disabled or not defined for this subject; the list is null only when the period is invalid.",
      args: { keys: t.arg.stringList({ required: true }), period: t.arg({ type: PeriodInput, required: true }) },
      resolve: (parent, { keys, period }, ctx, info) =>
        settleItems(keys.map((key) => evaluate(ctx, key, { level, id: idOf(parent) }, period, info))) as Promise<(ValueShape | null)[]>,
    }),
    trend: t.field({
      type: [MetricPoint],
      nullable: true,
      description:
        "The last `last` periods of `grain`, up to the one holding `until` (default today). Null (with an error) for an unknown KPI or bad arguments; a period whose formula fails has an error on its value.",
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

/** A catalogue entry as metricDefinitions serves it: in the locale it was asked in. */
type Definition = RegisteredPlugin & { locale?: Locale };

const MetricDefinition = builder.objectRef<Definition>("MetricDefinition").implement({
  fields: (t) => ({
    key: t.string({ resolve: (p) => p.plugin.key }),
    fieldName: t.string({ description: "Its typed field under kpis { … }.", resolve: (p) => kpiFieldName(p.plugin.key) }),
    name: t.string({ description: "Display name in the asked locale (English when the plugin has no translation).", resolve: (p) => localName(p.plugin, p.locale) }),
    description: t.string({ description: "What is divided by what, in the asked locale (English when not translated).", resolve: (p) => localDescription(p.plugin, p.locale) }),
    translations: t.field({
      type: "JSON",
      nullable: true,
      description: "Every translation of the name and description the plugin has, by locale (e.g. { zh: { name, description } }).",
      resolve: (p) => p.plugin.translations ?? null,
    }),
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
    args: { locale: t.arg({ type: EmbedLanguage, required: false, description: "Language of names and descriptions (default EN)." }) },
    resolve: async (_r, { locale }, ctx) => {
      const list = (await ctx.metrics()).session.catalog.list();
      return locale && locale !== "en" ? list.map((p) => ({ ...p, locale })) : list;
    },
  }),
);
