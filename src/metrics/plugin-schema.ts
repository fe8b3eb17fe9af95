// The KPI plugin format. A plugin is data: measures over the catalogue's
// sources, a JSONata formula over their values, a score and a weight.
// docs/plugins.md teaches it; validate.ts checks it against the catalogue.
import { z } from "zod";
import { DIMENSIONS, SUBJECT_LEVELS, type Dimension, type SubjectLevel } from "./catalog.js";

export const AGGREGATES = ["count", "countDistinct", "sum", "avg", "min", "max", "percentile"] as const;
export const UNITS = ["percent", "count", "currency", "ratio", "score", "days", "hours", "minutes", "number"] as const;
export const OFFSETS = ["none", "previousPeriod", "samePeriodLastYear"] as const;

const scalar = z.union([z.string().max(200), z.number().finite(), z.boolean()]);

export const filterSchema = z.union([
  scalar,
  z
    .object({
      eq: scalar.optional(),
      ne: scalar.optional(),
      in: z.array(scalar).min(1).max(100).optional(),
      notIn: z.array(scalar).min(1).max(100).optional(),
      gt: z.number().finite().optional(),
      gte: z.number().finite().optional(),
      lt: z.number().finite().optional(),
      lte: z.number().finite().optional(),
      isNull: z.boolean().optional(),
    })
    .strict()
    .refine((f) => Object.keys(f).length > 0, "a filter needs at least one operator"),
]);

/** A number of days, or the name of a plugin param holding it ("params.attributionDays"). */
export const daysSchema = z.union([z.number().int().min(1).max(3660), z.string().regex(/^params\.[a-zA-Z][a-zA-Z0-9_]*$/, 'a number of days or "params.<name>"')]);
/** A bound on a per-entity value: a number or "params.<name>". */
const boundSchema = z.union([z.number().finite(), z.string().regex(/^params\.[a-zA-Z][a-zA-Z0-9_]*$/, 'a number or "params.<name>"')]);

/** Entities a cohort follows or a nested aggregate groups by. */
export const ENTITIES = ["customer", "opportunity"] as const;
export type Entity = (typeof ENTITIES)[number];
export const OUTER_AGGREGATES = ["count", "sum", "avg", "min", "max", "percentile"] as const;

export const cohortSchema = z
  .object({
    /** The source of the cohort's entry event (e.g. opportunityStages entering "lead"). */
    source: z.string(),
    /** Its time field placed in the period (default: the source's first). */
    time: z.string().optional(),
    where: z.record(z.string(), filterSchema).optional(),
    /** What links the entry event to the measure's rows. */
    by: z.enum(ENTITIES),
    /** Follow each entity for this many days after its entry (default: until now). */
    within: z.object({ days: daysSchema }).strict().optional(),
  })
  .strict();

export const havingSchema = z
  .object({ eq: boundSchema.optional(), ne: boundSchema.optional(), gt: boundSchema.optional(), gte: boundSchema.optional(), lt: boundSchema.optional(), lte: boundSchema.optional() })
  .strict()
  .refine((f) => Object.keys(f).length > 0, "a having needs at least one operator");

export const measureSchema = z
  .object({
    source: z.string(),
    aggregate: z.enum(AGGREGATES),
    field: z.string().optional(),
    percentile: z.number().min(0).max(1).optional(),
    where: z.record(z.string(), filterSchema).optional(),
    /** The time field placed in the period (default: the source's first). */
    time: z.string().optional(),
    /** State at an instant instead of events within the period (customers only). */
    at: z.enum(["periodStart", "periodEnd"]).optional(),
    offset: z.enum(OFFSETS).default("none"),
    /** In a breakdown, keep this measure whole (e.g. the total a share divides by). */
    whole: z.boolean().default(false),
    /** Trailing window: the `days` days ending at the period's end, whatever the period's length. */
    window: z.object({ days: daysSchema }).strict().optional(),
    /** Cohort: rows of entities whose entry event (cohort.source) fell in the period, whenever the rows happened. */
    cohort: cohortSchema.optional(),
    /** Nested aggregate: `aggregate` per entity first, then `over` across the entities. */
    per: z.enum(ENTITIES).optional(),
    /** With per: the aggregate across entities (default count of entities). */
    over: z.enum(OUTER_AGGREGATES).optional(),
    /** With per: keep only entities whose own value passes these bounds. */
    having: havingSchema.optional(),
  })
  .strict();

export const scoreSchema = z.discriminatedUnion("method", [
  z
    .object({
      method: z.literal("target"),
      target: z.number().finite(),
      /** The value that scores 0 (default 0 when higher is better, 2×target when lower is better). */
      worst: z.number().finite().optional(),
    })
    .strict(),
  z
    .object({
      method: z.literal("bands"),
      bands: z
        .array(z.object({ min: z.number().finite().optional(), max: z.number().finite().optional(), score: z.number().min(0).max(100) }).strict())
        .min(1)
        .max(20),
    })
    .strict(),
  z.object({ method: z.literal("quantile") }).strict(),
  z.object({ method: z.literal("expression"), expression: z.string().min(1).max(2000) }).strict(),
]);

/** Locales a plugin may translate its name and description into (English is the document's own). */
export const TRANSLATED_LOCALES = ["zh"] as const;
export type TranslatedLocale = (typeof TRANSLATED_LOCALES)[number];

/** Plugin, framework and rating keys: lower_snake_case, 2–63 characters. */
export const KEY_PATTERN = /^[a-z][a-z0-9_]{1,62}$/;

export const pluginSchema = z
  .object({
    key: z
      .string()
      .regex(KEY_PATTERN, "must be lower_snake_case: a letter, then letters, digits or _ (2–63 chars)"),
    name: z.string().min(1).max(120),
    description: z.string().max(2000).default(""),
    category: z.string().max(60).default("general"),
    unit: z.enum(UNITS),
    direction: z.enum(["higher_is_better", "lower_is_better"]).default("higher_is_better"),
    subjects: z.array(z.enum(SUBJECT_LEVELS as readonly SubjectLevel[] as [SubjectLevel, ...SubjectLevel[]])).min(1),
    params: z.record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]*$/), z.number().finite()).default({}),
    measures: z.record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,62}$/, "measure names are identifiers"), measureSchema),
    formula: z.string().min(1).max(4000),
    breakdowns: z.array(z.enum(DIMENSIONS as readonly Dimension[] as [Dimension, ...Dimension[]])).default([]),
    score: scoreSchema.default({ method: "quantile" }),
    weight: z.number().min(0).max(1).default(0.1),
    /** Where the definition comes from (article, standard). */
    reference: z.string().max(500).optional(),
    /** Name and description in other locales; `name`/`description` above are English. */
    translations: z
      .partialRecord(z.enum(TRANSLATED_LOCALES), z.object({ name: z.string().min(1).max(120), description: z.string().max(2000).optional() }).strict())
      .optional(),
  })
  .strict();

export type PluginDocument = z.input<typeof pluginSchema>;
export type Plugin = z.output<typeof pluginSchema>;
export type Measure = z.output<typeof measureSchema>;
export type Filter = z.output<typeof filterSchema>;
export type Cohort = z.output<typeof cohortSchema>;
export type Having = z.output<typeof havingSchema>;
export type ScoreSpec = z.output<typeof scoreSchema>;
