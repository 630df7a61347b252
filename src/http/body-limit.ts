import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { errorResponse, payloadTooLarge } from './errors.js';
import type { AppEnv } from './types.js';

/**
 * Rejects bodies over `maxBytes` with a 413 in the route's error shape. A declared
 * Content-Length is checked up front from the header alone (Node's parser refuses bodies longer
 * than declared), which keeps the request's body untouched: on @hono/node-server, looking at
 * `c.req.raw.body` builds a full web Request and AbortSignal per request, a measurable share of
 * the gateway's overhead. Chunked bodies (no Content-Length) go through Hono's bodyLimit, which
 * counts them as they stream in and cuts them off as soon as they pass the limit.
 */
export function bodyLimitMiddleware(maxBytes: number): MiddlewareHandler<AppEnv> {
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
    throw new RangeError(`bodyLimitMiddleware: maxBytes must be a positive integer, got ${maxBytes}`);
  }
  const tooLarge: MiddlewareHandler<AppEnv> = (c) =>
    Promise.resolve(errorResponse(c, payloadTooLarge(`Request body exceeds the limit of ${maxBytes} bytes`)));
  const streaming = bodyLimit({
    maxSize: maxBytes,
    onError: (c) => errorResponse(c, payloadTooLarge(`Request body exceeds the limit of ${maxBytes} bytes`)),
  });
  return async (c, next) => {
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return next();
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      return Number.parseInt(length, 10) > maxBytes ? tooLarge(c, next) : next();
    }
    return streaming(c, next);
  };
}
