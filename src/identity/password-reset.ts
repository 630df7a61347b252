/**
 * Password reset by emailed, single-use link, on better-auth's `/request-password-reset` and
 * `/reset-password` endpoints, with Portcullis's rules around them:
 *
 * - the link is `${PUBLIC_URL}/reset-password#token=…`: the token travels in the URL fragment, so
 *   it never reaches a server log, a proxy or a Referer header. better-auth's own GET
 *   `/reset-password/:token` (token in the path, redirect with it in the query) is not served;
 * - better-auth stores the token only hashed (`verification.storeIdentifier`, see auth.ts) and
 *   consumes it on use (single use); it expires after RESET_TOKEN_TTL_SECONDS;
 * - the request answers the same for known and unknown emails, and the mail is sent in the
 *   background so the answer takes as long either way; failed deliveries are logged;
 * - both endpoints are throttled: the request per client address and per email (whether or not
 *   it exists), the reset per client address;
 * - the new password passes the password policy (password-policy-hook.ts covers /reset-password);
 * - a reset ends every session of the user, audited (`auth.password_reset_requested`,
 *   `auth.password_reset`, and `session.revoked`) in the instance chain.
 */
import type { Context } from 'hono';
import type { Logger } from 'pino';
import { z } from 'zod';
import { recordAudit } from '../audit/record.js';
import type { ScopedDatabase } from '../db/tenant.js';
import type { Mailer } from '../email/mailer.js';
import { passwordResetMail } from '../email/templates.js';
import { HttpError, serviceUnavailable, tooManyRequests } from '../http/errors.js';
import { readJson } from '../http/json-body.js';
import type { KeyedLimiter } from '../limits/keyed-limiter.js';
import { normaliseEmail } from '../tenancy/users.js';
import type { Identity } from './auth.js';
import { MAX_PASSWORD_LENGTH } from './password-policy.js';
import { identityContext, runWithIdentityContext } from './request-context.js';
import { endSessions } from './sessions.js';
import { emailFingerprint, identityContextOf } from './sign-in.js';

/** How long a reset link works. */
export const RESET_TOKEN_TTL_SECONDS = 3600;

export const RESET_REQUESTED_MESSAGE = 'If an account uses this email address, a link to reset its password is on its way.';

export type PasswordResetHooksDeps = {
  mailer: Mailer;
  publicUrl: string;
  db: ScopedDatabase;
  logger: Logger;
};

/** better-auth `emailAndPassword` options: mail the link, and end the user's sessions after a reset. */
export function passwordResetHooks(deps: PasswordResetHooksDeps) {
  return {
    resetPasswordTokenExpiresIn: RESET_TOKEN_TTL_SECONDS,
    // Portcullis ends the sessions itself (onPasswordReset), audited, in one transaction.
    revokeSessionsOnPasswordReset: false,
    sendResetPassword: async ({ user, token }: { user: { id: string; email: string }; token: string }): Promise<void> => {
      const context = identityContext();
      await deps.db.withRole((tx) =>
        recordAudit(tx, {
          orgId: null,
          actor: { type: 'system', id: null, ip: context?.clientIp ?? null, userAgent: context?.userAgent ?? null },
          requestId: context?.requestId ?? null,
          action: 'auth.password_reset_requested',
          target: { type: 'user', id: user.id },
        }),
      );
      const mail = passwordResetMail({
        link: `${deps.publicUrl}/reset-password#token=${encodeURIComponent(token)}`,
        expiresAt: new Date(Date.now() + RESET_TOKEN_TTL_SECONDS * 1000),
      });
      // Not awaited: an unknown email gets its answer without a mail, so a known one must not wait for SMTP.
      deps.mailer.send({ to: user.email, ...mail }).catch((err: unknown) => {
        deps.logger.error({ err, userId: user.id }, 'password reset mail could not be sent');
      });
    },
    onPasswordReset: async ({ user }: { user: { id: string } }): Promise<void> => {
      const context = identityContext();
      const ctx = {
        actor: { type: 'user' as const, id: user.id, ip: context?.clientIp ?? null, userAgent: context?.userAgent ?? null },
        requestId: context?.requestId ?? null,
      };
      await deps.db.withRole(async (tx) => {
        await recordAudit(tx, {
          orgId: null,
          actor: ctx.actor,
          requestId: ctx.requestId,
          action: 'auth.password_reset',
          target: { type: 'user', id: user.id },
        });
        await endSessions(tx, user.id, { reason: 'password_reset' }, ctx);
      });
    },
  };
}

