import type { ScopedDatabase } from '../../db/tenant.js';
import type { Logger } from '../../logging/logger.js';
import type { BoundedBuffer } from './buffer.js';
import type { DataKeyCache } from './data-keys.js';
import { isTransientError, summarizeError, type ErrorSummary } from './errors.js';
import { insertOrgEntries } from './insert.js';
import { withoutEvents, type PendingEntry } from './pending-entry.js';
import { appendAll } from '../../append-all.js';

export type WriteCounters = { written: number; dropped: number; bodiesSkipped: number; guardrailEventsDropped: number };

export type RoundContext = {
  readonly db: ScopedDatabase;
  readonly dataKeys: DataKeyCache;
  readonly logger: Logger;
  readonly buffer: BoundedBuffer<PendingEntry>;
  readonly maxBatch: number;
  /** Failed attempts (not availability failures) before an org's batch is written row by row. */
  readonly poisonAttempts: number;
  /** Consecutive rejected batches per org; an org absent from the map is healthy. */
  readonly orgFailures: Map<string, number>;
  readonly counters: WriteCounters;
  /** After close gave up, entries coming back from a late write can no longer be retried. */
  isClosed(): boolean;
};

export type RoundResult = {
  /** Anything was taken from the buffer. */
  attempted: boolean;
  /** Some entries went back to the buffer to be retried. */
  failed: boolean;
  /** Set when the database was unavailable (the error that said so). */
  outage: { error: unknown } | null;
};

type OrgOutcome = { retry: PendingEntry[]; failed: boolean; outage: { error: unknown } | null };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_LOGGED_ERRORS = 5;

/** An org id is ours and safe to log; a malformed one came from a bug and is not echoed. */
function loggableOrgId(orgId: string): string {
  return UUID.test(orgId) ? orgId : '(not a uuid)';
}

function groupByOrg(batch: readonly PendingEntry[]): Map<string, PendingEntry[]> {
  const groups = new Map<string, PendingEntry[]>();
  for (const entry of batch) {
    const group = groups.get(entry.row.orgId);
    if (group) group.push(entry);
    else groups.set(entry.row.orgId, [entry]);
  }
  return groups;
}

async function writeBatch(ctx: RoundContext, orgId: string, entries: PendingEntry[]): Promise<OrgOutcome> {
  try {
    ctx.counters.bodiesSkipped += await insertOrgEntries(ctx.db, orgId, entries, ctx.dataKeys);
    ctx.counters.written += entries.length;
    ctx.orgFailures.delete(orgId);
    return { retry: [], failed: false, outage: null };
  } catch (error) {
    if (isTransientError(error)) return { retry: entries, failed: true, outage: { error } };
    const attempts = (ctx.orgFailures.get(orgId) ?? 0) + 1;
    ctx.orgFailures.set(orgId, attempts);
    ctx.logger.warn(
      { orgId: loggableOrgId(orgId), rows: entries.length, attempt: attempts, of: ctx.poisonAttempts, error: summarizeError(error) },
      attempts >= ctx.poisonAttempts
        ? 'request log batch rejected by the database: retrying row by row'
        : 'request log batch rejected by the database: will retry',
    );
    return { retry: entries, failed: true, outage: null };
  }
}

/**
 * One entry in its own transaction. When the database refuses it together with its guardrail
 * events, the log row is tried once more alone: the record of the request (and its usage) must
 * not be lost to a bad event. The events are then counted and logged as dropped (no values).
 */
async function writeEntry(ctx: RoundContext, orgId: string, entry: PendingEntry): Promise<void> {
  try {
    ctx.counters.bodiesSkipped += await insertOrgEntries(ctx.db, orgId, [entry], ctx.dataKeys);
  } catch (error) {
    if (entry.events.length === 0 || isTransientError(error)) throw error;
    ctx.counters.bodiesSkipped += await insertOrgEntries(ctx.db, orgId, [withoutEvents(entry)], ctx.dataKeys);
    ctx.counters.guardrailEventsDropped += entry.events.length;
    ctx.logger.error(
      { orgId: loggableOrgId(orgId), events: entry.events.length, error: summarizeError(error) },
      'guardrail events rejected by the database: dropped, their log row written without them',
    );
  }
  ctx.counters.written += 1;
}

/**
 * The poison-row fallback: one transaction per row, so the rows the database accepts are written
 * and only those it rejects are dropped. An availability failure stops the pass and sends the
 * rest back for retry: that says nothing about the rows.
 */
async function writeRowByRow(ctx: RoundContext, orgId: string, entries: PendingEntry[]): Promise<OrgOutcome> {
  const rejected = new Map<string, ErrorSummary>();
  let dropped = 0;
  let outcome: OrgOutcome = { retry: [], failed: false, outage: null };
  for (const [index, entry] of entries.entries()) {
    try {
      await writeEntry(ctx, orgId, entry);
    } catch (error) {
      if (isTransientError(error)) {
        outcome = { retry: entries.slice(index), failed: true, outage: { error } };
        break;
      }
      dropped += 1;
      const summary = summarizeError(error);
      if (rejected.size < MAX_LOGGED_ERRORS) rejected.set(JSON.stringify(summary), summary);
    }
  }
  if (dropped > 0) {
    ctx.counters.dropped += dropped;
    ctx.logger.error(
      { orgId: loggableOrgId(orgId), dropped, errors: [...rejected.values()] },
      'request log rows rejected by the database: dropped',
    );
  }
  // Only a completed pass clears the org: after an interruption the remaining rows still need it.
  if (!outcome.outage) ctx.orgFailures.delete(orgId);
  return outcome;
}

async function writeOrg(ctx: RoundContext, orgId: string, entries: PendingEntry[]): Promise<OrgOutcome> {
  try {
    const rowByRow = (ctx.orgFailures.get(orgId) ?? 0) >= ctx.poisonAttempts;
    return rowByRow ? await writeRowByRow(ctx, orgId, entries) : await writeBatch(ctx, orgId, entries);
  } catch {
    // Database errors are handled above; this is a bug or a throwing logger. Keeping the rows
    // (writes are idempotent by id) is better than losing them without a count.
    return { retry: entries, failed: true, outage: null };
  }
}

/**
 * One write round: takes up to maxBatch of the oldest entries, groups them by org and writes each
 * org's group in its own transaction, so one org's failure never holds back another's rows.
 * Once the database is known to be unavailable the remaining orgs are not tried this round.
 */
export async function writeRound(ctx: RoundContext): Promise<RoundResult> {
  const batch = ctx.buffer.take(ctx.maxBatch);
  if (batch.length === 0) return { attempted: false, failed: false, outage: null };
  const retry: PendingEntry[] = [];
  let failed = false;
  let outage: { error: unknown } | null = null;
  for (const [orgId, entries] of groupByOrg(batch)) {
    if (outage) {
      appendAll(retry, entries);
      continue;
    }
    const result = await writeOrg(ctx, orgId, entries);
    appendAll(retry, result.retry);
    failed ||= result.failed;
    outage ??= result.outage;
  }
  // Back in enqueue order, ahead of everything queued since: retried entries stay the oldest.
  retry.sort((a, b) => a.seq - b.seq);
  ctx.buffer.settle(batch.length - retry.length);
  if (ctx.isClosed()) {
    ctx.buffer.settle(retry.length);
    ctx.counters.dropped += retry.length;
  } else {
    ctx.buffer.putBack(retry);
  }
  return { attempted: true, failed, outage };
}
