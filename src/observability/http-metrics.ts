/**
 * Counts and times every HTTP request of a service by the route pattern that answered it, and
 * counts the refusals of Portcullis's own limits (whichever route threw them), in one middleware
 * so no route has to remember to.
 */
import type { Context, MiddlewareHandler, NotFoundHandler } from 'hono';
import { routePath } from 'hono/route';
import { HttpError } from '../http/errors.js';
import type { AppEnv } from '../http/types.js';
import { httpRequestDurationSeconds, httpRequestsTotal, limitRejectionsTotal, safely } from './metrics.js';

export type ServiceLabel = 'gateway' | 'api';

// Requests that reached the not-found handler: no route matched, whatever middleware ran.
const unmatched = new WeakSet<Request>();

/** Wraps a service's not-found handler so its requests are labelled `unmatched`, not with a middleware's pattern. */
export function markingUnmatched(handler: NotFoundHandler<AppEnv>): NotFoundHandler<AppEnv> {
  return (c) => {
    unmatched.add(c.req.raw);
    return handler(c);
  };
}

/**
 * Our limits by the error code they refuse with (see gateway/limits/enforce-limits.ts,
 * gateway/overload/org-concurrency.ts, gateway/authenticate.ts, auth/admin-token-authenticator.ts
 * and identity/*). A 429 with another
 * code is counted as `other`; a provider's own 429 is an upstream error, not ours, and is skipped.
 */
const LIMIT_KINDS: Readonly<Record<string, string>> = {
  rate_limit_exceeded: 'rate',
  request_too_large_for_rate_limit: 'rate',
  usage_limit_exceeded: 'usage',
  usage_store_unavailable: 'usage_store_unavailable',
  concurrency_limit_exceeded: 'concurrency',
  limits_store_unavailable: 'concurrency_store_unavailable',
  too_many_failed_attempts: 'failed_auth',
  too_many_attempts: 'attempts',
};
const NOT_OURS = new Set(['upstream_rate_limited']);

export function limitKind(status: number, error: Error | undefined): string | undefined {
  const code = error instanceof HttpError ? error.code : undefined;
  if (code !== undefined && NOT_OURS.has(code)) return undefined;
  if (code !== undefined && LIMIT_KINDS[code] !== undefined) return LIMIT_KINDS[code];
  return status === 429 ? 'other' : undefined;
}

// Node's parser accepts a few dozen methods; the ones an HTTP API uses are labelled, the rest `other`.
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

function routeLabel(c: Context): string {
  if (unmatched.has(c.req.raw)) return 'unmatched';
  return routePath(c) || 'unmatched';
}

export function httpMetricsMiddleware(service: ServiceLabel): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      // After next(): Hono has turned any thrown error into c.res (and kept it as c.error).
      safely(() => {
        const status = c.res.status;
        const labels = {
          service,
          route: routeLabel(c),
          method: METHODS.has(c.req.method) ? c.req.method : 'other',
          status: String(status),
        };
        httpRequestsTotal.inc(labels);
        httpRequestDurationSeconds.observe(labels, (performance.now() - started) / 1000);
        const kind = limitKind(status, c.error);
        if (kind) limitRejectionsTotal.inc({ service, kind });
      });
    }
  };
}
