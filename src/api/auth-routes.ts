/**
 * `/api/auth/*`: better-auth's endpoints (sign-in, sign-out, get-session, password change), with
 * Portcullis's sign-in in front of its own (throttling, uniform errors, audit: sign-in.ts). Every
 * call runs in the identity request context, so the session store knows the client address and
 * which deletions are sign-outs. CSRF is checked before this (csrf.ts), authentication is not:
 * these endpoints authenticate for themselves.
 */
import { Hono } from 'hono';
import type { Identity } from '../identity/auth.js';
import { passkeySignInHandler } from '../identity/passkey-sign-in.js';
import { runWithIdentityContext } from '../identity/request-context.js';
import { AUTH_BASE_PATH } from '../identity/session-cookie.js';
import { identityContextOf, signInHandler, type SignInDeps } from '../identity/sign-in.js';
import type { ApiEnv } from './env.js';

export function authRoutes(deps: SignInDeps & { identity: Identity }): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.post(`${AUTH_BASE_PATH}/sign-in/email`, signInHandler(deps));
  app.post(`${AUTH_BASE_PATH}/passkey/verify-authentication`, passkeySignInHandler(deps));
  app.on(['GET', 'POST'], `${AUTH_BASE_PATH}/*`, (c) => {
    const context = {
      ...identityContextOf(c),
      ...(c.req.path === `${AUTH_BASE_PATH}/sign-out` ? { sessionDeleteAction: 'auth.logout' as const } : {}),
    };
    return runWithIdentityContext(context, () => deps.identity.forRequest(c).handler(c.req.raw));
  });
  return app;
}
