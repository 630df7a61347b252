import type { DataKey } from '../../credentials/tenant-keys.js';
import { encryptSecret } from '../../crypto/envelope.js';
import { requestBodies, requestLogs } from '../../db/schema/index.js';
import type { ScopedDatabase } from '../../db/tenant.js';
import type { Tx } from '../../db/types.js';
import type { DataKeyCache } from './data-keys.js';
import type { PendingEntry } from './pending-entry.js';

/** AAD purposes: a request body cannot be swapped for a response body or any other secret. */
export const REQUEST_BODY_PURPOSE = 'request_body';
export const RESPONSE_BODY_PURPOSE = 'response_body';

function sealBodies(orgId: string, entry: PendingEntry, dataKey: DataKey): typeof requestBodies.$inferInsert | null {
  if (!entry.bodies || !entry.bodyId) return null;
  const rowId = entry.bodyId;
  return {
    id: rowId,
    orgId,
    requestLogId: entry.row.id,
    tenantKeyId: dataKey.id,
    requestCiphertext: encryptSecret(dataKey.key, entry.bodies.request, { orgId, rowId, purpose: REQUEST_BODY_PURPOSE }),
    responseCiphertext:
      entry.bodies.response === null
        ? null
        : encryptSecret(dataKey.key, entry.bodies.response, { orgId, rowId, purpose: RESPONSE_BODY_PURPOSE }),
    createdAt: entry.row.createdAt,
  };
}

async function insertAll(tx: Tx, orgId: string, entries: readonly PendingEntry[], dataKeys: DataKeyCache): Promise<number> {
  const withBodies = entries.filter((entry) => entry.bodies !== undefined);
  const dataKey = withBodies.length > 0 ? await dataKeys.get(tx, orgId) : null;
  // Sealed before the inserts, right after the key is fetched: nothing runs in between.
  const bodyRows = dataKey ? withBodies.flatMap((entry) => sealBodies(orgId, entry, dataKey) ?? []) : [];
  // ON CONFLICT DO NOTHING makes a retry idempotent: when a connection dies during COMMIT the
  // batch may have been written, and the retry must neither duplicate it nor fail on the primary
  // key and be taken for a poison batch. No conflict target: naming one needs SELECT on its
  // columns, which the gateway role does not have; the primary key is the only unique index.
  await tx
    .insert(requestLogs)
    .values(entries.map((entry) => entry.row))
    .onConflictDoNothing();
  if (bodyRows.length > 0) await tx.insert(requestBodies).values(bodyRows).onConflictDoNothing();
  return dataKey ? 0 : withBodies.length;
}

/**
 * Writes one org's entries (all with that org id) in one transaction: one multi-row INSERT for
 * the log rows, one for their bodies, so a body never lands without its log row. Resolves to the
 * number of entries whose bodies were skipped for want of a data key.
 */
export function insertOrgEntries(
  db: ScopedDatabase,
  orgId: string,
  entries: readonly PendingEntry[],
  dataKeys: DataKeyCache,
): Promise<number> {
  return db.withTenant(orgId, (tx) => insertAll(tx, orgId, entries, dataKeys));
}
