/**
 * `POST /api/auth/sign-in/email`, in front of better-auth's own endpoint:
 *
 * - throttled per client address and per account (the email, whether or not it exists), in the
 *   keyed limiter (Redis when configured), before any password hashing happens;
 * - one answer for every wrong credential: 401 `invalid_credentials`, the same message for an
 *   unknown email, an account without a password and a wrong password. better-auth already
 *   spends a scrypt hash on unknown emails, so the timing matches too;
 * - failed attempts are `auth.login_failed` events in the instance audit chain, naming the user
 *   when the email belongs to one and otherwise a keyed hash of the email (never the address an
 *   attacker typed, never a password). Successful ones are audited with the new session
 *   (session-storage-adapter.ts);
 * - the session token better-auth returns in the JSON body is removed: it lives only in the
 *   HttpOnly cookie, out of reach of page script;
 * - for a user with two-factor on, a right password grants no session: the answer is 200
 *   `{ twoFactorRequired: true, methods: ['totp'] }` with the plugin's signed, short-lived
 *   `two_factor` cookie, and the session comes from `/two-factor/verify-totp` or
 *   `/verify-backup-code` (two-factor.ts). The session the plugin creates and deletes in between
 *   is not audited as a sign-in (session-storage-adapter.ts).
 */
import { createHmac } from 'node:crypto';
import type { Context } from 'hono';
import type { Logger } from 'pino';
import { z } from 'zod';
import { recordAudit } from '../audit/record.js';
import { deriveKey } from '../crypto/derive-key.js';
import type { ScopedDatabase } from '../db/tenant.js';
import { HttpError, tooManyRequests } from '../http/errors.js';
import { readJson } from '../http/json-body.js';
import type { KeyedLimiter } from '../limits/keyed-limiter.js';
import { findUserByEmail, normaliseEmail } from '../tenancy/users.js';
import type { Identity } from './auth.js';
import { MAX_PASSWORD_LENGTH } from './password-policy.js';
import { runWithIdentityContext, type IdentityRequestContext } from './request-context.js';
import type { SecurityAlerts } from '../alerts/service.js';
import { signalLoginFailed } from '../alerts/hooks.js';

export const signInRequestSchema = z.strictObject({
  email: z.email('enter a valid email address').max(254),
  // The hash input is bounded; the policy's limit counts code points, so allow for surrogates.
  password: z
    .string()
    .min(1, 'enter your password')
    .max(MAX_PASSWORD_LENGTH * 4),
});

export const signInResponseSchema = z.object({
  user: z.object({ id: z.string(), email: z.string(), name: z.string() }),
});

/** The two-factor plugin's answer to a right password when two-factor is on. */
const twoFactorChallenge = z.object({ twoFactorRedirect: z.literal(true), twoFactorMethods: z.array(z.string()) });

const betterAuthSignIn = z.object({ user: z.object({ id: z.string(), email: z.string(), name: z.string() }) });

export type SignInDeps = {
  identity: Identity;
  db: ScopedDatabase;
  logger: Logger;
  authSecret: string;
  throttle: { byIp: KeyedLimiter; byAccount: KeyedLimiter };
  /** Failed sign-ins of known users count toward their orgs' alert rules (alerts/). */
  securityAlerts?: SecurityAlerts;
};

export const invalidCredentials = () => new HttpError(401, 'authentication_error', 'invalid_credentials', 'Invalid email or password.');

/** A stable, secret-keyed stand-in for an email: throttle key and audit target, never the address. */
export function emailFingerprint(authSecret: string): (email: string) => string {
  const key = deriveKey(authSecret, 'sign-in-email-fingerprint');
  return (email) => createHmac('sha256', key).update(normaliseEmail(email), 'utf8').digest('hex').slice(0, 32);
}

export function identityContextOf(c: Context): IdentityRequestContext {
  return {
    clientIp: (c.get('clientIp') as string | undefined) ?? null,
    userAgent: c.req.header('user-agent')?.slice(0, 500) ?? null,
    requestId: (c.get('requestId') as string | undefined) ?? null,
  };
}

/** The throttle keys of one attempt: the client address and a keyed hash of the email. */
export type SignInKeys = { ip: string; account: string; emailHash: string };

/**
 * Counts one attempt against both throttles (both before checking either, so a blocked address
 * cannot probe accounts for free) and refuses with 429 when either is spent.
 */
export async function throttleSignIn(
  deps: SignInDeps,
  fingerprint: (email: string) => string,
  email: string,
  context: IdentityRequestContext,
  what: string,
): Promise<SignInKeys> {
  const emailHash = fingerprint(email);
  const keys = { ip: `ip:${context.clientIp ?? 'unknown'}`, account: `acct:${emailHash}`, emailHash };
  await consumeAttempt(deps, keys, context, what);
  return keys;
}

