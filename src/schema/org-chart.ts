// The org chart's admin mutations: teams (create, rename) and members (create,
// move to a team, deactivate/reactivate). Resolvers translate GraphQL to
// src/org/org-chart.ts, which checks, writes, audits and bumps the data version.
import { builder } from "./builder.js";
import { userError } from "./errors.js";
import { isUuid, NIL_UUID } from "./ids.js";
import { createMember, createTeam, moveMember, OrgInputError, renameTeam, setMemberActive } from "../org/org-chart.js";
import { MemberRef, TeamRef } from "./team.js";

/** Maps a refused change to a coded GraphQL error naming the field. */
export async function withOrgErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof OrgInputError) throw userError(err.code, err.field, err.message);
    throw err;
  }
}

/** The database id inside a global ID (the nil UUID, which matches nothing, when it is not a UUID). */
const idOf = (gid: { id: string | number }) => (isUuid(String(gid.id)) ? String(gid.id) : NIL_UUID);

const admin = { admin: true } as const;

const CreateMemberInput = builder.inputType("CreateMemberInput", {
  description: "A new member of the company.",
  fields: (t) => ({
    name: t.string({ required: true, description: "Full name (1–200 characters)." }),
    email: t.field({ type: "EmailAddress", required: false, description: "Work email; unique among the company's members. Imports match members by it first." }),
    team: t.globalID({ required: false, for: [TeamRef], description: "The team the member joins; none leaves the member without a team." }),
    role: t.string({
      required: false,
      defaultValue: "sales",
      description: "What the member does: sales, support, account_manager, manager … (stored lower_snake_case).",
    }),
  }),
});

builder.mutationField("createTeam", (t) =>
  t.prismaField({
    type: TeamRef,
    authScopes: admin,
    description: "Creates a team. Team names are unique in a company (case-insensitively). Audited.",
    args: { name: t.arg.string({ required: true, description: "The team's name (1–200 characters)." }) },
    resolve: (query, _root, { name }, ctx) =>
      withOrgErrors(async () => {
        const id = await createTeam(ctx.prisma, ctx.viewer!, { name });
        return ctx.prisma.team.findUniqueOrThrow({ ...query, where: { id } });
      }),
  }),
);

builder.mutationField("renameTeam", (t) =>
  t.prismaField({
    type: TeamRef,
    authScopes: admin,
    description: "Renames a team; its members, customers and facts stay with it. Audited.",
    args: {
      team: t.arg.globalID({ required: true, for: [TeamRef], description: "The team to rename." }),
      name: t.arg.string({ required: true, description: "The new name (1–200 characters), unique in the company." }),
    },
    resolve: (query, _root, args, ctx) =>
      withOrgErrors(async () => {
        const id = await renameTeam(ctx.prisma, ctx.viewer!, { team: idOf(args.team), name: args.name });
        return ctx.prisma.team.findUniqueOrThrow({ ...query, where: { id } });
      }),
  }),
);

builder.mutationField("createMember", (t) =>
  t.prismaField({
    type: MemberRef,
    authScopes: admin,
    description: "Adds a member (active) to the company, in a team or none. Audited.",
    args: { input: t.arg({ type: CreateMemberInput, required: true, description: "The member's name, email, team and role." }) },
    resolve: (query, _root, { input }, ctx) =>
      withOrgErrors(async () => {
        const id = await createMember(ctx.prisma, ctx.viewer!, {
          name: input.name,
          email: input.email,
          team: input.team ? idOf(input.team) : null,
          role: input.role,
        });
        return ctx.prisma.member.findUniqueOrThrow({ ...query, where: { id } });
      }),
  }),
);

builder.mutationField("moveMember", (t) =>
  t.prismaField({
    type: MemberRef,
    authScopes: admin,
    description:
      "Moves a member to another team (or to none). Facts keep the team they were attributed to when they happened, so past team results do not change. Audited.",
    args: {
      member: t.arg.globalID({ required: true, for: [MemberRef], description: "The member to move." }),
      team: t.arg.globalID({ required: false, for: [TeamRef], description: "The team the member moves to; null: no team." }),
      moveCustomers: t.arg.boolean({
        defaultValue: false,
        description: "Also make the new team the owning team of the customers the member owns (default: they keep their team).",
      }),
    },
    resolve: (query, _root, args, ctx) =>
      withOrgErrors(async () => {
        const id = await moveMember(ctx.prisma, ctx.viewer!, {
          member: idOf(args.member),
          team: args.team ? idOf(args.team) : null,
          moveCustomers: args.moveCustomers ?? false,
        });
        return ctx.prisma.member.findUniqueOrThrow({ ...query, where: { id } });
      }),
  }),
);

builder.mutationField("deactivateMember", (t) =>
  t.prismaField({
    type: MemberRef,
    authScopes: admin,
    description: "Marks a member inactive (left the company). The member, its facts, ratings and past results stay. Audited.",
    args: { member: t.arg.globalID({ required: true, for: [MemberRef], description: "The member to deactivate." }) },
    resolve: (query, _root, args, ctx) =>
      withOrgErrors(async () => {
        const id = await setMemberActive(ctx.prisma, ctx.viewer!, { member: idOf(args.member), active: false });
        return ctx.prisma.member.findUniqueOrThrow({ ...query, where: { id } });
      }),
  }),
);

builder.mutationField("reactivateMember", (t) =>
  t.prismaField({
    type: MemberRef,
    authScopes: admin,
    description: "Marks a deactivated member active again. Audited.",
    args: { member: t.arg.globalID({ required: true, for: [MemberRef], description: "The member to reactivate." }) },
    resolve: (query, _root, args, ctx) =>
      withOrgErrors(async () => {
        const id = await setMemberActive(ctx.prisma, ctx.viewer!, { member: idOf(args.member), active: true });
        return ctx.prisma.member.findUniqueOrThrow({ ...query, where: { id } });
      }),
  }),
);
