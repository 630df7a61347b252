/** Where better-auth is served and what its session cookie is called; no dependencies, shared by the middleware. */
export const AUTH_BASE_PATH = '/api/auth';
/** Session cookies live under the api only: never sent with gateway, dashboard or static-asset requests. */
export const SESSION_COOKIE_PATH = '/api';
export const COOKIE_PREFIX = 'portcullis';
/** Over HTTPS the cookie carries the `__Secure-` prefix (see auth.ts). */
export const SESSION_COOKIE_NAMES: readonly string[] = [`${COOKIE_PREFIX}.session_token`, `__Secure-${COOKIE_PREFIX}.session_token`];

/** Whether the Cookie header names a session cookie (its value is neither parsed nor trusted here). */
export function hasSessionCookie(cookieHeader: string | undefined): boolean {
  if (cookieHeader === undefined) return false;
  return cookieHeader.split(';').some((pair) => SESSION_COOKIE_NAMES.includes(pair.split('=', 1)[0]!.trim()));
}
