import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { bytea } from './credentials.js';
import { tenantIsolation } from './roles.js';

export const CACHE_STATUSES = ['hit', 'miss', 'bypass', 'off'] as const;
export type CacheStatus = (typeof CACHE_STATUSES)[number];

/**
 * Who produced a row's token counts: the provider's own usage report, or the gateway's count of
 * what it delivered when a stream was cut before the provider reported (docs/gateway.md).
 */
export const USAGE_SOURCES = ['provider', 'gateway'] as const;
export type UsageSource = (typeof USAGE_SOURCES)[number];

/**
 * One row per authenticated gateway request (success, error, cache hit, blocked), appended by the
 * gateway's batched writer. No foreign keys on purpose: logs outlive deleted keys and projects,
 * and the append path must never block on them.
 *
 * Partitioned by month on created_at (migration 0027, docs/scaling.md): a partitioned table's
 * primary key must contain the partition key, hence (id, created_at). drizzle-kit does not model
 * partitioning; the partitions (request_logs_pYYYYMM and a DEFAULT one) are created in SQL.
 */
export const requestLogs = pgTable(
  'request_logs',
  {
    id: uuid('id').notNull().defaultRandom(),
    orgId: uuid('org_id').notNull(),
    projectId: uuid('project_id'),
    apiKeyId: uuid('api_key_id'),
    requestId: text('request_id').notNull(),
    endpoint: text('endpoint').notNull(),
    /** What the client asked for (a model, `provider/model`, or an alias). */
    model: text('model'),
    /** The model the provider reports having served. */
    servedModel: text('served_model'),
    provider: text('provider'),
    /** Upstream calls made, including retries and fallbacks (0 for cache hits and rejected requests). */
    attempts: integer('attempts').notNull().default(0),
    stream: boolean('stream').notNull().default(false),
    status: integer('status').notNull(),
    errorCode: text('error_code'),
    latencyMs: integer('latency_ms'),
    /** Time to first token (first byte of the answer) for streams. */
    ttftMs: integer('ttft_ms'),
    inputTokens: bigint('input_tokens', { mode: 'number' }),
    outputTokens: bigint('output_tokens', { mode: 'number' }),
    cachedInputTokens: bigint('cached_input_tokens', { mode: 'number' }),
    cacheWriteInputTokens: bigint('cache_write_input_tokens', { mode: 'number' }),
    reasoningTokens: bigint('reasoning_tokens', { mode: 'number' }),
    /** Cost in millionths of a US dollar, computed from the model catalog. */
    costMicroUsd: bigint('cost_micro_usd', { mode: 'number' }),
    cacheStatus: text('cache_status').$type<CacheStatus>(),
    /** Null when the row carries no usage (cache hits, refusals) or was written before migration 0031. */
    usageSource: text('usage_source').$type<UsageSource>(),
    /**
     * The request passed the limit checks and so counts toward usage limits (requests refused
     * before them do not). Usage counters lost from Redis are rebuilt from these rows.
     */
    usageCounted: boolean('usage_counted').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.id, t.createdAt] }),
    index('request_logs_org_time_idx').on(t.orgId, t.createdAt),
    index('request_logs_key_time_idx').on(t.apiKeyId, t.createdAt),
    // The request-id filter (a support ticket or the playground quotes one id): found without reading the org's month.
    index('request_logs_org_request_idx').on(t.orgId, t.requestId),
    check('request_logs_cache_status_check', sql`${t.cacheStatus} is null or ${t.cacheStatus} in ('hit', 'miss', 'bypass', 'off')`),
    check('request_logs_usage_source_check', sql`${t.usageSource} is null or ${t.usageSource} in ('provider', 'gateway')`),
    tenantIsolation(),
  ],
).enableRLS();

/**
 * Request and response bodies, stored only for projects that enable it, encrypted under the org's
 * data key (AAD: org id + this row's id). Separate from request_logs so that reading a log never
 * touches a body, and so that bodies can have their own retention.
 */
export const requestBodies = pgTable(
  'request_bodies',
  {
    id: uuid('id').primaryKey(),
    orgId: uuid('org_id').notNull(),
    requestLogId: uuid('request_log_id').notNull(),
    tenantKeyId: uuid('tenant_key_id').notNull(),
    requestCiphertext: bytea('request_ciphertext').notNull(),
    responseCiphertext: bytea('response_ciphertext'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('request_bodies_log_idx').on(t.orgId, t.requestLogId), tenantIsolation()],
).enableRLS();
