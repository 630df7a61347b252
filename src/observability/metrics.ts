/**
 * Process metrics in Prometheus form. The registry is this module's own (not prom-client's global
 * one), so what is exported is exactly what Portcullis declares here, and tests can read it
 * without picking up another library's metrics. Every metric is declared in this file, so its
 * names and label sets can be reviewed in one place (docs/observability.md lists them).
 *
 * Labels are bounded sets only: a service name, a route pattern, a status code, a provider id, a
 * catalog model id (or `other`), a fixed kind. Never an org, project or key id, a rule name, a raw
 * path or anything the client sent: each distinct value is a new time series kept forever by
 * Prometheus, and the exposition may be read by people who must not learn who the tenants are.
 * Exposing the registry over HTTP is metrics-endpoint.ts.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { GuardrailEventRecord } from '../gateway/guardrails/event-record.js';
import { databasePoolTotals, requestLogQueueTotal, takeNewRequestLogDrops } from './runtime-sources.js';

export const metricsRegistry = new Registry();
const registers = [metricsRegistry];

// Seconds. LLM calls run from tens of milliseconds (a cache hit) to minutes (a long generation).
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
const TTFT_BUCKETS = [0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 20, 30, 60];

// ---- HTTP, both services -------------------------------------------------------------------------

export const httpRequestsTotal = new Counter({
  name: 'portcullis_http_requests_total',
  help: 'HTTP requests answered, by service, matched route pattern (`unmatched` for unknown paths), method and status.',
  labelNames: ['service', 'route', 'method', 'status'] as const,
  registers,
});

export const httpRequestDurationSeconds = new Histogram({
  name: 'portcullis_http_request_duration_seconds',
  help: 'Time until the response headers were ready (a streamed body continues after it), by service, route, method and status.',
  labelNames: ['service', 'route', 'method', 'status'] as const,
  buckets: LATENCY_BUCKETS,
  registers,
});

export const limitRejectionsTotal = new Counter({
  name: 'portcullis_limit_rejections_total',
  help: 'Requests refused by a Portcullis limit, by service and kind (rate, usage, concurrency, failed_auth, attempts, the limit stores being unavailable, other).',
  labelNames: ['service', 'kind'] as const,
  registers,
});

/**
 * The rate limiters' per-process insurance (src/limits/insured-limiter.ts). `limiter` is the
 * limiter's name without the Redis key prefix (`rate`, `auth-ip`, `sign-in-account`, …): a fixed
 * set named in code, never a key.
 */
export const rateLimitInsuranceTotal = new Counter({
  name: 'portcullis_rate_limit_insurance_total',
  help: 'Rate-limit decisions (checks, refunds, penalties) made by the per-process insurance limiter because Redis did not answer, by limiter.',
  labelNames: ['limiter'] as const,
  registers,
});

export const rateLimitInsuranceActive = new Gauge({
  name: 'portcullis_rate_limit_insurance_active',
  help: '1 while a rate limiter is limiting per process because Redis did not answer its last call, 0 once Redis answered again; by limiter.',
  labelNames: ['limiter'] as const,
  registers,
});

// ---- gateway requests ----------------------------------------------------------------------------

export const gatewayRequestsTotal = new Counter({
  name: 'portcullis_gateway_requests_total',
  help: 'Authenticated /v1 requests by endpoint, provider that answered (or `none`), catalog model (or `other`) and final status.',
  labelNames: ['endpoint', 'provider', 'model', 'status'] as const,
  registers,
});

export const gatewayRequestDurationSeconds = new Histogram({
  name: 'portcullis_gateway_request_duration_seconds',
  help: 'Authenticated /v1 requests from authentication to the last byte (streams included), by endpoint, provider and stream.',
  labelNames: ['endpoint', 'provider', 'stream'] as const,
  buckets: LATENCY_BUCKETS,
  registers,
});

export const gatewayTtftSeconds = new Histogram({
  name: 'portcullis_gateway_ttft_seconds',
  help: 'Time to the first byte of a streamed answer (or a replayed cached stream), by provider and stream.',
  labelNames: ['provider', 'stream'] as const,
  buckets: TTFT_BUCKETS,
  registers,
});

