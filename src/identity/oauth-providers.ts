/**
 * Sign-in with GitHub (github.com or GitHub Enterprise Server), Google and one generic OpenID
 * Connect provider, all through better-auth's `genericOAuth` plugin: its built-in GitHub and Google
 * providers hard-code github.com and Google's hosts. State, PKCE, the nonce and (with discovery)
 * ID-token verification against the issuer's JWKS are the library's; the rules here decide who
 * may sign in:
 *
 * - GitHub: the identity is the numeric user id; the email is the primary *verified* address from
 *   `/user/emails` (none: refused); with GITHUB_ALLOWED_ORGS the user must belong to one of them
 *   (`/user/orgs`, scope `read:org`).
 * - Google: discovery + JWKS verify the ID token; with GOOGLE_ALLOWED_DOMAINS its `hd` claim (from
 *   the verified token, not the `hd` request parameter, which is only a hint) must be listed.
 * - OIDC: discovery + JWKS verify the ID token; claims come from it; groups feed the per-org role
 *   mapping (oidc-group-roles.ts).
 *
 * A refusal redirects to the sign-in error page with a code (sign-in-error-page.ts). Creating a
 * user by OAuth is refused unless `mayCreateUserFromOAuth` allows it; linking to an existing user
 * needs an email the provider reports as verified (and, better-auth's default, a verified local
 * email).
 */
import type { GenericOAuthConfig, GenericOAuthUserInfo } from 'better-auth/plugins';
import { APIError } from 'better-auth/api';
import { decodeJwt } from 'jose';
import type { OAuthConfig } from '../config/load.js';
import { hasPendingInvitation } from '../db/definer.js';
import type { ScopedDatabase } from '../db/tenant.js';
import { readSignupMode } from '../tenancy/instance-settings.js';

export type OAuthProviderId = 'github' | 'google' | 'oidc';

/** Error codes Portcullis adds to better-auth's (shown by the sign-in error page). */
export const OAUTH_REFUSALS = {
  emailNotVerified: 'email_not_verified',
  orgNotAllowed: 'org_not_allowed',
  domainNotAllowed: 'domain_not_allowed',
  signupClosed: 'signup_closed',
  idTokenMissing: 'id_token_missing',
  providerError: 'provider_error',
} as const;

export const SIGN_IN_ERROR_PATH = '/sign-in/error';

/** The buttons the sign-in page shows: enabled providers only, never a secret. */
export function enabledProviders(oauth: OAuthConfig): { id: OAuthProviderId; label: string }[] {
  const list: { id: OAuthProviderId; label: string }[] = [];
  if (oauth.github) list.push({ id: 'github', label: 'GitHub' });
  if (oauth.google) list.push({ id: 'google', label: 'Google' });
  if (oauth.oidc) list.push({ id: 'oidc', label: oauth.oidc.name });
  return list;
}

/**
 * Whether signing in with a provider may create a new Portcullis user for this email: when the
 * instance is open to sign-up, or when someone invited this address to an org (the person then
 * accepts the invitation signed in). Otherwise accounts come from the setup link and invitations.
 */
export async function mayCreateUserFromOAuth(db: ScopedDatabase, email: string): Promise<boolean> {
  if (email === '') return false;
  return db.withRole(async (tx) => (await readSignupMode(tx)) === 'open' || (await hasPendingInvitation(tx, email)));
}

/** Ends the callback with a redirect to the error page; better-auth sends a thrown redirect as is. */
function refuse(errorUrl: string, code: string): never {
  const url = new URL(errorUrl);
  url.searchParams.set('error', code);
  throw new APIError('FOUND', undefined, new Headers({ location: url.toString(), 'cache-control': 'no-store' }));
}

type GitHubEmail = { email: string; primary: boolean; verified: boolean };
type GitHubUser = { id: number; login: string; name: string | null; avatar_url?: string };

async function githubGet<T>(apiUrl: string, path: string, token: string): Promise<{ status: number; body: T | undefined; next?: string }> {
  const response = await fetch(path.startsWith('http') ? path : `${apiUrl}${path}`, {
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      // GitHub refuses API requests without a User-Agent.
      'user-agent': 'Portcullis',
    },
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) {
    await response.body?.cancel();
    return { status: response.status, body: undefined };
  }
  const next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get('link') ?? '')?.[1];
  return { status: response.status, body: (await response.json()) as T, ...(next ? { next } : {}) };
}

