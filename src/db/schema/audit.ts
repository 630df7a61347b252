import { sql } from 'drizzle-orm';
import { check, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { tenantIsolation } from './roles.js';

/**
 * Append-only audit trail. `org_id` null = the instance chain (events before an org is known).
 * No foreign key to organizations: the trail must outlive the org, and a cascading delete would
 * let a role without DELETE on this table remove rows indirectly.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id'),
    occurredAt: timestamp('occurred_at', { withTimezone: true })
      .notNull()
      .default(sql`clock_timestamp()`),
    actorType: text('actor_type').$type<'user' | 'token' | 'api_key' | 'system'>().notNull(),
    actorId: text('actor_id'),
    actorIp: text('actor_ip'),
    userAgent: text('user_agent'),
    action: text('action').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    outcome: text('outcome').$type<'success' | 'failure'>().notNull(),
    reason: text('reason'),
    requestId: text('request_id'),
    diff: jsonb('diff').$type<Record<string, unknown>>(),
  },
  (t) => [
    index('audit_events_org_time_idx').on(t.orgId, t.occurredAt),
    check('audit_events_outcome_check', sql`${t.outcome} in ('success', 'failure')`),
    check('audit_events_actor_type_check', sql`${t.actorType} in ('user', 'token', 'api_key', 'system')`),
    tenantIsolation(),
  ],
).enableRLS();