export const upstreamErrorsTotal = new Counter({
  name: 'portcullis_upstream_errors_total',
  help: 'Failed provider calls (each attempt, retries included), by provider and kind (timeout, network, rate_limited, server_error, auth, not_found, client_error, protocol, redirect, refused_address).',
  labelNames: ['provider', 'kind'] as const,
  registers,
});

export const fallbacksTotal = new Counter({
  name: 'portcullis_fallbacks_total',
  help: 'Requests that moved on to another route candidate after one failed, by the provider left and the provider tried next.',
  labelNames: ['from_provider', 'to_provider'] as const,
  registers,
});

export const tokensTotal = new Counter({
  name: 'portcullis_tokens_total',
  help: 'Tokens the providers reported, by provider, catalog model and kind (input, output, cached_input, cache_write_input, reasoning).',
  labelNames: ['provider', 'model', 'kind'] as const,
  registers,
});

export const costUsdTotal = new Counter({
  name: 'portcullis_cost_usd_total',
  help: 'Cost of provider calls in US dollars at catalog prices, by provider and catalog model.',
  labelNames: ['provider', 'model'] as const,
  registers,
});

export const cacheLookupsTotal = new Counter({
  name: 'portcullis_cache_lookups_total',
  help: 'Response-cache outcomes of requests whose project has the cache on: hit, miss, or bypass (the client asked not to read it).',
  labelNames: ['result'] as const,
  registers,
});

export const cacheStoreErrorsTotal = new Counter({
  name: 'portcullis_cache_store_errors_total',
  help: 'Response-cache store calls that failed (error) or ran out of time (timeout); each one served as a miss or left unwritten.',
  labelNames: ['op', 'reason'] as const,
  registers,
});

/**
 * One increment per guardrail finding. Labels are bounded sets only: detector, category (PII
 * type, injection category, `secret` or `custom`), action and direction. Never the rule — secret
 * rule ids and custom rule names would multiply the series — and never anything of the value.
 */
export const guardrailFindingsTotal = new Counter({
  name: 'portcullis_guardrail_findings_total',
  help: 'Guardrail findings in requests and responses, by detector, category, action and direction.',
  labelNames: ['detector', 'category', 'action', 'direction'] as const,
  registers,
});

// ---- request-log writer and database: read at scrape time from what runtime-sources.ts watches ----

export const requestLogQueueDepth = new Gauge({
  name: 'portcullis_request_log_queue_depth',
  help: 'Request-log entries accepted but not yet written (queued plus the batch being written).',
  registers,
  collect() {
    this.set(requestLogQueueTotal());
  },
});

export const requestLogDroppedTotal = new Counter({
  name: 'portcullis_request_log_dropped_total',
  help: 'Request-log entries never written: buffer full, enqueued after close, or refused by the database.',
  registers,
  collect() {
    const added = takeNewRequestLogDrops();
    if (added > 0) this.inc(added);
  },
});

export const dbPoolConnections = new Gauge({
  name: 'portcullis_db_pool_connections',
  help: 'Database connections by state: total open, idle, and waiting (queries queued for a connection). PGlite: total 1 (one connection).',
  labelNames: ['state'] as const,
  registers,
  collect() {
    const pool = databasePoolTotals();
    if (!pool) return;
    this.set({ state: 'total' }, pool.total);
    if (pool.idle !== undefined) this.set({ state: 'idle' }, pool.idle);
    if (pool.waiting !== undefined) this.set({ state: 'waiting' }, pool.waiting);
  },
});

/**
 * Runs a counting step on the request path: a metric must never fail a request. prom-client
 * throws only for labels a metric was not declared with, a bug that is not worth a request.
 */
export function safely(count: () => void): void {
  try {
    count();
  } catch {
    // see above
  }
}

/** Counts a request's guardrail events; cheap, synchronous, never throws into the request path. */
export function countGuardrailEvents(events: readonly GuardrailEventRecord[]): void {
  for (const event of events) {
    safely(() =>
      guardrailFindingsTotal.inc({ detector: event.detector, category: event.category, action: event.action, direction: event.direction }),
    );
  }
}
