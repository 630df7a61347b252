/**
 * `portcullis keys rotate-master`: re-wraps every org's data keys under the active master key
 * (MASTER_KEY), unwrapping each with the configured key whose id it was stored with (MASTER_KEY or
 * one of MASTER_KEY_PREVIOUS).
 *
 * The data keys themselves do not change, so every ciphertext stays valid and the gateways'
 * caches of unwrapped data keys stay valid: nothing needs to be announced, nothing stops serving.
 * Only rows whose master_key_id differs from the active key's are touched, one org per
 * transaction, so an interrupted run is resumed by running it again.
 */
import { and, eq, ne } from 'drizzle-orm';
import type { ActionContext } from '../audit/context.js';
import { recordAudit } from '../audit/record.js';
import { rewrapUserKeys } from '../audit/personal-data.js';
import { rewrapDataKeyWith } from '../crypto/data-key-wrapping.js';
import { activeMasterKeyId, canUnwrap } from '../crypto/keyring-wrap.js';
import type { MasterKeyring } from '../crypto/master-keyring.js';
import { tenantKeys } from '../db/schema/index.js';
import type { ScopedDatabase } from '../db/tenant.js';
import type { Tx } from '../db/types.js';
import { masterKeyUsage, orgIdsWithStaleKeys, type MasterKeyUsage } from './master-key-usage.js';

export type MasterRotationDeps = { db: ScopedDatabase; keyring: MasterKeyring };

export type MasterRotationOptions = {
  /** One human-readable line per step, for the operator's terminal. */
  onProgress?: (line: string) => void;
  /** Called after each org's transaction committed (tests simulate an interruption here). */
  afterOrg?: (orgId: string) => void | Promise<void>;
  /**
   * Also re-wrap keys already under the active KMS key, moving them to its newest version after
   * a KMS-side rotation (Vault `keys/<key>/rotate`, a new AWS backing key). Not resumable by
   * master key id (the id does not change): a re-run simply re-wraps everything again.
   */
  refreshKmsVersions?: boolean;
};

export type MasterRotationSummary = {
  activeMasterKeyId: string;
  /** Master keys that wrapped the data keys re-wrapped by this run. */
  fromMasterKeyIds: string[];
  /** Orgs whose data keys this run re-wrapped. */
  orgs: number;
  rewrapped: number;
  /** Data keys already wrapped by the active master key when the run started. */
  alreadyCurrent: number;
  /** Users' audit keys (src/audit/personal-data.ts) re-wrapped by this run. */
  userKeysRewrapped: number;
};

/** Some data keys are wrapped by a master key this process was not given: nothing is changed. */
export class MasterKeyNotConfiguredError extends Error {
  constructor(readonly missing: readonly MasterKeyUsage[]) {
    super(
      `${missing.map((m) => `${m.dataKeys} data key(s) are wrapped by master key ${m.masterKeyId}`).join('; ')}, which is not configured. ` +
        'Set it in MASTER_KEY_PREVIOUS (with the new key as MASTER_KEY) and run the rotation again. Nothing was changed.',
    );
    this.name = 'MasterKeyNotConfiguredError';
  }
}

export async function rotateMasterKey(
  deps: MasterRotationDeps,
  ctx: ActionContext,
  options: MasterRotationOptions = {},
): Promise<MasterRotationSummary> {
  const { db, keyring } = deps;
  const activeId = activeMasterKeyId(keyring);
  const refresh = options.refreshKmsVersions === true && keyring.remote !== undefined;
  const progress = options.onProgress ?? (() => undefined);
  const usage = await db.withRole((tx) => masterKeyUsage(tx));
  const summary: MasterRotationSummary = {
    activeMasterKeyId: activeId,
    fromMasterKeyIds: [],
    orgs: 0,
    rewrapped: 0,
    alreadyCurrent: refresh ? 0 : (usage.find((u) => u.masterKeyId === activeId)?.dataKeys ?? 0),
    userKeysRewrapped: 0,
  };
  try {
    // Checked for every org before the first one is touched, so a forgotten MASTER_KEY_PREVIOUS
    // leaves everything as it was instead of half-rotated.
    const missing = usage.filter((u) => !canUnwrap(keyring, u.masterKeyId));
    if (missing.length > 0) throw new MasterKeyNotConfiguredError(missing);
    // No stored id is empty, so with '' every org with a data key counts as stale.
    const orgIds = await db.withRole((tx) => orgIdsWithStaleKeys(tx, refresh ? '' : activeId));
    progress(`${orgIds.length} org(s) have data keys to re-wrap under master key ${activeId}; ${summary.alreadyCurrent} already are.`);
    for (const [index, orgId] of orgIds.entries()) {
      const result = await db.withTenant(orgId, (tx) => rewrapOrg(tx, orgId, keyring, ctx, refresh));
      if (result.rewrapped > 0) summary.orgs += 1;
      summary.rewrapped += result.rewrapped;
      for (const id of result.fromMasterKeyIds) if (!summary.fromMasterKeyIds.includes(id)) summary.fromMasterKeyIds.push(id);
      progress(`org ${index + 1}/${orgIds.length} ${orgId}: re-wrapped ${result.rewrapped} data key(s)`);
      await options.afterOrg?.(orgId);
    }
    summary.userKeysRewrapped = await db.withRole((tx) => rewrapUserKeys(tx, keyring, { refresh }));
    if (summary.userKeysRewrapped > 0) progress(`re-wrapped ${summary.userKeysRewrapped} user key(s) of the audit trail's personal data`);
  } catch (error) {
    await recordRun(db, summary, ctx, error).catch(() => undefined); // the original error matters more
    throw error;
  }
  await recordRun(db, summary, ctx);
  return summary;
}

