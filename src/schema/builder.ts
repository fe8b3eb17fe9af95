// The one Pothos builder. Every plugin is listed here once; the area modules
// under src/schema/ register their types on it.
import SchemaBuilder from "@pothos/core";
import PrismaPlugin from "@pothos/plugin-prisma";
import RelayPlugin from "@pothos/plugin-relay";
import ScopeAuthPlugin from "@pothos/plugin-scope-auth";
import DataloaderPlugin from "@pothos/plugin-dataloader";
import { createGraphQLError } from "graphql-yoga";
import type PrismaTypes from "../generated/pothos-types.js";
import { getDatamodel } from "../generated/pothos-types.js";
import { hasRole } from "../auth/viewer.js";
import type { Context } from "./context.js";
import { FIRST_DESCRIPTION, LAST_DESCRIPTION } from "../limits/pagination.js";

export interface AuthScopes {
  authenticated: boolean;
  viewer: boolean;
  manager: boolean;
  admin: boolean;
  /** A portal's embed token: may read its one scorecard and nothing else. */
  embed: boolean;
}

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  AuthScopes: AuthScopes;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    JSON: { Input: unknown; Output: unknown };
    EmailAddress: { Input: string; Output: string };
    Currency: { Input: string; Output: string };
    Decimal: { Input: string; Output: string | number | { toString(): string } };
    /** An uploaded file (GraphQL multipart request); input only. */
    File: { Input: File; Output: never };
  };
}>({
  defaultFieldNullability: false,
  plugins: [ScopeAuthPlugin, PrismaPlugin, RelayPlugin, DataloaderPlugin],
  scopeAuth: {
    authScopes: (ctx) => ({
      authenticated: !!ctx.viewer,
      viewer: hasRole(ctx.viewer, "viewer"),
      manager: hasRole(ctx.viewer, "manager"),
      admin: hasRole(ctx.viewer, "admin"),
      embed: ctx.viewer?.role === "embed",
    }),
    unauthorizedError: (_parent, ctx) =>
      ctx.viewer
        ? createGraphQLError("Your role may not read or change this field.", { extensions: { code: "FORBIDDEN" } })
        : createGraphQLError("Authenticate with an API key: Authorization: Bearer ys_…", {
            extensions: { code: "UNAUTHENTICATED" },
          }),
  },
  prisma: {
    client: (ctx) => ctx.prisma,
    dmmf: getDatamodel(),
    exposeDescriptions: true,
    filterConnectionTotalCount: true,
  },
  relay: {
    clientMutationId: "omit",
    cursorType: "String",
    // The page size stated where clients read it; larger values are refused (src/limits/pagination.ts).
    firstArgOptions: { description: FIRST_DESCRIPTION },
    lastArgOptions: { description: LAST_DESCRIPTION },
    afterArgOptions: { description: "Returns the items after this cursor (an edge's cursor or pageInfo.endCursor)." },
    beforeArgOptions: { description: "Returns the items before this cursor (an edge's cursor or pageInfo.startCursor)." },
  },
});

builder.queryType({});
builder.mutationType({});
