/**
 * Sign-in providers around better-auth's OAuth endpoints (identity/oauth-providers.ts):
 *
 * - `GET /api/auth/providers`: the enabled providers (id and button label, nothing else), for the
 *   sign-in page;
 * - the OAuth callbacks (`/api/auth/callback/:provider`) are throttled per client address in the
 *   keyed limiter (Redis when configured) before better-auth exchanges the code: each callback
 *   costs calls to the provider;
 * - a callback that ends on the error page is a failed sign-in: audited (`auth.login_failed`, the
 *   provider and the error code as the reason) in the instance chain, like a wrong password;
 * - `GET /sign-in/error?error=<code>`: a page that says in plain words why a sign-in failed.
 *   Rendered on the server from a fixed table (the code itself is never echoed), no script at all.
 *
 * Mounted before authRoutes, whose catch-all hands everything else under /api/auth to better-auth.
 */
import { Hono, type Context } from 'hono';
import type { Logger } from 'pino';
import { recordAudit } from '../audit/record.js';
import type { OAuthConfig } from '../config/load.js';
import type { ScopedDatabase } from '../db/tenant.js';
import { enabledProviders, SIGN_IN_ERROR_PATH } from '../identity/oauth-providers.js';
import { identityContextOf } from '../identity/sign-in.js';
import { AUTH_BASE_PATH } from '../identity/session-cookie.js';
import type { KeyedLimiter } from '../limits/keyed-limiter.js';
import type { ApiEnv } from './env.js';

/** Plain-language explanations; anything not listed gets the generic one. */
export const SIGN_IN_ERRORS: Readonly<Record<string, { title: string; text: string }>> = {
  state_not_found: {
    title: 'The sign-in could not be completed',
    text: 'The sign-in took too long or was started in another browser or tab, so it could not be matched to this one. Start again from the sign-in page.',
  },
  state_mismatch: {
    title: 'The sign-in could not be completed',
    text: 'This sign-in was not started from this browser (its security check did not match), so it was refused. Start again from the sign-in page.',
  },
  state_invalid: {
    title: 'The sign-in could not be completed',
    text: 'This sign-in was not started from this browser (its security check did not match), so it was refused. Start again from the sign-in page.',
  },
  access_denied: {
    title: 'Sign-in cancelled',
    text: 'The sign-in provider reports that access was denied: the request was cancelled or not approved there. Nothing was changed.',
  },
  email_not_verified: {
    title: 'Your email address is not verified',
    text: 'The sign-in provider did not confirm that you own an email address (GitHub: no primary, verified email). Verify your email with the provider, then try again.',
  },
  email_not_found: {
    title: 'No email address received',
    text: 'The sign-in provider did not share an email address, which Portcullis needs to find your account.',
  },
  account_not_linked: {
    title: 'This sign-in cannot be linked to your account',
    text: 'A Portcullis account uses this email, but it can only be linked when both the provider and Portcullis have verified the address. Sign in another way, verify your email, then try again.',
  },
  org_not_allowed: {
    title: 'Your GitHub organization is not allowed',
    text: 'This Portcullis only accepts members of certain GitHub organizations, and GitHub did not list you in any of them. If you are a member, make sure the membership is visible to this app (organization access), then try again.',
  },
  domain_not_allowed: {
    title: 'This Google account is not allowed',
    text: 'This Portcullis only accepts Google Workspace accounts of certain domains. Sign in with your work account.',
  },
  signup_closed: {
    title: 'No account for this email',
    text: 'No Portcullis account uses this email address, and new accounts are by invitation only. Ask an administrator of your organization to invite you, then sign in from the link in the invitation.',
  },
  too_many_attempts: {
    title: 'Too many sign-in attempts',
    text: 'Too many sign-ins were attempted from your network. Wait a few minutes, then try again.',
  },
  unable_to_get_user_info: {
    title: 'The provider’s answer could not be verified',
    text: 'Portcullis could not read or verify who you are from the sign-in provider’s answer (for example, its signature did not check out). Try again; if it keeps happening, tell your administrator.',
  },
  id_token_missing: {
    title: 'The provider’s answer could not be verified',
    text: 'The sign-in provider did not send a signed identity token. Tell your administrator.',
  },
  invalid_code: {
    title: 'The sign-in could not be completed',
    text: 'The sign-in provider did not accept this sign-in (the code was invalid, expired or already used). Start again from the sign-in page.',
  },
  issuer_mismatch: {
    title: 'The sign-in could not be completed',
    text: 'The answer came from a different sign-in provider than the one this sign-in was sent to, so it was refused.',
  },
};

