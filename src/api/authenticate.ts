import type { MiddlewareHandler } from 'hono';
import type { AdminTokenAuthenticator } from '../auth/admin-token-authenticator.js';
import type { ScopedDatabase } from '../db/tenant.js';
import { unauthorized } from '../http/errors.js';
import type { Identity } from '../identity/auth.js';
import { AUTH_BASE_PATH, hasSessionCookie } from '../identity/session-cookie.js';
import { resolveSession } from '../identity/session-principal.js';
import type { ApiEnv } from './env.js';

/**
 * The only `/api/*` paths served without a credential: first-run setup and accepting an
 * invitation (each has its own one-time token) and the OpenAPI document (public by design: it describes, it grants nothing). Exact
 * matches only, so no prefix or trailing-slash variant slips through.
 */
export const PUBLIC_API_PATHS: ReadonlySet<string> = new Set(['/api/setup', '/api/openapi.json', '/api/invitations/accept']);

/**
 * better-auth's own endpoints (`/api/auth/sign-in/email`, `/api/auth/sign-out`, …) authenticate
 * for themselves. Only paths strictly below the prefix: `/api/auth` itself and look-alikes such as
 * `/api/authx` stay behind authentication.
 */
export function isAuthEndpointPath(path: string): boolean {
  return path.startsWith(`${AUTH_BASE_PATH}/`) && path.length > AUTH_BASE_PATH.length + 1;
}

export type ApiAuthenticationDeps = {
  authenticator: AdminTokenAuthenticator;
  /** Absent: admin tokens only (no sign-in configured in this app, e.g. some unit tests). */
  identity?: Identity;
  db: ScopedDatabase;
};

/**
 * Authenticates every other `/api/*` request, including paths that match no route: without a
 * credential the api does not even say which routes exist (401 before 404).
 *
 * `Authorization: Bearer` (an admin token) wins over a session cookie sent alongside it: the
 * request is then judged by the token alone, and a bad token is a 401 even with a good cookie.
 * CSRF checks for cookie-authenticated requests run before this (csrf.ts).
 */
export function apiAuthentication(deps: ApiAuthenticationDeps): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    if (PUBLIC_API_PATHS.has(c.req.path) || isAuthEndpointPath(c.req.path)) return next();
    const authorization = c.req.header('authorization');
    if (authorization !== undefined || deps.identity === undefined || !hasSessionCookie(c.req.header('cookie'))) {
      c.set('principal', await deps.authenticator.authenticate(authorization, c.get('clientIp')));
      return next();
    }
    const { principal, setCookies } = await resolveSession(deps.identity, deps.db, c);
    // A refreshed or cleared cookie reaches the browser whatever the route answers (even a 401).
    for (const cookie of setCookies) c.header('set-cookie', cookie, { append: true });
    if (principal === undefined) throw unauthorized('Your session has ended or is not valid. Sign in again.', 'session_invalid');
    c.set('principal', principal);
    await next();
  };
}
