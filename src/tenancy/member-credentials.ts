/**
 * What a departing member takes with them: their personal API keys and the admin tokens they
 * minted stop working in the same transaction that removes the membership (a key or token must
 * not outlive the authority it was issued under), each revocation audited. The rows stay, without
 * the link to the member, so request logs and the audit trail keep pointing at them.
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { Logger } from 'pino';
import { announce } from '../credentials/announce.js';
import type { EventBus } from '../events/event-bus.js';
import type { ActionContext } from '../audit/context.js';
import { recordAudit } from '../audit/record.js';
import { adminTokens, apiKeys } from '../db/schema/index.js';
import type { Tx } from '../db/types.js';

export type ReleasedCredentials = { apiKeyIds: string[]; adminTokenIds: string[] };

export async function releaseMemberCredentials(
  tx: Tx,
  member: { id: string; orgId: string },
  reason: string,
  ctx: ActionContext,
): Promise<ReleasedCredentials> {
  const now = new Date();
  const keys = await tx
    .update(apiKeys)
    .set({ revokedAt: now })
    .where(and(eq(apiKeys.ownerMemberId, member.id), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id, name: apiKeys.name, projectId: apiKeys.projectId, lookupId: apiKeys.lookupId, last4: apiKeys.last4 });
  for (const key of keys)
    await recordAudit(tx, {
      orgId: member.orgId,
      actor: ctx.actor,
      requestId: ctx.requestId,
      action: 'api_key.revoked',
      target: { type: 'api_key', id: key.id },
      reason,
      diff: { name: key.name, projectId: key.projectId, lookupId: key.lookupId, last4: key.last4, ownerMemberId: member.id },
    });
  const tokens = await tx
    .update(adminTokens)
    .set({ revokedAt: now })
    .where(and(eq(adminTokens.createdByMemberId, member.id), isNull(adminTokens.revokedAt)))
    .returning({
      id: adminTokens.id,
      name: adminTokens.name,
      role: adminTokens.role,
      lookupId: adminTokens.lookupId,
      last4: adminTokens.last4,
    });
  for (const token of tokens)
    await recordAudit(tx, {
      orgId: member.orgId,
      actor: ctx.actor,
      requestId: ctx.requestId,
      action: 'admin_token.revoked',
      target: { type: 'admin_token', id: token.id },
      reason,
      diff: { name: token.name, role: token.role, lookupId: token.lookupId, last4: token.last4, createdByMemberId: member.id },
    });
  // Revoked or not, the rows must let go of the member: the foreign keys would refuse the removal.
  await tx.update(apiKeys).set({ ownerMemberId: null }).where(eq(apiKeys.ownerMemberId, member.id));
  await tx.update(adminTokens).set({ createdByMemberId: null }).where(eq(adminTokens.createdByMemberId, member.id));
  return { apiKeyIds: keys.map((k) => k.id), adminTokenIds: tokens.map((t) => t.id) };
}

/** After commit: every replica drops the revoked keys' cached verifications and the org's token cache. */
export async function announceReleased(bus: EventBus, logger: Logger, orgId: string, released: ReleasedCredentials): Promise<void> {
  await Promise.all(released.apiKeyIds.map((apiKeyId) => announce(bus, { type: 'api_key.changed', orgId, apiKeyId }, logger)));
  if (released.adminTokenIds.length > 0) await announce(bus, { type: 'org.changed', orgId }, logger);
}
