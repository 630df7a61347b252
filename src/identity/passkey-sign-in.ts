/**
 * `POST /api/auth/passkey/verify-authentication`, in front of the passkey plugin's endpoint, as
 * sign-in.ts is for passwords:
 * - throttled per client address, sharing the password sign-in's per-address budget (there is no
 *   account to key on before verification: a discoverable assertion names only a credential);
 * - failed attempts are `auth.login_failed` events (reason from the plugin's error code, e.g.
 *   `passkey_not_found`, `user_verification_required`); successful ones are audited with the new
 *   session (session-storage-adapter.ts);
 * - the session (and its token) the plugin returns in the JSON body is removed: the token lives
 *   only in the HttpOnly cookie, out of reach of page script. The body is `{ user }`.
 */
import type { Context } from 'hono';
import { z } from 'zod';
import { recordAudit } from '../audit/record.js';
import { tooManyRequests } from '../http/errors.js';
import { runWithIdentityContext } from './request-context.js';
import { identityContextOf, signInResponseSchema, type SignInDeps } from './sign-in.js';

const pluginSignIn = z.object({ user: z.object({ id: z.string(), email: z.string(), name: z.string() }) });
const pluginError = z.object({ code: z.string().max(100).optional() }).catch({});

export function passkeySignInHandler(deps: SignInDeps) {
  return async (c: Context): Promise<Response> => {
    const context = identityContextOf(c);
    const ip = `ip:${context.clientIp ?? 'unknown'}`;
    const attempt = await deps.throttle.byIp.consume(ip);
    if (!attempt.allowed) {
      deps.logger.warn({ throttled: 'ip', clientIp: context.clientIp }, 'passkey sign-in throttled');
      throw tooManyRequests('Too many sign-in attempts. Wait before trying again.', attempt.retryAfterSeconds, 'too_many_attempts');
    }
    const response = await runWithIdentityContext(context, () => deps.identity.forRequest(c).handler(c.req.raw));
    if (!response.ok) {
      if (response.status === 400 || response.status === 401) {
        const { code } = pluginError.parse(
          await response
            .clone()
            .json()
            .catch(() => ({})),
        );
        await deps.db.withRole((tx) =>
          recordAudit(tx, {
            orgId: null,
            actor: { type: 'system', id: null, ip: context.clientIp, userAgent: context.userAgent },
            requestId: context.requestId,
            action: 'auth.login_failed',
            outcome: 'failure',
            reason: `passkey:${(code ?? 'failed').toLowerCase()}`,
          }),
        );
      }
      return response;
    }
    await deps.throttle.byIp.reward(ip);
    const { user } = pluginSignIn.parse(await response.json());
    const out = new Headers({ 'content-type': 'application/json', 'cache-control': 'no-store' });
    for (const cookie of response.headers.getSetCookie()) out.append('set-cookie', cookie);
    return new Response(JSON.stringify(signInResponseSchema.parse({ user })), { status: 200, headers: out });
  };
}
