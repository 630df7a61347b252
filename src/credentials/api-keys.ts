import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { generateCredential, hashCredentialSecret } from '../crypto/api-key.js';
import { apiKeys } from '../db/schema/index.js';
import type { Tx } from '../db/types.js';
import { recordAudit } from '../audit/record.js';
import type { ActionContext } from '../audit/context.js';
import type { Limits } from '../tenancy/limits.js';

/**
 * A key generated and hashed OUTSIDE any transaction (bcrypt costs ~55 ms of CPU; holding a
 * transaction across it would stall PGlite's single connection). `token` is shown once.
 */
export type PreparedApiKey = { token: string; lookupId: string; last4: string; secretHash: string; kind: 'live' | 'test' };

export async function prepareApiKey(kind: 'live' | 'test'): Promise<PreparedApiKey> {
  const credential = generateCredential(kind);
  return {
    token: credential.token,
    lookupId: credential.lookupId,
    last4: credential.last4,
    secretHash: await hashCredentialSecret(credential.secret),
    kind,
  };
}

export type ApiKeyInsert = {
  orgId: string;
  projectId: string;
  name: string;
  expiresAt: Date | null;
  ownerMemberId: string | null;
  /** Restrictions and limits; absent = none (bootstrap creates unrestricted keys). */
  allowedModels?: string[] | null;
  ipAllowlist?: string[] | null;
  limits?: Limits;
};

export async function insertApiKey(tx: Tx, prepared: PreparedApiKey, input: ApiKeyInsert, ctx: ActionContext): Promise<{ id: string }> {
  const id = randomUUID();
  await tx.insert(apiKeys).values({
    id,
    orgId: input.orgId,
    projectId: input.projectId,
    name: input.name,
    kind: prepared.kind,
    lookupId: prepared.lookupId,
    secretHash: prepared.secretHash,
    last4: prepared.last4,
    ownerMemberId: input.ownerMemberId,
    expiresAt: input.expiresAt,
    allowedModels: input.allowedModels ?? null,
    ipAllowlist: input.ipAllowlist ?? null,
    limits: input.limits ?? {},
  });
  await recordAudit(tx, {
    orgId: input.orgId,
    actor: ctx.actor,
    requestId: ctx.requestId,
    action: 'api_key.created',
    target: { type: 'api_key', id },
    diff: {
      name: input.name,
      projectId: input.projectId,
      kind: prepared.kind,
      lookupId: prepared.lookupId,
      last4: prepared.last4,
      expiresAt: input.expiresAt,
      ...(input.ownerMemberId ? { ownerMemberId: input.ownerMemberId } : {}),
      ...(input.allowedModels ? { allowedModels: input.allowedModels } : {}),
      ...(input.ipAllowlist ? { ipAllowlist: input.ipAllowlist } : {}),
      ...(input.limits ? { limits: input.limits } : {}),
    },
  });
  return { id };
}

export async function findApiKeyByName(tx: Tx, projectId: string, name: string) {
  const [row] = await tx
    .select({ id: apiKeys.id, revokedAt: apiKeys.revokedAt })
    .from(apiKeys)
    .where(and(eq(apiKeys.projectId, projectId), eq(apiKeys.name, name)))
    .limit(1);
  return row;
}
