/**
 * Usage over time from the request logs and guardrail events, per UTC bucket, inside the caller's
 * tenant transaction (RLS limits the rows to the org; the caller's project scope is applied here).
 *
 * Both queries filter on a created_at range, so only the months of the window are read from the
 * monthly partitions of request_logs. Each groups by GROUPING SETS ((bucket), ()): one row per
 * bucket with traffic plus one row for the whole window, so the totals' percentiles are true
 * percentiles of the window rather than an average of the buckets'. Buckets without traffic are
 * filled with zeros by the caller (charts have no gaps).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { ProjectScope } from '../auth/principal.js';
import { queryRows } from '../db/rows.js';
import type { Tx } from '../db/types.js';
import { BUCKET_MS, bucketStarts, type TimeseriesWindow } from './timeseries-window.js';

export type TimeseriesFilter = {
  /** The caller's projects: rows of other projects (and of none) are left out unless 'all'. */
  projects: ProjectScope;
  projectId?: string;
  apiKeyId?: string;
  /** The model the client asked for, exactly. */
  model?: string;
};

export type TimeseriesPoint = {
  requests: number;
  inputTokens: number;
  outputTokens: number;
  costMicroUsd: number;
  /** Status 400 or more, or an error code (a stream that failed after its 200 carries one). */
  errors: number;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  cacheHits: number;
  /** Requests the response cache looked up: hits and misses (not `bypass` or `off`). */
  cacheableRequests: number;
  /** Requests a guardrail blocked (one however many of its findings said block). */
  guardrailBlocks: number;
};

export type Timeseries = { buckets: (TimeseriesPoint & { start: Date })[]; totals: TimeseriesPoint; models: string[] };

const EMPTY_POINT: TimeseriesPoint = {
  requests: 0,
  inputTokens: 0,
  outputTokens: 0,
  costMicroUsd: 0,
  errors: 0,
  latencyP50Ms: null,
  latencyP95Ms: null,
  cacheHits: 0,
  cacheableRequests: 0,
  guardrailBlocks: 0,
};

/** At most this many models are offered as filters: the ones with the most requests. */
const MAX_MODELS = 100;

type LogRow = {
  is_total: number;
  b: number | null;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cost_micro_usd: number;
  errors: number;
  p50: number | null;
  p95: number | null;
  cache_hits: number;
  cacheable: number;
};
type BlockRow = { is_total: number; b: number | null; blocks: number };

/** `alias.column in (…)` for a limited caller; nothing for 'all'; false for no project at all. */
function scopeCondition(alias: SQL, scope: ProjectScope): SQL {
  if (scope === 'all') return sql`true`;
  if (scope.size === 0) return sql`false`;
  return sql`${alias}.project_id in (${sql.join(
    [...scope].map((id) => sql`${id}::uuid`),
    sql`, `,
  )})`;
}

/** The conditions both tables share (same column names): org, window, scope, project and key. */
function sharedConditions(alias: SQL, orgId: string, window: TimeseriesWindow, filter: TimeseriesFilter): SQL {
  const parts: SQL[] = [
    // RLS already limits rows to the org; naming it lets the planner use the (org_id, created_at) indexes.
    sql`${alias}.org_id = ${orgId}::uuid`,
    sql`${alias}.created_at >= ${window.from.toISOString()}::timestamptz`,
    sql`${alias}.created_at < ${window.to.toISOString()}::timestamptz`,
    scopeCondition(alias, filter.projects),
  ];
  if (filter.projectId !== undefined) parts.push(sql`${alias}.project_id = ${filter.projectId}::uuid`);
  if (filter.apiKeyId !== undefined) parts.push(sql`${alias}.api_key_id = ${filter.apiKeyId}::uuid`);
  return sql.join(parts, sql` and `);
}

/** The bucket number of a row: whole buckets since the window's start. */
function bucketOf(alias: SQL, window: TimeseriesWindow): SQL {
  const seconds = BUCKET_MS[window.bucket] / 1000;
  return sql`floor(extract(epoch from (${alias}.created_at - ${window.from.toISOString()}::timestamptz)) / ${seconds}::int)::int`;
}

