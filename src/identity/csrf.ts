/**
 * Cross-site request forgery protection for cookie-authenticated requests.
 *
 * A browser attaches the session cookie to any request for our origin, including one a foreign
 * page triggers (a form post, `fetch(…, { credentials: 'include' })`). SameSite=Lax already keeps
 * the cookie off cross-site POSTs in current browsers, but not off same-site ones (a sibling
 * subdomain is "same site") nor in older browsers, so every state-changing request that a cookie
 * would authenticate must also prove it comes from our own pages:
 *
 * 1. `Origin` (or, when a browser omits it, the origin of `Referer`) is one of the trusted origins:
 *    PUBLIC_URL's origin and CORS_ORIGINS. Browsers set these headers; page script cannot.
 * 2. The custom header `x-portcullis-csrf: 1`. A cross-origin page can only send a non-simple
 *    header after a CORS preflight, and the api approves preflights for listed origins only. This
 *    holds even if a trusted origin's check were fooled (e.g. a proxy dropping Origin).
 *
 * Requests with `Authorization: Bearer` are exempt: a browser never adds that header on its own,
 * so a forged request cannot carry it. `/api/auth/*` is always checked on unsafe methods: sign-in
 * without a cookie is still a forgery target (login CSRF signs the victim into our account).
 */
import type { MiddlewareHandler } from 'hono';
import { forbidden } from '../http/errors.js';
import { AUTH_BASE_PATH, hasSessionCookie } from './session-cookie.js';

export const CSRF_HEADER = 'x-portcullis-csrf';
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

function refererOrigin(referer: string | undefined): string | undefined {
  if (referer === undefined || !URL.canParse(referer)) return undefined;
  return new URL(referer).origin;
}

export function csrfProtection(trustedOrigins: readonly string[], alwaysCheckedPaths: ReadonlySet<string> = new Set()): MiddlewareHandler {
  const trusted = new Set(trustedOrigins);
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next();
    // Public forms that act on a token (accepting an invitation) are checked like sign-in.
    const authPath = c.req.path.startsWith(`${AUTH_BASE_PATH}/`) || alwaysCheckedPaths.has(c.req.path);
    const cookieAuthenticated = c.req.header('authorization') === undefined && hasSessionCookie(c.req.header('cookie'));
    if (!authPath && !cookieAuthenticated) return next();
    const origin = c.req.header('origin') ?? refererOrigin(c.req.header('referer'));
    if (origin === undefined || !trusted.has(origin))
      throw forbidden(
        'Cross-site request refused: a request authenticated by the session cookie must come from the dashboard origin (Origin header).',
        'csrf_rejected',
      );
    if (c.req.header(CSRF_HEADER) !== '1')
      throw forbidden(
        `Cross-site request refused: a request authenticated by the session cookie must send the ${CSRF_HEADER}: 1 header.`,
        'csrf_rejected',
      );
    return next();
  };
}
