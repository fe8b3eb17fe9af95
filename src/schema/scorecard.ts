// Frameworks (effective-dated, pinned versions; drafts), scorecards on Company,
// Team, Member and Customer (a lower-level framework rolls up), the ranking,
// the report, and the framework lifecycle mutations.
import { EmbedLanguage } from "./company-settings.js";
import { encodeGlobalID } from "@pothos/plugin-relay";
import { hasRole } from "../auth/viewer.js";
import type { SubjectLevel } from "../metrics/catalog.js";
import { periodLabel, type Period } from "../metrics/period.js";
import {
  deleteFramework,
  frameworkVersions,
  latestFrameworks,
  parseStored,
  publishFramework,
  repinFramework,
  saveFramework,
  type FrameworkRecord,
} from "../frameworks/framework-store.js";
import { compareWithPublished, frameworkForPeriod, rankSubjects, subjectNames, type ComparisonRow, type PeriodComparison } from "../frameworks/ranking.js";
import { reportCsv, reportMarkdown, type NamedScorecard } from "../frameworks/report.js";
import { ROLLS_UP_TO, rollUp, type Rollup, type RollupContribution, type RolledUpScorecard } from "../frameworks/rollup.js";
import type { ScorecardItem } from "../frameworks/scorecard.js";
import { companyOverview, overviewCsv, overviewMarkdown } from "../frameworks/overview.js";
import { builder } from "./builder.js";
import { CompanyRef } from "./company.js";
import { companyOf, type Context } from "./context.js";
import { CustomerRef } from "./customer.js";
import { orFail, userError, withUserErrors } from "./errors.js";
import { periodFor, PeriodInput, PeriodInfo, type PeriodArg } from "./metric.js";
import { MemberRef, TeamRef } from "./team.js";

/** GraphQL type of each subject level (for global IDs). */
export const TYPE_OF: Record<SubjectLevel, string> = { company: "Company", team: "Team", member: "Member", customer: "Customer" };

export const SubjectLevelEnum = builder.enumType("SubjectLevel", {
  description: "A level of subjects KPIs and frameworks assess.",
  values: {
    COMPANY: { value: "company", description: "The whole company." },
    TEAM: { value: "team", description: "Each team." },
    MEMBER: { value: "member", description: "Each team member." },
    CUSTOMER: { value: "customer", description: "Each customer." },
  } as const,
});

const FrameworkStatusEnum = builder.enumType("FrameworkStatus", {
  description: "Where a framework version is in its lifecycle.",
  values: {
    DRAFT: { value: "DRAFT", description: "Editable; seen and scored by admins and managers only (what-if), never by viewers or embed tokens." },
    PUBLISHED: { value: "PUBLISHED", description: "Immutable; in force from effectiveFrom, scoring with the plugin versions it pinned." },
  } as const,
});

export const TargetSourceEnum = builder.enumType("TargetSource", {
  description: "Where a target came from, most specific first.",
  values: {
    SUBJECT: { value: "subject", description: "The targets store: this subject's target for this period (setTargets, TARGETS import)." },
    FRAMEWORK: { value: "framework", description: "The framework item's scoring (for a rating item: the top of its scale)." },
    PLUGIN: { value: "plugin", description: "The KPI plugin's scoring." },
  } as const,
});

const PluginPinRef = builder.objectRef<{ kpi: string; version: number }>("PluginPin").implement({
  description: "A company plugin version a published framework version scores with.",
  fields: (t) => ({
    kpi: t.exposeString("kpi", { description: "Plugin key." }),
    version: t.exposeInt("version", { description: "The plugin version used, whatever later versions exist." }),
  }),
});

const canSeeDrafts = (ctx: Context) => hasRole(ctx.viewer, "manager");