function logRows(tx: Tx, orgId: string, window: TimeseriesWindow, filter: TimeseriesFilter): Promise<LogRow[]> {
  const rl = sql.raw('rl');
  const byModel = filter.model === undefined ? sql`true` : sql`rl.model = ${filter.model}`;
  // Counts as int and sums as double precision: both drivers hand those back as JS numbers.
  return queryRows<LogRow>(
    tx,
    sql`select grouping(b) as is_total, b,
          count(*)::int as requests,
          coalesce(sum(input_tokens), 0)::float8 as input_tokens,
          coalesce(sum(output_tokens), 0)::float8 as output_tokens,
          coalesce(sum(cost_micro_usd), 0)::float8 as cost_micro_usd,
          (count(*) filter (where status >= 400 or error_code is not null))::int as errors,
          percentile_cont(0.5) within group (order by latency_ms) as p50,
          percentile_cont(0.95) within group (order by latency_ms) as p95,
          (count(*) filter (where cache_status = 'hit'))::int as cache_hits,
          (count(*) filter (where cache_status in ('hit', 'miss')))::int as cacheable
        from (
          select ${bucketOf(rl, window)} as b, rl.input_tokens, rl.output_tokens, rl.cost_micro_usd, rl.status,
                 rl.error_code, rl.latency_ms, rl.cache_status
          from request_logs rl
          where ${sharedConditions(rl, orgId, window, filter)} and ${byModel}
        ) as logs
        group by grouping sets ((b), ())`,
  );
}

/**
 * Blocked requests per bucket. An event carries its request's id and time (written with the log
 * row, in one transaction), so (request_id, created_at) names one request, and the model filter
 * is the log row of that same request.
 */
function blockRows(tx: Tx, orgId: string, window: TimeseriesWindow, filter: TimeseriesFilter): Promise<BlockRow[]> {
  const ge = sql.raw('ge');
  const byModel =
    filter.model === undefined
      ? sql`true`
      : sql`exists (select 1 from request_logs rl
                    where rl.org_id = ge.org_id and rl.created_at = ge.created_at and rl.request_id = ge.request_id
                      and rl.model = ${filter.model})`;
  return queryRows<BlockRow>(
    tx,
    sql`select grouping(b) as is_total, b, count(distinct (request_id, created_at))::int as blocks
        from (
          select ${bucketOf(ge, window)} as b, ge.request_id, ge.created_at
          from guardrail_events ge
          where ${sharedConditions(ge, orgId, window, filter)} and ge.action = 'block' and ${byModel}
        ) as blocked
        group by grouping sets ((b), ())`,
  );
}

/** The models asked for in the window (any model filter aside), busiest first: the choices of the model filter. */
async function modelsOf(tx: Tx, orgId: string, window: TimeseriesWindow, filter: TimeseriesFilter): Promise<string[]> {
  const rl = sql.raw('rl');
  const rows = await queryRows<{ model: string }>(
    tx,
    sql`select rl.model from request_logs rl
        where ${sharedConditions(rl, orgId, window, filter)} and rl.model is not null
        group by rl.model order by count(*) desc, rl.model limit ${MAX_MODELS}`,
  );
  return rows.map((row) => row.model).sort();
}

const toNumber = (value: unknown): number => Number(value ?? 0);
const toLatency = (value: unknown): number | null => (value === null || value === undefined ? null : Math.round(Number(value)));

function pointOf(row: LogRow | undefined, blocks: BlockRow | undefined): TimeseriesPoint {
  if (row === undefined) return { ...EMPTY_POINT, guardrailBlocks: toNumber(blocks?.blocks) };
  return {
    requests: toNumber(row.requests),
    inputTokens: toNumber(row.input_tokens),
    outputTokens: toNumber(row.output_tokens),
    costMicroUsd: toNumber(row.cost_micro_usd),
    errors: toNumber(row.errors),
    latencyP50Ms: toLatency(row.p50),
    latencyP95Ms: toLatency(row.p95),
    cacheHits: toNumber(row.cache_hits),
    cacheableRequests: toNumber(row.cacheable),
    guardrailBlocks: toNumber(blocks?.blocks),
  };
}

/** Every bucket of the window (zeros where nothing happened), the window's totals, and its models. */
export async function usageTimeseries(tx: Tx, orgId: string, window: TimeseriesWindow, filter: TimeseriesFilter): Promise<Timeseries> {
  const logs = await logRows(tx, orgId, window, filter);
  const blocks = await blockRows(tx, orgId, window, filter);
  const models = await modelsOf(tx, orgId, window, filter);
  const isTotal = (row: { is_total: number }) => Number(row.is_total) === 1;
  const logByBucket = new Map(logs.filter((row) => !isTotal(row)).map((row) => [Number(row.b), row] as const));
  const blocksByBucket = new Map(blocks.filter((row) => !isTotal(row)).map((row) => [Number(row.b), row] as const));
  return {
    buckets: bucketStarts(window).map((start, index) => ({ start, ...pointOf(logByBucket.get(index), blocksByBucket.get(index)) })),
    totals: pointOf(logs.find(isTotal), blocks.find(isTotal)),
    models,
  };
}
