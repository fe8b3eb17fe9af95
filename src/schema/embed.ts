// Embed tokens (admins issue and revoke them) and the one query an embed token
// may run: its framework's scorecards for its subjects.
import { decodeGlobalID } from "@pothos/plugin-relay";
import { embedTokenSubjectCounts, issueEmbedToken } from "../auth/embed-tokens.js";
import { audit } from "../auth/audit.js";
import { FrameworkNotFound, loadFramework, parseStored } from "../frameworks/framework-store.js";
import { KEY_PATTERN } from "../metrics/plugin-schema.js";
import { builder } from "./builder.js";
import { CompanyRef } from "./company.js";
import { companyOf } from "./context.js";
import { userError, withUserErrors } from "./errors.js";
import { isUuid } from "./ids.js";
import { PeriodInput } from "./metric.js";
import { embeddedSubjectId, ranking, ScorecardRef, TYPE_OF, type ScorecardShape } from "./scorecard.js";

const MAX_HOURS = 24 * 366;

const EmbedTokenRef = builder.prismaObject("EmbedToken", {
  // Never subjectIds: the PGlite adapter cannot read uuid[] (see auth/embed-tokens.ts).
  select: { id: true, frameworkKey: true, createdAt: true, expiresAt: true, revokedAt: true },
  fields: (t) => ({
    id: t.exposeID("id"),
    framework: t.exposeString("frameworkKey"),
    subjectCount: t.int({
      resolve: async (e, _a, ctx) => (await embedTokenSubjectCounts(ctx.prisma, [e.id])).get(e.id) ?? 0,
    }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    expiresAt: t.expose("expiresAt", { type: "DateTime" }),
    revokedAt: t.expose("revokedAt", { type: "DateTime", nullable: true }),
  }),
});

const IssuedEmbedToken = builder.objectRef<{ token: string; id: string }>("IssuedEmbedToken").implement({
  fields: (t) => ({
    token: t.exposeString("token", { description: "Signed, read-only. Send as `Authorization: Bearer …` or `?token=…`." }),
    embedToken: t.prismaField({
      type: EmbedTokenRef,
      resolve: (query, parent, _a, ctx) => ctx.prisma.embedToken.findUniqueOrThrow({ ...query, where: { id: parent.id } }),
    }),
  }),
});

builder.prismaObjectField(CompanyRef, "embedTokens", (t) =>
  t.relation("embedTokens", { authScopes: { admin: true }, query: { orderBy: { createdAt: "desc" } } }),
);

builder.mutationFields((t) => ({
  createEmbedToken: t.field({
    type: IssuedEmbedToken,
    authScopes: { admin: true },
    description: "A read-only token for a portal: one framework's scorecards for the given subjects, until it expires or is revoked.",
    args: {
      framework: t.arg.string({ required: true }),
      subjects: t.arg.idList({ required: true, description: "Global IDs of teams, members or customers — the framework's level." }),
      expiresInHours: t.arg.int({ required: false, defaultValue: 720 }),
    },
    resolve: (_r, args, ctx) =>
      withUserErrors(async () => {
        const companyId = companyOf(ctx);
        const hours = args.expiresInHours ?? 720;
        if (hours < 1 || hours > MAX_HOURS) throw userError("BAD_USER_INPUT", "expiresInHours", `expiresInHours: must be between 1 and ${MAX_HOURS}`);
        if (args.subjects.length === 0 || args.subjects.length > 100) throw userError("BAD_USER_INPUT", "subjects", "subjects: give 1 to 100 subjects");
        const notFound = () => userError("NOT_FOUND", "framework", `framework: no framework "${args.framework}" in your company`);
        if (!KEY_PATTERN.test(args.framework)) throw notFound();
        const fw = parseStored(
          await loadFramework(ctx.db, companyId, args.framework).catch((err: unknown) => {
            throw err instanceof FrameworkNotFound ? notFound() : err;
          }),
        );
        const wanted = TYPE_OF[fw.framework.level];
        const ids = args.subjects.map((raw, i) => {
          let decoded: { typename: string; id: string };
          try {
            decoded = decodeGlobalID(String(raw));
          } catch {
            throw userError("BAD_USER_INPUT", `subjects.${i}`, `subjects.${i}: not a valid ID`);
          }
          if (decoded.typename !== wanted) {
            throw userError("BAD_USER_INPUT", `subjects.${i}`, `subjects.${i}: framework "${args.framework}" assesses ${fw.framework.level}s; this ID is a ${decoded.typename}`);
          }
          return decoded.id;
        });
        const where = { companyId, id: { in: ids.filter(isUuid) } };
        const found =
          fw.framework.level === "team"
            ? await ctx.prisma.team.count({ where })
            : fw.framework.level === "member"
              ? await ctx.prisma.member.count({ where })
              : await ctx.prisma.customer.count({ where });
        if (found !== new Set(ids).size) throw userError("NOT_FOUND", "subjects", "subjects: one or more subjects do not exist in your company");
        // The token row and its audit entry land together or not at all.
        const issued = await ctx.prisma.$transaction(async (tx) => {
          const token = await issueEmbedToken(tx, ctx.tokenSecret, {
            companyId,
            frameworkKey: args.framework,
            subjectIds: [...new Set(ids)],
            expiresAt: new Date(Date.now() + hours * 3_600_000),
          });
          await audit(tx, ctx.viewer!, "embedToken.create", token.id, { framework: args.framework, subjects: ids.length, hours });
          return token;
        });
        return { token: issued.token, id: issued.id };
      }),
  }),
  revokeEmbedToken: t.prismaField({
    type: EmbedTokenRef,
    authScopes: { admin: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _r, { id }, ctx) =>
      withUserErrors(async () => {
        const uuid = isUuid(String(id)) ? String(id) : null;
        const row = uuid
          ? await ctx.prisma.embedToken.findFirst({ where: { id: uuid, companyId: companyOf(ctx) }, select: { id: true, revokedAt: true } })
          : null;
        if (!row) throw userError("NOT_FOUND", "id", "id: no such embed token in your company");
        return ctx.prisma.$transaction(async (tx) => {
          const revoked = await tx.embedToken.update({ ...query, where: { id: row.id }, data: { revokedAt: row.revokedAt ?? new Date() } });
          await audit(tx, ctx.viewer!, "embedToken.revoke", row.id);
          return revoked;
        });
      }),
  }),
}));

/**
 * A card as an embed token may read it. Customers are people or their businesses, and the token
 * sits in a portal's iframe URL for any visitor to reuse: a customer's name becomes "Customer n"
 * and its ID an opaque one (n = its place in the token's list), as on the embed page. Teams and
 * members keep their names. No roll-up detail (it would name the members aggregated).
 */
function anonymised(card: ScorecardShape, subjectIds: readonly string[]): ScorecardShape {
  const bare = { ...card, rollup: undefined };
  if (card.level !== "customer") return bare;
  const ordinal = subjectIds.indexOf(card.subjectId!) + 1;
  return { ...bare, subjectName: `Customer ${ordinal}`, publicSubjectId: embeddedSubjectId(ordinal) };
}

builder.queryField("embeddedScorecards", (t) =>
  t.field({
    type: [ScorecardRef],
    nullable: true,
    authScopes: { embed: true },
    description:
      "For an embed token: its framework's scorecards for its subjects, and nothing else. Null (with an error) when the framework cannot be scored; an item whose formula fails has an error on its value.",
    args: { period: t.arg({ type: PeriodInput, required: true }) },
    resolve: (_r, { period }, ctx) =>
      withUserErrors(async () => {
        const grant = ctx.viewer!.embed!;
        const cards = await ranking(ctx, grant.frameworkKey, null, period);
        return cards.filter((c) => c.subjectId !== null && grant.subjectIds.includes(c.subjectId)).map((c) => anonymised(c, grant.subjectIds));
      }),
  }),
);

builder.prismaObject("AuditEntry", {
  fields: (t) => ({
    id: t.exposeID("id"),
    actor: t.exposeString("actor"),
    action: t.exposeString("action"),
    target: t.exposeString("target"),
    details: t.expose("details", { type: "JSON" }),
    at: t.expose("at", { type: "DateTime" }),
  }),
});

builder.prismaObjectField(CompanyRef, "auditLog", (t) =>
  t.relatedConnection("auditLog", {
    authScopes: { admin: true },
    cursor: "id",
    totalCount: true,
    description: "Admin changes (plugins, frameworks, keys, embed tokens), newest first.",
    query: { orderBy: [{ at: "desc" }, { id: "desc" }] },
  }),
);
