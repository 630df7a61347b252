/**
 * Invitations to an org by email link. The link carries a 256-bit random token in its fragment;
 * only its SHA-256 is stored. A link is single use, expires after INVITATION_TTL_SECONDS and can be
 * revoked; an expired, revoked or used link gets one and the same answer.
 */
import { hashPassword } from 'better-auth/crypto';
import { and, asc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import type { ActionContext } from '../audit/context.js';
import { recordAudit } from '../audit/record.js';
import { sha256Hex } from '../crypto/hash.js';
import { randomTokenBase64Url } from '../crypto/random.js';
import { queryOne } from '../db/rows.js';
import { invitations, projects, users, type MemberRole } from '../db/schema/index.js';
import type { ScopedDatabase } from '../db/tenant.js';
import type { Tx } from '../db/types.js';
import { addMember, findMember, normalizeProjectIds } from './members.js';
import { createPasswordUser, findUserByEmail, normaliseEmail } from './users.js';

export const INVITATION_TTL_SECONDS = 7 * 86_400;

export type Invitation = typeof invitations.$inferSelect;

export function invitationTokenHash(token: string): string {
  return sha256Hex(`portcullis invitation token v1:${token}`);
}

export function invitationLink(publicUrl: string, token: string): string {
  return `${publicUrl}/invite#token=${token}`;
}

export async function createInvitation(
  tx: Tx,
  input: { orgId: string; email: string; role: MemberRole; invitedBy: string | null; projectIds?: readonly string[] | null },
  ctx: ActionContext,
  now = new Date(),
): Promise<{ invitation: Invitation; token: string }> {
  const token = randomTokenBase64Url(32);
  // The caller refuses a list for admins and owners; the database refuses it too.
  const projectIds = normalizeProjectIds(input.projectIds ?? null);
  const [row] = await tx
    .insert(invitations)
    .values({
      orgId: input.orgId,
      email: normaliseEmail(input.email),
      role: input.role,
      tokenHash: invitationTokenHash(token),
      expiresAt: new Date(now.getTime() + INVITATION_TTL_SECONDS * 1000),
      invitedBy: input.invitedBy,
      projectIds,
    })
    .returning();
  await recordAudit(tx, {
    orgId: input.orgId,
    actor: ctx.actor,
    requestId: ctx.requestId,
    action: 'invitation.created',
    target: { type: 'invitation', id: row!.id },
    diff: { role: row!.role, expiresAt: row!.expiresAt.toISOString(), ...(projectIds ? { projectIds } : {}) },
    personal: { email: row!.email },
    subject: (await findUserByEmail(tx, row!.email))?.id ?? null,
  });
  return { invitation: row!, token };
}

/** Pending invitations of the org in the transaction: neither accepted, revoked nor expired. */
export async function listPendingInvitations(tx: Tx, orgId: string, now = new Date()): Promise<Invitation[]> {
  return tx
    .select()
    .from(invitations)
    .where(and(eq(invitations.orgId, orgId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, now)))
    .orderBy(asc(invitations.createdAt));
}

/** Revokes a pending invitation; false when there is none by that id (or it is no longer pending). */
export async function revokeInvitation(tx: Tx, orgId: string, id: string, ctx: ActionContext): Promise<boolean> {
  const [row] = await tx
    .update(invitations)
    .set({ revokedAt: new Date() })
    .where(and(eq(invitations.orgId, orgId), eq(invitations.id, id), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
    .returning();
  if (!row) return false;
  await recordAudit(tx, {
    orgId,
    actor: ctx.actor,
    requestId: ctx.requestId,
    action: 'invitation.revoked',
    target: { type: 'invitation', id },
    diff: { role: row.role },
    personal: { email: row.email },
    subject: (await findUserByEmail(tx, row.email))?.id ?? null,
  });
  return true;
}

export class InvitationError extends Error {
  constructor(
    readonly reason: 'invalid' | 'email_mismatch' | 'already_member' | 'account_exists',
    message: string,
  ) {
    super(message);
    this.name = 'InvitationError';
  }
}

export type AcceptInput =
  | {
      kind: 'new_user';
      token: string;
      name: string;
      password: string;
      /** The password policy, given the invited address (throws to refuse the password). */
      checkPassword: (email: string) => Promise<void>;
    }
  | { kind: 'session'; token: string; userId: string; email: string };

export type AcceptResult = { orgId: string; userId: string; memberId: string; role: MemberRole; created: boolean };

/**
 * Accepts an invitation in one transaction of its org: locks the row, checks it is still usable,
 * creates the user (with a password, email verified: the link proves the address) or takes the
 * signed-in one, adds the membership and marks the invitation used. The password is hashed by the
 * caller's policy check first (checkPassword), here only stored.
 */
export async function acceptInvitation(
  db: ScopedDatabase,
  input: AcceptInput,
  ctx: ActionContext,
  now = new Date(),
): Promise<AcceptResult> {
  const tokenHash = invitationTokenHash(input.token);
  const found = await db.withRole((tx) =>
    queryOne<{ id: string; org_id: string }>(tx, sql`select id, org_id from portcullis_find_invitation(${tokenHash})`),
  );
  const invalid = () => new InvitationError('invalid', 'This invitation link has expired, was revoked or was already used.');
  if (!found) throw invalid();
  let passwordHash: string | undefined;
  if (input.kind === 'new_user') {
    const [row] = await db.withTenant(found.org_id, (tx) =>
      tx.select({ email: invitations.email }).from(invitations).where(eq(invitations.id, found.id)).limit(1),
    );
    if (!row) throw invalid();
    await input.checkPassword(row.email);
    passwordHash = await hashPassword(input.password);
  }
  return db.withTenant(found.org_id, async (tx) => {
    const [invitation] = await tx.select().from(invitations).where(eq(invitations.id, found.id)).for('update').limit(1);
    if (!invitation || invitation.acceptedAt !== null || invitation.revokedAt !== null || invitation.expiresAt <= now) throw invalid();
    let userId: string;
    let created = false;
    if (input.kind === 'session') {
      if (normaliseEmail(input.email) !== invitation.email)
        throw new InvitationError('email_mismatch', 'This invitation was sent to another email address. Sign in with that address.');
      userId = input.userId;
      if (await findMember(tx, invitation.orgId, userId))
        throw new InvitationError('already_member', 'You are already a member of this organization.');
    } else {
      if (await findUserByEmail(tx, invitation.email))
        throw new InvitationError('account_exists', 'An account with this email address exists: sign in first, then open the link again.');
      userId = await createPasswordUser(
        tx,
        {
          email: invitation.email,
          name: input.name,
          passwordHash: passwordHash!,
          emailVerified: true,
          via: { via: 'invitation', orgId: invitation.orgId },
        },
        ctx,
      );
      created = true;
    }
    if (input.kind === 'session') await tx.update(users).set({ emailVerified: true }).where(eq(users.id, userId));
    await tx.update(invitations).set({ acceptedAt: now }).where(eq(invitations.id, invitation.id));
    const actorCtx: ActionContext = { actor: { ...ctx.actor, type: 'user', id: userId }, requestId: ctx.requestId };
    await recordAudit(tx, {
      orgId: invitation.orgId,
      actor: actorCtx.actor,
      requestId: ctx.requestId,
      action: 'invitation.accepted',
      target: { type: 'invitation', id: invitation.id },
      diff: { role: invitation.role, newUser: created },
      personal: { email: invitation.email },
    });
    const projectIds = await projectsStillInOrg(tx, invitation.orgId, invitation.projectIds);
    const member = await addMember(
      tx,
      { orgId: invitation.orgId, userId, email: invitation.email, role: invitation.role, projectIds },
      actorCtx,
    );
    return { orgId: invitation.orgId, userId, memberId: member.id, role: invitation.role, created };
  });
}

/**
 * The invitation's project list less the projects deleted since it was sent. A list never widens:
 * when every listed project is gone the member starts with none (`[]`), not with every project.
 */
async function projectsStillInOrg(tx: Tx, orgId: string, ids: readonly string[] | null): Promise<string[] | null> {
  if (ids === null) return null;
  if (ids.length === 0) return [];
  const rows = await tx
    .select({ id: projects.id })
    .from(projects)
    .where(and(eq(projects.orgId, orgId), inArray(projects.id, [...ids])));
  return normalizeProjectIds(rows.map((row) => row.id));
}
