import { getTableColumns, sql } from 'drizzle-orm';
import type { DataKey } from '../../credentials/tenant-keys.js';
import { encryptSecret } from '../../crypto/envelope.js';
import { guardrailEvents, requestBodies, requestLogs } from '../../db/schema/index.js';
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

// The event's own fields under their guardrail_events column names (taken from the schema, so a
// renamed column breaks the build rather than the insert); the rest comes from the log row.
const EVENT = {
  id: guardrailEvents.id.name,
  orgId: guardrailEvents.orgId.name,
  projectId: guardrailEvents.projectId.name,
  apiKeyId: guardrailEvents.apiKeyId.name,
  requestId: guardrailEvents.requestId.name,
  direction: guardrailEvents.direction.name,
  detector: guardrailEvents.detector.name,
  rule: guardrailEvents.findingType.name,
  category: guardrailEvents.category.name,
  action: guardrailEvents.action.name,
  location: guardrailEvents.location.name,
  start: guardrailEvents.startOffset.name,
  end: guardrailEvents.endOffset.name,
  valueHash: guardrailEvents.valueHash.name,
  createdAt: guardrailEvents.createdAt.name,
} as const;
const EVENT_COLUMN_LIST = sql.raw(
  Object.values(EVENT)
    .map((name) => `"${name}"`)
    .join(', '),
);

/**
 * Every event of these entries in one statement, the same way as the log rows (one JSON
 * parameter). Tenant, project, key, request id and time are the log row's: an event cannot claim
 * another request. ON CONFLICT DO NOTHING on the primary key (ids fixed at enqueue) keeps retries
 * idempotent; no conflict target, as the gateway role may not SELECT guardrail_events.
 */
function insertEventsStatement(entries: readonly PendingEntry[]) {
  const rows: Record<string, unknown>[] = [];
  for (const { row, events } of entries) {
    for (const event of events) {
      rows.push({
        [EVENT.id]: event.id,
        [EVENT.orgId]: row.orgId,
        [EVENT.projectId]: row.projectId ?? null,
        [EVENT.apiKeyId]: row.apiKeyId ?? null,
        [EVENT.requestId]: row.requestId,
        [EVENT.direction]: event.direction,
        [EVENT.detector]: event.detector,
        [EVENT.rule]: event.rule,
        [EVENT.category]: event.category,
        [EVENT.action]: event.action,
        [EVENT.location]: event.location,
        [EVENT.start]: event.start,
        [EVENT.end]: event.end,
        [EVENT.valueHash]: event.valueHash,
        [EVENT.createdAt]: row.createdAt.toISOString(),
      });
    }
  }
  if (rows.length === 0) return null;
  return sql`insert into guardrail_events (${EVENT_COLUMN_LIST}) select ${EVENT_COLUMN_LIST} from json_populate_recordset(null::guardrail_events, ${JSON.stringify(rows)}::json) on conflict do nothing`;
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
  const events = insertEventsStatement(entries);
  if (events) await tx.execute(events);
  if (bodyRows.length > 0) await tx.insert(requestBodies).values(bodyRows).onConflictDoNothing();
  return dataKey ? 0 : withBodies.length;
}

/**
 * Writes one org's entries (all with that org id) in one transaction: one multi-row INSERT for
 * the log rows, one for their guardrail events, one for their bodies, so neither an event nor a
 * body ever lands without its log row. Resolves to the
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
