import type { Prisma } from "../generated/prisma/client.js";
import { builder } from "./builder.js";
import { CompanyRef } from "./company.js";
import { companyOf } from "./context.js";
import { userError } from "./errors.js";
import { uuidOrNil } from "./ids.js";
import { MemberRef, TeamRef } from "./team.js";

export const LIFECYCLE_STAGES = ["prospect", "new", "active", "mature", "at_risk", "churned"] as const;

export const LifecycleStage = builder.enumType("LifecycleStage", {
  description: "Where a customer is in its life with the company.",
  values: Object.fromEntries(LIFECYCLE_STAGES.map((s) => [s.toUpperCase(), { value: s }])) as Record<
    Uppercase<(typeof LIFECYCLE_STAGES)[number]>,
    { value: (typeof LIFECYCLE_STAGES)[number] }
  >,
});

const CustomerOrder = builder.enumType("CustomerOrder", {
  values: {
    NAME: { value: "name" },
    ACQUIRED_AT_DESC: { value: "acquiredAtDesc" },
    ACQUIRED_AT_ASC: { value: "acquiredAtAsc" },
  } as const,
});

export const CustomerRef = builder.prismaNode("Customer", {
  id: { field: "id" },
  nullable: true,
  authScopes: { viewer: true },
  findUnique: (id, ctx) => ({ id: uuidOrNil(id), companyId: companyOf(ctx) }),
  fields: (t) => ({
    externalId: t.exposeString("externalId", { nullable: true }),
    name: t.exposeString("name"),
    // Personal data: only roles that work with customers directly may read it.
    email: t.exposeString("email", { nullable: true, authScopes: { manager: true } }),
    phone: t.exposeString("phone", { nullable: true, authScopes: { manager: true } }),
    notes: t.exposeString("notes", { nullable: true, authScopes: { manager: true } }),
    segment: t.exposeString("segment"),
    lifecycleStage: t.field({ type: LifecycleStage, resolve: (c) => c.lifecycleStage as (typeof LIFECYCLE_STAGES)[number] }),
    acquisitionChannel: t.exposeString("acquisitionChannel", { nullable: true }),
    acquiredAt: t.expose("acquiredAt", { type: "DateTime", nullable: true }),
    churnedAt: t.expose("churnedAt", { type: "DateTime", nullable: true }),
    // Free-form imported columns (birthdays, social handles…): treated as personal data.
    attributes: t.expose("attributes", { type: "JSON", nullable: true, authScopes: { manager: true } }),
    ownerMember: t.relation("ownerMember", { nullable: true }),
    ownerTeam: t.relation("ownerTeam", { nullable: true }),
    campaign: t.relation("campaign", { nullable: true }),
    orders: t.relatedConnection("orders", { cursor: "id", totalCount: true, query: { orderBy: [{ at: "desc" }, { id: "asc" }] } }),
    interactions: t.relatedConnection("interactions", {
      cursor: "id",
      totalCount: true,
      query: { orderBy: [{ at: "desc" }, { id: "asc" }] },
    }),
    tickets: t.relatedConnection("tickets", { cursor: "id", totalCount: true, query: { orderBy: [{ openedAt: "desc" }, { id: "asc" }] } }),
    surveys: t.relatedConnection("surveys", { cursor: "id", totalCount: true, query: { orderBy: [{ at: "desc" }, { id: "asc" }] } }),
    opportunities: t.relatedConnection("opportunities", {
      cursor: "id",
      totalCount: true,
      query: { orderBy: [{ createdAt: "desc" }, { id: "asc" }] },
    }),
  }),
});

const CustomerFilter = builder.inputType("CustomerFilter", {
  fields: (t) => ({
    segment: t.stringList({ required: false, description: "Any of these segments." }),
    lifecycleStage: t.field({ type: [LifecycleStage], required: false, description: "Any of these stages." }),
    owner: t.globalID({ required: false, for: [MemberRef], description: "Owned by this member." }),
    team: t.globalID({ required: false, for: [TeamRef], description: "Owned by this team." }),
    acquisitionChannel: t.stringList({ required: false }),
    nameContains: t.string({ required: false }),
  }),
});

builder.prismaObjectField(CompanyRef, "customers", (t) =>
  t.relatedConnection("customers", {
    cursor: "id",
    totalCount: true,
    args: {
      filter: t.arg({ type: CustomerFilter, required: false }),
      orderBy: t.arg({ type: CustomerOrder, required: false, defaultValue: "name" }),
    },
    query: ({ filter, orderBy }) => {
      const where: Prisma.CustomerWhereInput = {};
      if (filter?.segment) where.segment = { in: filter.segment };
      if (filter?.lifecycleStage) where.lifecycleStage = { in: filter.lifecycleStage };
      if (filter?.owner) where.ownerMemberId = uuidOrNil(filter.owner.id);
      if (filter?.team) where.ownerTeamId = uuidOrNil(filter.team.id);
      if (filter?.acquisitionChannel) where.acquisitionChannel = { in: filter.acquisitionChannel };
      if (filter?.nameContains) {
        if (filter.nameContains.includes("\u0000")) throw userError("BAD_USER_INPUT", "filter.nameContains", "filter.nameContains: must not contain NUL characters");
        // Literal text: % and _ are LIKE wildcards ("%" would match every customer), so escape them.
        where.name = { contains: filter.nameContains.replace(/[\\%_]/g, "\\$&"), mode: "insensitive" };
      }
      const order: Prisma.CustomerOrderByWithRelationInput[] =
        orderBy === "acquiredAtDesc"
          ? [{ acquiredAt: { sort: "desc", nulls: "last" } }, { id: "asc" }]
          : orderBy === "acquiredAtAsc"
            ? [{ acquiredAt: { sort: "asc", nulls: "last" } }, { id: "asc" }]
            : [{ name: "asc" }, { id: "asc" }];
      return { where, orderBy: order };
    },
  }),
);

builder.prismaObjectField(TeamRef, "customers", (t) =>
  t.relatedConnection("customers", { cursor: "id", totalCount: true, query: { orderBy: [{ name: "asc" }, { id: "asc" }] } }),
);
builder.prismaObjectField(MemberRef, "customers", (t) =>
  t.relatedConnection("customers", { cursor: "id", totalCount: true, query: { orderBy: [{ name: "asc" }, { id: "asc" }] } }),
);
