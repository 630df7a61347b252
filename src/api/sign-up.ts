/**
 * `POST /api/auth/sign-up` (`{ email, name, password }`): self-service accounts, only while the
 * instance's sign-up mode is `open` (403 `signup_closed` otherwise; invitations and the setup link
 * are the other ways in). better-auth's own sign-up endpoint stays disabled: this one applies the
 * password policy, throttles and audits like the rest of Portcullis's identity routes.
 *
 * - Throttled per client address and per email in limiters of its own (management.ts), not the
 *   sign-in ones: colleagues behind one office address signing up must not spend each other's
 *   sign-in attempts, nor failed sign-ins stop a sign-up. A success does not refund the attempt:
 *   otherwise one address could create accounts without end.
 * - The account is made as an accepted invitation makes one (tenancy/users.ts), but the email
 *   stays unverified: nothing here proves the address. A verification link is mailed at once
 *   (when mail is configured). Audited `user.created` and `auth.signed_up`
 *   in the instance chain.
 * - An email that already has an account gets 400 `signup_failed`, worded as a generic failure.
 *   Succeeding would sign the caller in, so the difference cannot be hidden entirely; the answer
 *   just does not say it outright, and the password policy is checked (and the password hashed)
 *   before the look-up, so those answers and timings do not depend on it.
 * - Then the new user is signed in through better-auth's password sign-in (the session stored and
 *   audited like any sign-in): `201 { user }` with the session cookie, never the token in the body.
 *
 * CSRF: like every `/api/auth` POST, the Origin and the anti-CSRF header are required (csrf.ts).
 */
import { hashPassword } from 'better-auth/crypto';
import type { Context } from 'hono';
import { z } from 'zod';
import { recordAudit } from '../audit/record.js';
import { isUniqueViolation } from '../credentials/db-errors.js';
import { forbidden, HttpError } from '../http/errors.js';
import { readJson } from '../http/json-body.js';
import { canSendVerificationMail, sendVerificationMail, type EmailVerificationMailDeps } from '../identity/email-verification.js';
import { checkPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../identity/password-policy.js';
import { runWithIdentityContext } from '../identity/request-context.js';
import { AUTH_BASE_PATH } from '../identity/session-cookie.js';
import { consumeAttempt, emailFingerprint, identityContextOf, signInResponseSchema, type SignInDeps } from '../identity/sign-in.js';
import type { KeyedLimiter } from '../limits/keyed-limiter.js';
import { readSignupMode } from '../tenancy/instance-settings.js';
import { createPasswordUser, findUserByEmail, normaliseEmail } from '../tenancy/users.js';

export const SIGN_UP_PATH = `${AUTH_BASE_PATH}/sign-up`;

export const signUpSchema = z.strictObject({
  email: z.email('enter a valid email address').max(254),
  name: z.string().trim().min(1, 'enter your name').max(100),
  password: z
    .string()
    .min(1, 'choose a password')
    .max(MAX_PASSWORD_LENGTH * 4),
});

const signUpFailed = () =>
  new HttpError(
    400,
    'invalid_request_error',
    'signup_failed',
    'Could not create the account. If you already have one, sign in or reset your password.',
  );

/** The caller's request re-addressed to better-auth's password sign-in, with the new credentials only. */
function signInRequest(c: Context, email: string, password: string): Request {
  const url = new URL(c.req.raw.url);
  url.pathname = `${AUTH_BASE_PATH}/sign-in/email`;
  url.search = '';
  const headers = new Headers(c.req.raw.headers);
  headers.set('content-type', 'application/json');
  headers.delete('content-length');
  return new Request(url, { method: 'POST', headers, body: JSON.stringify({ email, password }) });
}

/** Sign-up's own budgets, apart from sign-in's: per client address and per (keyed hash of the) email. */
export type SignUpThrottle = { byIp: KeyedLimiter; byAccount: KeyedLimiter };

export type SignUpDeps = Omit<SignInDeps, 'throttle'> & { signUpThrottle: SignUpThrottle; emailVerification: EmailVerificationMailDeps };

export function signUpHandler(deps: SignUpDeps) {
  const fingerprint = emailFingerprint(deps.authSecret);
  return async (c: Context): Promise<Response> => {
    const input = await readJson(c, signUpSchema);
    if ((await deps.db.withRole((tx) => readSignupMode(tx))) !== 'open')
      throw forbidden(
        'Sign-up is by invitation only on this instance. Ask an administrator of your organization for an invitation.',
        'signup_closed',
      );
    const context = identityContextOf(c);
    await consumeAttempt(
      { throttle: deps.signUpThrottle, logger: deps.logger },
      { ip: `ip:${context.clientIp ?? 'unknown'}`, account: `acct:${fingerprint(input.email)}` },
      context,
      'sign-up',
    );
    const email = normaliseEmail(input.email);
    const verdict = await checkPassword(input.password, { minLength: MIN_PASSWORD_LENGTH, context: [email, input.name] });
    if (!verdict.ok) throw new HttpError(400, 'invalid_request_error', `password_${verdict.code}`, verdict.message);
    const passwordHash = await hashPassword(input.password);
    const actor = { type: 'system' as const, id: null, ip: context.clientIp, userAgent: context.userAgent };
    let userId: string;
    try {
      userId = await deps.db.withRole(async (tx) => {
        if (await findUserByEmail(tx, email)) throw signUpFailed();
        const id = await createPasswordUser(
          tx,
          { email, name: input.name, passwordHash, emailVerified: false, via: { via: 'sign_up' } },
          { actor, requestId: context.requestId },
        );
        await recordAudit(tx, {
          orgId: null,
          actor: { ...actor, type: 'user', id },
          requestId: context.requestId,
          action: 'auth.signed_up',
          target: { type: 'user', id },
          diff: { method: 'password' },
        });
        return id;
      });
    } catch (error) {
      // Two sign-ups for one address raced past the look-up: the unique index decides.
      if (isUniqueViolation(error)) throw signUpFailed();
      throw error;
    }
    // The link to prove the address, when mail can be sent (otherwise POST /api/me/email-verification
    // says why). Not awaited: the account exists either way, and a slow SMTP must not hold the answer.
    if (canSendVerificationMail(deps.emailVerification.mailer))
      sendVerificationMail(
        deps.emailVerification,
        { id: userId, email },
        { actor: { ...actor, type: 'user', id: userId }, requestId: context.requestId },
      ).catch((err: unknown) => deps.logger.error({ err, userId }, 'verification mail after sign-up could not be sent'));
    const response = await runWithIdentityContext({ ...context, firstFactor: true }, () =>
      deps.identity.forRequest(c).handler(signInRequest(c, email, input.password)),
    );
    const headers = new Headers({ 'content-type': 'application/json', 'cache-control': 'no-store' });
    if (!response.ok) {
      // The account exists; only the automatic sign-in failed. Say so rather than fail the request.
      deps.logger.warn({ status: response.status, userId }, 'sign-in after sign-up failed');
      return new Response(JSON.stringify({ user: { id: userId, email, name: input.name }, signedIn: false }), { status: 201, headers });
    }
    for (const cookie of response.headers.getSetCookie()) headers.append('set-cookie', cookie);
    const { user } = signInResponseSchema.parse(await response.json());
    return new Response(JSON.stringify({ user, signedIn: true }), { status: 201, headers });
  };
}
