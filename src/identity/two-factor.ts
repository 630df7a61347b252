/**
 * Portcullis's routes in front of the two-factor plugin's endpoints (two-factor-plugin.ts):
 *
 * - `POST /api/auth/two-factor/enable` and `/disable` (signed in, with the current password):
 *   the plugin replaces the session with a new one, which is not audited as a sign-in; disabling
 *   is `two_factor.disabled`. Enabling only returns the `otpauth://` URI and the backup codes
 *   (once); two-factor is on, and `two_factor.enabled` recorded, when the first code verifies.
 * - `POST /api/auth/two-factor/verify-totp` and `/verify-backup-code`: with a session, the
 *   activation step; without one, the second step of a password sign-in (the plugin's signed
 *   `two_factor` cookie names the challenge). Throttled per client address in the sign-in
 *   limiter (the plugin adds 5 tries per challenge and a 15-minute lock after 10 failures per
 *   account); a wrong code is `auth.two_factor_failed` naming the user; a backup code used is
 *   `recovery_code.used`. Only `code` is passed on: never `trustDevice`, so no device skips the
 *   second factor. The session token in the plugin's JSON body is removed, as for every sign-in.
 *   A TOTP code is accepted once: the plugin takes any code of the current step ±1 (~90 s) as
 *   often as it is sent, so a code seen over a shoulder, in a proxy log or by a phishing page
 *   could be replayed. Each (user, code) is claimed in a one-point keyed limiter for 90 s
 *   (shared through Redis across replicas) before the plugin checks it; a second use is refused
 *   (`401 CODE_ALREADY_USED`, audited `totp:code_reused`).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { z } from 'zod';
import type { AuditAction } from '../audit/actions.js';
import { recordAudit } from '../audit/record.js';
import { users, verifications } from '../db/schema/index.js';
import { HttpError, tooManyRequests } from '../http/errors.js';
import { deriveKey } from '../crypto/derive-key.js';
import type { KeyedLimiter } from '../limits/keyed-limiter.js';
import { readJson } from '../http/json-body.js';
import { runWithIdentityContext, type IdentityRequestContext } from './request-context.js';
import { COOKIE_PREFIX, hasSessionCookie } from './session-cookie.js';
import { resolveSession } from './session-principal.js';
import { forwardedRequest, identityContextOf, jsonWithCookiesOf, signInResponseSchema, type SignInDeps } from './sign-in.js';

export const codeBody = z.object({ code: z.string().trim().min(1, 'enter the code').max(100) });
export const passwordBody = z.object({ password: z.string().min(1, 'enter your password').max(1024) });
const pluginUser = z.object({ user: z.object({ id: z.string(), email: z.string(), name: z.string() }) });
const pluginError = z.object({ code: z.string().max(100).optional() }).catch({});

/** The user whose sign-in challenge the signed `two_factor` cookie names, if it is genuine and current. */
async function challengeUser(deps: SignInDeps, c: Context): Promise<string | undefined> {
  const raw = getCookie(c, `__Secure-${COOKIE_PREFIX}.two_factor`) ?? getCookie(c, `${COOKIE_PREFIX}.two_factor`);
  if (raw === undefined) return undefined;
  const dot = raw.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const value = raw.slice(0, dot);
  const signature = Buffer.from(raw.slice(dot + 1), 'base64');
  const expected = createHmac('sha256', deps.authSecret).update(value).digest();
  if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) return undefined;
  const [row] = await deps.db.withRole((tx) =>
    tx.select({ userId: verifications.value }).from(verifications).where(eq(verifications.identifier, value)).limit(1),
  );
  return row?.userId;
}

async function audit(
  deps: SignInDeps,
  context: IdentityRequestContext,
  action: AuditAction,
  userId: string | undefined,
  extra: { reason?: string; diff?: Record<string, unknown> } = {},
): Promise<void> {
  await deps.db.withRole((tx) =>
    recordAudit(tx, {
      orgId: null,
      actor: userId
        ? { type: 'user', id: userId, ip: context.clientIp, userAgent: context.userAgent }
        : { type: 'system', id: null, ip: context.clientIp, userAgent: context.userAgent },
      requestId: context.requestId,
      action,
      ...(action === 'auth.two_factor_failed' ? { outcome: 'failure' as const } : {}),
      ...(extra.reason ? { reason: extra.reason } : {}),
      ...(userId ? { target: { type: 'user', id: userId } } : {}),
      ...(extra.diff ? { diff: extra.diff } : {}),
    }),
  );
}

async function twoFactorEnabled(deps: SignInDeps, userId: string): Promise<boolean> {
  const [row] = await deps.db.withRole((tx) =>
    tx.select({ enabled: users.twoFactorEnabled }).from(users).where(eq(users.id, userId)).limit(1),
  );
  return row?.enabled === true;
}

/** How long a used TOTP code stays refused: the plugin's window (the current step and one either way). */
export const TOTP_REUSE_WINDOW_SECONDS = 90;

export type TwoFactorVerifyDeps = SignInDeps & { usedTotpCodes: KeyedLimiter };

/** The limiter key of a user's code: keyed, so neither codes nor user ids sit in Redis in clear. */
function usedCodeKey(authSecret: string): (userId: string, code: string) => string {
  const key = deriveKey(authSecret, 'totp-used-code');
  return (userId, code) => createHmac('sha256', key).update(`${userId}:${code}`, 'utf8').digest('hex');
}

