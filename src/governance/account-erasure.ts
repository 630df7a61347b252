/**
 * GDPR right to erasure: deleting an account (`DELETE /api/me`).
 *
 * Refused while it would leave something without its last owner: an org where the user is the
 * only owner (409 `sole_owner`, transfer ownership first) or the instance when they are its only
 * administrator (409 `last_instance_admin`). Otherwise, in order:
 *
 * 1. In each org (one transaction per org, as RLS requires): the membership is removed, which
 *    revokes the user's personal API keys and the admin tokens they minted (audited each); the
 *    invitations addressed to their email are deleted; `member.removed` lands in the org's chain.
 * 2. In one instance transaction: `user.deleted` is recorded (counts only), their email
 *    verification, reset and sign-in-location records are deleted, and the user row goes, which
 *    cascades to sessions, sign-in accounts (password hash, OAuth tokens), passkeys, two-factor,
 *    instance-admin rights and the user's data key. With the key gone every IP address, user
 *    agent, email and name sealed in audit events about them can never be opened again: the
 *    events keep only a pseudonymous user id, and their stored bytes (so the hash chains) are
 *    unchanged.
 *
 * Step 1 commits per org: a crash half-way leaves an account that still exists, with fewer
 * memberships, and asking again finishes the job.
 */
import { and, eq, like, or } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { ActionContext } from '../audit/context.js';
import { recordAudit } from '../audit/record.js';
import { userMemberships } from '../db/definer.js';
import { invitationsToEmail } from '../db/definer-personal-data.js';
import { instanceAdmins, invitations, members, users, verifications } from '../db/schema/index.js';
import type { ScopedDatabase } from '../db/tenant.js';
import type { EventBus } from '../events/event-bus.js';
import { HttpError, notFound } from '../http/errors.js';
import { announceReleased } from '../tenancy/member-credentials.js';
import { ownerCount, removeMember } from '../tenancy/members.js';

export type ErasureDeps = { db: ScopedDatabase; bus: EventBus; logger: Logger };

export type ErasureSummary = {
  userId: string;
  memberships: number;
  apiKeysRevoked: number;
  adminTokensRevoked: number;
  invitationsDeleted: number;
};

export class ErasureRefused extends HttpError {
  constructor(code: 'sole_owner' | 'last_instance_admin', message: string, orgs: { id: string; name: string }[] = []) {
    super(409, 'invalid_request_error', code, message, orgs.length > 0 ? { details: { orgs } } : {});
  }
}

async function refuseIfLastOwnerOrAdmin(deps: ErasureDeps, userId: string): Promise<void> {
  const { memberships, onlyAdmin } = await deps.db.withRole(async (tx) => {
    const list = await userMemberships(tx, userId);
    const admins = await tx.select({ userId: instanceAdmins.userId }).from(instanceAdmins);
    return { memberships: list, onlyAdmin: admins.length === 1 && admins[0]?.userId === userId };
  });
  if (onlyAdmin)
    throw new ErasureRefused('last_instance_admin', 'You are the only instance administrator: make someone else an administrator first.');
  const soleOwned: { id: string; name: string }[] = [];
  for (const m of memberships.filter((m) => m.role === 'owner'))
    if ((await deps.db.withTenant(m.orgId, (tx) => ownerCount(tx, m.orgId))) <= 1) soleOwned.push({ id: m.orgId, name: m.orgName });
  if (soleOwned.length > 0)
    throw new ErasureRefused(
      'sole_owner',
      `You are the only owner of ${soleOwned.map((o) => JSON.stringify(o.name)).join(', ')}: transfer ownership or delete the organization first.`,
      soleOwned,
    );
}

export async function eraseAccount(deps: ErasureDeps, userId: string, ctx: ActionContext): Promise<ErasureSummary> {
  const user = await deps.db.withRole(async (tx) => (await tx.select().from(users).where(eq(users.id, userId)).limit(1))[0]);
  if (!user) throw notFound('Account not found', 'not_found');
  await refuseIfLastOwnerOrAdmin(deps, userId);

  const summary: ErasureSummary = { userId, memberships: 0, apiKeysRevoked: 0, adminTokensRevoked: 0, invitationsDeleted: 0 };
  const { memberships, invited } = await deps.db.withRole(async (tx) => ({
    memberships: await userMemberships(tx, userId),
    invited: await invitationsToEmail(tx, user.email),
  }));
  const orgIds = new Set([...memberships.map((m) => m.orgId), ...invited.map((i) => i.orgId)]);
  for (const orgId of orgIds) {
    const released = await deps.db.withTenant(orgId, async (tx) => {
      const [member] = await tx
        .select()
        .from(members)
        .where(and(eq(members.orgId, orgId), eq(members.userId, userId)))
        .limit(1);
      // Re-checked under the row locks: another owner may have left since the first check.
      if (member?.role === 'owner' && (await ownerCount(tx, orgId)) <= 1)
        throw new ErasureRefused('sole_owner', 'You have become the only owner of an organization: transfer ownership first.');
      const result = member ? await removeMember(tx, member, ctx, 'account_deleted') : { apiKeyIds: [], adminTokenIds: [] };
      const gone = await tx
        .delete(invitations)
        .where(and(eq(invitations.orgId, orgId), eq(invitations.email, user.email.toLowerCase())))
        .returning({ id: invitations.id });
      if (member) summary.memberships += 1;
      summary.invitationsDeleted += gone.length;
      return result;
    });
    summary.apiKeysRevoked += released.apiKeyIds.length;
    summary.adminTokensRevoked += released.adminTokenIds.length;
    await announceReleased(deps.bus, deps.logger, orgId, released);
  }

  await deps.db.withRole(async (tx) => {
    // Recorded while the key still exists, so even this event's IP is sealed, then shredded.
    await recordAudit(tx, {
      orgId: null,
      actor: ctx.actor,
      requestId: ctx.requestId,
      action: 'user.deleted',
      target: { type: 'user', id: userId },
      diff: {
        memberships: summary.memberships,
        apiKeysRevoked: summary.apiKeysRevoked,
        adminTokensRevoked: summary.adminTokensRevoked,
        invitationsDeleted: summary.invitationsDeleted,
      },
    });
    // Records keyed by the user id (recovery codes, sign-in locations) or holding it with the
    // address (email verification, password reset).
    const pattern = `%${userId.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    await tx.delete(verifications).where(or(like(verifications.identifier, pattern), like(verifications.value, pattern)));
    await tx.delete(users).where(eq(users.id, userId));
  });
  return summary;
}
