// Company settings an admin may change: the company's name, time zone and
// currency (checked by src/org/company.ts, the CLI's rules), and the embed
// page's (who may frame it, its default theme and language). The embed change
// is merged into companies.settings: keys it does not name (e.g. import
// vocabularies) stay. docs/onboarding.md says what a time-zone change does.
import { z } from "zod";
import { audit } from "../auth/audit.js";
import { checkFrameAncestor, LANGS, MAX_FRAME_ANCESTORS, normaliseAccent, THEMES, type Lang, type Theme } from "../embed/settings.js";
import type { Prisma } from "../generated/prisma/client.js";
import { builder } from "./builder.js";
import { companyOf } from "./context.js";
import { userError, withUserErrors } from "./errors.js";
import { bumpDataVersion } from "../metrics/data-version.js";
import { checkCurrency, checkName, checkTimeZone, CompanyInputError } from "../org/company.js";

const EmbedThemeMode = builder.enumType("EmbedThemeMode", {
  description: "LIGHT, DARK, or AUTO (follows the reader's system setting).",
  values: Object.fromEntries(THEMES.map((t) => [t.toUpperCase(), { value: t }])) as Record<Uppercase<Theme>, { value: Theme }>,
});

export const EmbedLanguage = builder.enumType("EmbedLanguage", {
  description: "A language of the product's text: the embed page's, and KPI names and descriptions (metricDefinitions(locale:)).",
  values: Object.fromEntries(LANGS.map((l) => [l.toUpperCase(), { value: l }])) as Record<Uppercase<Lang>, { value: Lang }>,
});

const EmbedThemeInput = builder.inputType("EmbedThemeInput", {
  description: "Defaults of the embed page; the page's URL (theme=, accent=) overrides them. null removes a default.",
  fields: (t) => ({
    theme: t.field({ type: EmbedThemeMode, required: false }),
    accent: t.string({ required: false, description: "Hex colour: #2563eb or #26e." }),
  }),
});

const CompanySettingsInput = builder.inputType("CompanySettingsInput", {
  description: "Settings to change. An omitted field is left as it is; null removes the setting (back to its default).",
  fields: (t) => ({
    name: t.string({ required: false, description: "The company's display name (1–200 characters)." }),
    timeZone: t.string({
      required: false,
      description:
        "IANA time zone (e.g. Asia/Shanghai). Periods are cut in it from the next request on; stored instants do not move (see docs/onboarding.md).",
    }),
    currency: t.field({
      type: "Currency",
      required: false,
      description: "ISO 4217 code of the company's money amounts (the default for imported rows that name none); stored amounts are not converted.",
    }),
    embedFrameAncestors: t.stringList({
      required: false,
      description:
        "Origins whose pages may show the embed page in a frame (CSP frame-ancestors), e.g. https://portal.example.com, https://*.example.com, 'self'. Empty or unset: nobody ('none').",
    }),
    embedTheme: t.field({ type: EmbedThemeInput, required: false }),
    embedLanguage: t.field({ type: EmbedLanguage, required: false, description: "The page's language when its URL has no lang=." }),
  }),
});

const CONTROL = /[\u0000-\u001f\u007f]/;

const inputSchema = z.object({
  embedFrameAncestors: z
    .array(z.string().max(1000).refine((s) => !CONTROL.test(s), "contains a control character"))
    .max(MAX_FRAME_ANCESTORS, `at most ${MAX_FRAME_ANCESTORS} origins`)
    .superRefine((list, ctx) => {
      list.forEach((entry, i) => {
        const r = checkFrameAncestor(entry);
        if (!r.ok) ctx.addIssue({ code: "custom", path: [i], message: r.reason });
      });
      const none = list.findIndex((e) => e.trim() === "'none'");
      if (none >= 0 && list.length > 1) ctx.addIssue({ code: "custom", path: [none], message: "'none' cannot be combined with other origins" });
    })
    .transform((list) => [...new Set(list.map((e) => checkFrameAncestor(e)).flatMap((r) => (r.ok ? [r.value] : [])))].filter((e) => e !== "'none'"))
    .nullish(),
  embedTheme: z
    .object({
      theme: z.enum(THEMES).nullish(),
      accent: z
        .string()
        .max(20)
        .refine((a) => normaliseAccent(a) !== null, "expected a hex colour such as #2563eb or #26e")
        .transform((a) => normaliseAccent(a)!)
        .nullish(),
    })
    .nullish(),
  embedLanguage: z.enum(LANGS).nullish(),
});

