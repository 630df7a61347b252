/**
 * The org's audit trail as the api reads it: a filtered list, newest first, and ascending batches
 * for exports. Both page by keyset on `seq` (the event's position in the org's hash chain: unique
 * per org, consecutive, and in commit order), so a page never skips or repeats an event however
 * many are appended meanwhile. Runs in the caller's tenant transaction (RLS limits it to the org).
 */
import { revealEvents } from '../audit/personal-data.js';
import { and, asc, desc, eq, gt, gte, like, lt, lte, max, type SQL } from 'drizzle-orm';
import { auditEvents } from '../db/schema/index.js';
import type { Tx } from '../db/types.js';

/** `exact` matches one action name; `prefix` every action of a target (`api_key` → `api_key.*`). */
export type AuditActionFilter = { kind: 'exact' | 'prefix'; value: string };

export type AuditEventFilter = {
  actorType?: 'user' | 'token' | 'api_key' | 'system';
  actorId?: string;
  action?: AuditActionFilter;
  targetType?: string;
  targetId?: string;
  outcome?: 'success' | 'failure';
  /** Inclusive. */
  since?: Date;
  /** Exclusive. */
  until?: Date;
};

export type AuditEventRow = typeof auditEvents.$inferSelect;

/** LIKE treats `_` and `%` as wildcards, and action names contain `_` (`api_key`). */
const escapeLike = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);

function conditions(orgId: string, filter: AuditEventFilter): SQL[] {
  // RLS already limits rows to the org; naming it lets the planner use the (org_id, seq) key.
  const where: SQL[] = [eq(auditEvents.orgId, orgId)];
  if (filter.actorType !== undefined) where.push(eq(auditEvents.actorType, filter.actorType));
  if (filter.actorId !== undefined) where.push(eq(auditEvents.actorId, filter.actorId));
  if (filter.action?.kind === 'exact') where.push(eq(auditEvents.action, filter.action.value));
  if (filter.action?.kind === 'prefix') where.push(like(auditEvents.action, `${escapeLike(filter.action.value)}.%`));
  if (filter.targetType !== undefined) where.push(eq(auditEvents.targetType, filter.targetType));
  if (filter.targetId !== undefined) where.push(eq(auditEvents.targetId, filter.targetId));
  if (filter.outcome !== undefined) where.push(eq(auditEvents.outcome, filter.outcome));
  if (filter.since !== undefined) where.push(gte(auditEvents.occurredAt, filter.since));
  if (filter.until !== undefined) where.push(lt(auditEvents.occurredAt, filter.until));
  return where;
}

/** Up to `limit` events, newest first, below `beforeSeq`; `nextBeforeSeq` is set when there are more. */
export async function listAuditEvents(
  tx: Tx,
  orgId: string,
  filter: AuditEventFilter,
  page: { limit: number; beforeSeq?: number },
): Promise<{ events: AuditEventRow[]; nextBeforeSeq: number | null }> {
  const where = conditions(orgId, filter);
  if (page.beforeSeq !== undefined) where.push(lt(auditEvents.seq, page.beforeSeq));
  // One row more than asked for says whether another page exists, without a count.
  const rows = await tx
    .select()
    .from(auditEvents)
    .where(and(...where))
    .orderBy(desc(auditEvents.seq))
    .limit(page.limit + 1);
  const events = await revealEvents(tx, rows.slice(0, page.limit));
  const last = events.at(-1);
  return { events, nextBeforeSeq: rows.length > page.limit && last ? last.seq : null };
}

/** The next `limit` events in chain order with afterSeq < seq ≤ throughSeq: one batch of an export. */
export async function auditEventBatch(
  tx: Tx,
  orgId: string,
  filter: AuditEventFilter,
  range: { afterSeq: number; throughSeq: number },
  limit: number,
): Promise<AuditEventRow[]> {
  const where = [...conditions(orgId, filter), gt(auditEvents.seq, range.afterSeq), lte(auditEvents.seq, range.throughSeq)];
  const rows = await tx
    .select()
    .from(auditEvents)
    .where(and(...where))
    .orderBy(asc(auditEvents.seq))
    .limit(limit);
  return revealEvents(tx, rows);
}

/** The org chain's latest position (0 before the first event), as this transaction sees it. */
export async function auditHeadSeq(tx: Tx, orgId: string): Promise<number> {
  const [row] = await tx
    .select({ seq: max(auditEvents.seq) })
    .from(auditEvents)
    .where(eq(auditEvents.orgId, orgId));
  return row?.seq ?? 0;
}