export const requestSchema = z.strictObject({ email: z.email('enter a valid email address').max(254) });
export const resetSchema = z.strictObject({
  token: z.string().min(1).max(200),
  newPassword: z
    .string()
    .min(1, 'enter a new password')
    .max(MAX_PASSWORD_LENGTH * 4),
});

export type PasswordResetDeps = {
  identity: Identity;
  mailer: Mailer;
  logger: Logger;
  authSecret: string;
  throttle: { byIp: KeyedLimiter; byAccount: KeyedLimiter };
};

const resetLinkInvalid = () =>
  new HttpError(
    410,
    'invalid_request_error',
    'reset_link_invalid',
    'This password reset link has expired or was already used. Ask for a new one.',
  );

function forward(c: Context, body: unknown): Request {
  const headers = new Headers(c.req.raw.headers);
  headers.set('content-type', 'application/json');
  headers.delete('content-length');
  return new Request(c.req.raw.url, { method: 'POST', headers, body: JSON.stringify(body) });
}

async function throttled(limiters: { limiter: KeyedLimiter; key: string }[]): Promise<void> {
  const results = await Promise.all(limiters.map(({ limiter, key }) => limiter.consume(key)));
  if (results.some((r) => !r.allowed))
    throw tooManyRequests(
      'Too many password reset attempts. Wait before trying again.',
      Math.max(...results.map((r) => r.retryAfterSeconds)),
      'too_many_attempts',
    );
}

/** `POST /api/auth/request-password-reset` { email }: the same answer whether or not the account exists. */
export function requestPasswordResetHandler(deps: PasswordResetDeps) {
  const fingerprint = emailFingerprint(deps.authSecret);
  return async (c: Context): Promise<Response> => {
    const input = await readJson(c, requestSchema);
    const context = identityContextOf(c);
    await throttled([
      { limiter: deps.throttle.byIp, key: `ip:${context.clientIp ?? 'unknown'}` },
      { limiter: deps.throttle.byAccount, key: `acct:${fingerprint(input.email)}` },
    ]);
    // Said to everyone alike, before looking anything up: it reveals no account.
    if (deps.mailer.mode === 'disabled')
      throw serviceUnavailable('Email is not configured on this instance, so passwords cannot be reset by email.', 'email_not_configured');
    const response = await runWithIdentityContext(context, () =>
      deps.identity.forRequest(c).handler(forward(c, { email: normaliseEmail(input.email) })),
    );
    if (!response.ok) {
      deps.logger.error({ status: response.status }, 'password reset request failed');
      throw new HttpError(500, 'api_error', 'internal_error', 'The password reset could not be requested.');
    }
    return c.json({ message: RESET_REQUESTED_MESSAGE }, 200, { 'cache-control': 'no-store' });
  };
}

const betterAuthError = z.object({ code: z.string().optional(), message: z.string().optional() });

/** `POST /api/auth/reset-password` { token, newPassword }: sets the password once per link. */
export function resetPasswordHandler(deps: PasswordResetDeps) {
  return async (c: Context): Promise<Response> => {
    const context = identityContextOf(c);
    await throttled([{ limiter: deps.throttle.byIp, key: `reset-ip:${context.clientIp ?? 'unknown'}` }]);
    const input = await readJson(c, resetSchema);
    const response = await runWithIdentityContext(context, () => deps.identity.forRequest(c).handler(forward(c, input)));
    if (response.ok) return c.json({ message: 'Your password was changed. Sign in with it; every other session has ended.' }, 200);
    const parsed = betterAuthError.safeParse(await response.json().catch(() => ({})));
    const code = parsed.success ? (parsed.data.code ?? '') : '';
    if (code === 'INVALID_TOKEN' || code === 'USER_NOT_FOUND') throw resetLinkInvalid();
    if (response.status === 400)
      throw new HttpError(
        400,
        'invalid_request_error',
        code.startsWith('PASSWORD_') ? code.toLowerCase() : 'invalid_password',
        (parsed.success ? parsed.data.message : undefined) ?? 'This password cannot be used.',
      );
    return response;
  };
}
