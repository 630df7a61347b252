import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { errorResponse, payloadTooLarge } from './errors.js';
import type { AppEnv } from './types.js';

/**
 * Rejects bodies over `maxBytes` with a 413 in the route's error shape. A declared
 * Content-Length is checked up front (Node's parser refuses bodies longer than declared);
 * chunked bodies are counted as they stream in and cut off as soon as they pass the limit,
 * so an oversized upload is never buffered in full.
 */
export function bodyLimitMiddleware(maxBytes: number): MiddlewareHandler<AppEnv> {
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
    throw new RangeError(`bodyLimitMiddleware: maxBytes must be a positive integer, got ${maxBytes}`);
  }
  return bodyLimit({
    maxSize: maxBytes,
    onError: (c) => errorResponse(c, payloadTooLarge(`Request body exceeds the limit of ${maxBytes} bytes`)),
  });
}
