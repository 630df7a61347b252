import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';

/** Response headers browser code may read. Wildcards are not honoured with credentials, so they are listed. */
export const CORS_EXPOSED_HEADERS: readonly string[] = [
  'x-request-id',
  'retry-after',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
  'x-ratelimit-limit-requests',
  'x-ratelimit-remaining-requests',
  'x-ratelimit-reset-requests',
  'x-ratelimit-limit-tokens',
  'x-ratelimit-remaining-tokens',
  'x-ratelimit-reset-tokens',
];

const DEFAULT_ALLOWED_HEADERS: readonly string[] = ['content-type', 'authorization', 'x-api-key', 'x-request-id'];
const ALLOWED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

export interface CorsOptions {
  /** Allow cookies/Authorization from the listed origins. Default true (the dashboard API). */
  credentials?: boolean;
  /** Request headers a preflight may approve. Never reflected from the request. */
  allowHeaders?: readonly string[];
  maxAgeSeconds?: number;
}

/**
 * CORS for an exact allow-list of origins. Requests from any other origin (or none) get no
 * CORS headers at all, so the browser blocks them. Throws at startup on entries that would
 * widen the list: wildcards, "null" (sandboxed iframes and file: pages send it), or anything that
 * is not a bare http(s) origin.
 */
export function corsMiddleware(origins: readonly string[], options: CorsOptions = {}): MiddlewareHandler {
  const allowed = new Set(origins.map(validateOrigin));
  const handler = cors({
    origin: (origin) => (allowed.has(origin) ? origin : null),
    credentials: options.credentials ?? true,
    allowMethods: ALLOWED_METHODS,
    allowHeaders: [...(options.allowHeaders ?? DEFAULT_ALLOWED_HEADERS)],
    exposeHeaders: [...CORS_EXPOSED_HEADERS],
    maxAge: options.maxAgeSeconds ?? 600,
  });
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (origin !== undefined && allowed.has(origin)) return handler(c, next);
    await next();
    // The response differs by Origin, so shared caches must key on it.
    c.header('Vary', 'Origin', { append: true });
  };
}

function validateOrigin(origin: string): string {
  if (origin.includes('*') || origin.toLowerCase() === 'null') {
    throw new Error(`CORS origin "${origin}" is not allowed: list exact origins such as https://app.example.com`);
  }
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    throw new Error(`CORS origin "${origin}" is not a valid origin (expected e.g. https://app.example.com)`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new Error(`CORS origin "${origin}" must use http or https`);
  }
  // Browsers send the serialised form (lowercase host, no default port, no path); anything
  // else would silently never match.
  if (parsed.origin !== origin) {
    throw new Error(`CORS origin "${origin}" must be a bare origin; did you mean "${parsed.origin}"?`);
  }
  return origin;
}
