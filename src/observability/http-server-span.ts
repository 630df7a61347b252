/**
 * One SERVER span per HTTP request, continuing the caller's trace when it sends a W3C
 * `traceparent`. Named and tagged with the route pattern (`POST /v1/chat/completions`,
 * `GET /api/orgs/:orgId`), never the raw path or query string: paths carry ids and query strings
 * can carry tokens. No headers are recorded.
 */
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type TextMapGetter } from '@opentelemetry/api';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_HTTP_ROUTE } from '@opentelemetry/semantic-conventions';
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { AppEnv } from '../http/types.js';
import { activeTracer, type TracedService } from './tracing.js';

const headersGetter: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
};

// Semantic conventions: a method outside the known set is recorded as _OTHER (it is client input).
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE']);

/**
 * The pattern of the route that answered, or, when a middleware answered first (a 401 from
 * authentication), of the route it stood in front of. Middleware (`use`, method ALL) patterns such
 * as `/v1/*` are skipped, and so are routes matched after the one that would have answered (a
 * catch-all GET). Undefined for a 404.
 */
function routePattern(c: Context): string | undefined {
  const routes = matchedRoutes(c);
  for (let i = Math.max(0, c.req.routeIndex); i < routes.length; i++) {
    const route = routes[i]!;
    if (route.method !== 'ALL') return route.path;
  }
  return undefined;
}

export function httpServerSpan(service: TracedService): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const tracer = activeTracer(service);
    if (!tracer) return next();
    const method = KNOWN_METHODS.has(c.req.method) ? c.req.method : '_OTHER';
    const parent = propagation.extract(ROOT_CONTEXT, c.req.raw.headers, headersGetter);
    const span = tracer.startSpan(
      method,
      { kind: SpanKind.SERVER, attributes: { [ATTR_HTTP_REQUEST_METHOD]: method, 'portcullis.request_id': c.get('requestId') } },
      parent,
    );
    let status = 500;
    try {
      await context.with(trace.setSpan(parent, span), next);
      status = c.res.status;
    } finally {
      const route = routePattern(c);
      if (route !== undefined) {
        span.updateName(`${method} ${route}`);
        span.setAttribute(ATTR_HTTP_ROUTE, route);
      }
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
      // Semantic conventions for servers: only 5xx is the server's error; 4xx is the client's.
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
  };
}
