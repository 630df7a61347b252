/**
 * The access review of an org: who can reach it, how (role, projects, admin tokens, pending
 * invitations) and whether they still use that access — what auditors ask an org to look at every
 * quarter, and the input to removing what is no longer needed.
 *
 * Where the dates come from (the api role cannot read the instance audit chain, where `auth.login`
 * is recorded, so the report uses what it can read):
 * - last sign-in: the latest start of a session still on record, or the latest passkey sign-in,
 *   whichever is later. Sessions are deleted at sign-out and expiry, so an older sign-in may be
 *   missing (the instance chain keeps every one);
 * - last activity: the latest event in this org's audit chain by the member (reads are not
 *   audited, so a member who only looks has none);
 * - admin tokens: their own `last_used_at`.
 *
 * Inactive: nothing (sign-in, activity, joining or creation) within the window. Joining counts so
 * that a member added yesterday is not flagged for having signed in long ago; a revoked or expired
 * token grants nothing, so it is never flagged.
 */
import { and, asc, eq, inArray, max, sql } from 'drizzle-orm';
import { adminTokens, auditEvents, members, passkeys, projects, sessions, users, type MemberRole } from '../db/schema/index.js';
import type { Tx } from '../db/types.js';
import { listPendingInvitations } from './invitations.js';
import { normalizeProjectIds } from './members.js';

const DAY_MS = 86_400_000;

/** 'all', or the projects of the org a developer or viewer is limited to (ids of deleted projects left out: they grant nothing). */
export type ProjectAccess = 'all' | { id: string; name: string }[];

export type ReviewedMember = {
  userId: string;
  name: string;
  email: string;
  role: MemberRole;
  projectAccess: ProjectAccess;
  twoFactor: boolean;
  passkeys: number;
  joinedAt: Date;
  lastSignInAt: Date | null;
  lastActivityAt: Date | null;
  inactive: boolean;
};

export type ReviewedAdminToken = {
  id: string;
  name: string;
  role: MemberRole;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  inactive: boolean;
};

export type ReviewedInvitation = {
  email: string;
  role: MemberRole;
  /** What the invitee will reach once they accept, as for a member. */
  projectAccess: ProjectAccess;
  invitedAt: Date;
  expiresAt: Date;
};

export type AccessReview = {
  generatedAt: Date;
  inactiveDays: number;
  members: ReviewedMember[];
  adminTokens: ReviewedAdminToken[];
  pendingInvitations: ReviewedInvitation[];
};

/** True when none of the dates falls on or after the cutoff. */
export function isInactive(dates: readonly (Date | null)[], cutoff: Date): boolean {
  return !dates.some((date) => date !== null && date >= cutoff);
}

const latest = (...dates: (Date | null | undefined)[]): Date | null =>
  dates.reduce<Date | null>((acc, d) => (d != null && (acc === null || d > acc) ? d : acc), null);

/** Per user id, for the given users only: users are instance-wide, and other orgs' members are not ours to read about. */
async function signInFacts(tx: Tx, userIds: string[]) {
  if (userIds.length === 0)
    return { sessionStarts: new Map<string, Date>(), keys: new Map<string, { count: number; lastUsedAt: Date | null }>() };
  const sessionRows = await tx
    .select({ userId: sessions.userId, at: max(sessions.createdAt) })
    .from(sessions)
    .where(inArray(sessions.userId, userIds))
    .groupBy(sessions.userId);
  const keyRows = await tx
    .select({ userId: passkeys.userId, count: sql<number>`count(*)::int`, lastUsedAt: max(passkeys.lastUsedAt) })
    .from(passkeys)
    .where(inArray(passkeys.userId, userIds))
    .groupBy(passkeys.userId);
  return {
    sessionStarts: new Map(sessionRows.flatMap((r) => (r.at ? [[r.userId, r.at] as const] : []))),
    keys: new Map(keyRows.map((r) => [r.userId, { count: Number(r.count), lastUsedAt: r.lastUsedAt }] as const)),
  };
}

