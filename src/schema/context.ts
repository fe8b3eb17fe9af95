import type { Database } from "../db/database.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import type { Viewer } from "../auth/viewer.js";
import type { MetricScope } from "../session.js";

export type { MetricScope } from "../session.js";

/** Built once per request by server.ts. */
export interface Context {
  db: Database;
  prisma: PrismaClient;
  viewer: Viewer | null;
  /** Signs embed tokens (server configuration). */
  tokenSecret: string;
  /** The request's metric session (created on first use, scoped to the viewer's company). */
  metrics(): Promise<MetricScope>;
}

/** The viewer's company id; resolvers only run behind an auth scope that guarantees a viewer. */
export function companyOf(ctx: Context): string {
  if (!ctx.viewer) throw new Error("unauthenticated request reached a scoped resolver");
  return ctx.viewer.companyId;
}