/** `/two-factor/verify-totp` (`method: 'totp'`) and `/two-factor/verify-backup-code` (`'backup_code'`). */
export function twoFactorVerifyHandler(deps: TwoFactorVerifyDeps, method: 'totp' | 'backup_code') {
  const codeKey = usedCodeKey(deps.authSecret);
  return async (c: Context): Promise<Response> => {
    const input = await readJson(c, codeBody);
    const context = identityContextOf(c);
    const ip = `ip:${context.clientIp ?? 'unknown'}`;
    const attempt = await deps.throttle.byIp.consume(ip);
    if (!attempt.allowed) {
      deps.logger.warn({ throttled: 'ip', clientIp: context.clientIp }, 'two-factor verification throttled');
      throw tooManyRequests('Too many attempts. Wait before trying again.', attempt.retryAfterSeconds, 'too_many_attempts');
    }
    const holder = hasSessionCookie(c.req.header('cookie')) ? (await resolveSession(deps.identity, deps.db, c)).principal : undefined;
    const userId = holder?.userId ?? (await challengeUser(deps, c));
    const wasEnabled = holder ? await twoFactorEnabled(deps, holder.userId) : true;
    // Spaces are the user's grouping ("123 456"), not part of the code.
    const usedKey = method === 'totp' && userId !== undefined ? codeKey(userId, input.code.replace(/\s+/g, '')) : undefined;
    if (usedKey !== undefined) {
      const claim = await deps.usedTotpCodes.consume(usedKey);
      if (!claim.allowed) {
        await audit(deps, context, 'auth.two_factor_failed', userId, { reason: 'totp:code_reused' });
        throw new HttpError(
          401,
          'authentication_error',
          'CODE_ALREADY_USED',
          'This code was already used. Wait for the next code from your app.',
        );
      }
    }
    const response = await runWithIdentityContext({ ...context, ...(holder ? { sessionRotation: true } : {}) }, () =>
      deps.identity.forRequest(c).handler(forwardedRequest(c, { code: input.code })),
    );
    if (!response.ok) {
      // The plugin fails this way when the stored secret does not decrypt: AUTH_SECRET changed.
      if (response.status >= 500)
        deps.logger.error(
          { userId, method },
          'two-factor verification failed in the plugin: if AUTH_SECRET was rotated, its earlier value belongs in AUTH_SECRET_PREVIOUS (`portcullis doctor` checks every two-factor setup)',
        );
      // A refused code was not used: typing the same wrong code again gets "not right", not "already used".
      if (usedKey !== undefined) await deps.usedTotpCodes.reward(usedKey);
      if (response.status === 400 || response.status === 401 || response.status === 429) {
        const { code } = pluginError.parse(
          await response
            .clone()
            .json()
            .catch(() => ({})),
        );
        await audit(deps, context, 'auth.two_factor_failed', userId, { reason: `${method}:${(code ?? 'failed').toLowerCase()}` });
      }
      return response;
    }
    await deps.throttle.byIp.reward(ip);
    const { user } = pluginUser.parse(await response.json());
    if (method === 'backup_code') await audit(deps, context, 'recovery_code.used', user.id, { diff: { method: 'two_factor_backup_code' } });
    if (holder && !wasEnabled && method === 'totp') {
      await audit(deps, context, 'two_factor.enabled', user.id, { diff: { method: 'totp' } });
      deps.identity.notices.twoFactorChanged({ userId: user.id, enabled: true, context });
    }
    return jsonWithCookiesOf(response, signInResponseSchema.parse({ user }));
  };
}

/** `/two-factor/enable` and `/two-factor/disable`: signed in, with the current password. */
export function twoFactorChangeHandler(deps: SignInDeps, change: 'enable' | 'disable') {
  return async (c: Context): Promise<Response> => {
    const input = await readJson(c, passwordBody);
    const context = identityContextOf(c);
    const holder = hasSessionCookie(c.req.header('cookie')) ? (await resolveSession(deps.identity, deps.db, c)).principal : undefined;
    // Without a session the plugin answers 401 itself; a password guess costs a sign-in attempt.
    const ip = `ip:${context.clientIp ?? 'unknown'}`;
    const attempt = await deps.throttle.byIp.consume(ip);
    if (!attempt.allowed)
      throw tooManyRequests('Too many attempts. Wait before trying again.', attempt.retryAfterSeconds, 'too_many_attempts');
    const body = change === 'enable' ? { password: input.password, method: 'totp' } : { password: input.password };
    const response = await runWithIdentityContext({ ...context, sessionRotation: true }, () =>
      deps.identity.forRequest(c).handler(forwardedRequest(c, body)),
    );
    if (!response.ok || !holder) return response;
    await deps.throttle.byIp.reward(ip);
    if (change === 'disable') {
      await audit(deps, context, 'two_factor.disabled', holder.userId);
      deps.identity.notices.twoFactorChanged({ userId: holder.userId, enabled: false, context });
      return jsonWithCookiesOf(response, { twoFactorEnabled: false });
    }
    const enabled = z.object({ totpURI: z.string(), backupCodes: z.array(z.string()) }).parse(await response.json());
    return jsonWithCookiesOf(response, enabled);
  };
}