/**
 * One attempt against the per-address and per-account limiters, whatever stands for the account
 * (a keyed email hash, a user id, a passkey's credential id): 429 when either is spent.
 */
export async function consumeAttempt(
  deps: Pick<SignInDeps, 'throttle' | 'logger'>,
  keys: { ip: string; account: string },
  context: IdentityRequestContext,
  what: string,
): Promise<void> {
  const [byIp, byAccount] = await Promise.all([deps.throttle.byIp.consume(keys.ip), deps.throttle.byAccount.consume(keys.account)]);
  if (!byIp.allowed || !byAccount.allowed) {
    deps.logger.warn({ throttled: !byIp.allowed ? 'ip' : 'account', clientIp: context.clientIp }, `${what} throttled`);
    throw tooManyRequests(
      'Too many attempts. Wait before trying again.',
      Math.max(byIp.retryAfterSeconds, byAccount.retryAfterSeconds),
      'too_many_attempts',
    );
  }
}

/** A successful sign-in clears the attempts it counted. */
export async function rewardSignIn(deps: Pick<SignInDeps, 'throttle'>, keys: { ip: string; account: string }): Promise<void> {
  await Promise.all([deps.throttle.byIp.reward(keys.ip), deps.throttle.byAccount.reward(keys.account)]);
}

/** The request re-addressed to better-auth with a body of our choosing (validated fields only). */
export function forwardedRequest(c: Context, body: Record<string, unknown>): Request {
  const headers = new Headers(c.req.raw.headers);
  headers.set('content-type', 'application/json');
  headers.delete('content-length');
  return new Request(c.req.raw.url, { method: 'POST', headers, body: JSON.stringify(body) });
}

/** A JSON answer carrying the cookies better-auth set, never its body (which holds the token). */
export function jsonWithCookiesOf(from: Response, body: unknown): Response {
  const out = new Headers({ 'content-type': 'application/json', 'cache-control': 'no-store' });
  for (const cookie of from.headers.getSetCookie()) out.append('set-cookie', cookie);
  return new Response(JSON.stringify(body), { status: 200, headers: out });
}

export function signInHandler(deps: SignInDeps) {
  const fingerprint = emailFingerprint(deps.authSecret);
  return async (c: Context): Promise<Response> => {
    const input = await readJson(c, signInRequestSchema);
    const context = identityContextOf(c);
    const keys = await throttleSignIn(deps, fingerprint, input.email, context, 'sign-in');
    // rememberMe and callbackURL are not passed on: every session follows the configured expiry.
    const forwarded = forwardedRequest(c, { email: normaliseEmail(input.email), password: input.password });
    const response = await runWithIdentityContext({ ...context, firstFactor: true }, () => deps.identity.forRequest(c).handler(forwarded));
    if (response.status === 401) {
      await recordSignInFailure(deps, input.email, keys.emailHash, context, 'invalid_credentials');
      throw invalidCredentials();
    }
    if (!response.ok) return response;
    const json: unknown = await response.json();
    const challenge = twoFactorChallenge.safeParse(json);
    // Right password, two-factor on: no session yet, only the plugin's signed `two_factor`
    // cookie; the throttles are not reset until the code is given (two-factor.ts).
    if (challenge.success) return jsonWithCookiesOf(response, { twoFactorRequired: true, methods: challenge.data.twoFactorMethods });
    await rewardSignIn(deps, keys);
    const { user } = betterAuthSignIn.parse(json);
    return jsonWithCookiesOf(response, signInResponseSchema.parse({ user }));
  };
}

/** `auth.login_failed` in the instance chain: the user when the email is one, else its keyed hash. */
export async function recordSignInFailure(
  deps: SignInDeps,
  email: string,
  emailHash: string,
  context: IdentityRequestContext,
  reason: string,
): Promise<void> {
  const userId = await deps.db.withRole(async (tx) => {
    const user = await findUserByEmail(tx, email);
    await recordAudit(tx, {
      orgId: null,
      // The attempt's IP and user agent are sealed under the account's key when it is one.
      actor: { type: 'system', id: null, ip: context.clientIp, userAgent: context.userAgent, person: user?.id ?? null },
      requestId: context.requestId,
      action: 'auth.login_failed',
      outcome: 'failure',
      reason,
      target: user ? { type: 'user', id: user.id } : { type: 'email_hash', id: emailHash },
    });
    return user?.id;
  });
  // After the commit: an email that belongs to no user concerns no org.
  if (userId) signalLoginFailed(deps.securityAlerts, deps.db, userId, context.clientIp);
}
