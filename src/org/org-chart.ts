// The org chart an admin maintains: teams and members. Every write runs in one
// transaction with its audit entry and a bump of the company's data version
// (team and member metrics read these rows), after the company row is locked so
// that two admins cannot create the same team or email at once. Facts keep the
// team and member they were attributed to when they happened: moving or
// deactivating a member changes no fact row. No GraphQL here.
import { audit } from "../auth/audit.js";
import type { Viewer } from "../auth/viewer.js";
import type { Prisma, PrismaClient } from "../generated/prisma/client.js";
import { normalizeEmail } from "../import/contact.js";
import { cleanLine, vocabKey } from "../import/text.js";
import { bumpDataVersion } from "../metrics/data-version.js";

export type OrgErrorCode = "BAD_USER_INPUT" | "NOT_FOUND" | "DUPLICATE";

/** A refused org-chart change: the input field at fault and why. Nothing was written. */
export class OrgInputError extends Error {
  constructor(
    readonly code: OrgErrorCode,
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

const MAX_NAME = 200;

export function checkPersonOrTeamName(field: string, raw: string): string {
  const name = cleanLine(raw.normalize("NFC"));
  if (name === null) throw new OrgInputError("BAD_USER_INPUT", field, "must not be blank");
  if (name.length > MAX_NAME) throw new OrgInputError("BAD_USER_INPUT", field, `is longer than ${MAX_NAME} characters`);
  return name;
}

export function checkEmail(field: string, raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined || cleanLine(raw) === null) return null;
  const r = normalizeEmail(raw);
  if (!r.ok) throw new OrgInputError("BAD_USER_INPUT", field, r.reason);
  return r.value;
}

/** A member's role: free vocabulary (sales, support, account_manager …), stored as lower_snake_case. */
export function checkRole(field: string, raw: string | null | undefined): string {
  if (raw === null || raw === undefined || cleanLine(raw) === null) return "sales";
  const role = vocabKey(raw);
  if (!/^[\p{L}\p{N}][\p{L}\p{N}_]{0,39}$/u.test(role)) throw new OrgInputError("BAD_USER_INPUT", field, `"${raw.slice(0, 60)}" is not a role: 1–40 letters, digits and underscores (e.g. sales, support, account_manager)`);
  return role;
}

type Tx = Prisma.TransactionClient;

async function lockCompany(tx: Tx, companyId: string): Promise<void> {
  await tx.$queryRaw`SELECT id::text FROM companies WHERE id = ${companyId}::uuid FOR UPDATE`;
}

/** Runs one org change: company locked, then the change, its audit entry and a data-version bump. */
async function change<T>(prisma: PrismaClient, viewer: Viewer, fn: (tx: Tx) => Promise<{ result: T; action: string; target: string; details: Prisma.InputJsonValue }>): Promise<T> {
  return prisma.$transaction(async (tx) => {
    await lockCompany(tx, viewer.companyId);
    const { result, action, target, details } = await fn(tx);
    await audit(tx, viewer, action, target, details);
    await bumpDataVersion(tx, viewer.companyId);
    return result;
  });
}

async function teamNamed(tx: Tx, companyId: string, name: string) {
  return tx.team.findFirst({ where: { companyId, name: { equals: name, mode: "insensitive" } }, select: { id: true, name: true } });
}

async function teamById(tx: Tx, companyId: string, field: string, id: string) {
  const team = await tx.team.findFirst({ where: { id, companyId }, select: { id: true, name: true } });
  if (!team) throw new OrgInputError("NOT_FOUND", field, "no such team in your company");
  return team;
}

async function memberById(tx: Tx, companyId: string, field: string, id: string) {
  const member = await tx.member.findFirst({ where: { id, companyId } });
  if (!member) throw new OrgInputError("NOT_FOUND", field, "no such member in your company");
  return member;
}

async function refuseTakenEmail(tx: Tx, companyId: string, field: string, email: string | null, except?: string) {
  if (email === null) return;
  const other = await tx.member.findFirst({
    where: { companyId, email: { equals: email, mode: "insensitive" }, ...(except ? { NOT: { id: except } } : {}) },
    select: { name: true },
  });
  if (other) throw new OrgInputError("DUPLICATE", field, `${email} is already the email of ${other.name}`);
}

export async function createTeam(prisma: PrismaClient, viewer: Viewer, input: { name: string }): Promise<string> {
  const name = checkPersonOrTeamName("name", input.name);
  return change(prisma, viewer, async (tx) => {
    const same = await teamNamed(tx, viewer.companyId, name);
    if (same) throw new OrgInputError("DUPLICATE", "name", `your company already has a team "${same.name}"`);
    const team = await tx.team.create({ data: { companyId: viewer.companyId, name }, select: { id: true } });
    return { result: team.id, action: "team.create", target: team.id, details: { name } };
  });
}

export async function renameTeam(prisma: PrismaClient, viewer: Viewer, input: { team: string; name: string }): Promise<string> {
  const name = checkPersonOrTeamName("name", input.name);
  return change(prisma, viewer, async (tx) => {
    const team = await teamById(tx, viewer.companyId, "team", input.team);
    const same = await teamNamed(tx, viewer.companyId, name);
    if (same && same.id !== team.id) throw new OrgInputError("DUPLICATE", "name", `your company already has a team "${same.name}"`);
    await tx.team.update({ where: { id: team.id }, data: { name } });
    return { result: team.id, action: "team.rename", target: team.id, details: { from: team.name, to: name } };
  });
}

export interface NewMember {
  name: string;
  email?: string | null;
  team?: string | null;
  role?: string | null;
}

export async function createMember(prisma: PrismaClient, viewer: Viewer, input: NewMember): Promise<string> {
  const name = checkPersonOrTeamName("input.name", input.name);
  const email = checkEmail("input.email", input.email);
  const role = checkRole("input.role", input.role);
  return change(prisma, viewer, async (tx) => {
    const team = input.team ? await teamById(tx, viewer.companyId, "input.team", input.team) : null;
    await refuseTakenEmail(tx, viewer.companyId, "input.email", email);
    const member = await tx.member.create({ data: { companyId: viewer.companyId, name, email, role, teamId: team?.id ?? null }, select: { id: true } });
    return { result: member.id, action: "member.create", target: member.id, details: { name, email, role, team: team?.name ?? null } };
  });
}

/**
 * Moves a member to another team (or to none). Facts keep their team. The
 * customers the member owns keep their owning team unless `moveCustomers`.
 */
export async function moveMember(
  prisma: PrismaClient,
  viewer: Viewer,
  input: { member: string; team: string | null; moveCustomers?: boolean },
): Promise<string> {
  return change(prisma, viewer, async (tx) => {
    const member = await memberById(tx, viewer.companyId, "member", input.member);
    const team = input.team ? await teamById(tx, viewer.companyId, "team", input.team) : null;
    const from = member.teamId;
    await tx.member.update({ where: { id: member.id }, data: { teamId: team?.id ?? null } });
    let customersMoved = 0;
    if (input.moveCustomers) {
      const r = await tx.customer.updateMany({ where: { companyId: viewer.companyId, ownerMemberId: member.id }, data: { ownerTeamId: team?.id ?? null } });
      customersMoved = r.count;
    }
    return { result: member.id, action: "member.move", target: member.id, details: { fromTeam: from, toTeam: team?.id ?? null, customersMoved } };
  });
}

/** Deactivates (or reactivates) a member: the row, its facts and its ratings stay. */
export async function setMemberActive(prisma: PrismaClient, viewer: Viewer, input: { member: string; active: boolean }): Promise<string> {
  return change(prisma, viewer, async (tx) => {
    const member = await memberById(tx, viewer.companyId, "member", input.member);
    if (member.active !== input.active) await tx.member.update({ where: { id: member.id }, data: { active: input.active } });
    return { result: member.id, action: input.active ? "member.reactivate" : "member.deactivate", target: member.id, details: { wasActive: member.active } };
  });
}
