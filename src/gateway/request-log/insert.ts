import { getTableColumns, sql } from 'drizzle-orm';
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

// Property name -> database column, for every request_logs column.
// A selected NULL overrides a column default, so plain-value defaults (attempts 0, stream false)
// are filled in here; SQL defaults (id, created_at) are always provided by the writer.
const LOG_COLUMNS = Object.entries(getTableColumns(requestLogs)).map(([property, column]) => ({
  property,
  name: column.name,
  fallback:
    column.hasDefault && (typeof column.default === 'number' || typeof column.default === 'boolean' || typeof column.default === 'string')
      ? column.default
      : null,
}));
const LOG_COLUMN_LIST = sql.raw(LOG_COLUMNS.map((c) => `"${c.name}"`).join(', '));

/**
 * One multi-row insert with a single JSON parameter (json_populate_recordset) instead of one
 * bound parameter per column per row: building drizzle's per-value SQL chunks for hundreds of
 * rows was a visible share of the gateway's CPU under load. Types come from the table's row type,
 * so the database still validates every value.
 */
function insertLogRowsStatement(entries: readonly PendingEntry[]) {
  const rows = entries.map((entry) => {
    const row: Record<string, unknown> = {};
    const source = entry.row as unknown as Record<string, unknown>;
    for (const { property, name, fallback } of LOG_COLUMNS) {
      const value = source[property] ?? fallback;
      if (value !== null) row[name] = value instanceof Date ? value.toISOString() : value;
    }
    return row;
  });
  return sql`insert into request_logs (${LOG_COLUMN_LIST}) select ${LOG_COLUMN_LIST} from json_populate_recordset(null::request_logs, ${JSON.stringify(rows)}::json) on conflict do nothing`;
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
  await tx.execute(insertLogRowsStatement(entries));
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
