import { and, eq } from 'drizzle-orm';
import { members, type MemberRole } from '../db/schema/index.js';
import type { Tx } from '../db/types.js';
import { recordAudit } from '../audit/record.js';
import type { ActionContext } from '../audit/context.js';
import { endSessions } from '../identity/sessions.js';
import { releaseMemberCredentials, type ReleasedCredentials } from './member-credentials.js';

export type Member = typeof members.$inferSelect;

export async function findMember(tx: Tx, orgId: string, userId: string): Promise<Member | undefined> {
  const [row] = await tx
    .select()
    .from(members)
    .where(and(eq(members.orgId, orgId), eq(members.userId, userId)))
    .limit(1);
  return row;
}

export async function addMember(
  tx: Tx,
  input: { orgId: string; userId: string; email: string; role: MemberRole; projectIds?: readonly string[] | null },
  ctx: ActionContext,
): Promise<Member> {
  const projectIds = normalizeProjectIds(input.projectIds ?? null);
  const [row] = await tx.insert(members).values({ orgId: input.orgId, userId: input.userId, role: input.role, projectIds }).returning();
  await recordAudit(tx, {
    orgId: input.orgId,
    actor: ctx.actor,
    requestId: ctx.requestId,
    action: 'member.added',
    target: { type: 'member', id: row!.id },
    diff: { userId: input.userId, role: input.role, ...(projectIds ? { projectIds } : {}) },
    personal: { email: input.email },
    subject: input.userId,
  });
  return row!;
}

/** Roles that can be limited to some projects; admins and owners always reach every project. */
export const PROJECT_RESTRICTABLE_ROLES: readonly MemberRole[] = ['developer', 'viewer'];

export const isProjectRestrictable = (role: MemberRole): boolean => PROJECT_RESTRICTABLE_ROLES.includes(role);

/** Lower case, deduplicated, sorted: one spelling per set, so comparisons and audit diffs are stable. */
export function normalizeProjectIds(ids: readonly string[] | null): string[] | null {
  return ids === null ? null : [...new Set(ids.map((id) => id.toLowerCase()))].sort();
}

const sameProjectIds = (a: string[] | null, b: string[] | null) =>
  a === null || b === null ? a === b : a.length === b.length && a.every((id, i) => id === b[i]);

/**
 * Changes a member's role and project access in one audited step. A role change is recorded as
 * `member.role_changed` and ends the member's sessions (no session outlives the grant it was
 * started under); a change of project access alone is `member.updated` and leaves the sessions
 * alone: memberships are read on every request, so the next one already sees it. Admins and
 * owners are never limited, so promoting a member clears their list (the database insists too).
 * The caller checks that the projects belong to the org. Returns the row as it now is.
 */
export async function updateMember(
  tx: Tx,
  member: Member,
  change: { role: MemberRole; projectIds: readonly string[] | null },
  ctx: ActionContext,
): Promise<Member> {
  const projectIds = isProjectRestrictable(change.role) ? normalizeProjectIds(change.projectIds) : null;
  const previousProjectIds = normalizeProjectIds(member.projectIds);
  const roleChanged = member.role !== change.role;
  const projectsChanged = !sameProjectIds(previousProjectIds, projectIds);
  if (!roleChanged && !projectsChanged) return member;
  const [row] = await tx
    .update(members)
    .set({ role: change.role, projectIds, updatedAt: new Date() })
    .where(eq(members.id, member.id))
    .returning();
  await recordAudit(tx, {
    orgId: member.orgId,
    actor: ctx.actor,
    requestId: ctx.requestId,
    action: roleChanged ? 'member.role_changed' : 'member.updated',
    target: { type: 'member', id: member.id },
    diff: {
      ...(roleChanged ? { role: { from: member.role, to: change.role } } : {}),
      ...(projectsChanged ? { projectIds: { from: previousProjectIds, to: projectIds } } : {}),
    },
  });
  if (roleChanged) await endSessions(tx, member.userId, { reason: 'member_role_changed' }, ctx);
  return row!;
}

/** A new role; a developer or viewer keeps their project access, an admin or owner has none to keep. */
export async function changeMemberRole(tx: Tx, member: Member, role: MemberRole, ctx: ActionContext): Promise<void> {
  await updateMember(tx, member, { role, projectIds: member.projectIds }, ctx);
}

/**
 * Removes a member from their org and, in the same transaction, revokes their personal API keys
 * and the admin tokens they minted, and ends all their sessions. The caller announces the
 * revoked credentials once the transaction has committed (announceReleased).
 */
export async function removeMember(tx: Tx, member: Member, ctx: ActionContext, reason = 'member_removed'): Promise<ReleasedCredentials> {
  const released = await releaseMemberCredentials(tx, member, reason, ctx);
  await tx.delete(members).where(eq(members.id, member.id));
  await recordAudit(tx, {
    orgId: member.orgId,
    actor: ctx.actor,
    requestId: ctx.requestId,
    action: 'member.removed',
    target: { type: 'member', id: member.id },
    diff: { userId: member.userId, role: member.role },
  });
  await endSessions(tx, member.userId, { reason }, ctx);
  return released;
}

/** The org's owners, their rows locked: two concurrent departures or demotions cannot both see "another owner remains". */
export async function ownerCount(tx: Tx, orgId: string): Promise<number> {
  const rows = await tx
    .select({ id: members.id })
    .from(members)
    .where(and(eq(members.orgId, orgId), eq(members.role, 'owner')))
    .for('update');
  return rows.length;
}