/** Re-wraps the org's data keys that are not under the active master key. Inside withTenant(orgId). */
async function rewrapOrg(
  tx: Tx,
  orgId: string,
  keyring: MasterKeyring,
  ctx: ActionContext,
  refresh: boolean,
): Promise<{ rewrapped: number; fromMasterKeyIds: string[] }> {
  const activeId = activeMasterKeyId(keyring);
  // FOR UPDATE: a concurrent run (or a second operator) waits instead of re-wrapping the same row.
  const rows = await tx
    .select()
    .from(tenantKeys)
    .where(refresh ? eq(tenantKeys.orgId, orgId) : and(eq(tenantKeys.orgId, orgId), ne(tenantKeys.masterKeyId, activeId)))
    .for('update');
  const fromMasterKeyIds = [...new Set(rows.map((r) => r.masterKeyId))];
  for (const row of rows) {
    // A key created with an unknown master key after the initial check: still refuse, this org only.
    if (!canUnwrap(keyring, row.masterKeyId)) throw new MasterKeyNotConfiguredError([{ masterKeyId: row.masterKeyId, dataKeys: 1 }]);
    // With a KMS these are remote calls inside the org's transaction: one org at a time keeps it short.
    const { masterKeyId, wrapped } = await rewrapDataKeyWith(keyring, row.masterKeyId, row.wrappedKey, { orgId, dataKeyId: row.id });
    await tx.update(tenantKeys).set({ masterKeyId, wrappedKey: wrapped }).where(eq(tenantKeys.id, row.id));
  }
  if (rows.length > 0)
    await recordAudit(tx, {
      orgId,
      actor: ctx.actor,
      requestId: ctx.requestId,
      action: 'tenant_key.rewrapped',
      target: { type: 'org', id: orgId },
      diff: { dataKeyIds: rows.map((r) => r.id), fromMasterKeyIds, toMasterKeyId: activeId },
    });
  return { rewrapped: rows.length, fromMasterKeyIds };
}

/** One instance-chain event per run: counts and key ids, never key material; a failed run says why. */
async function recordRun(db: ScopedDatabase, summary: MasterRotationSummary, ctx: ActionContext, error?: unknown): Promise<void> {
  await db.withRole((tx) =>
    recordAudit(tx, {
      orgId: null,
      actor: ctx.actor,
      requestId: ctx.requestId,
      action: 'instance.master_key_rotated',
      target: { type: 'master_key', id: summary.activeMasterKeyId },
      outcome: error === undefined ? 'success' : 'failure',
      // Our own refusal is safe to quote; any other error message could carry anything.
      reason:
        error === undefined
          ? null
          : error instanceof MasterKeyNotConfiguredError
            ? error.message.slice(0, 500)
            : `interrupted (${error instanceof Error ? error.name : 'error'})`,
      diff: {
        fromMasterKeyIds: summary.fromMasterKeyIds,
        toMasterKeyId: summary.activeMasterKeyId,
        orgs: summary.orgs,
        userKeysRewrapped: summary.userKeysRewrapped,
        rewrapped: summary.rewrapped,
        alreadyCurrent: summary.alreadyCurrent,
      },
    }),
  );
}
