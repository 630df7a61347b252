/**
 * `POST /api/auth/sign-in/recovery-code` (`{ email, code }`), in front of the recovery-code
 * plugin's endpoint, as sign-in.ts is for passwords: throttled per client address and per account
 * (the same limiter and budgets as password sign-in), one answer for an unknown email, an account
 * with a password and a wrong or spent code (401 `invalid_credentials`), failures audited as
 * `auth.login_failed` with reason `recovery_code`, and the body is `{ user }` (the token lives only
 * in the HttpOnly cookie). The code is spent and `recovery_code.used` recorded by recovery-codes.ts.
 */
import type { Context } from 'hono';
import { z } from 'zod';
import { recordAudit } from '../audit/record.js';
import { HttpError, tooManyRequests } from '../http/errors.js';
import { readJson } from '../http/json-body.js';
import { findUserByEmail, normaliseEmail } from '../tenancy/users.js';
import { runWithIdentityContext } from './request-context.js';
import { emailFingerprint, identityContextOf, signInResponseSchema, type SignInDeps } from './sign-in.js';

const body = z.strictObject({
  email: z.email('enter a valid email address').max(254),
  code: z.string().trim().min(1, 'enter a recovery code').max(100),
});

const invalidRecovery = () => new HttpError(401, 'authentication_error', 'invalid_credentials', 'Invalid email or recovery code.');

export function recoveryCodeSignInHandler(deps: SignInDeps) {
  const fingerprint = emailFingerprint(deps.authSecret);
  return async (c: Context): Promise<Response> => {
    const input = await readJson(c, body);
    const context = identityContextOf(c);
    const account = `acct:${fingerprint(input.email)}`;
    const ip = `ip:${context.clientIp ?? 'unknown'}`;
    const [byIp, byAccount] = await Promise.all([deps.throttle.byIp.consume(ip), deps.throttle.byAccount.consume(account)]);
    if (!byIp.allowed || !byAccount.allowed) {
      deps.logger.warn({ throttled: !byIp.allowed ? 'ip' : 'account', clientIp: context.clientIp }, 'recovery-code sign-in throttled');
      throw tooManyRequests(
        'Too many sign-in attempts. Wait before trying again.',
        Math.max(byIp.retryAfterSeconds, byAccount.retryAfterSeconds),
        'too_many_attempts',
      );
    }
    const headers = new Headers(c.req.raw.headers);
    headers.set('content-type', 'application/json');
    headers.delete('content-length');
    const forwarded = new Request(c.req.raw.url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ email: normaliseEmail(input.email), code: input.code }),
    });
    const response = await runWithIdentityContext(context, () => deps.identity.forRequest(c).handler(forwarded));
    if (response.status === 401) {
      await deps.db.withRole(async (tx) => {
        const user = await findUserByEmail(tx, input.email);
        await recordAudit(tx, {
          orgId: null,
          actor: { type: 'system', id: null, ip: context.clientIp, userAgent: context.userAgent },
          requestId: context.requestId,
          action: 'auth.login_failed',
          outcome: 'failure',
          reason: 'recovery_code',
          target: user ? { type: 'user', id: user.id } : { type: 'email_hash', id: fingerprint(input.email) },
        });
      });
      throw invalidRecovery();
    }
    if (!response.ok) return response;
    await Promise.all([deps.throttle.byIp.reward(ip), deps.throttle.byAccount.reward(account)]);
    const parsed = signInResponseSchema.parse(await response.json());
    const out = new Headers({ 'content-type': 'application/json', 'cache-control': 'no-store' });
    for (const cookie of response.headers.getSetCookie()) out.append('set-cookie', cookie);
    return new Response(JSON.stringify(parsed), { status: 200, headers: out });
  };
}
