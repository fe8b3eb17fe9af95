import { builder } from "./builder.js";
import { companyOf } from "./context.js";
import { uuidOrNil } from "./ids.js";

export const CompanyRef = builder.prismaNode("Company", {
  id: { field: "id" },
  nullable: true,
  authScopes: { viewer: true },
  // node(id:) for a company other than the caller's behaves as if it did not exist.
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), AND: [{ id: companyOf(ctx) }] }),
  fields: (t) => ({
    name: t.exposeString("name"),
    slug: t.exposeString("slug"),
    timeZone: t.exposeString("timeZone", { description: "IANA time zone; periods are cut in it." }),
    currency: t.expose("currency", { type: "Currency" }),
    settings: t.expose("settings", { type: "JSON", authScopes: { admin: true } }),
    teams: t.relation("teams", { query: { orderBy: { name: "asc" } } }),
    members: t.relation("members", { query: { orderBy: { name: "asc" } } }),
  }),
});

builder.queryField("company", (t) =>
  t.prismaField({
    type: "Company",
    description: "The caller's company.",
    authScopes: { viewer: true },
    resolve: (query, _root, _args, ctx) =>
      ctx.prisma.company.findUniqueOrThrow({ ...query, where: { id: companyOf(ctx) } }),
  }),
);
