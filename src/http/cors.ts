/**
 * Cross-origin access for browsers. Both services answer preflights themselves (before any
 * authentication) and add CORS headers only for origins on an exact allow-list: a request from any
 * other origin, or with none, gets no `Access-Control-*` header at all and the browser blocks it.
 *
 * - The api (`/api/*`) has ONE instance-wide list: CORS_ORIGINS plus the dashboard's own origin
 *   (the origin of PUBLIC_URL). Credentials are allowed (the dashboard's session cookie), so the
 *   origin is always echoed exactly, never `*`.
 * - The gateway (`/v1/*`) is for servers; browsers get CORS only when GATEWAY_CORS_ORIGINS lists
 *   their origin, without credentials, with the request headers the OpenAI and Anthropic browser
 *   SDKs send.
 */
import type { Context, MiddlewareHandler } from 'hono';

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

/** What the gateway adds for browser SDKs: how Portcullis served the request. */
export const GATEWAY_CORS_EXPOSED_HEADERS: readonly string[] = [
  ...CORS_EXPOSED_HEADERS,
  'x-portcullis-provider',
  'x-portcullis-attempts',
  'x-portcullis-cache',
  'request-id',
];

/** The api's methods. HEAD and OPTIONS need no approval. */
export const API_CORS_METHODS: readonly string[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
export const GATEWAY_CORS_METHODS: readonly string[] = ['GET', 'POST'];

/** What both services send: a day (browsers cap it lower: Chromium at 2 h). */
export const CORS_MAX_AGE_SECONDS = 86_400;
const DEFAULT_MAX_AGE_SECONDS = 600;

// x-portcullis-csrf: the dashboard's anti-CSRF header (identity/csrf.ts); only listed origins may send it.
const API_ALLOWED_HEADERS: readonly string[] = ['content-type', 'authorization', 'x-request-id', 'x-portcullis-csrf'];

/**
 * Request headers the official OpenAI and Anthropic SDKs send from a browser (besides the
 * `x-stainless-*` telemetry headers, matched by GATEWAY_CORS_HEADER_PATTERNS), and the gateway's
 * own cache override.
 */
export const GATEWAY_CORS_ALLOWED_HEADERS: readonly string[] = [
  'authorization',
  'x-api-key',
  'content-type',
  'anthropic-version',
  'anthropic-beta',
  'anthropic-dangerous-direct-browser-access',
  'openai-organization',
  'openai-project',
  'openai-beta',
  'x-request-id',
  'x-portcullis-cache',
  'cache-control',
];

/** `x-stainless-os`, `x-stainless-retry-count`, …: approved by name when a preflight asks for them, never more. */
export const GATEWAY_CORS_HEADER_PATTERNS: readonly RegExp[] = [/^x-stainless-[a-z0-9-]{1,64}$/];

export interface CorsOptions {
  /** Allow cookies/Authorization from the listed origins. Default true (the dashboard API). */
  credentials?: boolean;
  /** Request headers a preflight may approve. Never reflected from the request. */
  allowHeaders?: readonly string[];
  /**
   * Header names approved only when a preflight asks for them and they match one of these
   * (anchored) patterns: the SDKs' `x-stainless-*` family has no fixed list.
   */
  allowHeaderPatterns?: readonly RegExp[];
  allowMethods?: readonly string[];
  exposeHeaders?: readonly string[];
  /** Default 600; the services send CORS_MAX_AGE_SECONDS. */
  maxAgeSeconds?: number;
}

function appendVary(c: Context, value: string): void {
  const current = c.res.headers.get('vary');
  const present = (current ?? '')
    .split(',')
    .map((v) => v.trim().toLowerCase())
    .filter(Boolean);
  if (present.includes('*') || present.includes(value.toLowerCase())) return;
  const next = current ? `${current}, ${value}` : value;
  try {
    c.res.headers.set('Vary', next);
  } catch {
    c.header('Vary', next);
  }
}

function setHeader(c: Context, name: string, value: string): void {
  try {
    c.res.headers.set(name, value);
  } catch {
    c.header(name, value);
  }
}

/**
 * CORS for an exact allow-list of origins. Throws at startup on entries that would widen the list:
 * wildcards, "null" (sandboxed iframes and file: pages send it), or anything that is not a bare
 * http(s) origin.
 *
 * Preflights (OPTIONS with Access-Control-Request-Method) are answered here with 204, before
 * authentication: approved for a listed origin, without any CORS header otherwise.
 */
export function corsMiddleware(origins: readonly string[], options: CorsOptions = {}): MiddlewareHandler {
  const allowed = new Set(origins.map(validateOrigin));
  return corsFor((origin) => allowed.has(origin), options, false);
}

/** `*` without credentials: development only (`CORS_ORIGINS=*` is refused in production). */
export function anyOriginCorsMiddleware(options: Omit<CorsOptions, 'credentials'> = {}): MiddlewareHandler {
  return corsFor(() => true, { ...options, credentials: false }, true);
}

function corsFor(listed: (origin: string) => boolean, options: CorsOptions, wildcard: boolean): MiddlewareHandler {
  const credentials = options.credentials ?? true;
  const allowHeaders = (options.allowHeaders ?? API_ALLOWED_HEADERS).map((h) => h.toLowerCase());
  const patterns = options.allowHeaderPatterns ?? [];
  const methods = (options.allowMethods ?? API_CORS_METHODS).join(', ');
  const exposed = (options.exposeHeaders ?? CORS_EXPOSED_HEADERS).join(',');
  const maxAge = String(options.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS);
  const allowOrigin = (origin: string) => (wildcard ? '*' : origin);

  return async (c, next) => {
    const origin = c.req.header('origin');
    const approved = origin !== undefined && listed(origin);
    const requestedMethod = c.req.header('access-control-request-method');
    if (c.req.method === 'OPTIONS' && requestedMethod !== undefined) {
      const headers = new Headers();
      if (!wildcard) headers.set('Vary', 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers');
      if (approved) {
        headers.set('Access-Control-Allow-Origin', allowOrigin(origin));
        if (credentials) headers.set('Access-Control-Allow-Credentials', 'true');
        headers.set('Access-Control-Allow-Methods', methods);
        const requested = (c.req.header('access-control-request-headers') ?? '')
          .split(',')
          .map((h) => h.trim().toLowerCase())
          .filter(Boolean);
        const matched = requested.filter((h) => !allowHeaders.includes(h) && patterns.some((p) => p.test(h)));
        headers.set('Access-Control-Allow-Headers', [...allowHeaders, ...new Set(matched)].join(','));
        headers.set('Access-Control-Max-Age', maxAge);
      }
      return new Response(null, { status: 204, headers });
    }
    await next();
    // The response differs by Origin, so shared caches must key on it.
    if (!wildcard) appendVary(c, 'Origin');
    if (!approved) return;
    setHeader(c, 'Access-Control-Allow-Origin', allowOrigin(origin));
    if (credentials) setHeader(c, 'Access-Control-Allow-Credentials', 'true');
    if (exposed) setHeader(c, 'Access-Control-Expose-Headers', exposed);
  };
}

/** The dashboard's own origin: the origin of PUBLIC_URL. */
export function dashboardOrigin(publicUrl: string): string {
  return new URL(publicUrl).origin;
}

/** The api's one instance-wide allow-list: CORS_ORIGINS plus the dashboard's own origin. */
export function apiCorsOrigins(config: { corsOrigins: readonly string[] | '*'; publicUrl: string }): string[] | '*' {
  if (config.corsOrigins === '*') return '*';
  return [...new Set([...config.corsOrigins, dashboardOrigin(config.publicUrl)])];
}

/** CORS for `/api/*`: the instance-wide list, with credentials (or `*` without, outside production). */
export function apiCors(config: { corsOrigins: readonly string[] | '*'; publicUrl: string }): MiddlewareHandler {
  const origins = apiCorsOrigins(config);
  if (origins === '*') return anyOriginCorsMiddleware({ allowMethods: API_CORS_METHODS, maxAgeSeconds: CORS_MAX_AGE_SECONDS });
  return corsMiddleware(origins, { credentials: true, allowMethods: API_CORS_METHODS, maxAgeSeconds: CORS_MAX_AGE_SECONDS });
}

/** CORS for `/v1/*`, or undefined when GATEWAY_CORS_ORIGINS is empty (the default: no browser access). */
export function gatewayCors(origins: readonly string[]): MiddlewareHandler | undefined {
  if (origins.length === 0) return undefined;
  return corsMiddleware(origins, {
    credentials: false,
    allowHeaders: GATEWAY_CORS_ALLOWED_HEADERS,
    allowHeaderPatterns: GATEWAY_CORS_HEADER_PATTERNS,
    allowMethods: GATEWAY_CORS_METHODS,
    exposeHeaders: GATEWAY_CORS_EXPOSED_HEADERS,
    maxAgeSeconds: CORS_MAX_AGE_SECONDS,
  });
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
