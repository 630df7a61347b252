/**
 * The throwaway API keys the api mints to call the gateway on a user's behalf ("test connection"
 * of a provider key, the playground): created for one gateway request and revoked right after it,
 * both audited with a reason saying what the key was for. The key never leaves the api process
 * (no response, no log carries it), expires on its own after SHORT_LIVED_KEY_TTL_MS in case the
 * revocation never runs (process killed mid-request), and may request only the models it names.
 *
 * Usage: `const key = await mintShortLivedKey(...)`, then `try { …call the gateway… } finally {
 * await revokeShortLivedKey(...) }` — the finally may run later than the route handler (a stream).
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { ActionContext } from '../audit/context.js';
import { recordAudit } from '../audit/record.js';
import { randomBase62 } from '../crypto/random.js';
import { apiKeys } from '../db/schema/index.js';
import type { ProjectMode } from '../db/schema/index.js';
import type { Tx } from '../db/types.js';
import { announce } from './announce.js';
import type { CredentialDeps } from './api-key-service.js';
import { prepareApiKey } from './api-keys.js';

export const SHORT_LIVED_KEY_TTL_MS = 2 * 60_000;

/** What the key is for, decided (and re-checked) inside the transaction that inserts it. */
export type ShortLivedKeySpec = {
  projectId: string;
  /** The project's mode: a test project gets a pc_test_ key, as any of its keys. */
  projectMode: ProjectMode;
  /** The only models the key may request (`provider/model`). */
  allowedModels: string[];
  /** The key's name is this prefix and a random suffix, so lists show what it was. */
  namePrefix: string;
  /** The audit reason of both events (created, revoked). */
  reason: string;
  /** Value-free ids added to both audit diffs (e.g. the provider key under test). */
  details: Readonly<Record<string, string>>;
};

export type ShortLivedKey<S extends ShortLivedKeySpec> = {
  /** The bearer secret, for the one gateway request: never returned, logged or stored. */
  token: string;
  keyId: string;
  spec: S;
};

/**
 * Mints the key. `describe` runs twice: before hashing (so a refusal mints nothing and the kind of
 * key is known) and again inside the inserting transaction, so what was checked is what is written.
 */
export async function mintShortLivedKey<S extends ShortLivedKeySpec>(
  deps: CredentialDeps,
  orgId: string,
  describe: (tx: Tx) => Promise<S>,
  ctx: ActionContext,
): Promise<ShortLivedKey<S>> {
  const draft = await deps.db.withTenant(orgId, describe);
  // bcrypt outside any transaction (PGlite has one connection).
  const prepared = await prepareApiKey(draft.projectMode);
  const { spec, keyId } = await deps.db.withTenant(orgId, async (tx) => {
    const spec = await describe(tx);
    if (spec.projectMode !== prepared.kind) throw new Error('project mode changed while minting a short-lived key');
    return { spec, keyId: await insertKey(tx, orgId, prepared, spec, ctx) };
  });
  // No api_key.changed after the insert: no cache can hold a key that did not exist.
  return { token: prepared.token, keyId, spec };
}

/** Revokes the key (audited) and tells every gateway replica to drop it; safe to call twice. */
export async function revokeShortLivedKey(
  deps: CredentialDeps,
  orgId: string,
  key: ShortLivedKey<ShortLivedKeySpec>,
  ctx: ActionContext,
): Promise<void> {
  const revoked = await deps.db.withTenant(orgId, (tx) => revokeKey(tx, orgId, key.keyId, key.spec, ctx));
  // The gateway cached the key when it verified it: every replica drops it now.
  if (revoked) await announce(deps.bus, { type: 'api_key.changed', orgId, apiKeyId: key.keyId }, deps.logger);
}

async function insertKey(
  tx: Tx,
  orgId: string,
  prepared: Awaited<ReturnType<typeof prepareApiKey>>,
  spec: ShortLivedKeySpec,
  ctx: ActionContext,
): Promise<string> {
  const [row] = await tx
    .insert(apiKeys)
    .values({
      orgId,
      projectId: spec.projectId,
      name: `${spec.namePrefix}-${randomBase62(12)}`,
      kind: prepared.kind,
      lookupId: prepared.lookupId,
      secretHash: prepared.secretHash,
      last4: prepared.last4,
      ownerMemberId: null,
      expiresAt: new Date(Date.now() + SHORT_LIVED_KEY_TTL_MS),
      allowedModels: spec.allowedModels,
      ipAllowlist: null,
      limits: {},
    })
    .returning({ id: apiKeys.id, name: apiKeys.name, expiresAt: apiKeys.expiresAt });
  if (!row) throw new Error('inserted short-lived key not returned');
  await recordAudit(tx, {
    orgId,
    actor: ctx.actor,
    requestId: ctx.requestId,
    action: 'api_key.created',
    target: { type: 'api_key', id: row.id },
    reason: spec.reason,
    diff: {
      name: row.name,
      projectId: spec.projectId,
      kind: prepared.kind,
      lookupId: prepared.lookupId,
      last4: prepared.last4,
      expiresAt: row.expiresAt,
      allowedModels: spec.allowedModels,
      ...spec.details,
    },
  });
  return row.id;
}

/** False when the key was already revoked or is gone. */
async function revokeKey(tx: Tx, orgId: string, keyId: string, spec: ShortLivedKeySpec, ctx: ActionContext): Promise<boolean> {
  const [row] = await tx
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.id, keyId), isNull(apiKeys.revokedAt)))
    .returning({ name: apiKeys.name, projectId: apiKeys.projectId, lookupId: apiKeys.lookupId, last4: apiKeys.last4 });
  if (!row) return false;
  await recordAudit(tx, {
    orgId,
    actor: ctx.actor,
    requestId: ctx.requestId,
    action: 'api_key.revoked',
    target: { type: 'api_key', id: keyId },
    reason: spec.reason,
    diff: { ...row, ...spec.details },
  });
  return true;
}
