/**
 * `portcullis keys rotate-tenant ORG`: gives the org a new data key and re-encrypts everything
 * sealed under the old one, then destroys the old one.
 *
 * 1. Switch (one transaction): the active key becomes `retired`, a new active key is created.
 *    New secrets are sealed under the new key from then on; `org.changed` makes gateways drop the
 *    cached old key.
 * 2. Re-encrypt: provider keys, org secrets and stored bodies still under a retired key, in
 *    keyset-paginated batches, one transaction per batch. The gateway keeps serving throughout: it
 *    reads tenant_key_id per row and decrypts with that key, retired or not.
 * 3. Shred: a retired key nothing refers to any more is deleted (audited); its material is gone.
 *
 * Resumable: rows still under a retired key are the remaining work, so running the command again
 * continues an interrupted run (it creates no second new key while a retired one remains).
 */
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { ActionContext } from '../audit/context.js';
import { recordAudit } from '../audit/record.js';
import { wrapDataKeyWith } from '../crypto/data-key-wrapping.js';
import { generateDataKey } from '../crypto/envelope.js';
import type { MasterKeyring } from '../crypto/master-keyring.js';
import { tenantKeys } from '../db/schema/index.js';
import type { ScopedDatabase } from '../db/tenant.js';
import type { Tx } from '../db/types.js';
import { announce } from './announce.js';
import type { CredentialDeps } from './api-key-service.js';
import { countSealedUnder, RESEALERS, SEALED_TABLES, type SealedTable } from './reseal.js';
import { activeDataKey, dataKeyById } from './tenant-keys.js';

/**
 * How long a retired key must stay before it is destroyed. The gateway's request-log writer keeps
 * the org's active data key for 60 s without listening to events (request-log/options.ts), so for
 * up to a minute after the switch a replica may still seal a new body under the retired key. The
 * run waits this long, re-encrypts those stragglers, and only then deletes the key.
 */
export const RETIRED_KEY_GRACE_MS = 90_000;
const DEFAULT_BATCH_SIZE = 500;
/** Deletion attempts per retired key when a body lands under it between the last sweep and the delete. */
const SHRED_ATTEMPTS = 3;

export type TenantRotationDeps = CredentialDeps & { keyring: MasterKeyring };

export type TenantRotationOptions = {
  batchSize?: number;
  /** Wait after the switch before deleting the retired key (default RETIRED_KEY_GRACE_MS). 0 when no gateway can be running. */
  graceMs?: number;
  onProgress?: (line: string) => void;
  /** Called after each committed batch (tests simulate an interruption here). */
  afterBatch?: (table: SealedTable, rows: number) => void | Promise<void>;
  /** Tests replace the clock and the wait. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
};

export type TenantRotationSummary = {
  orgId: string;
  /** The key everything is sealed under now; null when the org has no data key (nothing was ever sealed). */
  activeDataKeyId: string | null;
  /** False when this run continued an earlier, interrupted one. */
  newKeyCreated: boolean;
  reencrypted: Record<SealedTable, number>;
  /** Retired keys destroyed by this run. */
  deletedDataKeyIds: string[];
  /** Retired keys still referenced (a body sealed under one at the last moment): run the command again. */
  remainingDataKeyIds: string[];
};

type Switch = { activeId: string | null; created: boolean; retired: { id: string; retiredAt: number }[] };

export async function rotateTenantKey(
  deps: TenantRotationDeps,
  orgId: string,
  ctx: ActionContext,
  options: TenantRotationOptions = {},
): Promise<TenantRotationSummary> {
  const { db, keyring } = deps;
  const progress = options.onProgress ?? (() => undefined);
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const graceMs = options.graceMs ?? RETIRED_KEY_GRACE_MS;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;

  const switched = await db.withTenant(orgId, (tx) => switchDataKey(tx, orgId, keyring, ctx, new Date(now())));
  const summary: TenantRotationSummary = {
    orgId,
    activeDataKeyId: switched.activeId,
    newKeyCreated: switched.created,
    reencrypted: { providerKeys: 0, orgSecrets: 0, requestBodies: 0 },
    deletedDataKeyIds: [],
    remainingDataKeyIds: [],
  };
  const activeId = switched.activeId;
  if (activeId === null) {
    progress('The org has no data key: nothing has ever been encrypted for it, nothing to rotate.');
    return summary;
  }
  progress(
    switched.created
      ? `New data key ${activeId} is active; ${switched.retired.length} retired key(s) to re-encrypt from.`
      : `Continuing an earlier rotation to data key ${activeId}.`,
  );
  // Gateways drop the cached old key and seal new bodies and cache entries under the new one.
  if (switched.created) await announce(deps.bus, { type: 'org.changed', orgId }, deps.logger);

  const sweep = async (fromId: string) => {
    for (const table of SEALED_TABLES) {
      let after: string | null = null;
      for (;;) {
        const ids: string[] = await db.withTenant(orgId, async (tx) => {
          const from = await dataKeyById(tx, orgId, fromId, keyring);
          const to = await dataKeyById(tx, orgId, activeId, keyring);
          try {
            return await RESEALERS[table](tx, orgId, { from, to, after, limit: batchSize });
          } finally {
            from.key.fill(0);
            to.key.fill(0);
          }
        });
        if (ids.length === 0) break;
        summary.reencrypted[table] += ids.length;
        after = ids[ids.length - 1]!;
        progress(`${table}: re-encrypted ${summary.reencrypted[table]} so far`);
        await options.afterBatch?.(table, ids.length);
        if (ids.length < batchSize) break;
      }
    }
  };

  try {
    for (const retired of switched.retired) {
      await sweep(retired.id);
      const waitMs = retired.retiredAt + graceMs - now();
      if (waitMs > 0) {
        progress(`Waiting ${Math.ceil(waitMs / 1000)} s for gateways to stop sealing under retired key ${retired.id}.`);
        await sleep(waitMs);
        await sweep(retired.id); // bodies sealed under it by a gateway's cached key in the meantime
      }
      let deleted = false;
      for (let attempt = 1; attempt <= SHRED_ATTEMPTS && !deleted; attempt++) {
        deleted = await db.withTenant(orgId, (tx) => shredRetiredKey(tx, orgId, retired.id, ctx));
        if (!deleted) await sweep(retired.id);
      }
      if (deleted) {
        summary.deletedDataKeyIds.push(retired.id);
        progress(`Retired data key ${retired.id} deleted: anything still sealed under it can no longer be decrypted.`);
      } else summary.remainingDataKeyIds.push(retired.id);
    }
  } catch (error) {
    await recordRotation(db, summary, ctx, error).catch(() => undefined); // the original error matters more
    throw error;
  }
  await recordRotation(db, summary, ctx);
  // Gateways also drop the destroyed key from memory (their response-cache key lookups by id).
  if (summary.deletedDataKeyIds.length > 0) await announce(deps.bus, { type: 'org.changed', orgId }, deps.logger);
  return summary;
}