const GENERIC_ERROR = {
  title: 'The sign-in could not be completed',
  text: 'Something went wrong while signing in with the provider. Start again from the sign-in page; if it keeps happening, tell your administrator.',
};

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function signInErrorPage(code: string | undefined): string {
  const known = code !== undefined && Object.hasOwn(SIGN_IN_ERRORS, code) ? SIGN_IN_ERRORS[code]! : GENERIC_ERROR;
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="referrer" content="no-referrer" />
    <title>Sign-in failed – Portcullis</title>
    <link rel="stylesheet" href="/sign-in/sign-in.css" />
  </head>
  <body>
    <main>
      <h1>Portcullis</h1>
      <h2 id="error-title">${escapeHtml(known.title)}</h2>
      <p id="error-text" role="alert">${escapeHtml(known.text)}</p>
      <p><a href="/sign-in">Back to sign-in</a></p>
    </main>
  </body>
</html>
`;
}

function errorPageResponse(c: Context, code: string | undefined, status: 200 | 429 = 200, headers: Record<string, string> = {}) {
  return c.html(signInErrorPage(code), status, { 'cache-control': 'no-store', ...headers });
}

export type OAuthRoutesDeps = {
  oauth: OAuthConfig;
  /** Per client address, on the OAuth callbacks. */
  callbackThrottle: KeyedLimiter;
  db: ScopedDatabase;
  logger: Logger;
};

/** The error code when a callback's answer is a redirect to the sign-in error page, else undefined. */
function refusalCode(response: Response): string | undefined {
  if (response.status < 300 || response.status >= 400) return undefined;
  const location = response.headers.get('location');
  if (location === null) return undefined;
  const url = new URL(location, 'http://relative.invalid');
  if (url.pathname !== SIGN_IN_ERROR_PATH) return undefined;
  // Codes are better-auth's or Portcullis's, but the parameter is echoed from a redirect: bounded.
  return (url.searchParams.get('error') ?? 'unknown').slice(0, 64);
}

export function oauthRoutes(deps: OAuthRoutesDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const providers = enabledProviders(deps.oauth);
  app.get(`${AUTH_BASE_PATH}/providers`, (c) => c.json({ providers }, 200, { 'cache-control': 'no-store' }));
  app.get(SIGN_IN_ERROR_PATH, (c) => errorPageResponse(c, c.req.query('error')));
  app.on(['GET', 'POST'], [`${AUTH_BASE_PATH}/callback/*`, `${AUTH_BASE_PATH}/oauth2/callback/*`], async (c, next) => {
    const { clientIp } = identityContextOf(c);
    const result = await deps.callbackThrottle.consume(`ip:${clientIp ?? 'unknown'}`);
    if (!result.allowed) {
      deps.logger.warn({ throttled: 'ip', clientIp, path: c.req.path }, 'OAuth callback throttled');
      return errorPageResponse(c, 'too_many_attempts', 429, { 'retry-after': String(Math.max(1, result.retryAfterSeconds)) });
    }
    await next();
    const code = refusalCode(c.res);
    if (code === undefined) return;
    const provider = c.req.path.split('/').pop() ?? 'unknown';
    const { userAgent, requestId } = identityContextOf(c);
    // Failing to record must not turn a refusal into a 500 the user cannot read: logged instead.
    await deps.db
      .withRole((tx) =>
        recordAudit(tx, {
          orgId: null,
          actor: { type: 'system', id: null, ip: clientIp, userAgent },
          requestId,
          action: 'auth.login_failed',
          outcome: 'failure',
          reason: `oauth:${provider.slice(0, 32)}:${code}`,
          target: { type: 'oauth_provider', id: provider.slice(0, 32) },
        }),
      )
      .catch((err: unknown) => deps.logger.error({ err, provider, code }, 'could not audit a refused OAuth sign-in'));
  });
  return app;
}
