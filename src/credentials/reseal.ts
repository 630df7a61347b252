/**
 * Re-encryption of an org's stored secrets from one of its data keys to another, one keyset page
 * at a time: provider keys, org secrets and stored request/response bodies. Each ciphertext keeps
 * its own associated data (purpose + org id + row id); only the key and tenant_key_id change.
 * Run inside withTenant(orgId).
 */
import { and, asc, count, eq, gt } from 'drizzle-orm';
import { decryptSecret, encryptSecret, type SecretContext } from '../crypto/envelope.js';
import { orgSecrets, providerKeys, requestBodies } from '../db/schema/index.js';
import type { Tx } from '../db/types.js';
import { REQUEST_BODY_PURPOSE, RESPONSE_BODY_PURPOSE } from '../gateway/request-log/insert.js';
import { ORG_SECRET_PURPOSES } from './org-secrets.js';
import type { DataKey } from './tenant-keys.js';

// The AAD purpose provider-keys.ts seals with. Repeated here because that module keeps it private;
// test/key-rotation.test.ts decrypts re-sealed keys with decryptProviderKey, so a drift fails there.
const PROVIDER_KEY_PURPOSE = 'provider_key';

export const SEALED_TABLES = ['providerKeys', 'orgSecrets', 'requestBodies'] as const;
export type SealedTable = (typeof SEALED_TABLES)[number];

export type ResealPage = { from: DataKey; to: DataKey; after: string | null; limit: number };

function reseal(page: ResealPage, sealed: Buffer, context: SecretContext): Buffer {
  return encryptSecret(page.to.key, decryptSecret(page.from.key, sealed, context), context);
}

/** Re-seals up to `limit` rows still under `from` with ids after `after`; returns their ids, in order. */
type Resealer = (tx: Tx, orgId: string, page: ResealPage) => Promise<string[]>;

const resealProviderKeys: Resealer = async (tx, orgId, page) => {
  // FOR UPDATE: a provider key replaced meanwhile by the api must not be overwritten with its old value.
  const rows = await tx
    .select({ id: providerKeys.id, ciphertext: providerKeys.ciphertext })
    .from(providerKeys)
    .where(
      and(
        eq(providerKeys.orgId, orgId),
        eq(providerKeys.tenantKeyId, page.from.id),
        page.after ? gt(providerKeys.id, page.after) : undefined,
      ),
    )
    .orderBy(asc(providerKeys.id))
    .limit(page.limit)
    .for('update');
  for (const row of rows) {
    const ciphertext = reseal(page, row.ciphertext, { orgId, rowId: row.id, purpose: PROVIDER_KEY_PURPOSE });
    await tx.update(providerKeys).set({ ciphertext, tenantKeyId: page.to.id }).where(eq(providerKeys.id, row.id));
  }
  return rows.map((r) => r.id);
};

function orgSecretPurpose(kind: string, rowId: string): string {
  if (!Object.hasOwn(ORG_SECRET_PURPOSES, kind)) throw new Error(`org secret ${rowId} has an unknown kind; cannot re-encrypt it`);
  return ORG_SECRET_PURPOSES[kind as keyof typeof ORG_SECRET_PURPOSES];
}

const resealOrgSecrets: Resealer = async (tx, orgId, page) => {
  const rows = await tx
    .select({ id: orgSecrets.id, kind: orgSecrets.kind, ciphertext: orgSecrets.ciphertext })
    .from(orgSecrets)
    .where(
      and(eq(orgSecrets.orgId, orgId), eq(orgSecrets.tenantKeyId, page.from.id), page.after ? gt(orgSecrets.id, page.after) : undefined),
    )
    .orderBy(asc(orgSecrets.id))
    .limit(page.limit)
    .for('update');
  for (const row of rows) {
    const ciphertext = reseal(page, row.ciphertext, { orgId, rowId: row.id, purpose: orgSecretPurpose(row.kind, row.id) });
    await tx.update(orgSecrets).set({ ciphertext, tenantKeyId: page.to.id }).where(eq(orgSecrets.id, row.id));
  }
  return rows.map((r) => r.id);
};

const resealRequestBodies: Resealer = async (tx, orgId, page) => {
  const rows = await tx
    .select({ id: requestBodies.id, request: requestBodies.requestCiphertext, response: requestBodies.responseCiphertext })
    .from(requestBodies)
    .where(
      and(
        eq(requestBodies.orgId, orgId),
        eq(requestBodies.tenantKeyId, page.from.id),
        page.after ? gt(requestBodies.id, page.after) : undefined,
      ),
    )
    .orderBy(asc(requestBodies.id))
    .limit(page.limit)
    .for('update');
  for (const row of rows) {
    const context = (purpose: string) => ({ orgId, rowId: row.id, purpose });
    await tx
      .update(requestBodies)
      .set({
        requestCiphertext: reseal(page, row.request, context(REQUEST_BODY_PURPOSE)),
        responseCiphertext: row.response === null ? null : reseal(page, row.response, context(RESPONSE_BODY_PURPOSE)),
        tenantKeyId: page.to.id,
      })
      .where(eq(requestBodies.id, row.id));
  }
  return rows.map((r) => r.id);
};

export const RESEALERS: Readonly<Record<SealedTable, Resealer>> = {
  providerKeys: resealProviderKeys,
  orgSecrets: resealOrgSecrets,
  requestBodies: resealRequestBodies,
};

/** Rows of each table still sealed under this data key: the remaining work of a rotation. */
export async function countSealedUnder(tx: Tx, orgId: string, dataKeyId: string): Promise<Record<SealedTable, number>> {
  const [pk] = await tx
    .select({ n: count() })
    .from(providerKeys)
    .where(and(eq(providerKeys.orgId, orgId), eq(providerKeys.tenantKeyId, dataKeyId)));
  const [os] = await tx
    .select({ n: count() })
    .from(orgSecrets)
    .where(and(eq(orgSecrets.orgId, orgId), eq(orgSecrets.tenantKeyId, dataKeyId)));
  const [rb] = await tx
    .select({ n: count() })
    .from(requestBodies)
    .where(and(eq(requestBodies.orgId, orgId), eq(requestBodies.tenantKeyId, dataKeyId)));
  return { providerKeys: pk?.n ?? 0, orgSecrets: os?.n ?? 0, requestBodies: rb?.n ?? 0 };
}
