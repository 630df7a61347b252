import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { decryptSecret, encryptSecret } from '../crypto/envelope.js';
import type { MasterKeyring } from '../crypto/master-keyring.js';
import { providerKeyProjects, providerKeys } from '../db/schema/index.js';
import type { Tx } from '../db/types.js';
import { recordAudit } from '../audit/record.js';
import type { ActionContext } from '../audit/context.js';
import type { ProviderId } from '../providers/ids.js';
import { activeDataKey, dataKeyById } from './tenant-keys.js';
import { canonicalJson } from '../gateway/cache/canonical-json.js';

/** The AAD purpose label: a provider-key ciphertext cannot be replayed as another kind of secret. */
const PURPOSE = 'provider_key';

export type ProviderKeyInput = {
  orgId: string;
  provider: ProviderId;
  label: string;
  baseUrl: string | null;
  /** Provider-specific, non-secret settings (e.g. Azure OpenAI apiVersion). */
  options?: Record<string, unknown>;
  secret: string;
  /** Empty: usable by every project of the org. */
  projectIds: string[];
};

/** What the api may show: never the key, only its last 4 characters. */
export type ProviderKeySummary = {
  id: string;
  provider: string;
  label: string;
  baseUrl: string | null;
  last4: string;
  projectIds: string[];
};

function last4(secret: string): string {
  return secret.length >= 12 ? secret.slice(-4) : '****';
}

function seal(dataKey: Buffer, orgId: string, rowId: string, secret: string): Buffer {
  return encryptSecret(dataKey, secret, { orgId, rowId, purpose: PURPOSE });
}

export async function createProviderKey(
  tx: Tx,
  input: ProviderKeyInput,
  keyring: MasterKeyring,
  ctx: ActionContext,
): Promise<ProviderKeySummary> {
  const id = randomUUID();
  const dataKey = await activeDataKey(tx, input.orgId, keyring, ctx);
  await tx.insert(providerKeys).values({
    id,
    orgId: input.orgId,
    provider: input.provider,
    label: input.label,
    baseUrl: input.baseUrl,
    options: input.options ?? {},
    ciphertext: seal(dataKey.key, input.orgId, id, input.secret),
    tenantKeyId: dataKey.id,
    last4: last4(input.secret),
  });
  if (input.projectIds.length > 0) {
    await tx
      .insert(providerKeyProjects)
      .values(input.projectIds.map((projectId) => ({ orgId: input.orgId, providerKeyId: id, projectId })));
  }
  const summary = {
    id,
    provider: input.provider,
    label: input.label,
    baseUrl: input.baseUrl,
    last4: last4(input.secret),
    projectIds: input.projectIds,
  };
  await recordAudit(tx, {
    orgId: input.orgId,
    actor: ctx.actor,
    requestId: ctx.requestId,
    action: 'provider_key.created',
    target: { type: 'provider_key', id },
    diff: {
      provider: input.provider,
      label: input.label,
      baseUrl: input.baseUrl,
      options: input.options ?? {},
      last4: summary.last4,
      projectIds: input.projectIds,
    },
  });
  return summary;
}

export async function findProviderKey(tx: Tx, orgId: string, provider: string, label: string) {
  const [row] = await tx
    .select()
    .from(providerKeys)
    .where(and(eq(providerKeys.orgId, orgId), eq(providerKeys.provider, provider), eq(providerKeys.label, label)))
    .limit(1);
  return row;
}

/** Decrypts in memory only; callers must not log, return or persist the result. */
export async function decryptProviderKey(tx: Tx, row: typeof providerKeys.$inferSelect, keyring: MasterKeyring): Promise<string> {
  const dataKey = await dataKeyById(tx, row.orgId, row.tenantKeyId, keyring);
  return decryptSecret(dataKey.key, row.ciphertext, { orgId: row.orgId, rowId: row.id, purpose: PURPOSE });
}

/** What an update may change; a field left out keeps its value. */
export type ProviderKeyChange = {
  /** A new key: sealed under the org's ACTIVE data key (a key still under a retired one moves off it). */
  secret?: string;
  label?: string;
  baseUrl?: string | null;
  options?: Record<string, unknown>;
  /** Replaces the scope as a whole; empty: usable by every project of the org. */
  projectIds?: string[];
};

type FieldChange = { from: unknown; to: unknown };

