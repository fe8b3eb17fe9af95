// A company's own KPI plugins: admins register, version, enable and delete them.
import { frameworksUsing } from "../frameworks/framework-store.js";
import {
  companyPluginVersions,
  deleteCompanyPlugin,
  registerCompanyPlugin,
  setCompanyPluginEnabled,
  updateCompanyPlugin,
  type PluginRecord,
} from "../metrics/plugin-store.js";
import { builder } from "./builder.js";
import { CompanyRef } from "./company.js";
import { companyOf } from "./context.js";
import { withUserErrors } from "./errors.js";

const PluginVersion = builder.objectRef<PluginRecord>("MetricPluginVersion").implement({
  fields: (t) => ({
    key: t.exposeString("key"),
    version: t.exposeInt("version"),
    enabled: t.exposeBoolean("enabled"),
    document: t.expose("document", { type: "JSON" }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

interface PluginShape {
  key: string;
  latest: PluginRecord;
}

const MetricPlugin = builder.objectRef<PluginShape>("MetricPlugin").implement({
  description: "A KPI plugin the company added itself.",
  fields: (t) => ({
    key: t.exposeString("key"),
    version: t.int({ resolve: (p) => p.latest.version }),
    enabled: t.boolean({ resolve: (p) => p.latest.enabled }),
    document: t.field({ type: "JSON", resolve: (p) => p.latest.document }),
    versions: t.field({
      type: [PluginVersion],
      description: "Every version, oldest first; old versions stay readable.",
      resolve: (p, _a, ctx) => companyPluginVersions(ctx.db, companyOf(ctx), p.key),
    }),
  }),
});

builder.objectField(CompanyRef, "metricPlugins", (t) =>
  t.field({
    type: [MetricPlugin],
    authScopes: { viewer: true },
    resolve: async (company, _a, ctx) => {
      const rows = await ctx.prisma.metricPlugin.findMany({ where: { companyId: company.id }, orderBy: [{ key: "asc" }, { version: "desc" }] });
      const latest = new Map<string, PluginRecord>();
      for (const r of rows) if (!latest.has(r.key)) latest.set(r.key, r);
      return [...latest.values()].map((r) => ({ key: r.key, latest: r }));
    },
  }),
);

const admin = { admin: true } as const;

builder.mutationFields((t) => ({
  registerMetricPlugin: t.field({
    type: MetricPlugin,
    authScopes: admin,
    description: "Validates a plugin document, dry-runs it on your data and stores it as version 1 — or rejects it whole, with every fault.",
    args: { document: t.arg({ type: "JSON", required: true }) },
    resolve: (_r, { document }, ctx) =>
      withUserErrors(async () => {
        const row = await registerCompanyPlugin(ctx.db, ctx.viewer!, document);
        return { key: row.key, latest: row };
      }),
  }),
  updateMetricPlugin: t.field({
    type: MetricPlugin,
    authScopes: admin,
    description: "Stores a new version of your plugin; earlier versions stay readable.",
    args: { key: t.arg.string({ required: true }), document: t.arg({ type: "JSON", required: true }) },
    resolve: (_r, { key, document }, ctx) =>
      withUserErrors(async () => {
        const row = await updateCompanyPlugin(ctx.db, ctx.viewer!, key, document);
        return { key: row.key, latest: row };
      }),
  }),
  setMetricPluginEnabled: t.field({
    type: MetricPlugin,
    authScopes: admin,
    args: { key: t.arg.string({ required: true }), enabled: t.arg.boolean({ required: true }) },
    resolve: (_r, { key, enabled }, ctx) =>
      withUserErrors(async () => {
        const row = await setCompanyPluginEnabled(ctx.db, ctx.viewer!, key, enabled);
        return { key: row.key, latest: row };
      }),
  }),
  deleteMetricPlugin: t.boolean({
    authScopes: admin,
    description: "Deletes every version. Refused while a framework uses the KPI.",
    args: { key: t.arg.string({ required: true }) },
    resolve: (_r, { key }, ctx) =>
      withUserErrors(async () => {
        await deleteCompanyPlugin(ctx.db, ctx.viewer!, key, (companyId, k) => frameworksUsing(ctx.db, companyId, k));
        return true;
      }),
  }),
}));
