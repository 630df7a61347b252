/**
 * The throwaway API key behind "test connection": created for one gateway request and revoked
 * right after it, both audited with a reason naming the provider key under test. It never leaves
 * the api process (no response, no log carries it), expires on its own after TTL_MS in case the
 * revocation never runs (process killed mid-test), and may request only the one pinned model.
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { ActionContext } from '../audit/context.js';
import { recordAudit } from '../audit/record.js';
import { randomBase62 } from '../crypto/random.js';
import { apiKeys } from '../db/schema/index.js';
import type { Tx } from '../db/types.js';
import type { PreparedApiKey } from './api-keys.js';

export const TEST_KEY_TTL_MS = 2 * 60_000;

export type TestKeyInsert = { orgId: string; projectId: string; providerKeyId: string; label: string; pinnedModel: string };

const reasonFor = (input: Pick<TestKeyInsert, 'providerKeyId' | 'label'>) =>
  `test connection of provider key ${input.label} (${input.providerKeyId})`;

/** Inserts the key (prepared, i.e. bcrypt-hashed, before the transaction) and audits api_key.created. */
export async function insertTestKey(tx: Tx, prepared: PreparedApiKey, input: TestKeyInsert, ctx: ActionContext): Promise<string> {
  const [row] = await tx
    .insert(apiKeys)
    .values({
      orgId: input.orgId,
      projectId: input.projectId,
      name: `test-connection-${randomBase62(12)}`,
      kind: prepared.kind,
      lookupId: prepared.lookupId,
      secretHash: prepared.secretHash,
      last4: prepared.last4,
      ownerMemberId: null,
      expiresAt: new Date(Date.now() + TEST_KEY_TTL_MS),
      allowedModels: [input.pinnedModel],
      ipAllowlist: null,
      limits: {},
    })
    .returning({ id: apiKeys.id, name: apiKeys.name, expiresAt: apiKeys.expiresAt });
  if (!row) throw new Error('inserted test key not returned');
  await recordAudit(tx, {
    orgId: input.orgId,
    actor: ctx.actor,
    requestId: ctx.requestId,
    action: 'api_key.created',
    target: { type: 'api_key', id: row.id },
    reason: reasonFor(input),
    diff: {
      name: row.name,
      projectId: input.projectId,
      kind: prepared.kind,
      lookupId: prepared.lookupId,
      last4: prepared.last4,
      expiresAt: row.expiresAt,
      allowedModels: [input.pinnedModel],
      providerKeyId: input.providerKeyId,
    },
  });
  return row.id;
}

/** Revokes the key and audits api_key.revoked; false when it was already revoked or is gone. */
export async function revokeTestKey(
  tx: Tx,
  keyId: string,
  input: Pick<TestKeyInsert, 'orgId' | 'providerKeyId' | 'label'>,
  ctx: ActionContext,
): Promise<boolean> {
  const [row] = await tx
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.id, keyId), isNull(apiKeys.revokedAt)))
    .returning({ name: apiKeys.name, projectId: apiKeys.projectId, lookupId: apiKeys.lookupId, last4: apiKeys.last4 });
  if (!row) return false;
  await recordAudit(tx, {
    orgId: input.orgId,
    actor: ctx.actor,
    requestId: ctx.requestId,
    action: 'api_key.revoked',
    target: { type: 'api_key', id: keyId },
    reason: reasonFor(input),
    diff: { ...row, providerKeyId: input.providerKeyId },
  });
  return true;
}
