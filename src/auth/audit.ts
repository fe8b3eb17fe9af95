import type { Prisma, PrismaClient } from "../generated/prisma/client.js";
import type { Viewer } from "./viewer.js";

type AuditClient = Pick<PrismaClient, "auditEntry"> | Prisma.TransactionClient;

/** Records an admin change; call inside the change's transaction so both land or neither. */
export async function audit(
  client: AuditClient,
  viewer: Viewer,
  action: string,
  target: string,
  details: Prisma.InputJsonValue = {},
): Promise<void> {
  await client.auditEntry.create({
    data: { companyId: viewer.companyId, actor: `apiKey:${viewer.keyId}`, action, target, details },
  });
}
