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
import { HttpError } from '../http/errors.js';
import { readJson } from '../http/json-body.js';
import { normaliseEmail } from '../tenancy/users.js';
import { runWithIdentityContext } from './request-context.js';
import {
  emailFingerprint,
  forwardedRequest,
  identityContextOf,
  jsonWithCookiesOf,
  recordSignInFailure,
  rewardSignIn,
  signInResponseSchema,
  throttleSignIn,
  type SignInDeps,
} from './sign-in.js';

export const recoveryCodeSignInBody = z.strictObject({
  email: z.email('enter a valid email address').max(254),
  code: z.string().trim().min(1, 'enter a recovery code').max(100),
});

const invalidRecovery = () => new HttpError(401, 'authentication_error', 'invalid_credentials', 'Invalid email or recovery code.');

export function recoveryCodeSignInHandler(deps: SignInDeps) {
  const fingerprint = emailFingerprint(deps.authSecret);
  return async (c: Context): Promise<Response> => {
    const input = await readJson(c, recoveryCodeSignInBody);
    const context = identityContextOf(c);
    const keys = await throttleSignIn(deps, fingerprint, input.email, context, 'recovery-code sign-in');
    const forwarded = forwardedRequest(c, { email: normaliseEmail(input.email), code: input.code });
    const response = await runWithIdentityContext(context, () => deps.identity.forRequest(c).handler(forwarded));
    if (response.status === 401) {
      await recordSignInFailure(deps, input.email, keys.emailHash, context, 'recovery_code');
      throw invalidRecovery();
    }
    if (!response.ok) return response;
    await rewardSignIn(deps, keys);
    return jsonWithCookiesOf(response, signInResponseSchema.parse(await response.json()));
  };
}
