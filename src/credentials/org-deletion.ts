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
import { badRequest, notFound } from '../http/errors.js';
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

/**
 * Deletes the org when `confirm` is exactly its name. Audited twice in the deleting transaction:
 * the org's own chain gets its last event, and the instance chain records the deletion so it can
 * be found without the org. Announced afterwards so every replica drops what it cached.
 */
export async function deleteOrganization(
  deps: CredentialDeps,
  orgId: string,
  confirm: string,
  ctx: ActionContext,
): Promise<OrgDeletionSummary> {
  const { summary, apiKeyIds } = await deps.db.withTenant(orgId, async (tx) => {
    // FOR UPDATE: a second deletion (or a rename) waits for this one instead of racing it.
    const [org] = await tx
      .select({ id: organizations.id, name: organizations.name })
      .from(organizations)
      .where(eq(organizations.id, orgId))
      .for('update');
    if (!org) throw notFound('Organization not found', 'org_not_found');
    // Exact, case included: a typed-out name, not a lookup.
    if (confirm !== org.name)
      throw badRequest("The confirmation must be the organization's exact name (case included).", 'confirmation_mismatch');
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
      diff: { name: org.name, ...result.deleted, shreddedRequestBodies: result.shreddedRequestBodies },
    } as const;
    await recordAudit(tx, { orgId, ...event });
    const removed = await tx.delete(organizations).where(eq(organizations.id, orgId)).returning({ id: organizations.id });
    if (removed.length !== 1) throw new Error(`organization ${orgId} was not deleted`);
    await recordAudit(tx, { orgId: null, ...event });
    return { summary: result, apiKeyIds: keys.map((k) => k.id) };
  });
  // Gateways and api replicas drop the org's contexts, provider secrets, data keys and admin
  // tokens; each API key's verified-key cache entry goes too, so the next request is a 401.
  await announce(deps.bus, { type: 'org.changed', orgId }, deps.logger);
  await Promise.all(apiKeyIds.map((apiKeyId) => announce(deps.bus, { type: 'api_key.changed', orgId, apiKeyId }, deps.logger)));
  return summary;
}
