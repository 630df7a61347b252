import { bigint, index, integer, numeric, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { tenantIsolation } from './roles.js';

/**
 * One row per gateway request, appended by the gateway's batched writer. No foreign keys on
 * purpose: logs outlive deleted keys and projects, and the append path must never block on them.
 */
export const requestLogs = pgTable(
  'request_logs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull(),
    projectId: uuid('project_id'),
    apiKeyId: uuid('api_key_id'),
    requestId: text('request_id').notNull(),
    endpoint: text('endpoint').notNull(),
    model: text('model'),
    provider: text('provider'),
    status: integer('status').notNull(),
    errorCode: text('error_code'),
    latencyMs: integer('latency_ms'),
    inputTokens: bigint('input_tokens', { mode: 'number' }),
    outputTokens: bigint('output_tokens', { mode: 'number' }),
    costUsd: numeric('cost_usd', { precision: 18, scale: 9 }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('request_logs_org_time_idx').on(t.orgId, t.createdAt),
    index('request_logs_key_time_idx').on(t.apiKeyId, t.createdAt),
    tenantIsolation(),
  ],
).enableRLS();
