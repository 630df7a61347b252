/**
 * Typed calls to the two cross-tenant lookups of master-key rotation (migration 0010). They
 * return master key ids (HMAC fingerprints, not secrets), counts and org ids: never a wrapped key.
 */
import { sql } from 'drizzle-orm';
import { queryRows } from '../db/rows.js';
import type { DbOrTx } from '../db/types.js';

export type MasterKeyUsage = { masterKeyId: string; dataKeys: number };

/** How many data keys each master key wraps, across every org. */
export async function masterKeyUsage(tx: DbOrTx): Promise<MasterKeyUsage[]> {
  const rows = await queryRows<{ master_key_id: string; data_keys: string | number }>(tx, sql`select * from portcullis_master_key_usage()`);
  return rows.map((r) => ({ masterKeyId: r.master_key_id, dataKeys: Number(r.data_keys) }));
}

/** Orgs that still have a data key wrapped by a master key other than the active one. */
export async function orgIdsWithStaleKeys(tx: DbOrTx, activeMasterKeyId: string): Promise<string[]> {
  const rows = await queryRows<{ org_id: string }>(
    tx,
    sql`select org_id from portcullis_org_ids_with_stale_keys(${activeMasterKeyId}) as org_id`,
  );
  return rows.map((r) => r.org_id);
}
