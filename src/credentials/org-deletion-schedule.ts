/**
 * Org deletion with a grace period. An owner's deletion does not destroy anything at once: it sets
 * `organizations.deletion_scheduled_for` to now + ORG_DELETION_GRACE_DAYS. Until then the org's API
 * keys are refused by the gateway (gateway/context/project-context.ts), the org stays manageable
 * (so an owner can export it or change their mind), and an owner may cancel. Once the time has
 * passed, the purge job (governance/org-purge-job.ts) deletes it with crypto-shredding
 * (org-deletion.ts). Both steps are audited in the org's chain and in the instance chain, so a
 * scheduled or cancelled deletion can be found even after the org is gone.
 */
import { eq } from 'drizzle-orm';
import type { ActionContext } from '../audit/context.js';
import { recordAudit } from '../audit/record.js';
import { organizations } from '../db/schema/index.js';
import type { Tx } from '../db/types.js';
import { HttpError, notFound } from '../http/errors.js';
import { announce } from './announce.js';
import type { CredentialDeps } from './api-key-service.js';
import { assertExactOrgName } from './org-deletion-confirmation.js';

const DAY_MS = 86_400_000;
const conflict = (message: string, code: string) => new HttpError(409, 'invalid_request_error', code, message);

export type ScheduledDeletion = { orgId: string; name: string; deletionScheduledFor: Date; graceDays: number };
export type CancelledDeletion = { orgId: string; name: string; cancelledDeletionScheduledFor: Date };

async function lockOrg(tx: Tx, orgId: string) {
  // FOR UPDATE: a schedule, a cancel and a purge of the same org take turns, never interleave.
  const [org] = await tx
    .select({ name: organizations.name, deletionScheduledFor: organizations.deletionScheduledFor })
    .from(organizations)
    .where(eq(organizations.id, orgId))
    .for('update');
  if (!org) throw notFound('Organization not found', 'org_not_found');
  return org;
}

/** Both chains: the org's (its owners see it) and the instance's (the operator finds it after the purge). */
async function recordInBothChains(
  tx: Tx,
  orgId: string,
  ctx: ActionContext,
  action: 'org.deletion_scheduled' | 'org.deletion_cancelled',
  diff: Record<string, unknown>,
) {
  const event = { actor: ctx.actor, requestId: ctx.requestId, action, target: { type: 'org', id: orgId }, diff } as const;
  await recordAudit(tx, { orgId, ...event });
  await recordAudit(tx, { orgId: null, ...event });
}

/**
 * Schedules the deletion when `confirm` is the org's exact name. A second schedule is a 409: it
 * would silently move a date the owners were told about (cancel first to change it).
 */
export async function scheduleOrgDeletion(
  deps: CredentialDeps,
  orgId: string,
  input: { confirm: string; graceDays: number; now?: Date },
  ctx: ActionContext,
): Promise<ScheduledDeletion> {
  const now = input.now ?? new Date();
  const scheduled = await deps.db.withTenant(orgId, async (tx) => {
    const org = await lockOrg(tx, orgId);
    assertExactOrgName(org.name, input.confirm);
    if (org.deletionScheduledFor !== null)
      throw conflict(
        `This organization is already scheduled for deletion at ${org.deletionScheduledFor.toISOString()}; cancel it first to change the date.`,
        'deletion_already_scheduled',
      );
    const at = new Date(now.getTime() + input.graceDays * DAY_MS);
    await tx.update(organizations).set({ deletionScheduledFor: at, updatedAt: now }).where(eq(organizations.id, orgId));
    await recordInBothChains(tx, orgId, ctx, 'org.deletion_scheduled', {
      name: org.name,
      deletionScheduledFor: at.toISOString(),
      graceDays: input.graceDays,
    });
    return { orgId, name: org.name, deletionScheduledFor: at, graceDays: input.graceDays };
  });
  // Every gateway reloads the org's context, sees the date and refuses its API keys from now on.
  await announce(deps.bus, { type: 'org.changed', orgId }, deps.logger);
  return scheduled;
}

/** Cancels a scheduled deletion; 409 when none is scheduled. The org's API keys work again at once. */
export async function cancelOrgDeletion(deps: CredentialDeps, orgId: string, ctx: ActionContext): Promise<CancelledDeletion> {
  const cancelled = await deps.db.withTenant(orgId, async (tx) => {
    const org = await lockOrg(tx, orgId);
    if (org.deletionScheduledFor === null) throw conflict('No deletion of this organization is scheduled.', 'deletion_not_scheduled');
    await tx.update(organizations).set({ deletionScheduledFor: null, updatedAt: new Date() }).where(eq(organizations.id, orgId));
    await recordInBothChains(tx, orgId, ctx, 'org.deletion_cancelled', {
      name: org.name,
      deletionScheduledFor: org.deletionScheduledFor.toISOString(),
    });
    return { orgId, name: org.name, cancelledDeletionScheduledFor: org.deletionScheduledFor };
  });
  await announce(deps.bus, { type: 'org.changed', orgId }, deps.logger);
  return cancelled;
}
