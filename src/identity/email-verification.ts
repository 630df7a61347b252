/**
 * Email verification by emailed, single-use link, with the same rules as password reset
 * (password-reset.ts), but Portcullis's own tokens rather than better-auth's: better-auth's
 * verification links are signed JWTs, which cannot be used once only and cannot be revoked.
 *
 * - `POST /api/me/email-verification` (signed in) mails `${PUBLIC_URL}/verify-email#token=…`: the
 *   token travels in the URL fragment, so it never reaches a server log, a proxy or a Referer
 *   header. 409 `already_verified` when there is nothing to verify; 503 `email_not_configured`
 *   when this instance cannot send mail. Throttled per user and per client address.
 * - `POST /api/auth/verify-email` { token } (no session needed: the link may be opened in another
 *   browser) marks the address verified and answers 200 { verified: true }. An unknown, used or
 *   expired token answers 400 `invalid_token`, alike. Throttled per client address.
 * - The token (32 random bytes) is stored only as its keyed hash, in better-auth's `verifications`
 *   table, with the user id and the address it was sent to; it expires after 24 hours and is
 *   deleted by the request that uses it, so it works once even under concurrent use. A link sent
 *   to an address the account no longer has verifies nothing.
 * - Both steps are audited in the instance chain: `auth.email_verification_sent`, `auth.email_verified`.
 *
 * A verified address is what lets a sign-in provider's account link to an existing Portcullis
 * account (oauth-options.ts: `requireLocalEmailVerified`).
 */
import { createHmac } from 'node:crypto';
import { and, eq, like, lt, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ActionContext } from '../audit/context.js';
import { recordAudit } from '../audit/record.js';
import { deriveKey } from '../crypto/derive-key.js';
import { randomTokenBase64Url } from '../crypto/random.js';
import { users, verifications } from '../db/schema/index.js';
import type { ScopedDatabase } from '../db/tenant.js';
import { EmailNotConfiguredError, type Mailer } from '../email/mailer.js';
import { verificationMail } from '../email/templates.js';
import { HttpError, notFound, serviceUnavailable, tooManyRequests } from '../http/errors.js';
import { readJson } from '../http/json-body.js';
import type { KeyedLimiter } from '../limits/keyed-limiter.js';
import { defineAccountRoute, type AccountRoute } from '../api/account-registry.js';
import { timestampSchema } from '../api/schemas.js';
import { identityContextOf } from './sign-in.js';

/** How long a verification link works. */
export const EMAIL_VERIFICATION_TTL_SECONDS = 24 * 3600;

/** Rows of this feature in `verifications`; the rest of the identifier is the token's keyed hash. */
const IDENTIFIER_PREFIX = 'email-verification:';

export const VERIFY_EMAIL_PATH = '/verify-email';

const storedValue = z.object({ userId: z.string().min(1), email: z.string().min(1) });

/** The keyed hash a token is stored and looked up by: a database dump yields no usable link. */
export function emailVerificationTokenHasher(authSecret: string): (token: string) => string {
  const key = deriveKey(authSecret, 'email-verification-token');
  return (token) => `${IDENTIFIER_PREFIX}${createHmac('sha256', key).update(token, 'utf8').digest('base64url')}`;
}

export type EmailVerificationMailDeps = {
  db: ScopedDatabase;
  /** Absent or `disabled` (production without SMTP): no link can be sent. */
  mailer: Mailer | undefined;
  publicUrl: string;
  authSecret: string;
  logger: Logger;
  now?: () => Date;
};

/** Whether a verification link can be mailed on this instance (`log` mode counts: development). */
export function canSendVerificationMail(mailer: Mailer | undefined): mailer is Mailer {
  return mailer !== undefined && mailer.mode !== 'disabled';
}

/**
 * Issues a verification link for the user's current address and mails it. For any caller that
 * creates or changes an account (open sign-up, the route below). The token is stored and the
 * event audited before this resolves; the mail itself goes out in the background (a slow or
 * failing SMTP server never fails the caller; failures are logged without the link).
 *
 * Throws EmailNotConfiguredError when this instance cannot send mail, before storing anything:
 * the caller decides whether that matters (the route answers 503).
 */
