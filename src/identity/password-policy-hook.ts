/**
 * Runs the password policy (password-policy.ts) before better-auth stores a new password: on
 * change and reset (sign-up is disabled; when invitations arrive they pass through here too).
 * better-auth's own min/max length checks stay as a second line; this adds the common-password,
 * personal-information and repetition rules.
 */
import { APIError, createAuthMiddleware } from 'better-auth/api';
import { z } from 'zod';
import { checkPassword } from './password-policy.js';

const PASSWORD_SETTING_PATHS: ReadonlySet<string> = new Set(['/change-password', '/reset-password', '/sign-up/email', '/set-password']);

const passwordBody = z.object({
  newPassword: z.string().optional(),
  password: z.string().optional(),
  email: z.string().optional(),
  name: z.string().optional(),
});

export function passwordPolicyHook(minLength: number) {
  return createAuthMiddleware(async (ctx) => {
    if (!PASSWORD_SETTING_PATHS.has(ctx.path)) return;
    const body = passwordBody.safeParse(ctx.body);
    if (!body.success) return; // better-auth's own validation answers
    const password = body.data.newPassword ?? (ctx.path === '/sign-up/email' ? body.data.password : undefined);
    if (password === undefined) return;
    const context = [body.data.email, body.data.name, ctx.context.session?.user.email, ctx.context.session?.user.name].filter(
      (v): v is string => typeof v === 'string',
    );
    const verdict = await checkPassword(password, { minLength, context });
    if (!verdict.ok) throw new APIError('BAD_REQUEST', { code: `PASSWORD_${verdict.code.toUpperCase()}`, message: verdict.message });
  });
}
