import { and, eq } from 'drizzle-orm';
import { members, type MemberRole } from '../db/schema/index.js';
import type { Tx } from '../db/types.js';
import { recordAudit } from '../audit/record.js';
import type { ActionContext } from '../audit/context.js';
import { endSessions } from '../identity/sessions.js';

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
  input: { orgId: string; userId: string; email: string; role: MemberRole },
  ctx: ActionContext,
): Promise<Member> {
  const [row] = await tx.insert(members).values({ orgId: input.orgId, userId: input.userId, role: input.role }).returning();
  await recordAudit(tx, {
    orgId: input.orgId,
    actor: ctx.actor,
    requestId: ctx.requestId,
    action: 'member.added',
    target: { type: 'member', id: row!.id },
    diff: { userId: input.userId, email: input.email, role: input.role },
  });
  return row!;
}

export async function changeMemberRole(tx: Tx, member: Member, role: MemberRole, ctx: ActionContext): Promise<void> {
  if (member.role === role) return;
  await tx.update(members).set({ role, updatedAt: new Date() }).where(eq(members.id, member.id));
  await recordAudit(tx, {
    orgId: member.orgId,
    actor: ctx.actor,
    requestId: ctx.requestId,
    action: 'member.role_changed',
    target: { type: 'member', id: member.id },
    diff: { role: { from: member.role, to: role } },
  });
  // A new role means signing in again: no session outlives the grant it was started under.
  await endSessions(tx, member.userId, { reason: 'member_role_changed' }, ctx);
}

/** Removes a member from their org and, in the same transaction, ends all their sessions. */
export async function removeMember(tx: Tx, member: Member, ctx: ActionContext): Promise<void> {
  await tx.delete(members).where(eq(members.id, member.id));
  await recordAudit(tx, {
    orgId: member.orgId,
    actor: ctx.actor,
    requestId: ctx.requestId,
    action: 'member.removed',
    target: { type: 'member', id: member.id },
    diff: { userId: member.userId, role: member.role },
  });
  await endSessions(tx, member.userId, { reason: 'member_removed' }, ctx);
}