export async function sendVerificationMail(
  deps: EmailVerificationMailDeps,
  user: { id: string; email: string },
  ctx: ActionContext = { actor: { type: 'system', id: null }, requestId: null },
): Promise<{ expiresAt: Date }> {
  if (!canSendVerificationMail(deps.mailer)) throw new EmailNotConfiguredError();
  const mailer = deps.mailer;
  const now = deps.now?.() ?? new Date();
  const expiresAt = new Date(now.getTime() + EMAIL_VERIFICATION_TTL_SECONDS * 1000);
  const token = randomTokenBase64Url(32);
  const identifier = emailVerificationTokenHasher(deps.authSecret)(token);
  await deps.db.withRole(async (tx) => {
    // Links never used would stay forever (better-auth only cleans up its own): drop expired ones.
    await tx.delete(verifications).where(and(like(verifications.identifier, `${IDENTIFIER_PREFIX}%`), lt(verifications.expiresAt, now)));
    await tx.insert(verifications).values({
      id: randomTokenBase64Url(16),
      identifier,
      value: JSON.stringify({ userId: user.id, email: user.email }),
      expiresAt,
      createdAt: now,
      updatedAt: now,
    });
    await recordAudit(tx, {
      orgId: null,
      actor: ctx.actor,
      requestId: ctx.requestId,
      action: 'auth.email_verification_sent',
      target: { type: 'user', id: user.id },
    });
  });
  const mail = verificationMail({ link: `${deps.publicUrl}${VERIFY_EMAIL_PATH}#token=${encodeURIComponent(token)}`, expiresAt });
  // Not awaited: SMTP may take seconds; the link is stored and the caller's answer does not depend on it.
  mailer.send({ to: user.email, ...mail }).catch((err: unknown) => {
    deps.logger.error({ err, userId: user.id }, 'email verification mail could not be sent');
  });
  return { expiresAt };
}

export type VerifyEmailResult = { verified: true; userId: string } | { verified: false; reason: 'invalid' | 'email_changed' };

/**
 * Uses a token: deletes it (whatever happens next, so it works once) and marks the address it was
 * sent to verified, if the account still has that address.
 */
export async function verifyEmailToken(
  db: ScopedDatabase,
  hash: (token: string) => string,
  token: string,
  ctx: ActionContext,
  now: () => Date = () => new Date(),
): Promise<VerifyEmailResult> {
  return db.withRole(async (tx) => {
    // DELETE … RETURNING: of two concurrent uses of one token, only one gets the row.
    const [row] = await tx
      .delete(verifications)
      .where(eq(verifications.identifier, hash(token)))
      .returning({ value: verifications.value, expiresAt: verifications.expiresAt });
    if (row === undefined || row.expiresAt.getTime() <= now().getTime()) return { verified: false, reason: 'invalid' };
    let parsedValue: unknown;
    try {
      parsedValue = JSON.parse(row.value);
    } catch {
      return { verified: false, reason: 'invalid' };
    }
    const stored = storedValue.safeParse(parsedValue);
    if (!stored.success) return { verified: false, reason: 'invalid' };
    const updated = await tx
      .update(users)
      .set({ emailVerified: true, updatedAt: now() })
      .where(and(eq(users.id, stored.data.userId), sql`lower(${users.email}) = lower(${stored.data.email})`))
      .returning({ id: users.id });
    if (updated.length === 0) return { verified: false, reason: 'email_changed' };
    await recordAudit(tx, {
      orgId: null,
      actor: { ...ctx.actor, type: 'user', id: stored.data.userId },
      requestId: ctx.requestId,
      action: 'auth.email_verified',
      target: { type: 'user', id: stored.data.userId },
    });
    return { verified: true, userId: stored.data.userId };
  });
}

export type EmailVerificationDeps = EmailVerificationMailDeps & {
  /** byIp: sends and token checks per client address (distinct keys); byUser: sends per account. */
  throttle: { byIp: KeyedLimiter; byUser: KeyedLimiter };
};

