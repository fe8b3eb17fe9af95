// API keys: admins create (the key is shown once) and revoke them.
import { createGraphQLError } from "graphql-yoga";
import { issueApiKey } from "../auth/api-keys.js";
import { audit } from "../auth/audit.js";
import { ROLES, type Role } from "../auth/viewer.js";
import { builder } from "./builder.js";
import { CompanyRef } from "./company.js";
import { companyOf } from "./context.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Control characters (NUL above all: PostgreSQL text cannot hold it) make no sense in a name.
const CONTROL = /[\u0000-\u001f\u007f]/;

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
    lastUsedAt: t.expose("lastUsedAt", { type: "DateTime", nullable: true, description: "When the key last authenticated a request (to the minute)." }),
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
      if (!trimmed || trimmed.length > 100 || CONTROL.test(trimmed)) {
        throw createGraphQLError("name: must be 1–100 characters, without control characters", {
          extensions: { code: "BAD_USER_INPUT", field: "name" },
        });
      }
      // The key and its audit entry land together or not at all.
      const issued = await ctx.prisma.$transaction(async (tx) => {
        const key = await issueApiKey(tx, { companyId: companyOf(ctx), name: trimmed, role });
        await audit(tx, ctx.viewer!, "apiKey.create", key.id, { name: trimmed, role });
        return key;
      });
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
      // Not a UUID → cannot be a key id (and must not reach PostgreSQL's uuid parser).
      const key = UUID.test(String(id)) ? await ctx.prisma.apiKey.findFirst({ where: { id: String(id), companyId: companyOf(ctx) } }) : null;
      if (!key) throw createGraphQLError("id: no such API key in your company", { extensions: { code: "NOT_FOUND", field: "id" } });
      return ctx.prisma.$transaction(async (tx) => {
        const revoked = await tx.apiKey.update({ ...query, where: { id: key.id }, data: { revokedAt: key.revokedAt ?? new Date() } });
        await audit(tx, ctx.viewer!, "apiKey.revoke", key.id);
        return revoked;
      });
    },
  }),
);
