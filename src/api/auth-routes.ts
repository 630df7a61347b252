/**
 * `/api/auth/*`: better-auth's endpoints (sign-in, sign-out, get-session, password change), with
 * Portcullis's sign-in in front of its own (throttling, uniform errors, audit: sign-in.ts). Every
 * call runs in the identity request context, so the session store knows the client address and
 * which deletions are sign-outs. CSRF is checked before this (csrf.ts), authentication is not:
 * these endpoints authenticate for themselves.
 */
import { Hono } from 'hono';
import type { Identity } from '../identity/auth.js';
import { changePasswordHandler } from '../identity/change-password.js';
import { passkeySignInHandler } from '../identity/passkey-sign-in.js';
import { recoveryCodeSignInHandler } from '../identity/recovery-code-sign-in.js';
import { twoFactorChangeHandler, twoFactorVerifyHandler, type TwoFactorVerifyDeps } from '../identity/two-factor.js';
import { verifyEmailHandler, type EmailVerificationDeps } from '../identity/email-verification.js';
import { requestPasswordResetHandler, resetPasswordHandler, type PasswordResetDeps } from '../identity/password-reset.js';
import { notFound } from '../http/errors.js';
import { runWithIdentityContext } from '../identity/request-context.js';
import { AUTH_BASE_PATH } from '../identity/session-cookie.js';
import { identityContextOf, signInHandler, type SignInDeps } from '../identity/sign-in.js';
import type { ApiEnv } from './env.js';
import { signUpStatusHandler } from './sign-up-status.js';
import { SIGN_UP_PATH, signUpHandler, type SignUpThrottle } from './sign-up.js';

const isProviderCallback = (path: string) =>
  path.startsWith(`${AUTH_BASE_PATH}/callback/`) || path.startsWith(`${AUTH_BASE_PATH}/oauth2/callback/`);

export function authRoutes(
  deps: SignInDeps &
    TwoFactorVerifyDeps & {
      identity: Identity;
      passwordReset: PasswordResetDeps;
      emailVerification: EmailVerificationDeps;
      signUpThrottle: SignUpThrottle;
    },
): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.post(`${AUTH_BASE_PATH}/request-password-reset`, requestPasswordResetHandler(deps.passwordReset));
  app.post(`${AUTH_BASE_PATH}/reset-password`, resetPasswordHandler(deps.passwordReset));
  // better-auth's link target (token in the path, redirected into a query string): links are
  // `/reset-password#token=…` instead, so this is not served.
  app.get(`${AUTH_BASE_PATH}/reset-password/*`, () => {
    throw notFound();
  });
  // Portcullis's single-use link (email-verification.ts); better-auth's own /verify-email is disabled.
  app.post(`${AUTH_BASE_PATH}/verify-email`, verifyEmailHandler(deps.emailVerification));
  app.post(`${AUTH_BASE_PATH}/sign-in/email`, signInHandler(deps));
  app.get(SIGN_UP_PATH, signUpStatusHandler(deps));
  app.post(SIGN_UP_PATH, signUpHandler(deps));
  app.post(`${AUTH_BASE_PATH}/change-password`, changePasswordHandler(deps));
  app.post(`${AUTH_BASE_PATH}/passkey/verify-authentication`, passkeySignInHandler(deps));
  app.post(`${AUTH_BASE_PATH}/sign-in/recovery-code`, recoveryCodeSignInHandler(deps));
  app.post(`${AUTH_BASE_PATH}/two-factor/enable`, twoFactorChangeHandler(deps, 'enable'));
  app.post(`${AUTH_BASE_PATH}/two-factor/disable`, twoFactorChangeHandler(deps, 'disable'));
  app.post(`${AUTH_BASE_PATH}/two-factor/verify-totp`, twoFactorVerifyHandler(deps, 'totp'));
  app.post(`${AUTH_BASE_PATH}/two-factor/verify-backup-code`, twoFactorVerifyHandler(deps, 'backup_code'));
  app.on(['GET', 'POST'], `${AUTH_BASE_PATH}/*`, (c) => {
    const context = {
      ...identityContextOf(c),
      ...(c.req.path === `${AUTH_BASE_PATH}/sign-out` ? { sessionDeleteAction: 'auth.logout' as const } : {}),
      // A provider callback is a first factor, like a password: for an account with two-factor on, the
      // session it creates is replaced by a code challenge (oauth-second-factor.ts) and is no sign-in yet.
      ...(isProviderCallback(c.req.path) ? { firstFactor: true } : {}),
    };
    return runWithIdentityContext(context, () => deps.identity.forRequest(c).handler(c.req.raw));
  });
  return app;
}