/** Latest audit event per user in this org's chain (RLS keeps the query to it as well). */
async function lastActivity(tx: Tx, orgId: string, userIds: string[]): Promise<Map<string, Date>> {
  if (userIds.length === 0) return new Map();
  const rows = await tx
    .select({ actorId: auditEvents.actorId, at: max(auditEvents.occurredAt) })
    .from(auditEvents)
    .where(and(eq(auditEvents.orgId, orgId), eq(auditEvents.actorType, 'user'), inArray(auditEvents.actorId, userIds)))
    .groupBy(auditEvents.actorId);
  return new Map(rows.flatMap((r) => (r.actorId !== null && r.at ? [[r.actorId, r.at] as const] : [])));
}

/** Builds the review inside withTenant(orgId). `now` is a parameter so tests can pin the window. */
export async function buildAccessReview(tx: Tx, orgId: string, inactiveDays: number, now = new Date()): Promise<AccessReview> {
  const cutoff = new Date(now.getTime() - inactiveDays * DAY_MS);
  const memberRows = await tx
    .select({ member: members, name: users.name, email: users.email, twoFactor: users.twoFactorEnabled })
    .from(members)
    .innerJoin(users, eq(users.id, members.userId))
    .where(eq(members.orgId, orgId))
    .orderBy(asc(sql`lower(${users.email})`));
  const userIds = memberRows.map((r) => r.member.userId);
  const { sessionStarts, keys } = await signInFacts(tx, userIds);
  const activity = await lastActivity(tx, orgId, userIds);
  const projectNames = new Map(
    (await tx.select({ id: projects.id, name: projects.name }).from(projects).where(eq(projects.orgId, orgId))).map(
      (p) => [p.id.toLowerCase(), p.name] as const,
    ),
  );

  const accessOf = (projectIds: string[] | null): ProjectAccess => {
    const ids = normalizeProjectIds(projectIds);
    return ids === null ? 'all' : ids.flatMap((id) => (projectNames.has(id) ? [{ id, name: projectNames.get(id)! }] : []));
  };

  const reviewed = memberRows.map(({ member, name, email, twoFactor }): ReviewedMember => {
    const key = keys.get(member.userId);
    const lastSignInAt = latest(sessionStarts.get(member.userId), key?.lastUsedAt);
    const lastActivityAt = activity.get(member.userId) ?? null;
    return {
      userId: member.userId,
      name,
      email,
      role: member.role,
      projectAccess: accessOf(member.projectIds),
      twoFactor: twoFactor === true,
      passkeys: key?.count ?? 0,
      joinedAt: member.createdAt,
      lastSignInAt,
      lastActivityAt,
      inactive: isInactive([lastSignInAt, lastActivityAt, member.createdAt], cutoff),
    };
  });

  const tokens = await tx.select().from(adminTokens).where(eq(adminTokens.orgId, orgId)).orderBy(asc(adminTokens.createdAt));
  const reviewedTokens = tokens.map((t): ReviewedAdminToken => {
    const live = t.revokedAt === null && (t.expiresAt === null || t.expiresAt > now);
    return {
      id: t.id,
      name: t.name,
      role: t.role,
      createdAt: t.createdAt,
      expiresAt: t.expiresAt,
      revokedAt: t.revokedAt,
      lastUsedAt: t.lastUsedAt,
      inactive: live && isInactive([t.lastUsedAt, t.createdAt], cutoff),
    };
  });

  const invitations = await listPendingInvitations(tx, orgId, now);
  return {
    generatedAt: now,
    inactiveDays,
    members: reviewed,
    adminTokens: reviewedTokens,
    pendingInvitations: invitations.map((i) => ({
      email: i.email,
      role: i.role,
      projectAccess: accessOf(i.projectIds),
      invitedAt: i.createdAt,
      expiresAt: i.expiresAt,
    })),
  };
}
