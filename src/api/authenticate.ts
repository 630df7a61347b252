import type { MiddlewareHandler } from 'hono';
import type { AdminTokenAuthenticator } from '../auth/admin-token-authenticator.js';
import type { ApiEnv } from './env.js';

/**
 * The only `/api/*` paths served without a credential: first-run setup (it has its own one-time
 * token) and the OpenAPI document (public by design: it describes, it grants nothing). Exact
 * matches only, so no prefix or trailing-slash variant slips through.
 */
export const PUBLIC_API_PATHS: ReadonlySet<string> = new Set(['/api/setup', '/api/openapi.json']);

/**
 * Authenticates every other `/api/*` request, including paths that match no route: without a
 * credential the api does not even say which routes exist (401 before 404).
 */
export function apiAuthentication(authenticator: AdminTokenAuthenticator): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    if (PUBLIC_API_PATHS.has(c.req.path)) return next();
    c.set('principal', await authenticator.authenticate(c.req.header('authorization'), c.get('clientIp')));
    await next();
  };
}