/**
 * Applies the change and audits it with a from/to diff (the key itself shows only as last4
 * from/to and `keyReplaced`). Returns false, writing and auditing nothing, when nothing differs.
 * Call inside withTenant(row.orgId), after checking that the projects belong to the org.
 */
export async function updateProviderKey(
  tx: Tx,
  row: typeof providerKeys.$inferSelect,
  change: ProviderKeyChange,
  keyring: MasterKeyring,
  ctx: ActionContext,
): Promise<boolean> {
  const diff: Record<string, FieldChange | boolean> = {};
  const set: Partial<typeof providerKeys.$inferInsert> = {};
  if (change.secret !== undefined) {
    const dataKey = await activeDataKey(tx, row.orgId, keyring, ctx);
    set.ciphertext = seal(dataKey.key, row.orgId, row.id, change.secret);
    set.tenantKeyId = dataKey.id;
    set.last4 = last4(change.secret);
    // last4 may well be equal (same key pasted again): keyReplaced says the ciphertext changed anyway.
    diff.last4 = { from: row.last4, to: last4(change.secret) };
    diff.keyReplaced = true;
  }
  if (change.label !== undefined && change.label !== row.label) {
    set.label = change.label;
    diff.label = { from: row.label, to: change.label };
  }
  if (change.baseUrl !== undefined && change.baseUrl !== row.baseUrl) {
    set.baseUrl = change.baseUrl;
    diff.baseUrl = { from: row.baseUrl, to: change.baseUrl };
  }
  if (change.options !== undefined && canonicalJson(row.options) !== canonicalJson(change.options)) {
    set.options = change.options;
    diff.options = { from: row.options, to: change.options };
  }
  if (change.projectIds !== undefined) {
    const before = (await providerKeyProjectIds(tx, row.id)).sort();
    const after = [...new Set(change.projectIds)].sort();
    if (before.join() !== after.join()) {
      await tx.delete(providerKeyProjects).where(eq(providerKeyProjects.providerKeyId, row.id));
      if (after.length > 0)
        await tx.insert(providerKeyProjects).values(after.map((projectId) => ({ orgId: row.orgId, providerKeyId: row.id, projectId })));
      diff.projectIds = { from: before, to: after };
    }
  }
  if (Object.keys(diff).length === 0) return false;
  await tx
    .update(providerKeys)
    .set({ ...set, updatedAt: new Date() })
    .where(eq(providerKeys.id, row.id));
  await recordAudit(tx, {
    orgId: row.orgId,
    actor: ctx.actor,
    requestId: ctx.requestId,
    action: 'provider_key.updated',
    target: { type: 'provider_key', id: row.id },
    diff,
  });
  return true;
}

export async function providerKeyProjectIds(tx: Tx, providerKeyId: string): Promise<string[]> {
  const rows = await tx
    .select({ projectId: providerKeyProjects.projectId })
    .from(providerKeyProjects)
    .where(eq(providerKeyProjects.providerKeyId, providerKeyId));
  return rows.map((r) => r.projectId);
}

/** The row (ciphertext included: for decryption and updates, never for a response). RLS confines it to the transaction's org. */
export async function findProviderKeyById(tx: Tx, id: string, lock = false): Promise<typeof providerKeys.$inferSelect | undefined> {
  const query = tx.select().from(providerKeys).where(eq(providerKeys.id, id)).limit(1);
  const [row] = lock ? await query.for('update') : await query;
  return row;
}

/** Deletes the key (its project scopes cascade) and audits what it was, without the key. False when not found. */
export async function deleteProviderKey(tx: Tx, orgId: string, id: string, ctx: ActionContext): Promise<boolean> {
  const projectIds = await providerKeyProjectIds(tx, id);
  const [deleted] = await tx
    .delete(providerKeys)
    .where(and(eq(providerKeys.orgId, orgId), eq(providerKeys.id, id)))
    .returning({ provider: providerKeys.provider, label: providerKeys.label, baseUrl: providerKeys.baseUrl, last4: providerKeys.last4 });
  if (!deleted) return false;
  await recordAudit(tx, {
    orgId,
    actor: ctx.actor,
    requestId: ctx.requestId,
    action: 'provider_key.deleted',
    target: { type: 'provider_key', id },
    diff: { ...deleted, projectIds },
  });
  return true;
}
