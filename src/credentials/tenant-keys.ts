import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { generateDataKey, unwrapDataKey, wrapDataKey } from '../crypto/envelope.js';
import { UnknownMasterKeyError, type MasterKeyring } from '../crypto/master-keyring.js';
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
  if (row) return { id: row.id, key: unwrapWith(keyring, row) };
  const id = randomUUID();
  const key = generateDataKey();
  await tx
    .insert(tenantKeys)
    .values({ id, orgId, masterKeyId: keyring.active.id, wrappedKey: wrapDataKey(keyring.active, key, { orgId, dataKeyId: id }) });
  await recordAudit(tx, {
    orgId,
    actor: ctx.actor,
    requestId: ctx.requestId,
    action: 'tenant_key.created',
    target: { type: 'tenant_key', id },
    diff: { masterKeyId: keyring.active.id },
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
  return { id: row.id, key: unwrapWith(keyring, row) };
}

function unwrapWith(keyring: MasterKeyring, row: typeof tenantKeys.$inferSelect): Buffer {
  const master = keyring.byId.get(row.masterKeyId);
  if (!master) throw new UnknownMasterKeyError(row.masterKeyId);
  return unwrapDataKey(master, row.wrappedKey, { orgId: row.orgId, dataKeyId: row.id });
}
