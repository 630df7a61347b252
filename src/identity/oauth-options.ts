/**
 * The better-auth options for sign-in providers (oauth-providers.ts): the genericOAuth plugin,
 * account linking, the gate on new users and the OIDC group mapping, and the error page every
 * failed callback is redirected to. Kept out of auth.ts so that file only spreads them in.
 */
import type { BetterAuthOptions } from 'better-auth';
import { genericOAuth } from 'better-auth/plugins';
import type { Logger } from 'pino';
import type { OAuthConfig } from '../config/load.js';
import type { ScopedDatabase } from '../db/tenant.js';
import type { EventBus } from '../events/event-bus.js';
import { dashboardOrigin } from '../http/cors.js';
import { applyOidcGroupRoles, groupsFromClaims } from './oidc-group-roles.js';
import { mayCreateUserFromOAuth, OAUTH_REFUSALS, oauthProviderConfigs, SIGN_IN_ERROR_PATH } from './oauth-providers.js';
import { identityContext } from './request-context.js';

export type OAuthOptionsInput = {
  oauth: OAuthConfig | undefined;
  publicUrl: string;
  db: ScopedDatabase;
  logger: Logger;
  /** Announces keys revoked by the OIDC group mapping to every gateway replica. */
  bus?: EventBus | undefined;
};

export function signInErrorUrl(publicUrl: string): string {
  return `${dashboardOrigin(publicUrl)}${SIGN_IN_ERROR_PATH}`;
}

type ValidateUserInfo = NonNullable<NonNullable<BetterAuthOptions['user']>['validateUserInfo']>;

function validateUserInfo(input: OAuthOptionsInput): ValidateUserInfo {
  return async ({ user, source }) => {
    if (source.method !== 'oauth') return undefined;
    const email = typeof user.email === 'string' ? user.email : '';
    if (source.action === 'create-user') {
      if (!(await mayCreateUserFromOAuth(input.db, email)))
        return {
          error: OAUTH_REFUSALS.signupClosed,
          errorDescription:
            'No Portcullis account uses this email, no invitation is pending for it, and new accounts are by invitation only.',
        };
      return undefined;
    }
    // An existing user signing in (or linking) through OIDC: their groups set their org roles,
    // before the session is created, so the new session starts under the new roles.
    if (source.oauth?.providerId === 'oidc' && input.oauth?.oidc && typeof user.id === 'string') {
      const context = identityContext();
      // Logged here: better-auth reports a throwing validator without the error.
      await applyOidcGroupRoles(
        { db: input.db, logger: input.logger, bus: input.bus },
        { userId: user.id, email, groups: groupsFromClaims(source.oauth.profile ?? {}, input.oauth.oidc.groupsClaim) },
        { ip: context?.clientIp ?? null, userAgent: context?.userAgent ?? null, requestId: context?.requestId ?? null },
      ).catch((error: unknown) => {
        input.logger.error({ err: error, userId: user.id }, 'OIDC group mapping failed; sign-in refused');
        throw error;
      });
    }
    return undefined;
  };
}

/** Options to spread into `betterAuth({...})`, and the plugin to add (none when no provider is configured). */
export function oauthAuthOptions(input: OAuthOptionsInput) {
  const errorUrl = signInErrorUrl(input.publicUrl);
  const configs = input.oauth ? oauthProviderConfigs(input.oauth, errorUrl) : [];
  return {
    options: {
      onAPIError: { errorURL: errorUrl },
      account: {
        accountLinking: {
          enabled: true,
          // No provider is trusted by name: each reports `emailVerified` from a verified source
          // (GitHub: the primary verified address only; Google and OIDC: `email_verified: true` in
          // the verified ID token), and better-auth links only when it is true.
          trustedProviders: [],
          // better-auth's default, kept explicit: the Portcullis account's own email must be
          // verified too, so an account made with someone else's address cannot capture theirs.
          requireLocalEmailVerified: true,
          disableImplicitLinking: false,
        },
        // Provider access tokens are kept (better-auth stores them on the account) but encrypted
        // under AUTH_SECRET: a database dump yields no usable GitHub or IdP token.
        encryptOAuthTokens: true,
      },
      user: { validateUserInfo: validateUserInfo(input) },
    } satisfies Partial<BetterAuthOptions>,
    plugins: configs.length > 0 ? [genericOAuth({ config: configs })] : [],
  };
}
