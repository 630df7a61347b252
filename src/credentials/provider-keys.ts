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

/** Replaces the secret, base URL and options; re-encrypts under the org's active data key. */
export async function updateProviderKey(
  tx: Tx,
  row: typeof providerKeys.$inferSelect,
  change: { secret: string; baseUrl: string | null; options: Record<string, unknown> },
  keyring: MasterKeyring,
  ctx: ActionContext,
): Promise<void> {
  const dataKey = await activeDataKey(tx, row.orgId, keyring, ctx);
  await tx
    .update(providerKeys)
    .set({
      ciphertext: seal(dataKey.key, row.orgId, row.id, change.secret),
      tenantKeyId: dataKey.id,
      last4: last4(change.secret),
      baseUrl: change.baseUrl,
      options: change.options,
      updatedAt: new Date(),
    })
    .where(eq(providerKeys.id, row.id));
  const diff: Record<string, unknown> = { last4: { from: row.last4, to: last4(change.secret) } };
  if (row.baseUrl !== change.baseUrl) diff.baseUrl = { from: row.baseUrl, to: change.baseUrl };
  if (canonicalJson(row.options) !== canonicalJson(change.options)) diff.options = { from: row.options, to: change.options };
  await recordAudit(tx, {
    orgId: row.orgId,
    actor: ctx.actor,
    requestId: ctx.requestId,
    action: 'provider_key.updated',
    target: { type: 'provider_key', id: row.id },
    diff,
  });
}

export async function providerKeyProjectIds(tx: Tx, providerKeyId: string): Promise<string[]> {
  const rows = await tx
    .select({ projectId: providerKeyProjects.projectId })
    .from(providerKeyProjects)
    .where(eq(providerKeyProjects.providerKeyId, providerKeyId));
  return rows.map((r) => r.projectId);
}
