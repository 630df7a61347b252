/**
 * A fake OpenID Connect provider for offline sign-in tests, shaped like Google (with
 * `hostedDomainClaim`), Okta or Keycloak (with `issuerPath` and `groups`): discovery, JWKS,
 * the authorization code flow with PKCE, RS256 ID tokens, and UserInfo.
 *
 * Written on node:http and jose rather than oauth2-mock-server 8.2.3 because that server does not
 * check the client secret, the redirect_uri, or that a code is used once, accepts a PKCE-bound code
 * exchanged without a verifier, advertises only the `none` client authentication method, and has
 * no way to sign with a key outside its JWKS — all things the sign-in's negative tests need.
 *
 * It validates like a strict, spec-following provider (RFC 6749, RFC 7636, OIDC Core): errors before
 * the redirect URI is trusted are shown as a page, later ones are redirected with `error` and
 * `state`; token errors are 400 (401 for client authentication) JSON `{error, error_description}`.
 */
import { createHash } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import {
  authorizationCredentials,
  base64url,
  html,
  json,
  PKCE_VALUE,
  randomBase62,
  redirect,
  s256,
  safeEqual,
  startRecordingServer,
  type FakeReply,
  type OAuthRecordedRequest,
} from './oauth-common.js';

export type OidcUser = {
  /** The stable subject identifier. */
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  given_name?: string;
  family_name?: string;
  picture?: string;
  /** Google Workspace hosted domain; emitted only when the provider has `hostedDomainClaim`. */
  hd?: string;
  /** Group names; emitted under `groupsClaim` (default `groups`). */
  groups?: string[];
  /** Any further claims for the ID token and UserInfo (e.g. Entra's `tid`, Keycloak's `preferred_username`). */
  claims?: Record<string, unknown>;
};

/** Ways to spoil the next login's ID token or redirect, for negative tests. */
export type LoginTamper = {
  /** Sign with a key that is not in the JWKS but carries the published key's `kid`: the signature fails. */
  wrongKey?: boolean;
  /** Sign with a key whose `kid` the JWKS does not have. */
  unknownKid?: boolean;
  /** An unsigned token (`alg: none`). */
  unsigned?: boolean;
  /** `aud` other than the client id. */
  audience?: string;
  /** `iss` other than the issuer. */
  issuer?: string;
  /** Replace the nonce, or omit it with null. */
  nonce?: string | null;
  /** `exp` an hour in the past. */
  expired?: boolean;
  /** Redirect back with this `state` instead of the one the client sent (null: drop it). */
  state?: string | null;
};

export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post';

export type FakeOidcOptions = {
  /** Path of the issuer under the server's origin, e.g. `/realms/portcullis` (Keycloak) or `/oauth2/default` (Okta). Default: none. */
  issuerPath?: string;
  /** The client id, which is also the ID token's audience. */
  clientId: string;
  clientSecret: string;
  /** Emit Google's `hd` claim for users that have one. Default false. */
  hostedDomainClaim?: boolean;
  /** Claim name for groups. Default `groups`. */
  groupsClaim?: string;
  /** Emit groups only when this scope was requested (Okta: `groups`). Default: always when the user has groups. */
  groupsScope?: string;
  /** Registered redirect URIs, matched exactly. Empty (the default) accepts any, for tests that learn their app's port late. */
  redirectUris?: string[];
  /** Refuse authorizations without an S256 code challenge. Default false (plain and S256 accepted, PKCE optional). */
  requirePkce?: boolean;
  /** Client authentication methods accepted at the token endpoint. Default both. */
  tokenEndpointAuthMethods?: TokenEndpointAuthMethod[];
  /** Authorization code lifetime. Default 10 minutes. */
  codeTtlMs?: number;
  /** ID and access token lifetime. Default 3600 s. */
  tokenTtlSeconds?: number;
  /** Signs in at every authorization that has no `setNextUser` queued. Without it such an authorization is denied. */
  defaultUser?: OidcUser;
};

export type FakeOidc = {
  /** The issuer identifier: `http://127.0.0.1:PORT` plus `issuerPath`. */
  readonly issuer: string;
  readonly discoveryUrl: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  readonly userinfoEndpoint: string;
  readonly jwksUri: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Registered redirect URIs; mutable. */
  readonly redirectUris: string[];
  /** Queues the user who signs in at the next authorization (then the default user again). */
  setNextUser(user: OidcUser): void;
  /** Spoils the next authorization's redirect or ID token. */
  tamperNextLogin(tamper: LoginTamper): void;
  /** The next authorization is refused: redirect with `error=access_denied`. */
  denyNextLogin(): void;
  /** Adds a new signing key; the old one stays in the JWKS. Returns the new `kid`. */
  rotateKey(): Promise<string>;
  /** The published key set (what `/jwks` serves). */
  jwks(): { keys: JWK[] };
  /** Every request received, in order. */
  readonly requests: OAuthRecordedRequest[];
  /** Forgets recorded requests. */
  reset(): void;
  stop(): Promise<void>;
};