/**
 * Retires the active key and creates its successor, unless a retired key remains from an earlier
 * run: then that run is continued with the current active key. Inside withTenant(orgId).
 */
async function switchDataKey(tx: Tx, orgId: string, keyring: MasterKeyring, ctx: ActionContext, retiredAt: Date): Promise<Switch> {
  // FOR UPDATE on every key of the org: two runs at once switch only once.
  const keys = await tx.select().from(tenantKeys).where(eq(tenantKeys.orgId, orgId)).for('update');
  const active = keys.find((k) => k.status === 'active');
  const retired = keys.filter((k) => k.status === 'retired').map((k) => ({ id: k.id, retiredAt: (k.retiredAt ?? k.createdAt).getTime() }));
  if (retired.length > 0) return { activeId: (active ?? (await activeDataKey(tx, orgId, keyring, ctx))).id, created: false, retired };
  if (!active) return { activeId: null, created: false, retired: [] };

  await tx.update(tenantKeys).set({ status: 'retired', retiredAt }).where(eq(tenantKeys.id, active.id));
  const id = randomUUID();
  const key = generateDataKey();
  let masterKeyId: string;
  try {
    const wrapped = await wrapDataKeyWith(keyring, key, { orgId, dataKeyId: id });
    masterKeyId = wrapped.masterKeyId;
    await tx.insert(tenantKeys).values({ id, orgId, masterKeyId, wrappedKey: wrapped.wrapped });
  } finally {
    key.fill(0);
  }
  await recordAudit(tx, {
    orgId,
    actor: ctx.actor,
    requestId: ctx.requestId,
    action: 'tenant_key.created',
    target: { type: 'tenant_key', id },
    diff: { masterKeyId, replacesDataKeyId: active.id },
  });
  return { activeId: id, created: true, retired: [{ id: active.id, retiredAt: retiredAt.getTime() }] };
}

/** Deletes a retired key nothing is sealed under any more; false when something still is. */
async function shredRetiredKey(tx: Tx, orgId: string, keyId: string, ctx: ActionContext): Promise<boolean> {
  // Provider keys and org secrets would make the delete fail on their foreign key: check first.
  const left = await countSealedUnder(tx, orgId, keyId);
  if (left.providerKeys + left.orgSecrets + left.requestBodies > 0) return false;
  // The database refuses too (policy shred_retired_unreferenced): a body committed since the
  // count leaves the row in place, and the caller re-encrypts and tries again.
  const [row] = await tx
    .delete(tenantKeys)
    .where(and(eq(tenantKeys.orgId, orgId), eq(tenantKeys.id, keyId), eq(tenantKeys.status, 'retired')))
    .returning({
      id: tenantKeys.id,
      masterKeyId: tenantKeys.masterKeyId,
      createdAt: tenantKeys.createdAt,
      retiredAt: tenantKeys.retiredAt,
    });
  if (!row) return false;
  await recordAudit(tx, {
    orgId,
    actor: ctx.actor,
    requestId: ctx.requestId,
    action: 'tenant_key.deleted',
    target: { type: 'tenant_key', id: row.id },
    diff: { masterKeyId: row.masterKeyId, createdAt: row.createdAt, retiredAt: row.retiredAt },
  });
  return true;
}

/** The org's record of the run: counts and key ids, never key material; a failed run says so. */
async function recordRotation(db: ScopedDatabase, summary: TenantRotationSummary, ctx: ActionContext, error?: unknown): Promise<void> {
  await db.withTenant(summary.orgId, (tx) =>
    recordAudit(tx, {
      orgId: summary.orgId,
      actor: ctx.actor,
      requestId: ctx.requestId,
      action: 'tenant_key.rotated',
      target: { type: 'tenant_key', id: summary.activeDataKeyId },
      outcome: error === undefined ? 'success' : 'failure',
      reason:
        error === undefined ? null : `interrupted (${error instanceof Error ? error.name : 'error'}); run the rotation again to continue`,
      diff: {
        resumed: !summary.newKeyCreated,
        ...summary.reencrypted,
        deletedDataKeyIds: summary.deletedDataKeyIds,
        remainingDataKeyIds: summary.remainingDataKeyIds,
      },
    }),
  );
}
