/**
 * `POST /api/auth/change-password`, in front of better-auth's, as sign-in.ts is for sign-in:
 *
 * - signed in, with the current password; the new one passes the password policy
 *   (password-policy-hook.ts covers /change-password);
 * - throttled per user and per client address in the sign-in limiters: a stolen session cookie
 *   must not become a way to guess the account's password at leisure;
 * - a wrong current password is `auth.password_change_failed`, a change `auth.password_changed`,
 *   both in the instance chain naming the user;
 * - every other session of the user ends (a password change is what someone does when they fear
 *   the account is known to someone else); the caller's session is replaced by a new one;
 * - the session token better-auth returns in its JSON body is removed: it lives only in the
 *   HttpOnly cookie. The body is `{ user }`.
 */
import type { Context } from 'hono';
import { z } from 'zod';
import { recordAudit } from '../audit/record.js';
import { badRequest, unauthorized } from '../http/errors.js';
import { readJson } from '../http/json-body.js';
import { MAX_PASSWORD_LENGTH } from './password-policy.js';
import { runWithIdentityContext, type IdentityRequestContext } from './request-context.js';
import { hasSessionCookie } from './session-cookie.js';
import { resolveSession } from './session-principal.js';
import {
  consumeAttempt,
  forwardedRequest,
  identityContextOf,
  jsonWithCookiesOf,
  rewardSignIn,
  signInResponseSchema,
  type SignInDeps,
} from './sign-in.js';

export const changePasswordBody = z
  .object({
    currentPassword: z.string().min(1, 'enter your current password').max(MAX_PASSWORD_LENGTH),
    newPassword: z.string().min(1, 'enter a new password').max(MAX_PASSWORD_LENGTH),
  })
  .strict();
const pluginUser = z.object({ user: z.object({ id: z.string(), email: z.string(), name: z.string() }) });
const pluginError = z.object({ code: z.string().max(100).optional() }).catch({});

async function audit(deps: SignInDeps, context: IdentityRequestContext, userId: string, failure?: string): Promise<void> {
  await deps.db.withRole((tx) =>
    recordAudit(tx, {
      orgId: null,
      actor: { type: 'user', id: userId, ip: context.clientIp, userAgent: context.userAgent },
      requestId: context.requestId,
      action: failure === undefined ? 'auth.password_changed' : 'auth.password_change_failed',
      ...(failure === undefined ? { diff: { otherSessionsEnded: true } } : { outcome: 'failure' as const, reason: failure }),
      target: { type: 'user', id: userId },
    }),
  );
}

export function changePasswordHandler(deps: SignInDeps) {
  return async (c: Context): Promise<Response> => {
    const input = await readJson(c, changePasswordBody);
    const context = identityContextOf(c);
    const holder = hasSessionCookie(c.req.header('cookie')) ? (await resolveSession(deps.identity, deps.db, c)).principal : undefined;
    if (holder === undefined) throw unauthorized('Sign in to change your password.');
    const keys = { ip: `ip:${context.clientIp ?? 'unknown'}`, account: `user:${holder.userId}` };
    await consumeAttempt(deps, keys, context, 'password change');
    const forwarded = forwardedRequest(c, { ...input, revokeOtherSessions: true });
    const response = await runWithIdentityContext({ ...context, sessionRotation: true, sessionDeleteAction: 'session.revoked' }, () =>
      deps.identity.forRequest(c).handler(forwarded),
    );
    if (!response.ok) {
      const { code } = pluginError.parse(
        await response
          .clone()
          .json()
          .catch(() => ({})),
      );
      if (code === 'INVALID_PASSWORD') {
        await audit(deps, context, holder.userId, 'invalid_current_password');
        throw badRequest('The current password is not correct.', 'invalid_current_password');
      }
      return response;
    }
    await rewardSignIn(deps, keys);
    await audit(deps, context, holder.userId);
    const { user } = pluginUser.parse(await response.json());
    return jsonWithCookiesOf(response, signInResponseSchema.parse({ user }));
  };
}