function githubProvider(github: NonNullable<OAuthConfig['github']>, errorUrl: string): GenericOAuthConfig {
  const scopes = ['read:user', 'user:email', ...(github.allowedOrgs.length > 0 ? ['read:org'] : [])];
  const tokenUrl = `${github.baseUrl}/login/oauth/access_token`;
  return {
    providerId: 'github',
    name: 'GitHub',
    clientId: github.clientId,
    clientSecret: github.clientSecret,
    authorizationUrl: `${github.baseUrl}/login/oauth/authorize`,
    tokenUrl,
    scopes,
    // github.com checks S256; GitHub Enterprise Server ignores the parameters.
    pkce: true,
    // GitHub answers token errors with HTTP 200 and an `error` field, and a form body unless asked
    // for JSON: exchanged here so such an answer is a failure, not a token-less "success".
    async getToken({ code, redirectURI, codeVerifier }) {
      const body = new URLSearchParams({ client_id: github.clientId, client_secret: github.clientSecret, code, redirect_uri: redirectURI });
      if (codeVerifier) body.set('code_verifier', codeVerifier);
      const response = await fetch(tokenUrl, {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Portcullis' },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      const data = (await response.json().catch(() => ({}))) as {
        access_token?: string;
        token_type?: string;
        scope?: string;
        error?: string;
      };
      if (!response.ok || data.error !== undefined || typeof data.access_token !== 'string')
        throw new Error(`GitHub token exchange failed: ${data.error ?? `HTTP ${response.status}`}`);
      return {
        accessToken: data.access_token,
        tokenType: data.token_type ?? 'bearer',
        // GitHub separates granted scopes with commas.
        scopes: (data.scope ?? '')
          .split(/[\s,]+/)
          .map((s) => s.trim())
          .filter(Boolean),
      };
    },
    // The stable identity is the numeric id: logins can be renamed and reused.
    accountSubject: ({ profile }) => String(profile.id),
    async getUserInfo(tokens): Promise<GenericOAuthUserInfo | null> {
      const token = tokens.accessToken;
      if (!token) return null;
      const user = await githubGet<GitHubUser>(github.apiUrl, '/user', token);
      if (!user.body || typeof user.body.id !== 'number') return null;
      const emails = await githubGet<GitHubEmail[]>(github.apiUrl, '/user/emails', token);
      const primary = (emails.body ?? []).find((e) => e.primary && e.verified);
      if (!primary) refuse(errorUrl, OAUTH_REFUSALS.emailNotVerified);
      if (github.allowedOrgs.length > 0) {
        const member = new Set<string>();
        let page: string | undefined = '/user/orgs?per_page=100';
        for (let i = 0; page !== undefined && i < 10; i++) {
          const orgs: Awaited<ReturnType<typeof githubGet<{ login: string }[]>>> = await githubGet<{ login: string }[]>(
            github.apiUrl,
            page,
            token,
          );
          if (!orgs.body) refuse(errorUrl, OAUTH_REFUSALS.orgNotAllowed);
          for (const org of orgs.body) member.add(org.login.toLowerCase());
          page = orgs.next;
        }
        if (!github.allowedOrgs.some((org) => member.has(org))) refuse(errorUrl, OAUTH_REFUSALS.orgNotAllowed);
      }
      return {
        id: String(user.body.id),
        login: user.body.login,
        name: user.body.name ?? user.body.login,
        email: primary.email,
        emailVerified: true,
        image: user.body.avatar_url,
      };
    },
  };
}

/** Claims of the ID token the plugin has already verified (signature, issuer, audience, expiry, nonce). */
function verifiedClaims(idToken: string | undefined, errorUrl: string): Record<string, unknown> {
  if (!idToken) refuse(errorUrl, OAUTH_REFUSALS.idTokenMissing);
  return decodeJwt(idToken);
}

function discoveryUrl(issuer: string): string {
  return `${issuer}/.well-known/openid-configuration`;
}

function googleProvider(google: NonNullable<OAuthConfig['google']>, errorUrl: string): GenericOAuthConfig {
  return {
    providerId: 'google',
    name: 'Google',
    clientId: google.clientId,
    clientSecret: google.clientSecret,
    discoveryUrl: discoveryUrl(google.issuer),
    // Without the issuer's keys the ID token could not be verified: the provider is not offered.
    requireIdTokenVerification: true,
    scopes: ['openid', 'email', 'profile'],
    // Only a hint for Google's account chooser; the check is on the signed `hd` claim below.
    ...(google.allowedDomains.length === 1 ? { authorizationUrlParams: { hd: google.allowedDomains[0]! } } : {}),
    accountSubject: ({ profile }) => String(profile.sub),
    getUserInfo(tokens): Promise<GenericOAuthUserInfo | null> {
      const claims = verifiedClaims(tokens.idToken, errorUrl);
      if (google.allowedDomains.length > 0) {
        const hd = typeof claims.hd === 'string' ? claims.hd.toLowerCase() : undefined;
        if (hd === undefined || !google.allowedDomains.includes(hd)) refuse(errorUrl, OAUTH_REFUSALS.domainNotAllowed);
      }
      return Promise.resolve(profileFromClaims(claims));
    },
  };
}

function profileFromClaims(claims: Record<string, unknown>): GenericOAuthUserInfo | null {
  if (typeof claims.sub !== 'string' || claims.sub === '') return null;
  return {
    ...claims,
    id: claims.sub,
    sub: claims.sub,
    email: typeof claims.email === 'string' ? claims.email : undefined,
    // Only an explicit `true` counts: missing or "true" as a string is unverified.
    emailVerified: claims.email_verified === true,
    name: typeof claims.name === 'string' ? claims.name : typeof claims.email === 'string' ? claims.email : '',
    image: typeof claims.picture === 'string' ? claims.picture : undefined,
  };
}

function oidcProvider(oidc: NonNullable<OAuthConfig['oidc']>, errorUrl: string): GenericOAuthConfig {
  return {
    providerId: 'oidc',
    name: oidc.name,
    clientId: oidc.clientId,
    clientSecret: oidc.clientSecret,
    discoveryUrl: discoveryUrl(oidc.issuer),
    requireIdTokenVerification: true,
    scopes: oidc.scopes,
    accountSubject: ({ profile }) => String(profile.sub),
    getUserInfo(tokens): Promise<GenericOAuthUserInfo | null> {
      return Promise.resolve(profileFromClaims(verifiedClaims(tokens.idToken, errorUrl)));
    },
  };
}

/** The genericOAuth configuration for the enabled providers. */
export function oauthProviderConfigs(oauth: OAuthConfig, errorUrl: string): GenericOAuthConfig[] {
  const configs: GenericOAuthConfig[] = [];
  if (oauth.github) configs.push(githubProvider(oauth.github, errorUrl));
  if (oauth.google) configs.push(googleProvider(oauth.google, errorUrl));
  if (oauth.oidc) configs.push(oidcProvider(oauth.oidc, errorUrl));
  return configs;
}
