// The assessment framework format: which subject level it assesses, the KPIs
// and managers' rating items with weights (normalised), per-item scoring
// overrides, grade bands and the policy for missing data.
import { z } from "zod";
import { GRAINS } from "../metrics/period.js";
import { KEY_PATTERN, scoreSchema } from "../metrics/plugin-schema.js";

const kpiItem = z
  .object({
    kpi: z.string().min(1),
    /** Default: the plugin's weight. */
    weight: z.number().min(0).max(1000).optional(),
    /** Overrides the plugin's scoring (target, bands, quantile, expression). */
    score: scoreSchema.optional(),
  })
  .strict();

const ratingItem = z
  .object({
    rating: z.string().regex(KEY_PATTERN, "rating items are lower_snake_case"),
    name: z.string().min(1).max(120).optional(),
    weight: z.number().min(0).max(1000),
    /** Top of the rating scale managers use (1–scale). */
    scale: z.number().int().min(2).max(100).default(5),
    /** How often managers rate it: a rating covers one whole period of this grain (setRating refuses others). */
    period: z.enum(GRAINS).default("month"),
  })
  .strict();

export const frameworkSchema = z
  .object({
    key: z.string().regex(KEY_PATTERN, "must be lower_snake_case (2–63 chars)"),
    name: z.string().min(1).max(120),
    description: z.string().max(2000).default(""),
    /** company: one scorecard for the whole company (Company.scorecard). */
    level: z.enum(["company", "customer", "member", "team"]),
    items: z.array(z.union([kpiItem, ratingItem])).min(1).max(50),
    grades: z
      .array(z.object({ min: z.number().min(0).max(100), grade: z.string().min(1).max(40) }).strict())
      .min(1)
      .max(10)
      .default([
        { min: 90, grade: "excellent" },
        { min: 75, grade: "good" },
        { min: 60, grade: "pass" },
        { min: 0, grade: "fail" },
      ]),
    /** renormalize: weights of items without data are spread over the rest; zero: they score 0. */
    missing: z.enum(["renormalize", "zero"]).default("renormalize"),
    /**
     * How a member or team framework rolls up to a team or the company (rollup.ts): `mean` of the
     * subjects' totals and item scores, or `weighted` by the value of the KPI `by` (e.g. revenue).
     */
    rollup: z
      .object({ method: z.enum(["mean", "weighted"]).default("mean"), by: z.string().min(1).max(63).optional() })
      .strict()
      .default({ method: "mean" }),
  })
  .strict();

export type FrameworkDocument = z.input<typeof frameworkSchema>;
export type Framework = z.output<typeof frameworkSchema>;
export type FrameworkItem = Framework["items"][number];
export type KpiItem = z.output<typeof kpiItem>;
export type RatingItem = z.output<typeof ratingItem>;

/** KPI keys a framework scores with: its KPI items and the roll-up's weighting KPI. */
export function kpisOf(fw: Framework): string[] {
  const keys = fw.items.filter((i): i is KpiItem => !isRatingItem(i)).map((i) => i.kpi);
  if (fw.rollup.by && !keys.includes(fw.rollup.by)) keys.push(fw.rollup.by);
  return keys;
}

export function isRatingItem(item: FrameworkItem): item is RatingItem {
  return "rating" in item;
}