type Patch = z.output<typeof inputSchema>;

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === "object" && !Array.isArray(v);
}

/** Applies the patch to settings.embed; every other key of settings is kept as stored. */
export function mergeEmbedSettings(settings: unknown, patch: Patch): Record<string, unknown> {
  const out: Record<string, unknown> = isObject(settings) ? { ...settings } : {};
  const embed: Record<string, unknown> = isObject(out.embed) ? { ...out.embed } : {};
  const set = (key: string, value: unknown) => {
    if (value === undefined) return;
    if (value === null) delete embed[key];
    else embed[key] = value;
  };
  set("frameAncestors", patch.embedFrameAncestors);
  if (patch.embedTheme === null) {
    delete embed.theme;
    delete embed.accent;
  } else if (patch.embedTheme) {
    set("theme", patch.embedTheme.theme);
    set("accent", patch.embedTheme.accent);
  }
  set("language", patch.embedLanguage);
  if (Object.keys(embed).length > 0) out.embed = embed;
  else delete out.embed;
  return out;
}

/** The identity fields of the input, checked; null is refused (a company always has a name, zone and currency). */
function checkIdentity(input: { name?: string | null; timeZone?: string | null; currency?: string | null }) {
  const out: { name?: string; timeZone?: string; currency?: string } = {};
  try {
    for (const field of ["name", "timeZone", "currency"] as const) {
      const value = input[field];
      if (value === undefined) continue;
      if (value === null) throw new CompanyInputError(field, "cannot be removed; give a new value or omit the field");
      out[field] = field === "name" ? checkName(value) : field === "timeZone" ? checkTimeZone(value) : checkCurrency(value);
    }
  } catch (err) {
    if (err instanceof CompanyInputError) throw userError("BAD_USER_INPUT", `input.${err.field}`, `input.${err.field}: ${err.reason}`);
    throw err;
  }
  return out;
}

builder.mutationField("updateCompanySettings", (t) =>
  t.prismaField({
    type: "Company",
    authScopes: { admin: true },
    description:
      "Changes the company's name, time zone, currency and settings (the embed page's frame-ancestors, theme and language defaults); other settings are kept. Audited.",
    args: { input: t.arg({ type: CompanySettingsInput, required: true }) },
    resolve: (query, _root, { input }, ctx) =>
      withUserErrors(async () => {
        const parsed = inputSchema.safeParse(input);
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          const field = ["input", ...issue.path.map(String)].join(".");
          throw userError("BAD_USER_INPUT", field, `${field}: ${issue.message}`);
        }
        const patch = parsed.data;
        const identity = checkIdentity(input);
        const companyId = companyOf(ctx);
        return ctx.prisma.$transaction(async (tx) => {
          // The row is locked so that two changes to different keys cannot overwrite each other.
          await tx.$queryRaw`SELECT id::text FROM companies WHERE id = ${companyId}::uuid FOR UPDATE`;
          const current = await tx.company.findUniqueOrThrow({ where: { id: companyId }, select: { settings: true, name: true, timeZone: true, currency: true } });
          const stored = typeof current.settings === "string" ? (JSON.parse(current.settings) as unknown) : current.settings;
          const settings = mergeEmbedSettings(stored, patch);
          const updated = await tx.company.update({
            ...query,
            where: { id: companyId },
            data: { settings: settings as Prisma.InputJsonObject, ...identity },
          });
          const changed = Object.entries(input)
            .filter(([, v]) => v !== undefined)
            .map(([k]) => k);
          const before = Object.fromEntries(Object.keys(identity).map((k) => [k, current[k as keyof typeof identity]]));
          await audit(tx, ctx.viewer!, "company.settings.update", companyId, {
            changed,
            embed: (settings.embed ?? null) as Prisma.InputJsonValue,
            ...(Object.keys(identity).length > 0 ? { before, after: { ...identity } } : {}),
          });
          // A new zone cuts every period differently: no result computed before may be served after
          // (results are keyed by instants, so this is belt and braces, and costs one cache miss).
          if (identity.timeZone !== undefined && identity.timeZone !== current.timeZone) await bumpDataVersion(tx, companyId);
          return updated;
        });
      }),
  }),
);
