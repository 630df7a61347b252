/**
 * `POST /api/auth/passkey/verify-authentication`, in front of the passkey plugin's endpoint, as
 * sign-in.ts is for passwords:
 * - throttled per client address, sharing the password sign-in's per-address budget, and per
 *   credential in the per-account limiter (before verification a discoverable assertion names
 *   only a credential, which stands for the account: failures with one passkey, such as refused
 *   user verification, are counted against it from every address);
 * - failed attempts are `auth.login_failed` events (reason from the plugin's error code, e.g.
 *   `passkey_not_found`, `user_verification_required`); successful ones are audited with the new
 *   session (session-storage-adapter.ts);
 * - the session (and its token) the plugin returns in the JSON body is removed: the token lives
 *   only in the HttpOnly cookie, out of reach of page script. The body is `{ user }`.
 */
import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import { z } from 'zod';
import { recordAudit } from '../audit/record.js';
import { runWithIdentityContext } from './request-context.js';
import { consumeAttempt, identityContextOf, rewardSignIn, signInResponseSchema, type SignInDeps } from './sign-in.js';

const pluginSignIn = z.object({ user: z.object({ id: z.string(), email: z.string(), name: z.string() }) });
const pluginError = z.object({ code: z.string().max(100).optional() }).catch({});
/** Only the credential id is read here (the plugin validates the rest); anything else shares one bucket. */
const assertion = z.object({ response: z.object({ id: z.string().max(1024) }) }).catch({ response: { id: '' } });

export function passkeySignInHandler(deps: SignInDeps) {
  return async (c: Context): Promise<Response> => {
    const context = identityContextOf(c);
    const ip = `ip:${context.clientIp ?? 'unknown'}`;
    const credential = `passkey:${createHash('sha256')
      .update(
        assertion.parse(
          await c.req.raw
            .clone()
            .json()
            .catch(() => ({})),
        ).response.id,
      )
      .digest('base64url')}`;
    const keys = { ip, account: credential };
    await consumeAttempt(deps, keys, context, 'passkey sign-in');
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
    await rewardSignIn(deps, keys);
    const { user } = pluginSignIn.parse(await response.json());
    const out = new Headers({ 'content-type': 'application/json', 'cache-control': 'no-store' });
    for (const cookie of response.headers.getSetCookie()) out.append('set-cookie', cookie);
    return new Response(JSON.stringify(signInResponseSchema.parse({ user })), { status: 200, headers: out });
  };
}
