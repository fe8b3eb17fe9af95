// Frameworks (versioned weighted scorecards), scorecards on Team, Member and
// Customer, and the company-wide ranking.
import { encodeGlobalID } from "@pothos/plugin-relay";
import type { SubjectLevel } from "../metrics/catalog.js";
import { periodLabel, type Period } from "../metrics/period.js";
import { latestFrameworks, parseStored, saveFramework, type FrameworkRecord } from "../frameworks/framework-store.js";
import { rankSubjects } from "../frameworks/ranking.js";
import { reportCsv, reportMarkdown, type NamedScorecard } from "../frameworks/report.js";
import type { ScorecardItem } from "../frameworks/scorecard.js";
import { builder } from "./builder.js";
import { CompanyRef } from "./company.js";
import { companyOf, type Context } from "./context.js";
import { CustomerRef } from "./customer.js";
import { orFail, userError, withUserErrors } from "./errors.js";
import { periodFor, PeriodInput, PeriodInfo, type PeriodArg } from "./metric.js";
import { MemberRef, TeamRef } from "./team.js";

const FrameworkRef = builder.objectRef<FrameworkRecord>("Framework").implement({
  description: "An assessment framework: a weighted scorecard for one subject level. Every update is a new version.",
  fields: (t) => ({
    key: t.exposeString("key"),
    version: t.exposeInt("version"),
    name: t.string({ resolve: (f) => parseStored(f).framework.name }),
    level: t.string({ resolve: (f) => parseStored(f).framework.level }),
    document: t.expose("document", { type: "JSON" }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

const ScorecardItemRef = builder.objectRef<ScorecardItem>("ScorecardItem").implement({
  fields: (t) => ({
    id: t.exposeString("id", { description: "KPI key, or rating:<item> for a manager's rating." }),
    kind: t.exposeString("kind"),
    name: t.exposeString("name"),
    unit: t.exposeString("unit"),
    value: t.float({
      nullable: true,
      description: "The item's value for this subject: null without data, or when its formula failed (then an error with this field's path says why, and the item counts as having no data).",
      resolve: (i) => orFail(i.value, i.error),
    }),
    score: t.exposeFloat("score", { nullable: true, description: "0–100; null when value is null (or the score expression failed)." }),
    weight: t.exposeFloat("weight", { description: "Normalised weight applied (weights sum to 1 over the items counted)." }),
    contribution: t.exposeFloat("contribution", { description: "weight × score: points added to the total." }),
    target: t.exposeFloat("target", { nullable: true }),
    reason: t.exposeString("reason", { nullable: true }),
  }),
});

type ScorecardShape = NamedScorecard;

/** GraphQL type of each subject level (for global IDs). */
export const TYPE_OF: Record<SubjectLevel, string> = { company: "Company", team: "Team", member: "Member", customer: "Customer" };

export const ScorecardRef = builder.objectRef<ScorecardShape>("Scorecard").implement({
  fields: (t) => ({
    framework: t.exposeString("frameworkKey"),
    frameworkVersion: t.exposeInt("frameworkVersion", { description: "The framework version this scorecard used." }),
    level: t.exposeString("level"),
    subjectId: t.id({ resolve: (s) => encodeGlobalID(TYPE_OF[s.level], s.subjectId) }),
    subjectName: t.exposeString("subjectName"),
    period: t.field({ type: PeriodInfo, resolve: (s) => s.period }),
    total: t.exposeFloat("total", { nullable: true, description: "0–100." }),
    grade: t.exposeString("grade", { nullable: true }),
    rank: t.exposeInt("rank", { nullable: true, description: "1 = best among peers with a total; ties share a rank." }),
    peerCount: t.exposeInt("peerCount"),
    previousTotal: t.exposeFloat("previousTotal", { nullable: true }),
    change: t.exposeFloat("change", { nullable: true }),
    items: t.field({ type: [ScorecardItemRef], resolve: (s) => s.items }),
  }),
});

/** Every subject's scorecard for a framework and period, computed once per request. */
export async function ranking(ctx: Context, key: string, version: number | null | undefined, periodArg: PeriodArg): Promise<ScorecardShape[]> {
  const scope = await ctx.metrics();
  const period: Period = await periodFor(ctx, periodArg);
  const memoKey = `scorecards|${key}|${version ?? "latest"}|${periodLabel(period)}|${period.grain}`;
  let hit = scope.memo.get(memoKey) as Promise<ScorecardShape[]> | undefined;
  if (!hit) {
    hit = rankSubjects(ctx.db, scope.session, companyOf(ctx), { key, version }, period);
    scope.memo.set(memoKey, hit);
  }
  return hit;
}

for (const [ref, level] of [[TeamRef, "team"], [MemberRef, "member"], [CustomerRef, "customer"]] as const) {
  builder.objectField(ref as typeof TeamRef, "scorecard", (t) =>
    t.field({
      type: ScorecardRef,
      nullable: true,
      description: `This ${level}'s scorecard under a framework for the ${level} level.`,
      args: {
        framework: t.arg.string({ required: true }),
        version: t.arg.int({ required: false, description: "Default: the latest version." }),
        period: t.arg({ type: PeriodInput, required: true }),
      },
      resolve: (subject, args, ctx) =>
        withUserErrors(async () => {
          const cards = await ranking(ctx, args.framework, args.version, args.period);
          const other = cards.find((c) => c.level !== level);
          if (other) throw userError("WRONG_LEVEL", "framework", `framework "${args.framework}" assesses each ${other.level}, not each ${level}`);
          return cards.find((c) => c.subjectId === subject.id) ?? null;
        }),
    }),
  );
}

const ReportFormat = builder.enumType("ReportFormat", { values: { CSV: { value: "csv" }, MARKDOWN: { value: "markdown" } } as const });

builder.objectFields(CompanyRef, (t) => ({
  report: t.string({
    nullable: true,
    description: "The periodic management report: CSV rows per subject, or a Markdown summary (top/bottom, movers, KPIs below target).",
    args: {
      framework: t.arg.string({ required: true }),
      version: t.arg.int({ required: false }),
      period: t.arg({ type: PeriodInput, required: true }),
      format: t.arg({ type: ReportFormat, required: true }),
    },
    resolve: (_c, args, ctx) =>
      withUserErrors(async () => {
        const cards = await ranking(ctx, args.framework, args.version, args.period);
        return args.format === "csv" ? reportCsv(cards) : reportMarkdown(cards);
      }),
  }),
  frameworks: t.field({
    type: [FrameworkRef],
    description: "Latest version of each framework.",
    resolve: (company, _a, ctx) => latestFrameworks(ctx.db, company.id),
  }),
  ranking: t.field({
    type: [ScorecardRef],
    nullable: true,
    description:
      "Every subject of the framework's level, best first. Null (with an error) when the framework is unknown or one of its KPIs is; an item whose formula fails for a subject has an error on that item's value.",
    args: {
      framework: t.arg.string({ required: true }),
      version: t.arg.int({ required: false, description: "Default: the latest version." }),
      period: t.arg({ type: PeriodInput, required: true }),
      first: t.arg.int({ required: false, defaultValue: 100 }),
    },
    resolve: (_c, args, ctx) =>
      withUserErrors(async () => (await ranking(ctx, args.framework, args.version, args.period)).slice(0, Math.max(0, Math.min(args.first ?? 100, 1000)))),
  }),
}));

builder.mutationFields((t) => ({
  createFramework: t.field({
    type: FrameworkRef,
    authScopes: { admin: true },
    args: { document: t.arg({ type: "JSON", required: true }) },
    resolve: (_r, { document }, ctx) =>
      withUserErrors(async () => saveFramework(ctx.db, ctx.viewer!, (await ctx.metrics()).session.catalog, document)),
  }),
  updateFramework: t.field({
    type: FrameworkRef,
    authScopes: { admin: true },
    description: "Stores a new version; scorecards may still ask for an earlier one.",
    args: { key: t.arg.string({ required: true }), document: t.arg({ type: "JSON", required: true }) },
    resolve: (_r, { key, document }, ctx) =>
      withUserErrors(async () => saveFramework(ctx.db, ctx.viewer!, (await ctx.metrics()).session.catalog, document, key)),
  }),
}));