type SigningKey = { kid: string; privateKey: CryptoKey; publicJwk: JWK };

type PendingCode = {
  user: OidcUser;
  scopes: string[];
  redirectUri: string;
  nonce?: string;
  challenge?: { value: string; method: 'plain' | 'S256' };
  tamper?: LoginTamper;
  expiresAt: number;
  /** Set on the first successful exchange; a replay revokes it (RFC 6749 §4.1.2). */
  accessToken?: string;
};

type IssuedAccessToken = { user: OidcUser; scopes: string[]; expiresAt: number; revoked: boolean };

async function newKey(): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomBase62(16);
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

/** OIDC Core §3.1.3.6: the left half of SHA-256 of the access token, base64url. */
function atHash(accessToken: string): string {
  return base64url(createHash('sha256').update(accessToken, 'ascii').digest().subarray(0, 16));
}

export async function startFakeOidc(options: FakeOidcOptions): Promise<FakeOidc> {
  const issuerPath = (options.issuerPath ?? '').replace(/\/+$/, '');
  if (issuerPath && !issuerPath.startsWith('/')) throw new Error('issuerPath must start with /');
  const { clientId, clientSecret } = options;
  const groupsClaim = options.groupsClaim ?? 'groups';
  const authMethods = options.tokenEndpointAuthMethods ?? ['client_secret_basic', 'client_secret_post'];
  const codeTtlMs = options.codeTtlMs ?? 10 * 60_000;
  const tokenTtl = options.tokenTtlSeconds ?? 3600;
  const redirectUris = [...(options.redirectUris ?? [])];

  const keys: SigningKey[] = [await newKey()];
  // Never published: what `wrongKey` and `unknownKid` sign with.
  const rogue = await newKey();
  const nextUsers: OidcUser[] = [];
  const tampers: LoginTamper[] = [];
  let denyCount = 0;
  const codes = new Map<string, PendingCode>();
  const accessTokens = new Map<string, IssuedAccessToken>();
  const requests: OAuthRecordedRequest[] = [];
  let issuer = '';

  const endpoints = () => ({
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    userinfo_endpoint: `${issuer}/userinfo`,
    jwks_uri: `${issuer}/jwks`,
  });

  function discovery(): FakeReply {
    const scopes = ['openid', 'email', 'profile'];
    if (options.groupsScope) scopes.push(options.groupsScope);
    return json(200, {
      issuer,
      ...endpoints(),
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: ['authorization_code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: scopes,
      token_endpoint_auth_methods_supported: authMethods,
      claims_supported: [
        'aud',
        'email',
        'email_verified',
        'exp',
        'family_name',
        'given_name',
        'iat',
        'iss',
        'name',
        'nonce',
        'picture',
        'sub',
      ],
      code_challenge_methods_supported: ['plain', 'S256'],
    });
  }

  function authorize(req: OAuthRecordedRequest): FakeReply {
    const q = req.query;
    // RFC 6749 §4.1.2.1: a bad client or redirect URI is shown to the user, never redirected to.
    if (q.get('client_id') !== clientId) return html(400, 'Error 401: invalid_client. The OAuth client was not found.');
    const redirectUri = q.get('redirect_uri');
    if (!redirectUri) return html(400, 'Error 400: invalid_request. Missing required parameter: redirect_uri');
    let parsed: URL;
    try {
      parsed = new URL(redirectUri);
    } catch {
      return html(400, 'Error 400: invalid_request. Invalid parameter value for redirect_uri');
    }
    if (parsed.hash || (redirectUris.length > 0 && !redirectUris.includes(redirectUri))) {
      return html(400, `Error 400: redirect_uri_mismatch. ${redirectUri} is not registered for this client.`);
    }

    const tamper = tampers.shift();
    const sentState = q.get('state') ?? undefined;
    const state = tamper && 'state' in tamper ? (tamper.state ?? undefined) : sentState;
    const fail = (error: string, description: string) => redirect(redirectUri, { error, error_description: description, state });

    if (q.get('response_type') !== 'code') return fail('unsupported_response_type', 'Only response_type=code is supported.');
    const scopes = [...new Set((q.get('scope') ?? '').split(' ').filter(Boolean))];
    if (!scopes.includes('openid')) return fail('invalid_scope', 'The openid scope is required.');

    let challenge: PendingCode['challenge'];
    const challengeValue = q.get('code_challenge');
    if (challengeValue !== null) {
      // RFC 7636 §4.3: a missing method means plain.
      const method = q.get('code_challenge_method') ?? 'plain';
      if (method !== 'plain' && method !== 'S256') return fail('invalid_request', `Unsupported code_challenge_method ${method}.`);
      if (!PKCE_VALUE.test(challengeValue)) return fail('invalid_request', 'Malformed code_challenge.');
      if (options.requirePkce && method !== 'S256') return fail('invalid_request', 'code_challenge_method must be S256.');
      challenge = { value: challengeValue, method };
    } else if (options.requirePkce) {
      return fail('invalid_request', 'code_challenge is required.');
    }

    if (denyCount > 0) {
      denyCount--;
      return fail('access_denied', 'The user denied the request.');
    }
    const user = nextUsers.shift() ?? options.defaultUser;
    if (!user) return fail('access_denied', 'Nobody signed in at the fake provider (call setNextUser or pass defaultUser).');

    const code = randomBase62(32);
    codes.set(code, {
      user,
      scopes,
      redirectUri,
      nonce: q.get('nonce') ?? undefined,
      challenge,
      tamper,
      expiresAt: Date.now() + codeTtlMs,
    });
    return redirect(redirectUri, { code, state });
  }

  /** The claims the granted scopes release (OIDC Core §5.4), shared by the ID token and UserInfo. */
  function userClaims(user: OidcUser, scopes: string[]): Record<string, unknown> {
    const claims: Record<string, unknown> = { sub: user.sub };
    if (scopes.includes('email')) {
      if (user.email !== undefined) claims.email = user.email;
      if (user.email_verified !== undefined) claims.email_verified = user.email_verified;
    }
    if (scopes.includes('profile')) {
      for (const key of ['name', 'given_name', 'family_name', 'picture'] as const) if (user[key] !== undefined) claims[key] = user[key];
    }
    if (options.hostedDomainClaim && user.hd !== undefined) claims.hd = user.hd;
    if (user.groups !== undefined && (!options.groupsScope || scopes.includes(options.groupsScope))) claims[groupsClaim] = user.groups;
    return { ...claims, ...user.claims, sub: user.sub };
  }

  async function idToken(pending: PendingCode, accessToken: string): Promise<string> {
    const tamper = pending.tamper ?? {};
    const now = Math.floor(Date.now() / 1000);
    const payload: Record<string, unknown> = {
      iss: tamper.issuer ?? issuer,
      azp: clientId,
      aud: tamper.audience ?? clientId,
      ...userClaims(pending.user, pending.scopes),
      at_hash: atHash(accessToken),
      iat: tamper.expired ? now - 7200 : now,
      exp: tamper.expired ? now - 3600 : now + tokenTtl,
    };
    const nonce = 'nonce' in tamper ? tamper.nonce : pending.nonce;
    if (nonce !== undefined && nonce !== null) payload.nonce = nonce;

    if (tamper.unsigned) {
      return `${base64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64url(JSON.stringify(payload))}.`;
    }
    const current = keys[keys.length - 1]!;
    const signer = tamper.wrongKey || tamper.unknownKid ? rogue.privateKey : current.privateKey;
    const kid = tamper.unknownKid ? rogue.kid : current.kid;
    return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(signer);
  }

  async function token(req: OAuthRecordedRequest): Promise<FakeReply> {
    const noStore = { 'cache-control': 'no-store', pragma: 'no-cache' };
    const error = (status: number, code: string, description: string, extra: Record<string, string> = {}) =>
      json(status, { error: code, error_description: description }, { ...noStore, ...extra });

    // Client authentication (RFC 6749 §2.3.1): Basic with form-encoded id and secret, or body params; never both.
    const basic = authorizationCredentials(req.headers, ['basic']);
    const bodySecret = req.form.get('client_secret');
    if (basic && bodySecret !== null) return error(400, 'invalid_request', 'Use one client authentication method, not two.');
    let presented: { id: string; secret: string; method: TokenEndpointAuthMethod } | undefined;
    if (basic) {
      const decoded = Buffer.from(basic.credentials, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon >= 0) {
        const decode = (s: string) => {
          try {
            return decodeURIComponent(s.replace(/\+/g, ' '));
          } catch {
            return s;
          }
        };
        presented = { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)), method: 'client_secret_basic' };
      }
    } else if (bodySecret !== null) {
      presented = { id: req.form.get('client_id') ?? '', secret: bodySecret, method: 'client_secret_post' };
    }
    if (!presented || presented.id !== clientId || !safeEqual(presented.secret, clientSecret) || !authMethods.includes(presented.method)) {
      // RFC 6749 §5.2: 401, with WWW-Authenticate when the client tried the Authorization header.
      return error(401, 'invalid_client', 'Client authentication failed.', basic ? { 'www-authenticate': 'Basic realm="fake-oidc"' } : {});
    }
    // A client_id in the body must agree with the authenticated client.
    const bodyClientId = req.form.get('client_id');
    if (bodyClientId !== null && bodyClientId !== clientId)
      return error(401, 'invalid_client', 'client_id does not match the authenticated client.');

    const grantType = req.form.get('grant_type');
    if (!grantType) return error(400, 'invalid_request', 'Missing grant_type.');
    if (grantType !== 'authorization_code') return error(400, 'unsupported_grant_type', `Unsupported grant_type ${grantType}.`);
    const code = req.form.get('code');
    if (!code) return error(400, 'invalid_request', 'Missing code.');
    const pending = codes.get(code);
    if (!pending) return error(400, 'invalid_grant', 'The authorization code is invalid.');
    if (pending.accessToken) {
      const first = accessTokens.get(pending.accessToken);
      if (first) first.revoked = true;
      return error(400, 'invalid_grant', 'The authorization code has already been used.');
    }
    if (Date.now() > pending.expiresAt) {
      codes.delete(code);
      return error(400, 'invalid_grant', 'The authorization code has expired.');
    }
    // RFC 6749 §4.1.3: redirect_uri is required and identical when the authorization request had one (it always does here).
    if (req.form.get('redirect_uri') !== pending.redirectUri)
      return error(400, 'invalid_grant', 'redirect_uri does not match the authorization request.');
    const verifier = req.form.get('code_verifier');
    if (pending.challenge) {
      if (!verifier || !PKCE_VALUE.test(verifier)) return error(400, 'invalid_grant', 'Missing or malformed code_verifier.');
      const expected = pending.challenge.method === 'S256' ? s256(verifier) : verifier;
      if (!safeEqual(expected, pending.challenge.value))
        return error(400, 'invalid_grant', 'code_verifier does not match the code_challenge.');
    } else if (verifier !== null) {
      // A verifier for a code issued without a challenge is a PKCE downgrade (RFC 9700 §4.8.2).
      return error(400, 'invalid_grant', 'code_verifier sent for a code issued without code_challenge.');
    }

    const accessToken = `ya29.${randomBase62(64)}`;
    pending.accessToken = accessToken;
    accessTokens.set(accessToken, { user: pending.user, scopes: pending.scopes, expiresAt: Date.now() + tokenTtl * 1000, revoked: false });
    return json(
      200,
      {
        access_token: accessToken,
        expires_in: tokenTtl - 1,
        scope: pending.scopes.join(' '),
        token_type: 'Bearer',
        id_token: await idToken(pending, accessToken),
      },
      noStore,
    );
  }

  function userinfo(req: OAuthRecordedRequest): FakeReply {
    const bearer = authorizationCredentials(req.headers, ['bearer']);
    const issued = bearer ? accessTokens.get(bearer.credentials) : undefined;
    if (!issued || issued.revoked || Date.now() > issued.expiresAt) {
      // RFC 6750 §3.1: no token at all gets a bare challenge; a bad one says invalid_token.
      const challenge = bearer ? 'Bearer error="invalid_token", error_description="The access token is invalid or expired"' : 'Bearer';
      return json(401, { error: 'invalid_token', error_description: 'Invalid Credentials' }, { 'www-authenticate': challenge });
    }
    return json(200, userClaims(issued.user, issued.scopes));
  }

  const server = await startRecordingServer(requests, async (req) => {
    const path = req.path.startsWith(issuerPath) ? req.path.slice(issuerPath.length) : undefined;
    if (path === '/.well-known/openid-configuration' && req.method === 'GET') return discovery();
    if (path === '/jwks' && req.method === 'GET') return json(200, { keys: keys.map((k) => k.publicJwk) });
    if (path === '/authorize' && req.method === 'GET') return authorize(req);
    if (path === '/token' && req.method === 'POST') return token(req);
    if (path === '/userinfo' && (req.method === 'GET' || req.method === 'POST')) return userinfo(req);
    return json(404, { error: 'not_found', error_description: `fake OIDC: no route for ${req.method} ${req.path}` });
  });
  issuer = `${server.origin}${issuerPath}`;

  return {
    issuer,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    authorizationEndpoint: endpoints().authorization_endpoint,
    tokenEndpoint: endpoints().token_endpoint,
    userinfoEndpoint: endpoints().userinfo_endpoint,
    jwksUri: endpoints().jwks_uri,
    clientId,
    clientSecret,
    redirectUris,
    setNextUser(user) {
      nextUsers.push(user);
    },
    tamperNextLogin(tamper) {
      tampers.push(tamper);
    },
    denyNextLogin() {
      denyCount++;
    },
    async rotateKey() {
      const key = await newKey();
      keys.push(key);
      return key.kid;
    },
    jwks: () => ({ keys: keys.map((k) => k.publicJwk) }),
    requests,
    reset() {
      requests.length = 0;
    },
    stop: () => server.close(),
  };
}
