// API keys: admins create (the key is shown once) and revoke them.
import { createGraphQLError } from "graphql-yoga";
import { issueApiKey } from "../auth/api-keys.js";
import { audit } from "../auth/audit.js";
import { ROLES, type Role } from "../auth/viewer.js";
import { builder } from "./builder.js";
import { CompanyRef } from "./company.js";
import { companyOf } from "./context.js";

export const RoleEnum = builder.enumType("Role", {
  values: Object.fromEntries(ROLES.map((r) => [r.toUpperCase(), { value: r }])) as Record<Uppercase<Role>, { value: Role }>,
});

const ApiKeyRef = builder.prismaObject("ApiKey", {
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
    role: t.field({ type: RoleEnum, resolve: (k) => k.role as Role }),
    prefix: t.exposeString("prefix", { description: "Public part of the key (ys_<prefix>_…), to tell keys apart." }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    revokedAt: t.expose("revokedAt", { type: "DateTime", nullable: true }),
  }),
});

builder.prismaObjectField(CompanyRef, "apiKeys", (t) =>
  t.relation("apiKeys", { authScopes: { admin: true }, query: { orderBy: { createdAt: "asc" } } }),
);

const CreatedApiKey = builder.objectRef<{ key: string; id: string }>("CreatedApiKey").implement({
  fields: (t) => ({
    key: t.exposeString("key", { description: "The secret key. It is shown this once and never again." }),
    apiKey: t.prismaField({
      type: ApiKeyRef,
      resolve: (query, parent, _args, ctx) => ctx.prisma.apiKey.findUniqueOrThrow({ ...query, where: { id: parent.id } }),
    }),
  }),
});

builder.mutationField("createApiKey", (t) =>
  t.field({
    type: CreatedApiKey,
    authScopes: { admin: true },
    args: {
      name: t.arg.string({ required: true }),
      role: t.arg({ type: RoleEnum, required: true }),
    },
    resolve: async (_root, { name, role }, ctx) => {
      const trimmed = name.trim();
      if (!trimmed || trimmed.length > 100) {
        throw createGraphQLError("name: must be 1–100 characters", { extensions: { code: "BAD_USER_INPUT", field: "name" } });
      }
      const issued = await issueApiKey(ctx.prisma, { companyId: companyOf(ctx), name: trimmed, role });
      await audit(ctx.prisma, ctx.viewer!, "apiKey.create", issued.id, { name: trimmed, role });
      return { key: issued.key, id: issued.id };
    },
  }),
);

builder.mutationField("revokeApiKey", (t) =>
  t.prismaField({
    type: ApiKeyRef,
    authScopes: { admin: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _root, { id }, ctx) => {
      const key = await ctx.prisma.apiKey.findFirst({ where: { id: String(id), companyId: companyOf(ctx) } }).catch(() => null);
      if (!key) throw createGraphQLError("id: no such API key", { extensions: { code: "NOT_FOUND", field: "id" } });
      const revoked = await ctx.prisma.apiKey.update({ ...query, where: { id: key.id }, data: { revokedAt: key.revokedAt ?? new Date() } });
      await audit(ctx.prisma, ctx.viewer!, "apiKey.revoke", key.id);
      return revoked;
    },
  }),
);
