/**
 * Monthly partitions of request_logs (migration 0027, docs/scaling.md#request-log-partitions):
 * keeps partitions ahead of time, and drops a whole month once no org's retention still needs it.
 * Both go through SECURITY DEFINER functions owned by the table's owner: the api role itself can
 * neither create nor drop a table.
 */
import { sql } from 'drizzle-orm';
import type { AuditActor } from '../audit/record.js';
import { recordAudit } from '../audit/record.js';
import { queryRows } from '../db/rows.js';
import type { ScopedDatabase } from '../db/tenant.js';
import { DEFAULT_RETENTION, retentionSettingsSchema } from './retention-policy.js';

/** Months kept ready after the current one, so that a month boundary never routes rows to DEFAULT. */
export const PARTITION_MONTHS_AHEAD = 3;

export type CreatedPartition = { partition: string; rowsMoved: number };
export type DroppedPartition = { partition: string; rangeStart: Date; rangeEnd: Date; rowsDropped: number; keepDays: number };

/**
 * Creates the partitions of this UTC month and the next `monthsAhead` that do not exist yet; rows
 * of those months that had landed in the DEFAULT partition move into them.
 */
export async function ensureRequestLogPartitions(db: ScopedDatabase, monthsAhead = PARTITION_MONTHS_AHEAD): Promise<CreatedPartition[]> {
  const rows = await db.withRole((tx) =>
    queryRows<{ partition_name: string; rows_moved: string | number }>(
      tx,
      sql`select * from portcullis_ensure_request_log_partitions(${monthsAhead})`,
    ),
  );
  return rows.map((r) => ({ partition: r.partition_name, rowsMoved: Number(r.rows_moved) }));
}

/**
 * The longest request-log retention among these orgs' stored settings, read the way the
 * retention job reads them (a malformed setting is the default). With no org at all: the default.
 */
export function longestRequestLogDays(retentionSettings: readonly unknown[]): number {
  let longest = DEFAULT_RETENTION.requestLogDays;
  for (const raw of retentionSettings) {
    const parsed = retentionSettingsSchema.safeParse(raw);
    longest = Math.max(longest, parsed.success ? parsed.data.requestLogDays : DEFAULT_RETENTION.requestLogDays);
  }
  return longest;
}

/**
 * Drops every month partition entirely older than `keepDays` (the database raises it to the
 * longest retention it finds in the orgs' settings, so a month an org still keeps is never dropped)
 * and records each drop in the instance audit chain, in the same transaction as the drop.
 */
export async function dropExpiredRequestLogPartitions(
  db: ScopedDatabase,
  keepDays: number,
  actor: AuditActor,
): Promise<DroppedPartition[]> {
  return db.withRole(async (tx) => {
    const rows = await queryRows<{
      partition_name: string;
      range_start: Date | string;
      range_end: Date | string;
      rows_dropped: string | number;
      keep_days: number;
    }>(tx, sql`select * from portcullis_drop_expired_request_log_partitions(${keepDays})`);
    const dropped = rows.map((r) => ({
      partition: r.partition_name,
      rangeStart: new Date(r.range_start),
      rangeEnd: new Date(r.range_end),
      rowsDropped: Number(r.rows_dropped),
      keepDays: Number(r.keep_days),
    }));
    for (const d of dropped) {
      await recordAudit(tx, {
        orgId: null,
        actor,
        action: 'retention.applied',
        target: { type: 'request_log_partition', id: d.partition },
        diff: {
          partitionDropped: d.partition,
          rangeStart: d.rangeStart.toISOString(),
          rangeEnd: d.rangeEnd.toISOString(),
          requestRowsPruned: d.rowsDropped,
          requestLogDays: d.keepDays,
        },
      });
    }
    return dropped;
  });
}