export const FrameworkRef = builder.objectRef<FrameworkRecord>("Framework");
FrameworkRef.implement({
  description: "One version of an assessment framework: a weighted scorecard for one subject level.",
  fields: (t) => ({
    key: t.exposeString("key", { description: "The framework's key (lower_snake_case), shared by its versions." }),
    version: t.exposeInt("version", { description: "1, 2, …: every published change is a new version." }),
    name: t.string({ description: "Display name.", resolve: (f) => parseStored(f).framework.name }),
    level: t.string({ description: "Level of the subjects it assesses: company, team, member or customer.", resolve: (f) => parseStored(f).framework.level }),
    status: t.field({ type: FrameworkStatusEnum, description: "DRAFT or PUBLISHED.", resolve: (f) => (f.status === "PUBLISHED" ? "PUBLISHED" : "DRAFT") }),
    effectiveFrom: t.field({
      type: "DateTime",
      nullable: true,
      description: "Published versions: periods ending after this instant are scored with this version, until a later one takes over. Null for a draft.",
      resolve: (f) => f.effectiveFrom,
    }),
    publishedAt: t.field({ type: "DateTime", nullable: true, description: "When it was published.", resolve: (f) => f.publishedAt }),
    pluginPins: t.field({
      type: [PluginPinRef],
      description: "Company plugin versions this version scores with (empty for drafts: they use the current catalogue).",
      resolve: (f) => Object.entries(parseStored(f).pins).map(([kpi, version]) => ({ kpi, version })),
    }),
    document: t.expose("document", { type: "JSON", description: "The framework document (framework-schema.ts)." }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When this version was stored." }),
    versions: t.field({
      type: [FrameworkRef],
      description: "Every version of this framework the caller may see, oldest first.",
      resolve: (f, _a, ctx) => frameworkVersions(ctx.db, companyOf(ctx), f.key, canSeeDrafts(ctx)),
    }),
  }),
});

const ScorecardItemRef = builder.objectRef<ScorecardItem>("ScorecardItem").implement({
  description: "One item of a scorecard: a KPI or a manager's rating.",
  fields: (t) => ({
    id: t.exposeString("id", { description: "KPI key, or rating:<item> for a manager's rating." }),
    kind: t.exposeString("kind", { description: "kpi or rating." }),
    name: t.string({
      description: "Display name: the KPI's, in the asked locale (English when not translated), or the rating item's.",
      args: { locale: t.arg({ type: EmbedLanguage, required: false, description: "Language of the name (default EN)." }) },
      resolve: (i, { locale }) => (locale && locale !== "en" ? (i.translations?.[locale]?.name ?? i.name) : i.name),
    }),
    unit: t.exposeString("unit", { description: "The KPI's unit; `rating` for a rating item." }),
    value: t.float({
      nullable: true,
      description:
        "The KPI's value (a rating item's average rating on its own scale, 1–scale): null without data, or when its formula failed (then an error with this field's path says why, and the item counts as having no data).",
      resolve: (i) => orFail(i.value, i.error),
    }),
    score: t.exposeFloat("score", { nullable: true, description: "0–100; null when value is null (or the score expression failed)." }),
    weight: t.exposeFloat("weight", { description: "Normalised weight applied (weights sum to 1 over the items counted)." }),
    contribution: t.exposeFloat("contribution", { description: "weight × score: points added to the total." }),
    target: t.exposeFloat("target", { nullable: true, description: "The target the value is held to; for a rating item the top of its scale." }),
    targetSource: t.field({ type: TargetSourceEnum, nullable: true, description: "Where the target came from.", resolve: (i) => i.targetSource }),
    attainment: t.exposeFloat("attainment", {
      nullable: true,
      description: "value ÷ target × 100 (target ÷ value when lower is better).",
    }),
    scale: t.exposeInt("scale", { nullable: true, description: "A rating item's scale (ratings run 1–scale); null for KPIs." }),
    reason: t.exposeString("reason", { nullable: true, description: "Why there is no value (no data, plugin disabled, …)." }),
  }),
});

const RollupContributionRef = builder.objectRef<RollupContribution & { level: SubjectLevel }>("RollupContribution").implement({
  description: "One member of a roll-up and what it brings to the group's total.",
  fields: (t) => ({
    subjectId: t.id({ description: "Global ID of the member.", resolve: (m) => encodeGlobalID(TYPE_OF[m.level], m.subjectId) }),
    subjectName: t.exposeString("subjectName", { description: "Its name." }),
    total: t.exposeFloat("total", { nullable: true, description: "Its own total (0–100)." }),
    share: t.exposeFloat("share", { description: "Its share of the group (shares of the members counted sum to 1)." }),
    contribution: t.exposeFloat("contribution", { description: "share × total: points it brings to the group's total." }),
    weightValue: t.exposeFloat("weightValue", { nullable: true, description: "Weighted roll-ups: the weighting KPI's value for it." }),
  }),
});

const RollupRef = builder.objectRef<Rollup>("Rollup").implement({
  description: "How a group's scorecard aggregates the scorecards of its members (frameworks/rollup.ts).",
  fields: (t) => ({
    method: t.exposeString("method", { description: "mean, or weighted by the KPI `by`." }),
    by: t.exposeString("by", { nullable: true, description: "The KPI whose value weighs each member (weighted roll-ups)." }),
    memberLevel: t.field({ type: SubjectLevelEnum, description: "The level of the members aggregated.", resolve: (r) => r.memberLevel }),
    members: t.field({
      type: [RollupContributionRef],
      description: "Each member's share and contribution.",
      resolve: (r) => r.members.map((m) => ({ ...m, level: r.memberLevel })),
    }),
  }),
});

export type ScorecardShape = RolledUpScorecard & {
  companyId?: string;
  /** Replaces the subject's global ID where the reader may not know it (embed tokens, customer level). */
  publicSubjectId?: string;
};

/** Type name of the opaque IDs embed tokens see for customers: "the n-th subject of this token", nothing more. */
export const EMBEDDED_SUBJECT = "EmbeddedSubject";
export const embeddedSubjectId = (ordinal: number) => encodeGlobalID(EMBEDDED_SUBJECT, String(ordinal));

export const ScorecardRef = builder.objectRef<ScorecardShape>("Scorecard").implement({
  description: "A subject's assessment under one framework version for one period.",
  fields: (t) => ({
    framework: t.exposeString("frameworkKey", { description: "The framework's key." }),
    frameworkName: t.exposeString("frameworkName", { description: "The framework's name." }),
    frameworkVersion: t.exposeInt("frameworkVersion", { description: "The framework version this scorecard used." }),
    frameworkStatus: t.field({ type: FrameworkStatusEnum, description: "PUBLISHED, or DRAFT for a what-if.", resolve: (s) => s.frameworkStatus }),
    effectiveFrom: t.field({ type: "DateTime", nullable: true, description: "When the version used came into force.", resolve: (s) => s.effectiveFrom }),
    level: t.exposeString("level", { description: "The level of the subject." }),
    subjectId: t.id({
      description:
        "Global ID of the subject (the Company for company scorecards); for an embed token on a customer-level framework an opaque EmbeddedSubject ID instead.",
      resolve: (s) => s.publicSubjectId ?? encodeGlobalID(TYPE_OF[s.level], s.subjectId ?? s.companyId ?? ""),
    }),
    subjectName: t.exposeString("subjectName", { description: "The subject's name." }),
    period: t.field({ type: PeriodInfo, description: "The period assessed.", resolve: (s) => s.period }),
    total: t.exposeFloat("total", { nullable: true, description: "0–100." }),
    grade: t.exposeString("grade", { nullable: true, description: "The framework's grade for the total." }),
    rank: t.exposeInt("rank", { nullable: true, description: "1 = best among peers with a total; ties share a rank." }),
    peerCount: t.exposeInt("peerCount", { description: "Subjects of the level with a total." }),
    previousTotal: t.exposeFloat("previousTotal", { nullable: true, description: "Total of the previous period under the same version." }),
    change: t.exposeFloat("change", { nullable: true, description: "total − previousTotal." }),
    items: t.field({ type: [ScorecardItemRef], description: "One per framework item.", resolve: (s) => s.items }),
    rollup: t.field({
      type: RollupRef,
      nullable: true,
      description: "For a framework of a lower level (e.g. a member framework asked of a team): how the members' scorecards were aggregated.",
      resolve: (s) => s.rollup ?? null,
    }),
  }),
});

function memoized<T>(ctx: Context, key: string, make: () => Promise<T>): Promise<T> {
  return ctx.metrics().then((scope) => {
    let hit = scope.memo.get(key) as Promise<T> | undefined;
    if (!hit) scope.memo.set(key, (hit = make()));
    return hit;
  });
}

/** Every subject's scorecard for a framework and period, computed once per request. */
export async function ranking(ctx: Context, key: string, version: number | null | undefined, periodArg: PeriodArg): Promise<ScorecardShape[]> {
  const scope = await ctx.metrics();
  const period: Period = await periodFor(ctx, periodArg);
  const drafts = canSeeDrafts(ctx);
  return memoized(ctx, `scorecards|${key}|${version ?? "in-force"}|${periodLabel(period)}|${period.grain}|${drafts}`, async () =>
    (await rankSubjects(ctx.db, scope.session, companyOf(ctx), { key, version, drafts }, period)).map((c) => ({ ...c, companyId: companyOf(ctx) })),
  );
}

/** Scorecards of a framework for subjects of `level`: its own level, or rolled up from a lower one. */
export async function scorecardsAt(ctx: Context, key: string, version: number | null | undefined, periodArg: PeriodArg, level: SubjectLevel): Promise<ScorecardShape[]> {
  const scope = await ctx.metrics();
  const period: Period = await periodFor(ctx, periodArg);
  const drafts = canSeeDrafts(ctx);
  const companyId = companyOf(ctx);
  const fw = await memoized(ctx, `framework|${key}|${version ?? "in-force"}|${periodLabel(period)}|${period.grain}|${drafts}`, () =>
    frameworkForPeriod(ctx.db, companyId, { key, version, drafts }, period),
  );
  const own = fw.framework.level as SubjectLevel;
  if (own === level) return ranking(ctx, key, fw.version, periodArg);
  if (!ROLLS_UP_TO[own].includes(level)) {
    throw userError("WRONG_LEVEL", "framework", `framework "${key}" assesses each ${own}; it does not roll up to a ${level}`);
  }
  return memoized(ctx, `rollup|${key}|${fw.version}|${periodLabel(period)}|${period.grain}|${level}`, async () => {
    const cards = await ranking(ctx, key, fw.version, periodArg);
    const names = await subjectNames(ctx.db, companyId, level);
    return (await rollUp(ctx.db, scope.session, companyId, fw, cards, level, period, names)).map((c) => ({ ...c, companyId }));
  });
}

for (const [ref, level] of [[TeamRef, "team"], [MemberRef, "member"], [CustomerRef, "customer"]] as const) {
  builder.objectField(ref as typeof TeamRef, "scorecard", (t) =>
    t.field({
      type: ScorecardRef,
      nullable: true,
      description: `This ${level}'s scorecard under a framework: one for the ${level} level, or a lower level's rolled up to this ${level}.`,
      args: {
        framework: t.arg.string({ required: true, description: "The framework's key." }),
        version: t.arg.int({ required: false, description: "Default: the published version in force at the period's end. Admins and managers may name a draft." }),
        period: t.arg({ type: PeriodInput, required: true, description: "The period assessed." }),
      },
      resolve: (subject, args, ctx) =>
        withUserErrors(async () => {
          const cards = await scorecardsAt(ctx, args.framework, args.version, args.period, level);
          return cards.find((c) => c.subjectId === subject.id) ?? null;
        }),
    }),
  );
}

const ReportFormat = builder.enumType("ReportFormat", {
  description: "Format of a report.",
  values: { CSV: { value: "csv", description: "One row per subject." }, MARKDOWN: { value: "markdown", description: "A readable summary." } } as const,
});

builder.objectFields(CompanyRef, (t) => ({
  report: t.string({
    nullable: true,
    description: "The periodic management report: CSV rows per subject, or a Markdown summary (top/bottom, movers, KPIs below target).",
    args: {
      framework: t.arg.string({ required: true, description: "The framework's key." }),
      version: t.arg.int({ required: false, description: "Default: the version in force at the period's end." }),
      period: t.arg({ type: PeriodInput, required: true, description: "The period reported." }),
      format: t.arg({ type: ReportFormat, required: true, description: "CSV or MARKDOWN." }),
      locale: t.arg({ type: EmbedLanguage, required: false, description: "Language of KPI names in the Markdown report (default EN)." }),
    },
    resolve: (_c, args, ctx) =>
      withUserErrors(async () => {
        const cards: NamedScorecard[] = await ranking(ctx, args.framework, args.version, args.period);
        return args.format === "csv" ? reportCsv(cards) : reportMarkdown(cards, { locale: args.locale ?? "en" });
      }),
  }),
  frameworks: t.field({
    type: [FrameworkRef],
    description: "Latest version of each framework (drafts included for admins and managers; deleted frameworks left out).",
    resolve: (company, _a, ctx) => latestFrameworks(ctx.db, company.id, canSeeDrafts(ctx)),
  }),
  ranking: t.field({
    type: [ScorecardRef],
    nullable: true,
    description:
      "Every subject of the framework's level (or, with `level`, every group it rolls up to), best first. Null (with an error) when the framework is unknown or not in force; an item whose formula fails for a subject has an error on that item's value.",
    args: {
      framework: t.arg.string({ required: true, description: "The framework's key." }),
      version: t.arg.int({ required: false, description: "Default: the published version in force at the period's end." }),
      period: t.arg({ type: PeriodInput, required: true, description: "The period assessed." }),
      level: t.arg({ type: SubjectLevelEnum, required: false, description: "Rank the groups of this higher level (roll-up) instead of the framework's own subjects." }),
      first: t.arg.int({ required: false, defaultValue: 100, description: "At most this many (≤ 1000)." }),
    },
    resolve: (_c, args, ctx) =>
      withUserErrors(async () => {
        const cards = args.level ? await scorecardsAt(ctx, args.framework, args.version, args.period, args.level) : await ranking(ctx, args.framework, args.version, args.period);
        return cards.slice(0, Math.max(0, Math.min(args.first ?? 100, 1000)));
      }),
  }),
  scorecard: t.field({
    type: ScorecardRef,
    nullable: true,
    description: "The company's scorecard: a company-level framework, or a team, member or customer framework rolled up to the company.",
    args: {
      framework: t.arg.string({ required: true, description: "The framework's key." }),
      version: t.arg.int({ required: false, description: "Default: the published version in force at the period's end." }),
      period: t.arg({ type: PeriodInput, required: true, description: "The period assessed." }),
    },
    resolve: (_c, args, ctx) => withUserErrors(async () => (await scorecardsAt(ctx, args.framework, args.version, args.period, "company"))[0] ?? null),
  }),
}));

const ComparisonRowRef = builder.objectRef<ComparisonRow & { companyId: string }>("FrameworkComparisonRow").implement({
  description: "One subject's scorecard under the published version in force and under the draft.",
  fields: (t) => ({
    subjectId: t.id({
      description: "Global ID of the subject.",
      resolve: (r) => encodeGlobalID(TYPE_OF[r.draft.level], r.subjectId ?? r.companyId),
    }),
    subjectName: t.exposeString("subjectName", { description: "The subject's name." }),
    publishedTotal: t.float({ nullable: true, description: "Total under the published version (null when none was in force).", resolve: (r) => r.published?.total ?? null }),
    draftTotal: t.float({ nullable: true, description: "Total under the draft.", resolve: (r) => r.draft.total }),
    change: t.exposeFloat("change", { nullable: true, description: "draftTotal − publishedTotal." }),
    publishedRank: t.int({ nullable: true, description: "Rank under the published version.", resolve: (r) => r.published?.rank ?? null }),
    draftRank: t.int({ nullable: true, description: "Rank under the draft.", resolve: (r) => r.draft.rank }),
    published: t.field({ type: ScorecardRef, nullable: true, description: "The whole scorecard under the published version.", resolve: (r) => (r.published ? { ...r.published, companyId: r.companyId } : null) }),
    draft: t.field({ type: ScorecardRef, description: "The whole scorecard under the draft.", resolve: (r) => ({ ...r.draft, companyId: r.companyId }) }),
  }),
});

const PeriodComparisonRef = builder.objectRef<PeriodComparison & { companyId: string }>("FrameworkComparison").implement({
  description: "A what-if for one period: every subject under the published version in force and under the draft.",
  fields: (t) => ({
    period: t.field({ type: PeriodInfo, description: "The period.", resolve: (c) => c.period }),
    publishedVersion: t.exposeInt("publishedVersion", { nullable: true, description: "The published version in force at the period's end (null: none)." }),
    draftVersion: t.exposeInt("draftVersion", { description: "The version compared (the draft)." }),
    rows: t.field({
      type: [ComparisonRowRef],
      description: "One per subject, in the draft's ranking order.",
      resolve: (c) => c.rows.map((r) => ({ ...r, companyId: c.companyId })),
    }),
  }),
});

builder.objectField(CompanyRef, "overviewReport", (t) =>
  t.string({
    nullable: true,
    description: "The company KPI overview: each KPI's value, target (the company's own for the period, else the plugin's), previous period, change and attainment.",
    args: {
      period: t.arg({ type: PeriodInput, required: true, description: "The period reported." }),
      keys: t.arg.stringList({ required: false, description: "The KPIs, in this order; default every KPI defined for the company." }),
      format: t.arg({ type: ReportFormat, required: true, description: "CSV or MARKDOWN." }),
    },
    resolve: (company, args, ctx) =>
      withUserErrors(async () => {
        const period = await periodFor(ctx, args.period);
        const rows = await companyOverview(ctx.db, (await ctx.metrics()).session, company.id, period, args.keys);
        return args.format === "csv" ? overviewCsv(rows) : overviewMarkdown(rows, period, company.name);
      }),
  }),
);

builder.objectField(CompanyRef, "frameworkComparison", (t) =>
  t.field({
    type: [PeriodComparisonRef],
    authScopes: { manager: true },
    description: "What-if (admins and managers): a draft scored and ranked beside the published version in force, for each of the given periods, in one request.",
    args: {
      framework: t.arg.string({ required: true, description: "The framework's key." }),
      version: t.arg.int({ required: false, description: "The version to compare; default the latest (the open draft)." }),
      periods: t.arg({ type: [PeriodInput], required: true, description: "1–12 periods, e.g. the last four quarters." }),
    },
    resolve: (_c, args, ctx) =>
      withUserErrors(async () => {
        if (args.periods.length === 0 || args.periods.length > 12) throw userError("BAD_USER_INPUT", "periods", "periods: give 1 to 12 periods");
        const periods = await Promise.all(args.periods.map((p) => periodFor(ctx, p)));
        const companyId = companyOf(ctx);
        const out = await compareWithPublished(ctx.db, (await ctx.metrics()).session, companyId, args.framework, args.version, periods);
        return out.map((c) => ({ ...c, companyId }));
      }),
  }),
);

const publishArgs = {
  effectiveFrom: "Publish at once, in force from this instant (admins).",
  rescoreHistory: "Allow an effectiveFrom in the past of an already published framework: the periods it covers are re-scored with the new version (audited).",
};

builder.mutationFields((t) => ({
  createFramework: t.field({
    type: FrameworkRef,
    authScopes: { admin: true },
    description: "Stores a framework as a DRAFT (version 1); publishFramework puts it in force. With effectiveFrom it is published at once.",
    args: {
      document: t.arg({ type: "JSON", required: true, description: "The framework document." }),
      effectiveFrom: t.arg({ type: "DateTime", required: false, description: publishArgs.effectiveFrom }),
    },
    resolve: (_r, { document, effectiveFrom }, ctx) =>
      withUserErrors(async () =>
        saveFramework(ctx.db, ctx.viewer!, (await ctx.metrics()).session.catalog, document, undefined, effectiveFrom ? { effectiveFrom } : undefined),
      ),
  }),
  updateFramework: t.field({
    type: FrameworkRef,
    authScopes: { admin: true },
    description: "Stores the document as the framework's draft (a new version, or the open draft rewritten); published versions never change.",
    args: {
      key: t.arg.string({ required: true, description: "The framework's key." }),
      document: t.arg({ type: "JSON", required: true, description: "The framework document." }),
      effectiveFrom: t.arg({ type: "DateTime", required: false, description: publishArgs.effectiveFrom }),
      rescoreHistory: t.arg.boolean({ required: false, description: publishArgs.rescoreHistory }),
    },
    resolve: (_r, { key, document, effectiveFrom, rescoreHistory }, ctx) =>
      withUserErrors(async () =>
        saveFramework(ctx.db, ctx.viewer!, (await ctx.metrics()).session.catalog, document, key, effectiveFrom ? { effectiveFrom, rescoreHistory: !!rescoreHistory } : undefined),
      ),
  }),
  publishFramework: t.field({
    type: FrameworkRef,
    authScopes: { admin: true },
    description: "Publishes the framework's draft: in force from effectiveFrom, pinned to the current plugin versions.",
    args: {
      key: t.arg.string({ required: true, description: "The framework's key." }),
      effectiveFrom: t.arg({ type: "DateTime", required: true, description: "Periods ending after this instant are scored with the new version." }),
      rescoreHistory: t.arg.boolean({ required: false, description: publishArgs.rescoreHistory }),
    },
    resolve: (_r, { key, effectiveFrom, rescoreHistory }, ctx) =>
      withUserErrors(() => publishFramework(ctx.db, ctx.viewer!, key, { effectiveFrom, rescoreHistory: !!rescoreHistory })),
  }),
  repinFramework: t.field({
    type: FrameworkRef,
    authScopes: { admin: true },
    description: "Re-scores a published version's history with the current plugin versions (audited with the old and new pins).",
    args: {
      key: t.arg.string({ required: true, description: "The framework's key." }),
      version: t.arg.int({ required: true, description: "The published version to re-pin." }),
    },
    resolve: (_r, { key, version }, ctx) => withUserErrors(() => repinFramework(ctx.db, ctx.viewer!, key, version)),
  }),
  deleteFramework: t.boolean({
    authScopes: { admin: true },
    description: "Deletes a framework: hidden and no longer scored, its embed tokens revoked; its versions and audit trail are kept.",
    args: { key: t.arg.string({ required: true, description: "The framework's key." }) },
    resolve: (_r, { key }, ctx) => withUserErrors(async () => (await deleteFramework(ctx.db, ctx.viewer!, key), true)),
  }),
}));
