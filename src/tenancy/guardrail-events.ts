/**
 * Guardrail events as the api reads them: a filtered list, newest first, paged by keyset on
 * (created_at, id), and counts grouped by detector, category, action and direction. Runs in the
 * caller's tenant transaction (RLS limits it to the org); the caller's project scope is applied
 * here, so a member limited to some projects never counts or sees another project's events.
 */
import { and, asc, desc, eq, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { ProjectScope } from '../auth/principal.js';
import { guardrailEvents } from '../db/schema/index.js';
import type { Tx } from '../db/types.js';

export type GuardrailEventFilter = {
  /** The caller's projects: events of other projects (and of none) are left out unless 'all'. */
  projects: ProjectScope;
  projectId?: string;
  apiKeyId?: string;
  requestId?: string;
  detector?: string;
  action?: string;
  direction?: 'input' | 'output';
  /** Inclusive. */
  since?: Date;
  /** Exclusive. */
  until?: Date;
};

/**
 * Where the previous page ended. `createdAt` is the database's own text of the timestamp (to the
 * microsecond): a JavaScript Date keeps milliseconds, and a cursor rounded to them would skip or
 * repeat rows written within the same millisecond.
 */
export type GuardrailEventCursor = { createdAt: string; id: string };

export type GuardrailEventRow = typeof guardrailEvents.$inferSelect;

export type GuardrailEventCount = {
  detector: string;
  category: string | null;
  action: string;
  direction: 'input' | 'output';
  count: number;
};

const EXACT_CREATED_AT = sql<string>`to_char(${guardrailEvents.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

function conditions(orgId: string, filter: GuardrailEventFilter): SQL[] {
  // RLS already limits rows to the org; naming it lets the planner use the (org_id, …) indexes.
  const where: SQL[] = [eq(guardrailEvents.orgId, orgId)];
  if (filter.projects !== 'all') {
    where.push(filter.projects.size === 0 ? sql`false` : inArray(guardrailEvents.projectId, [...filter.projects]));
  }
  if (filter.projectId !== undefined) where.push(eq(guardrailEvents.projectId, filter.projectId));
  if (filter.apiKeyId !== undefined) where.push(eq(guardrailEvents.apiKeyId, filter.apiKeyId));
  if (filter.requestId !== undefined) where.push(eq(guardrailEvents.requestId, filter.requestId));
  if (filter.detector !== undefined) where.push(eq(guardrailEvents.detector, filter.detector));
  if (filter.action !== undefined) where.push(eq(guardrailEvents.action, filter.action));
  if (filter.direction !== undefined) where.push(eq(guardrailEvents.direction, filter.direction));
  if (filter.since !== undefined) where.push(gte(guardrailEvents.createdAt, filter.since));
  if (filter.until !== undefined) where.push(lt(guardrailEvents.createdAt, filter.until));
  return where;
}

/** Up to `limit` events, newest first, after `before`; `next` is set when there are more. */
export async function listGuardrailEvents(
  tx: Tx,
  orgId: string,
  filter: GuardrailEventFilter,
  page: { limit: number; before?: GuardrailEventCursor },
): Promise<{ events: GuardrailEventRow[]; next: GuardrailEventCursor | null }> {
  const where = conditions(orgId, filter);
  if (page.before) {
    where.push(
      sql`(${guardrailEvents.createdAt}, ${guardrailEvents.id}) < (${page.before.createdAt}::timestamptz, ${page.before.id}::uuid)`,
    );
  }
  // One row more than asked for says whether another page exists, without a count.
  const rows = await tx
    .select({ event: guardrailEvents, exactCreatedAt: EXACT_CREATED_AT })
    .from(guardrailEvents)
    .where(and(...where))
    .orderBy(desc(guardrailEvents.createdAt), desc(guardrailEvents.id))
    .limit(page.limit + 1);
  const events = rows.slice(0, page.limit);
  const last = events.at(-1);
  const next = rows.length > page.limit && last ? { createdAt: last.exactCreatedAt, id: last.event.id } : null;
  return { events: events.map((row) => row.event), next };
}

/** Event counts per detector, category, action and direction: the org's guardrail metrics. */
export async function summarizeGuardrailEvents(tx: Tx, orgId: string, filter: GuardrailEventFilter): Promise<GuardrailEventCount[]> {
  const total = sql<number>`count(*)::int`.mapWith(Number);
  return tx
    .select({
      detector: guardrailEvents.detector,
      category: guardrailEvents.category,
      action: guardrailEvents.action,
      direction: guardrailEvents.direction,
      count: total,
    })
    .from(guardrailEvents)
    .where(and(...conditions(orgId, filter)))
    .groupBy(guardrailEvents.detector, guardrailEvents.category, guardrailEvents.action, guardrailEvents.direction)
    .orderBy(
      desc(total),
      asc(guardrailEvents.detector),
      asc(guardrailEvents.category),
      asc(guardrailEvents.action),
      asc(guardrailEvents.direction),
    );
}
