import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import type { AppEnv } from './types.js';
import { setResponseHeader } from './response-header.js';
import { requestLogger, runInRequestScope } from '../logging/request-scope.js';

export const REQUEST_ID_HEADER = 'x-request-id';

// The id is echoed in a response header and written to every log line, so anything a
// client sends must be inert there: no whitespace, quotes, control characters or
// unbounded length.
const INBOUND_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function isAcceptableRequestId(value: string): boolean {
  return INBOUND_REQUEST_ID.test(value);
}

export function generateRequestId(): string {
  // 96 random bits: collisions are not a practical concern for correlation ids. randomUUID draws
  // from a pooled entropy buffer, several times cheaper per call than randomBytes on the hot path.
  const uuid = randomUUID();
  return `req_${uuid.slice(0, 8)}${uuid.slice(9, 13)}${uuid.slice(15, 18)}${uuid.slice(19, 23)}${uuid.slice(24, 29)}`;
}

/**
 * Must be the first middleware: everything after it relies on `requestId` and `logger`.
 * An inbound `x-request-id` is kept (so callers can correlate with their own logs) only
 * when it matches a conservative pattern; note that it is therefore caller-chosen and must
 * not be treated as unique.
 */
export function requestIdMiddleware(baseLogger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const inbound = c.req.header(REQUEST_ID_HEADER);
    const requestId = inbound !== undefined && isAcceptableRequestId(inbound) ? inbound : generateRequestId();
    c.set('requestId', requestId);
    c.set('logger', requestLogger(baseLogger, requestId));
    // Lines logged anywhere below, through any logger, carry the id (see logging/request-scope.ts).
    await runInRequestScope(requestId, next);
    // Set after `next()` so the header also lands on responses a handler built by hand
    // and on those produced by the error and not-found handlers.
    setResponseHeader(c, REQUEST_ID_HEADER, requestId);
  };
}
