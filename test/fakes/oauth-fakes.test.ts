/**
 * The fake identity providers must refuse what the real ones refuse, or sign-in tests built on
 * them prove nothing. Each fake is driven end to end with plain fetch, the way a browser (the
 * authorize redirect) and a server-side OAuth client (token exchange, API calls) would.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from './github.js';
import { s256 } from './oauth-common.js';
import { startFakeOidc, type FakeOidc, type OidcUser } from './oidc.js';

const CALLBACK = 'http://127.0.0.1:3999/api/auth/oauth2/callback/test';

function pkcePair() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: s256(verifier) };
}

/** The browser leg: follow the authorize URL once and return where the provider redirected to. */
async function authorizeRedirect(url: string): Promise<URL> {
  const res = await fetch(url, { redirect: 'manual' });
  expect(res.status, await res.clone().text()).toBe(302);
  return new URL(res.headers.get('location')!);
}

async function getJson(url: string, token?: string, scheme = 'Bearer') {
  const res = await fetch(url, { headers: token ? { authorization: `${scheme} ${token}` } : {} });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> & unknown[] };
}

describe('fake GitHub (github.com layout)', () => {
  let gh: FakeGitHub;

  beforeAll(async () => {
    gh = await startFakeGitHub({ clientId: 'Ov23liTestClient', clientSecret: 'test-secret' });
    gh.addUser({
      id: 583231,
      login: 'octocat',
      name: 'The Octocat',
      emails: [
        { email: 'octocat@users.noreply.github.com', primary: false, verified: true },
        { email: 'octo@example.com', primary: true, verified: true, visibility: 'private' },
        { email: 'old@example.com', primary: false, verified: false },
      ],
      orgs: ['acme', 'widgets'],
      orgAdmin: ['widgets'],
      pendingOrgs: ['invited-co'],
    });
    gh.addUser({ login: 'hubot', name: null, emails: [{ email: 'hubot@example.com', primary: true, verified: false }] });
    gh.authorize('octocat');
  });
  afterAll(() => gh.stop());

  function authorizeUrl(params: Record<string, string>) {
    const url = new URL(gh.authorizeUrl);
    for (const [k, v] of Object.entries({ client_id: gh.clientId, redirect_uri: CALLBACK, state: 'st-1', ...params }))
      url.searchParams.set(k, v);
    return url.toString();
  }

  async function exchange(fields: Record<string, string>, accept = 'application/json') {
    const res = await fetch(gh.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept },
      body: new URLSearchParams({ client_id: gh.clientId, client_secret: gh.clientSecret, redirect_uri: CALLBACK, ...fields }),
    });
    return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
  }

  async function signIn(scope: string) {
    const { verifier, challenge } = pkcePair();
    const back = await authorizeRedirect(authorizeUrl({ scope, code_challenge: challenge, code_challenge_method: 'S256' }));
    const res = await exchange({ code: back.searchParams.get('code')!, code_verifier: verifier });
    return JSON.parse(res.text) as { access_token: string; scope: string };
  }

  it('runs the web flow: authorize → code → token → /user, /user/emails, /user/orgs, memberships', async () => {
    const { verifier, challenge } = pkcePair();
    const back = await authorizeRedirect(
      authorizeUrl({ scope: 'read:user user:email read:org', code_challenge: challenge, code_challenge_method: 'S256' }),
    );
    expect(`${back.origin}${back.pathname}`).toBe(CALLBACK);
    expect(back.searchParams.get('state')).toBe('st-1');
    const code = back.searchParams.get('code')!;
    expect(code).toMatch(/^[a-z0-9]{20}$/);

    const res = await exchange({ code, code_verifier: verifier });
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/^application\/json/);
    const token = JSON.parse(res.text) as Record<string, string>;
    expect(token).toEqual({
      access_token: expect.stringMatching(/^gho_[A-Za-z0-9]{36}$/),
      token_type: 'bearer',
      scope: 'read:user,user:email,read:org',
    });

    // The API is a different origin from the OAuth pages, as api.github.com is from github.com.
    expect(gh.apiUrl).not.toBe(gh.baseUrl);
    expect((await fetch(`${gh.baseUrl}/user`, { headers: { authorization: `Bearer ${token.access_token}` } })).status).toBe(404);

    const user = await getJson(`${gh.apiUrl}/user`, token.access_token);
    expect(user.status).toBe(200);
    expect(user.body).toMatchObject({
      id: 583231,
      login: 'octocat',
      name: 'The Octocat',
      email: null,
      type: 'User',
      node_id: 'MDQ6VXNlcjU4MzIzMQ==',
    });
    expect(user.body).not.toHaveProperty('two_factor_authentication'); // private fields need the `user` scope
    expect(user.headers.get('x-oauth-scopes')).toBe('read:user, user:email, read:org');
    // GitHub still accepts the older `token` scheme.
    expect((await getJson(`${gh.apiUrl}/user`, token.access_token, 'token')).status).toBe(200);

    const emails = await getJson(`${gh.apiUrl}/user/emails`, token.access_token);
    expect(emails.status).toBe(200);
    expect(emails.body).toContainEqual({ email: 'octo@example.com', primary: true, verified: true, visibility: 'private' });
    expect(emails.body).toContainEqual({ email: 'old@example.com', primary: false, verified: false, visibility: null });

    const orgs = await getJson(`${gh.apiUrl}/user/orgs`, token.access_token);
    expect(orgs.status).toBe(200);
    expect((orgs.body as { login: string }[]).map((o) => o.login)).toEqual(['acme', 'widgets']);

    const memberships = await getJson(`${gh.apiUrl}/user/memberships/orgs?state=active`, token.access_token);
    expect((memberships.body as { role: string; organization: { login: string } }[]).map((m) => [m.organization.login, m.role])).toEqual([
      ['acme', 'member'],
      ['widgets', 'admin'],
    ]);
    const pending = await getJson(`${gh.apiUrl}/user/memberships/orgs/invited-co`, token.access_token);
    expect(pending.body).toMatchObject({ state: 'pending', role: 'member' });
    expect((await getJson(`${gh.apiUrl}/user/memberships/orgs/other`, token.access_token)).status).toBe(404);
  });

  it('answers form-encoded by default and XML on request', async () => {
    const back = await authorizeRedirect(authorizeUrl({ scope: 'user:email' }));
    const form = await exchange({ code: back.searchParams.get('code')! }, '*/*');
    expect(form.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    const parsed = new URLSearchParams(form.text);
    expect(parsed.get('access_token')).toMatch(/^gho_/);
    expect(parsed.get('token_type')).toBe('bearer');

    const again = await authorizeRedirect(authorizeUrl({ scope: 'user:email' }));
    const xml = await exchange({ code: again.searchParams.get('code')! }, 'application/xml');
    expect(xml.text).toMatch(
      /^<OAuth><access_token>gho_\w+<\/access_token><token_type>bearer<\/token_type><scope>user:email<\/scope><\/OAuth>$/,
    );
  });

  it('takes a JSON token request too', async () => {
    const back = await authorizeRedirect(authorizeUrl({}));
    const res = await fetch(gh.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ client_id: gh.clientId, client_secret: gh.clientSecret, code: back.searchParams.get('code') }),
    });
    expect(((await res.json()) as { scope: string; access_token: string }).scope).toBe('');
  });

  it('reports token errors with HTTP 200 and an error body, as GitHub does', async () => {
    const { verifier, challenge } = pkcePair();
    const pkceCode = async () =>
      (await authorizeRedirect(authorizeUrl({ code_challenge: challenge, code_challenge_method: 'S256' }))).searchParams.get('code')!;

    const mismatch = await exchange({ code: await pkceCode(), code_verifier: pkcePair().verifier });
    expect(mismatch.status).toBe(200);
    expect(JSON.parse(mismatch.text)).toEqual({
      error: 'bad_verification_code',
      error_description: 'The code passed is incorrect or expired.',
      error_uri: expect.stringContaining('#bad-verification-code'),
    });
    expect(JSON.parse((await exchange({ code: await pkceCode() })).text).error).toBe('bad_verification_code');

    const wrongSecret = await exchange({ code: await pkceCode(), code_verifier: verifier, client_secret: 'nope' });
    expect(wrongSecret.status).toBe(200);
    expect(JSON.parse(wrongSecret.text).error).toBe('incorrect_client_credentials');

    const wrongRedirect = await exchange({
      code: await pkceCode(),
      code_verifier: verifier,
      redirect_uri: 'http://127.0.0.1:3999/elsewhere',
    });
    expect(JSON.parse(wrongRedirect.text).error).toBe('redirect_uri_mismatch');

    // A verifier for a code issued without a challenge is refused (PKCE downgrade).
    const plain = (await authorizeRedirect(authorizeUrl({}))).searchParams.get('code')!;
    expect(JSON.parse((await exchange({ code: plain, code_verifier: verifier })).text).error).toBe('bad_verification_code');

    // Form-encoded errors without Accept: application/json.
    const formError = new URLSearchParams((await exchange({ code: 'nope' }, '*/*')).text);
    expect(formError.get('error')).toBe('bad_verification_code');
  });

  it('accepts a code once and revokes the first token when it is replayed', async () => {
    const back = await authorizeRedirect(authorizeUrl({ scope: 'read:user' }));
    const code = back.searchParams.get('code')!;
    const first = JSON.parse((await exchange({ code })).text) as { access_token: string };
    expect((await getJson(`${gh.apiUrl}/user`, first.access_token)).status).toBe(200);
    expect(JSON.parse((await exchange({ code })).text).error).toBe('bad_verification_code');
    const revoked = await getJson(`${gh.apiUrl}/user`, first.access_token);
    expect(revoked.status).toBe(401);
    expect(revoked.body.message).toBe('Bad credentials');
  });

  it('expires codes', async () => {
    const quick = await startFakeGitHub({ codeTtlMs: 5 });
    try {
      quick.addUser({ login: 'solo' });
      const url = new URL(quick.authorizeUrl);
      url.search = new URLSearchParams({ client_id: quick.clientId, redirect_uri: CALLBACK, state: 's' }).toString();
      const code = (await authorizeRedirect(url.toString())).searchParams.get('code')!;
      await new Promise((r) => setTimeout(r, 20));
      const res = await fetch(quick.tokenUrl, {
        method: 'POST',
        headers: { accept: 'application/json' },
        body: new URLSearchParams({ client_id: quick.clientId, client_secret: quick.clientSecret, code }),
      });
      expect(((await res.json()) as { error: string }).error).toBe('bad_verification_code');
    } finally {
      await quick.stop();
    }
  });

  it('enforces scopes on the API: /user/emails 404 and /user/orgs 403 without them', async () => {
    const narrow = await signIn('read:user');
    expect(narrow.scope).toBe('read:user');
    const emails = await getJson(`${gh.apiUrl}/user/emails`, narrow.access_token);
    expect(emails.status).toBe(404);
    expect(emails.headers.get('x-accepted-oauth-scopes')).toBe('user, user:email');
    const orgs = await getJson(`${gh.apiUrl}/user/orgs`, narrow.access_token);
    expect(orgs.status).toBe(403);
    expect(orgs.body.message).toMatch(/read:org/);

    // `user` covers read:user and user:email; GitHub drops the covered scopes and unknown ones.
    const broad = await signIn('user user:email read:user made:up');
    expect(broad.scope).toBe('user');
    expect((await getJson(`${gh.apiUrl}/user/emails`, broad.access_token)).status).toBe(200);
    expect((await getJson(`${gh.apiUrl}/user/orgs`, broad.access_token)).status).toBe(200);
    expect((await getJson(`${gh.apiUrl}/user`, broad.access_token)).body).toHaveProperty('two_factor_authentication', false);
  });

  it('paginates with a Link header', async () => {
    const token = (await signIn('user:email')).access_token;
    const page = await getJson(`${gh.apiUrl}/user/emails?per_page=2`, token);
    expect(page.body).toHaveLength(2);
    expect(page.headers.get('link')).toMatch(/page=2[^>]*>; rel="next"/);
  });

  it('refuses API calls without credentials, with a bad token, or without a User-Agent', async () => {
    const none = await getJson(`${gh.apiUrl}/user`);
    expect(none.status).toBe(401);
    expect(none.body.message).toBe('Requires authentication');
    expect((await getJson(`${gh.apiUrl}/user`, 'gho_bogus')).body.message).toBe('Bad credentials');

    const token = (await signIn('read:user')).access_token;
    const status = await new Promise<number>((resolve, reject) => {
      // fetch always sends a User-Agent, so this one goes through node:http without it.
      const req = http.request(`${gh.apiUrl}/user`, { headers: { authorization: `Bearer ${token}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it('validates the authorization request', async () => {
    gh.denyNext();
    const denied = await authorizeRedirect(authorizeUrl({}));
    expect(denied.searchParams.get('error')).toBe('access_denied');
    expect(denied.searchParams.get('state')).toBe('st-1');
    expect(denied.searchParams.has('code')).toBe(false);

    expect((await fetch(authorizeUrl({ client_id: 'unknown' }), { redirect: 'manual' })).status).toBe(404);
    const noState = new URL(authorizeUrl({}));
    noState.searchParams.delete('state');
    expect((await fetch(noState, { redirect: 'manual' })).status).toBe(400);

    const plainPkce = await authorizeRedirect(authorizeUrl({ code_challenge: pkcePair().verifier, code_challenge_method: 'plain' }));
    expect(plainPkce.searchParams.get('error')).toBe('invalid_request');
  });

  it('applies the registered callback URL rules', async () => {
    gh.callbackUrls.push('http://127.0.0.1:3999/api/auth');
    try {
      // Below the callback's path, and (loopback) on another port: accepted.
      expect((await authorizeRedirect(authorizeUrl({}))).searchParams.has('code')).toBe(true);
      expect((await authorizeRedirect(authorizeUrl({ redirect_uri: 'http://127.0.0.1:4001/api/auth/cb' }))).searchParams.has('code')).toBe(
        true,
      );
      // Outside it: GitHub redirects to the registered callback with redirect_uri_mismatch.
      const bad = await authorizeRedirect(authorizeUrl({ redirect_uri: 'http://127.0.0.1:3999/api/authx' }));
      expect(`${bad.origin}${bad.pathname}`).toBe('http://127.0.0.1:3999/api/auth');
      expect(bad.searchParams.get('error')).toBe('redirect_uri_mismatch');
      const evil = await authorizeRedirect(authorizeUrl({ redirect_uri: 'http://evil.example/api/auth' }));
      expect(evil.hostname).toBe('127.0.0.1');
    } finally {
      gh.callbackUrls.length = 0;
    }
  });
});

describe('fake GitHub Enterprise Server layout', () => {
  let ghes: FakeGitHub;
  beforeAll(async () => {
    ghes = await startFakeGitHub({ enterprise: true });
    ghes.addUser({ login: 'mona', emails: [{ email: 'mona@corp.example', primary: true, verified: true }], orgs: ['corp'] });
  });
  afterAll(() => ghes.stop());

  it('serves the API under /api/v3 on the same host and ignores PKCE', async () => {
    expect(ghes.apiUrl).toBe(`${ghes.baseUrl}/api/v3`);
    const url = new URL(ghes.authorizeUrl);
    // GHES documents PKCE as unsupported: the challenge is ignored, so no verifier is needed.
    url.search = new URLSearchParams({
      client_id: ghes.clientId,
      redirect_uri: CALLBACK,
      state: 's',
      scope: 'user:email read:org',
      code_challenge: pkcePair().challenge,
      code_challenge_method: 'S256',
    }).toString();
    const code = (await authorizeRedirect(url.toString())).searchParams.get('code')!;
    const res = await fetch(ghes.tokenUrl, {
      method: 'POST',
      headers: { accept: 'application/json' },
      body: new URLSearchParams({ client_id: ghes.clientId, client_secret: ghes.clientSecret, code, redirect_uri: CALLBACK }),
    });
    const token = ((await res.json()) as { access_token: string }).access_token;
    expect(token).toMatch(/^gho_/);

    const user = await getJson(`${ghes.apiUrl}/user`, token);
    expect(user.body.login).toBe('mona');
    expect(user.headers.get('x-github-enterprise-version')).toBe('3.17.0');
    expect((await getJson(`${ghes.apiUrl}/user/emails`, token)).body).toEqual([
      { email: 'mona@corp.example', primary: true, verified: true, visibility: null },
    ]);
    expect((await getJson(`${ghes.apiUrl}/user/orgs`, token)).body).toMatchObject([{ login: 'corp', url: `${ghes.apiUrl}/orgs/corp` }]);
    // Nothing answers API paths outside /api/v3.
    expect((await fetch(`${ghes.baseUrl}/user`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
  });
});

describe('fake OIDC provider', () => {
  const alice: OidcUser = {
    sub: '110169484474386276334',
    email: 'alice@acme.example',
    email_verified: true,
    name: 'Alice Example',
    hd: 'acme.example',
    groups: ['engineering', 'admins'],
  };
  let idp: FakeOidc;

  beforeAll(async () => {
    idp = await startFakeOidc({ clientId: 'portcullis-test.apps.example', clientSecret: 'oidc-secret', hostedDomainClaim: true });
  });
  afterAll(() => idp.stop());

  function authorizeUrl(params: Record<string, string>) {
    const url = new URL(idp.authorizationEndpoint);
    const defaults = {
      client_id: idp.clientId,
      redirect_uri: CALLBACK,
      response_type: 'code',
      scope: 'openid email profile',
      state: 'st-o',
      nonce: 'n-0S6',
    };
    for (const [k, v] of Object.entries({ ...defaults, ...params })) url.searchParams.set(k, v);
    return url.toString();
  }

  async function token(fields: Record<string, string>, auth: 'basic' | 'post' = 'basic', secret = idp.clientSecret) {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    const body = new URLSearchParams({ grant_type: 'authorization_code', redirect_uri: CALLBACK, ...fields });
    if (auth === 'basic') {
      // RFC 6749 §2.3.1: id and secret are form-encoded before the Basic encoding.
      headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(idp.clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
    } else {
      body.set('client_id', idp.clientId);
      body.set('client_secret', secret);
    }
    const res = await fetch(idp.tokenEndpoint, { method: 'POST', headers, body });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, string> };
  }

  async function login(user: OidcUser, params: Record<string, string> = {}) {
    idp.setNextUser(user);
    const { verifier, challenge } = pkcePair();
    const back = await authorizeRedirect(authorizeUrl({ code_challenge: challenge, code_challenge_method: 'S256', ...params }));
    return { back, verifier, code: back.searchParams.get('code') };
  }

  const verify = (idToken: string, options: { audience?: string } = {}) =>
    jwtVerify(idToken, createRemoteJWKSet(new URL(idp.jwksUri)), { issuer: idp.issuer, audience: options.audience ?? idp.clientId });

  it('runs discovery → authorize → token, and the ID token verifies against the JWKS', async () => {
    const discovery = await getJson(idp.discoveryUrl);
    expect(discovery.body).toMatchObject({
      issuer: idp.issuer,
      authorization_endpoint: idp.authorizationEndpoint,
      token_endpoint: idp.tokenEndpoint,
      userinfo_endpoint: idp.userinfoEndpoint,
      jwks_uri: idp.jwksUri,
      id_token_signing_alg_values_supported: ['RS256'],
      code_challenge_methods_supported: ['plain', 'S256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    });

    const { back, verifier, code } = await login(alice);
    expect(back.searchParams.get('state')).toBe('st-o');
    const res = await token({ code: code!, code_verifier: verifier });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toMatchObject({ token_type: 'Bearer', scope: 'openid email profile', expires_in: 3599 });

    expect(decodeProtectedHeader(res.body.id_token!)).toMatchObject({ alg: 'RS256', kid: expect.any(String) });
    const { payload } = await verify(res.body.id_token!);
    expect(payload).toMatchObject({
      iss: idp.issuer,
      aud: idp.clientId,
      azp: idp.clientId,
      sub: alice.sub,
      email: 'alice@acme.example',
      email_verified: true,
      name: 'Alice Example',
      nonce: 'n-0S6',
      hd: 'acme.example',
      groups: ['engineering', 'admins'],
    });
    expect(payload.exp! - payload.iat!).toBe(3600);

    const info = await getJson(idp.userinfoEndpoint, res.body.access_token);
    expect(info.body).toMatchObject({ sub: alice.sub, email: alice.email, email_verified: true, hd: 'acme.example' });
    expect((await getJson(idp.userinfoEndpoint)).status).toBe(401);
  });

  it('releases only the claims the scopes cover', async () => {
    const { verifier, code } = await login(alice, { scope: 'openid' });
    const { payload } = await verify((await token({ code: code!, code_verifier: verifier })).body.id_token!);
    expect(payload).not.toHaveProperty('email');
    expect(payload).not.toHaveProperty('name');
    expect(payload.sub).toBe(alice.sub);
  });

  it('refuses a PKCE mismatch, a missing verifier, and a verifier for a code without a challenge', async () => {
    const mismatch = await login(alice);
    const res = await token({ code: mismatch.code!, code_verifier: pkcePair().verifier });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_grant');

    const missing = await login(alice);
    expect((await token({ code: missing.code! })).body.error).toBe('invalid_grant');

    idp.setNextUser(alice);
    const noChallenge = (await authorizeRedirect(authorizeUrl({}))).searchParams.get('code')!;
    expect((await token({ code: noChallenge, code_verifier: pkcePair().verifier })).body.error).toBe('invalid_grant');
  });

  it('accepts a code once and revokes the first access token on replay', async () => {
    const { code, verifier } = await login(alice);
    const first = await token({ code: code!, code_verifier: verifier });
    expect(first.status).toBe(200);
    const replay = await token({ code: code!, code_verifier: verifier });
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');
    expect((await getJson(idp.userinfoEndpoint, first.body.access_token)).status).toBe(401);
  });

  it('refuses a wrong client secret (basic and post) and a mismatched redirect_uri', async () => {
    const basic = await login(alice);
    const wrongBasic = await token({ code: basic.code!, code_verifier: basic.verifier }, 'basic', 'wrong');
    expect(wrongBasic.status).toBe(401);
    expect(wrongBasic.body.error).toBe('invalid_client');
    expect(wrongBasic.headers.get('www-authenticate')).toMatch(/^Basic/);

    const post = await login(alice);
    const wrongPost = await token({ code: post.code!, code_verifier: post.verifier }, 'post', 'wrong');
    expect(wrongPost.status).toBe(401);
    // The code survives a failed client authentication: the right secret still redeems it.
    expect((await token({ code: post.code!, code_verifier: post.verifier }, 'post')).status).toBe(200);

    const redirect = await login(alice);
    const wrongRedirect = await token({ code: redirect.code!, code_verifier: redirect.verifier, redirect_uri: `${CALLBACK}/x` });
    expect(wrongRedirect.body.error).toBe('invalid_grant');
  });

  it('validates the authorization request', async () => {
    // Bad client or redirect URI: an error page, never a redirect.
    expect((await fetch(authorizeUrl({ client_id: 'other' }), { redirect: 'manual' })).status).toBe(400);
    idp.redirectUris.push(CALLBACK);
    try {
      expect((await fetch(authorizeUrl({ redirect_uri: `${CALLBACK}/` }), { redirect: 'manual' })).status).toBe(400);
    } finally {
      idp.redirectUris.length = 0;
    }
    expect((await authorizeRedirect(authorizeUrl({ scope: 'email' }))).searchParams.get('error')).toBe('invalid_scope');
    expect((await authorizeRedirect(authorizeUrl({ response_type: 'token' }))).searchParams.get('error')).toBe('unsupported_response_type');
    idp.denyNextLogin();
    const denied = await authorizeRedirect(authorizeUrl({}));
    expect(denied.searchParams.get('error')).toBe('access_denied');
    expect(denied.searchParams.get('state')).toBe('st-o');
    // No user queued and no default user: nobody can sign in.
    expect((await authorizeRedirect(authorizeUrl({}))).searchParams.get('error')).toBe('access_denied');
  });

  describe('tampered logins for negative tests', () => {
    async function tamperedIdToken(tamper: Parameters<FakeOidc['tamperNextLogin']>[0]) {
      idp.tamperNextLogin(tamper);
      const { code, verifier } = await login(alice);
      return (await token({ code: code!, code_verifier: verifier })).body.id_token!;
    }

    it('signs with a key outside the JWKS (same kid, or unknown kid)', async () => {
      await expect(verify(await tamperedIdToken({ wrongKey: true }))).rejects.toMatchObject({
        code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
      });
      await expect(verify(await tamperedIdToken({ unknownKid: true }))).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
    });

    it('issues unsigned, wrong-audience, wrong-issuer and expired tokens', async () => {
      await expect(verify(await tamperedIdToken({ unsigned: true }))).rejects.toThrow();
      await expect(verify(await tamperedIdToken({ audience: 'someone-else' }))).rejects.toMatchObject({
        code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
        claim: 'aud',
      });
      await expect(verify(await tamperedIdToken({ issuer: 'https://accounts.example' }))).rejects.toMatchObject({ claim: 'iss' });
      await expect(verify(await tamperedIdToken({ expired: true }))).rejects.toMatchObject({ code: 'ERR_JWT_EXPIRED' });
    });

    it('replaces or drops the nonce', async () => {
      const replaced = await verify(await tamperedIdToken({ nonce: 'other-nonce' }));
      expect(replaced.payload.nonce).toBe('other-nonce');
      const dropped: JWTPayload = (await verify(await tamperedIdToken({ nonce: null }))).payload;
      expect(dropped).not.toHaveProperty('nonce');
    });

    it('redirects back with a mismatched state', async () => {
      idp.tamperNextLogin({ state: 'forged-state' });
      const { back } = await login(alice);
      expect(back.searchParams.get('state')).toBe('forged-state');
      expect(back.searchParams.has('code')).toBe(true);
    });
  });

  it('rotates signing keys and keeps the old one published', async () => {
    const before = idp.jwks().keys.map((k) => k.kid);
    const kid = await idp.rotateKey();
    expect(idp.jwks().keys.map((k) => k.kid)).toEqual([...before, kid]);
    const { code, verifier } = await login(alice);
    const idToken = (await token({ code: code!, code_verifier: verifier })).body.id_token!;
    expect(decodeProtectedHeader(idToken).kid).toBe(kid);
    await expect(verify(idToken)).resolves.toBeTruthy();
  });
});

describe('fake OIDC provider, Keycloak/Okta-like', () => {
  let idp: FakeOidc;
  beforeAll(async () => {
    idp = await startFakeOidc({
      issuerPath: '/realms/acme',
      clientId: 'portcullis',
      clientSecret: 's3cret',
      groupsScope: 'groups',
      requirePkce: true,
      tokenEndpointAuthMethods: ['client_secret_post'],
      defaultUser: {
        sub: 'f:1:bob',
        email: 'bob@acme.example',
        email_verified: false,
        hd: 'acme.example',
        groups: ['ops'],
        claims: { preferred_username: 'bob' },
      },
    });
  });
  afterAll(() => idp.stop());

  async function flow(scope: string, auth: 'post' | 'basic' = 'post') {
    const { verifier, challenge } = pkcePair();
    const url = new URL(idp.authorizationEndpoint);
    url.search = new URLSearchParams({
      client_id: 'portcullis',
      redirect_uri: CALLBACK,
      response_type: 'code',
      scope,
      state: 'k',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }).toString();
    const code = (await authorizeRedirect(url.toString())).searchParams.get('code')!;
    const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier });
    const headers: Record<string, string> = {};
    if (auth === 'post') {
      body.set('client_id', 'portcullis');
      body.set('client_secret', 's3cret');
    } else {
      headers.authorization = `Basic ${Buffer.from('portcullis:s3cret').toString('base64')}`;
    }
    const res = await fetch(idp.tokenEndpoint, { method: 'POST', headers, body });
    return { status: res.status, body: (await res.json()) as Record<string, string> };
  }

  it('serves discovery under the issuer path and gates groups on the groups scope', async () => {
    expect(idp.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/realms\/acme$/);
    expect((await getJson(`${idp.issuer}/.well-known/openid-configuration`)).body.token_endpoint_auth_methods_supported).toEqual([
      'client_secret_post',
    ]);

    const withGroups = await flow('openid email groups');
    const { payload } = await jwtVerify(withGroups.body.id_token!, createRemoteJWKSet(new URL(idp.jwksUri)), {
      issuer: idp.issuer,
      audience: 'portcullis',
    });
    expect(payload).toMatchObject({ sub: 'f:1:bob', email_verified: false, groups: ['ops'], preferred_username: 'bob' });
    // Not Google-like: no hd claim even though the user has one.
    expect(payload).not.toHaveProperty('hd');
    expect(payload).not.toHaveProperty('nonce');

    const { payload: without } = await jwtVerify((await flow('openid email')).body.id_token!, createRemoteJWKSet(new URL(idp.jwksUri)));
    expect(without).not.toHaveProperty('groups');
  });

  it('accepts only the configured client authentication method', async () => {
    const basic = await flow('openid', 'basic');
    expect(basic.status).toBe(401);
    expect(basic.body.error).toBe('invalid_client');
  });

  it('requires PKCE when configured', async () => {
    const url = new URL(idp.authorizationEndpoint);
    url.search = new URLSearchParams({
      client_id: 'portcullis',
      redirect_uri: CALLBACK,
      response_type: 'code',
      scope: 'openid',
      state: 'k',
    }).toString();
    const back = await authorizeRedirect(url.toString());
    expect(back.searchParams.get('error')).toBe('invalid_request');
    expect(back.searchParams.get('state')).toBe('k');
  });
});
