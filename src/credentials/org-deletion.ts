/**
 * Deleting an org, with crypto-shredding. The cascade removes its projects, members, API keys,
 * admin tokens, provider keys, org secrets and data keys (tenant_keys). Rows without a foreign
 * key stay: request logs, audit events and stored request/response bodies. The bodies are
 * ciphertext under the org's data keys, which are now destroyed, so neither they nor a copy made
 * from now on (a replica, a later backup, a Redis response-cache entry) can be decrypted. A backup
 * taken BEFORE the deletion still holds the wrapped data keys and decrypts with that master key:
 * expire such backups (or rotate the master key and destroy the old one) to finish the shredding.
 */
import { count, eq } from 'drizzle-orm';
import type { ActionContext } from '../audit/context.js';
import { recordAudit } from '../audit/record.js';
import {
  adminTokens,
  apiKeys,
  members,
  orgSecrets,
  organizations,
  projects,
  providerKeys,
  requestBodies,
  tenantKeys,
} from '../db/schema/index.js';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Tx } from '../db/types.js';
import { notFound } from '../http/errors.js';
import { announce } from './announce.js';
import type { CredentialDeps } from './api-key-service.js';

export type OrgDeletionSummary = {
  orgId: string;
  name: string;
  deleted: {
    projects: number;
    members: number;
    apiKeys: number;
    adminTokens: number;
    providerKeys: number;
    orgSecrets: number;
    dataKeys: number;
  };
  /** Stored bodies left behind without a key: unreadable by anyone from now on. */
  shreddedRequestBodies: number;
};

async function countOf(tx: Tx, table: PgTable): Promise<number> {
  // RLS scopes every count to the org of the transaction.
  const [row] = await tx.select({ n: count() }).from(table);
  return row?.n ?? 0;
}

/** The org row as the deletion sees it, locked for the deleting transaction. */
export type OrgToDelete = { id: string; name: string; deletionScheduledFor: Date | null };

/**
 * Decides, inside the locked transaction, whether this deletion may go ahead: throws to refuse
 * (a wrong confirmation), returns false to skip quietly (a purge finding the deletion cancelled).
 * Callers own the check: the route and the CLI demand the typed-out name, the purge a due date.
 */
export type DeletionPrecondition = (org: OrgToDelete) => boolean;

export type DeleteOptions = {
  /** What decides whether to go ahead (see DeletionPrecondition). */
  precondition: DeletionPrecondition;
  /**
   * `wait` (a person asked: a concurrent rename or deletion finishes first) or `skip` (the purge:
   * another replica already holding the row is purging it, so this one moves on).
   */
  lock: 'wait' | 'skip';
  /** Extra fields of the `org.deleted` diff (the purge says it was one). */
  note?: Record<string, unknown>;
};

/**
 * Deletes the org, or returns undefined when the precondition skipped it, the row is locked by
 * another purge, or it is gone already (idempotent). Audited twice in the deleting transaction:
 * the org's own chain gets its last event, and the instance chain records the deletion so it can
 * be found without the org. Announced afterwards so every replica drops what it cached.
 */
export async function deleteOrganization(
  deps: CredentialDeps,
  orgId: string,
  ctx: ActionContext,
  options: DeleteOptions,
): Promise<OrgDeletionSummary | undefined> {
  const outcome = await deps.db.withTenant(orgId, async (tx) => {
    // FOR UPDATE: a second deletion (or a rename) waits for this one instead of racing it.
    const select = tx
      .select({ id: organizations.id, name: organizations.name, deletionScheduledFor: organizations.deletionScheduledFor })
      .from(organizations)
      .where(eq(organizations.id, orgId));
    const [org] = await (options.lock === 'skip' ? select.for('update', { skipLocked: true }) : select.for('update'));
    if (!org) {
      if (options.lock === 'skip') return undefined;
      throw notFound('Organization not found', 'org_not_found');
    }
    if (!options.precondition(org)) return undefined;
    const keys = await tx.select({ id: apiKeys.id }).from(apiKeys);
    const result: OrgDeletionSummary = {
      orgId,
      name: org.name,
      deleted: {
        projects: await countOf(tx, projects),
        members: await countOf(tx, members),
        apiKeys: keys.length,
        adminTokens: await countOf(tx, adminTokens),
        providerKeys: await countOf(tx, providerKeys),
        orgSecrets: await countOf(tx, orgSecrets),
        dataKeys: await countOf(tx, tenantKeys),
      },
      shreddedRequestBodies: await countOf(tx, requestBodies),
    };
    const event = {
      actor: ctx.actor,
      requestId: ctx.requestId,
      action: 'org.deleted',
      target: { type: 'org', id: orgId },
      diff: { name: org.name, ...result.deleted, shreddedRequestBodies: result.shreddedRequestBodies, ...options.note },
    } as const;
    await recordAudit(tx, { orgId, ...event });
    const removed = await tx.delete(organizations).where(eq(organizations.id, orgId)).returning({ id: organizations.id });
    if (removed.length !== 1) throw new Error(`organization ${orgId} was not deleted`);
    await recordAudit(tx, { orgId: null, ...event });
    return { summary: result, apiKeyIds: keys.map((k) => k.id) };
  });
  if (!outcome) return undefined;
  // Gateways and api replicas drop the org's contexts, provider secrets, data keys and admin
  // tokens; each API key's verified-key cache entry goes too, so the next request is a 401.
  await announce(deps.bus, { type: 'org.changed', orgId }, deps.logger);
  await Promise.all(outcome.apiKeyIds.map((apiKeyId) => announce(deps.bus, { type: 'api_key.changed', orgId, apiKeyId }, deps.logger)));
  return outcome.summary;
}
