import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { unwrapDataKeyWith, wrapDataKeyWith } from '../crypto/data-key-wrapping.js';
import { generateDataKey } from '../crypto/envelope.js';
import type { MasterKeyring } from '../crypto/master-keyring.js';
import { tenantKeys } from '../db/schema/index.js';
import type { Tx } from '../db/types.js';
import { recordAudit } from '../audit/record.js';
import type { ActionContext } from '../audit/context.js';

export type DataKey = { id: string; key: Buffer };

/**
 * The org's active data key, created (and audited) on first use. Must run inside
 * withTenant(orgId): RLS makes another org's keys invisible, so a wrong org id finds nothing.
 */
export async function activeDataKey(tx: Tx, orgId: string, keyring: MasterKeyring, ctx: ActionContext): Promise<DataKey> {
  const [row] = await tx
    .select()
    .from(tenantKeys)
    .where(and(eq(tenantKeys.orgId, orgId), eq(tenantKeys.status, 'active')))
    .limit(1);
  if (row) return { id: row.id, key: await unwrapWith(keyring, row) };
  const id = randomUUID();
  const key = generateDataKey();
  // With a KMS this is one remote call inside the transaction, once per org's lifetime.
  const { masterKeyId, wrapped } = await wrapDataKeyWith(keyring, key, { orgId, dataKeyId: id });
  await tx.insert(tenantKeys).values({ id, orgId, masterKeyId, wrappedKey: wrapped });
  await recordAudit(tx, {
    orgId,
    actor: ctx.actor,
    requestId: ctx.requestId,
    action: 'tenant_key.created',
    target: { type: 'tenant_key', id },
    diff: { masterKeyId },
  });
  return { id, key };
}

export async function dataKeyById(tx: Tx, orgId: string, id: string, keyring: MasterKeyring): Promise<DataKey> {
  const [row] = await tx
    .select()
    .from(tenantKeys)
    .where(and(eq(tenantKeys.orgId, orgId), eq(tenantKeys.id, id)))
    .limit(1);
  if (!row) throw new Error(`data key ${id} not found for org ${orgId}`);
  return { id: row.id, key: await unwrapWith(keyring, row) };
}

/** Throws UnknownMasterKeyError when the row's master key is not configured. */
export function unwrapWith(
  keyring: MasterKeyring,
  row: Pick<typeof tenantKeys.$inferSelect, 'id' | 'orgId' | 'masterKeyId' | 'wrappedKey'>,
): Promise<Buffer> {
  return unwrapDataKeyWith(keyring, row.masterKeyId, row.wrappedKey, { orgId: row.orgId, dataKeyId: row.id });
}
