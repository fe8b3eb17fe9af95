import { builder } from "./builder.js";
import { companyOf } from "./context.js";
import { uuidOrNil } from "./ids.js";

export const TeamRef = builder.prismaNode("Team", {
  id: { field: "id" },
  nullable: true,
  authScopes: { viewer: true },
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), companyId: companyOf(ctx) }),
  fields: (t) => ({
    name: t.exposeString("name"),
    members: t.relation("members", { query: { orderBy: { name: "asc" } } }),
  }),
});

export const MemberRef = builder.prismaNode("Member", {
  id: { field: "id" },
  nullable: true,
  authScopes: { viewer: true },
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), companyId: companyOf(ctx) }),
  fields: (t) => ({
    name: t.exposeString("name"),
    role: t.exposeString("role"),
    active: t.exposeBoolean("active"),
    email: t.exposeString("email", { nullable: true, authScopes: { manager: true } }),
    team: t.relation("team", { nullable: true }),
  }),
});