async function throttled(limiters: { limiter: KeyedLimiter; key: string }[], message: string): Promise<void> {
  const results = await Promise.all(limiters.map(({ limiter, key }) => limiter.consume(key)));
  if (results.some((r) => !r.allowed))
    throw tooManyRequests(message, Math.max(...results.map((r) => r.retryAfterSeconds)), 'too_many_attempts');
}

export const invalidToken = (message = 'This verification link has expired or was already used. Ask for a new one.') =>
  new HttpError(400, 'invalid_request_error', 'invalid_token', message);

export const verifyBody = z.strictObject({ token: z.string().min(1, 'expected the token from the link').max(200) });

/** `POST /api/auth/verify-email` { token }: 200 { verified: true } once per link; 400 `invalid_token` otherwise. */
export function verifyEmailHandler(deps: EmailVerificationDeps) {
  const hash = emailVerificationTokenHasher(deps.authSecret);
  return async (c: Context): Promise<Response> => {
    const context = identityContextOf(c);
    // Before reading the body: token guessing costs an attempt even when malformed.
    await throttled(
      [{ limiter: deps.throttle.byIp, key: `verify-ip:${context.clientIp ?? 'unknown'}` }],
      'Too many email verification attempts. Wait before trying again.',
    );
    const input = await readJson(c, verifyBody);
    const ctx: ActionContext = {
      actor: { type: 'system', id: null, ip: context.clientIp, userAgent: context.userAgent },
      requestId: context.requestId,
    };
    const result = await verifyEmailToken(deps.db, hash, input.token, ctx, deps.now);
    if (!result.verified)
      throw result.reason === 'email_changed'
        ? invalidToken('This verification link was sent to an address your account no longer uses. Ask for a new one.')
        : invalidToken();
    return c.json({ verified: true }, 200, { 'cache-control': 'no-store' });
  };
}

/** `/api/me/email-verification`: registered with the other account routes (`/api/me…`). */
export function emailVerificationRoutes(deps: EmailVerificationDeps): AccountRoute[] {
  return [
    defineAccountRoute({
      operationId: 'sendMyEmailVerification',
      method: 'post',
      path: '/api/me/email-verification',
      tag: 'Me',
      summary: 'Email me a link that verifies my email address',
      description:
        `The link (\`${VERIFY_EMAIL_PATH}#token=…\` on PUBLIC_URL) works once, for ${EMAIL_VERIFICATION_TTL_SECONDS / 3600} hours; ` +
        'the page it opens calls `POST /api/auth/verify-email` with the token. 409 `already_verified` when the address is ' +
        'verified already; 503 `email_not_configured` when this instance cannot send mail.',
      params: z.object({}),
      status: 200,
      response: z.object({ message: z.string(), expiresAt: timestampSchema }),
      errors: [409, 429, 503],
      async handler({ principal, ctx }) {
        const [user] = await deps.db.withRole((tx) =>
          tx
            .select({ id: users.id, email: users.email, emailVerified: users.emailVerified })
            .from(users)
            .where(eq(users.id, principal.userId))
            .limit(1),
        );
        if (user === undefined) throw notFound();
        if (user.emailVerified)
          throw new HttpError(409, 'invalid_request_error', 'already_verified', 'Your email address is already verified.');
        if (!canSendVerificationMail(deps.mailer))
          throw serviceUnavailable(
            'Email is not configured on this instance, so email addresses cannot be verified by email.',
            'email_not_configured',
          );
        await throttled(
          [
            { limiter: deps.throttle.byUser, key: `user:${user.id}` },
            { limiter: deps.throttle.byIp, key: `send-ip:${ctx.actor.ip ?? 'unknown'}` },
          ],
          'Too many verification emails requested. Wait before asking for another one.',
        );
        const { expiresAt } = await sendVerificationMail(deps, user, ctx);
        return { message: `A verification link is on its way to ${user.email}.`, expiresAt: expiresAt.toISOString() };
      },
    }),
  ];
}
