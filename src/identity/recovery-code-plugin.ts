/**
 * A small better-auth plugin with one endpoint, `POST /sign-in/recovery-code` (email + recovery
 * code), so the session it grants is made and its cookie set by better-auth like any other
 * sign-in (stored hashed by the session store, audited as `auth.login`). Checking and spending
 * the code is recovery-codes.ts; throttling, the uniform error and the failure audit are
 * Portcullis's route in front of it (recovery-code-sign-in.ts), the only way HTTP reaches it.
 */
import type { BetterAuthPlugin } from 'better-auth';
import { APIError, createAuthEndpoint } from 'better-auth/api';
import { setSessionCookie } from 'better-auth/cookies';
import { z } from 'zod';
import type { ScopedDatabase } from '../db/tenant.js';
import { consumeRecoveryCode, type RecoveryCodeHasher } from './recovery-codes.js';
import { identityContext } from './request-context.js';

export const RECOVERY_CODE_INVALID = 'INVALID_RECOVERY_CODE';

export function recoveryCodePlugin(options: { db: ScopedDatabase; hash: RecoveryCodeHasher }) {
  return {
    id: 'portcullis-recovery-code',
    endpoints: {
      signInRecoveryCode: createAuthEndpoint(
        '/sign-in/recovery-code',
        { method: 'POST', body: z.object({ email: z.string().max(254), code: z.string().max(100) }) },
        async (ctx) => {
          const context = identityContext() ?? { clientIp: null, userAgent: null, requestId: null };
          const userId = await consumeRecoveryCode(options.db, options.hash, ctx.body.email, ctx.body.code, context);
          const user = userId === undefined ? null : await ctx.context.internalAdapter.findUserById(userId);
          if (!user) throw new APIError('UNAUTHORIZED', { code: RECOVERY_CODE_INVALID, message: 'Invalid email or recovery code.' });
          const session = await ctx.context.internalAdapter.createSession(user.id);
          await setSessionCookie(ctx, { session, user });
          return ctx.json({ user: { id: user.id, email: user.email, name: user.name } });
        },
      ),
    },
  } satisfies BetterAuthPlugin;
}
