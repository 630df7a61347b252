/**
 * A provider sign-in (GitHub, Google, OIDC) does not skip the account's own second factor.
 *
 * better-auth's two-factor plugin asks for the TOTP code only after a password (its hook matches
 * `/sign-in/email` and friends); a user who turned two-factor on and also linked a provider would
 * otherwise get a session from the provider alone, so a taken-over GitHub or Google account would
 * be enough. This hook does for the provider callbacks what the plugin does for the password: the
 * session the callback just created is deleted, the same signed, 10-minute `two_factor` challenge
 * (with the plugin's per-challenge attempt counter) is issued, and the browser is sent to the
 * dashboard's sign-in page, which asks for the code (`/login?second-factor=1`). The code is then
 * verified by the plugin's own endpoints, behind Portcullis's throttling and audit (two-factor.ts).
 * Passkey sign-ins need no second step: user verification on the authenticator is required.
 */
import type { BetterAuthPlugin } from 'better-auth';
import { createAuthMiddleware } from 'better-auth/api';
import { deleteSessionCookie } from 'better-auth/cookies';
import { generateRandomString } from 'better-auth/crypto';

/** Where the browser lands to enter its code. */
export const SECOND_FACTOR_LANDING = '/login?second-factor=1';
/** The plugin's cookie name (`TWO_FACTOR_COOKIE_NAME`, not exported by better-auth). */
const TWO_FACTOR_COOKIE = 'two_factor';
/** As long as the password flow's challenge (two-factor-plugin.ts `twoFactorCookieMaxAge`). */
const CHALLENGE_SECONDS = 600;

const PROVIDER_CALLBACKS = new Set(['/oauth2/callback/:providerId', '/callback/:id']);

export function oauthSecondFactorPlugin(dashboardOrigin: string): BetterAuthPlugin {
  return {
    id: 'portcullis-oauth-second-factor',
    hooks: {
      after: [
        {
          matcher: (context) => context.path !== undefined && PROVIDER_CALLBACKS.has(context.path),
          handler: createAuthMiddleware(async (ctx) => {
            const created = ctx.context.newSession;
            if (!created || created.user.twoFactorEnabled !== true) return;
            deleteSessionCookie(ctx, true);
            await ctx.context.internalAdapter.deleteSession(created.session.token);
            ctx.context.setNewSession(null);
            const identifier = `2fa-${generateRandomString(20)}`;
            const expiresAt = new Date(Date.now() + CHALLENGE_SECONDS * 1000);
            await ctx.context.internalAdapter.createVerificationValue({ value: created.user.id, identifier, expiresAt });
            await ctx.context.internalAdapter.createVerificationValue({ value: '0', identifier: `2fa-attempts-${identifier}`, expiresAt });
            const cookie = ctx.context.createAuthCookie(TWO_FACTOR_COOKIE, { maxAge: CHALLENGE_SECONDS });
            await ctx.setSignedCookie(cookie.name, identifier, ctx.context.secret, cookie.attributes);
            throw ctx.redirect(`${dashboardOrigin}${SECOND_FACTOR_LANDING}`);
          }),
        },
      ],
    },
  };
}
