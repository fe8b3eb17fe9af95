// The caller's own schema as SDL, for code generators: the shared types plus
// the company's typed KPI fields (Company.kpis { bigOrders … }), which
// schema.graphql cannot hold because they differ per company. The resolver
// prints the schema this very request runs against (server.ts picks it by the
// caller's company), so what a client generates from is what it is served.
import { lexicographicSortSchema, printSchema } from "graphql";
import { builder } from "./builder.js";

builder.queryField("companySchema", (t) =>
  t.string({
    description:
      "Your company's GraphQL schema as SDL: every shared type plus the typed fields of your own KPIs (Company.kpis). " +
      "Generate a typed client from it (README, \"A typed client\"); fetch it again after you register or change a plugin.",
    authScopes: { viewer: true },
    resolve: (_root, _args, _ctx, info) => printSchema(lexicographicSortSchema(info.schema)),
  }),
);
