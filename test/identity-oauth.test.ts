/**
 * Sign-in with GitHub (and GitHub Enterprise Server), Google and a generic OIDC provider, over real
 * HTTP against the local fakes: every redirect is followed by hand, carrying cookies, so state,
 * PKCE and the callback run exactly as a browser would drive them.
 */
import { isDeepStrictEqual } from 'node:util';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, members } from '../src/db/schema/index.js';
import { queryRows } from '../src/db/rows.js';
import { startFakeGitHub, type FakeGitHub } from './fakes/github.js';
import { startFakeOidc, type FakeOidc } from './fakes/oidc.js';
import { createInvitation } from '../src/tenancy/invitations.js';
import { apiClient, createOrg, eventually, mintToken, operatorCtx } from './support/api.js';
import { startTestServer, type TestServer } from './support/server.js';
import { CSRF, createPasswordUser } from './support/sessions.js';
import { unusedTotp } from './support/totp.js';

const ORIGIN = 'https://portcullis.example.test';

let github: FakeGitHub;
let ghes: FakeGitHub;
let google: FakeOidc;
let oidc: FakeOidc;
let server: TestServer;
let ghesServer: TestServer;

beforeAll(async () => {
  [github, ghes, google, oidc] = await Promise.all([
    startFakeGitHub(),
    startFakeGitHub({ enterprise: true }),
    startFakeOidc({ clientId: 'google-client', clientSecret: 'google-secret', hostedDomainClaim: true }),
    startFakeOidc({ clientId: 'oidc-client', clientSecret: 'oidc-secret', issuerPath: '/realms/portcullis' }),
  ]);
  server = await startTestServer({
    services: ['api'],
    env: {
      PUBLIC_URL: ORIGIN,
      GITHUB_CLIENT_ID: github.clientId,
      GITHUB_CLIENT_SECRET: github.clientSecret,
      GITHUB_BASE_URL: github.baseUrl,
      GITHUB_API_URL: github.apiUrl,
      GITHUB_ALLOWED_ORGS: 'Acme,other-allowed',
      GOOGLE_CLIENT_ID: google.clientId,
      GOOGLE_CLIENT_SECRET: google.clientSecret,
      GOOGLE_ISSUER: google.issuer,
      GOOGLE_ALLOWED_DOMAINS: 'example.test',
      OIDC_ISSUER: oidc.issuer,
      OIDC_CLIENT_ID: oidc.clientId,
      OIDC_CLIENT_SECRET: oidc.clientSecret,
      OIDC_NAME: 'Keycloak',
      OIDC_SCOPES: 'email profile groups',
    },
  });
  // GitHub Enterprise Server: one host, API under /api/v3 (derived from the base URL), no PKCE.
  ghesServer = await startTestServer({
    services: ['api'],
    env: { PUBLIC_URL: ORIGIN, GITHUB_CLIENT_ID: ghes.clientId, GITHUB_CLIENT_SECRET: ghes.clientSecret, GITHUB_BASE_URL: ghes.baseUrl },
  });
}, 90_000);

afterAll(async () => {
  await Promise.all([server?.stop(), ghesServer?.stop()]);
  await Promise.all([github?.stop(), ghes?.stop(), google?.stop(), oidc?.stop()]);
});

type Jar = Map<string, string>;
const cookieHeader = (jar: Jar) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
function keep(jar: Jar, response: Response) {
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const at = pair!.indexOf('=');
    const name = pair!.slice(0, at);
    const value = pair!.slice(at + 1);
    if (value === '' || /max-age=0/i.test(line)) jar.delete(name);
    else jar.set(name, value);
  }
}

type Flow = { final: URL; jar: Jar; statuses: number[] };

/** Starts a sign-in like the sign-in page does; returns the provider's authorization URL. */
async function begin(target: TestServer, provider: string, jar: Jar): Promise<string> {
  const response = await fetch(`${target.apiUrl}/api/auth/sign-in/social`, {
    method: 'POST',
    headers: { ...CSRF, origin: ORIGIN, 'content-type': 'application/json' },
    body: JSON.stringify({ provider, callbackURL: '/sign-in', errorCallbackURL: '/sign-in/error' }),
  });
  expect(response.status).toBe(200);
  keep(jar, response);
  const body = (await response.json()) as { url: string };
  return body.url;
}

/** Follows redirects by hand: PUBLIC_URL's origin stands for the test server; cookies only go there. */
async function follow(target: TestServer, start: string, jar: Jar): Promise<Flow> {
  let url = start;
  const statuses: number[] = [];
  for (let hop = 0; hop < 10; hop++) {
    const ours = url.startsWith(ORIGIN);
    const actual = ours ? target.apiUrl + url.slice(ORIGIN.length) : url;
    const response = await fetch(actual, { redirect: 'manual', headers: ours ? { cookie: cookieHeader(jar) } : {} });
    statuses.push(response.status);
    if (ours) keep(jar, response);
    const location = response.headers.get('location');
    await response.body?.cancel();
    if (response.status < 300 || response.status >= 400 || !location) return { final: new URL(url), jar, statuses };
    url = new URL(location, url).toString();
    // The landing pages are the end of the flow.
    if (url.startsWith(`${ORIGIN}/sign-in`)) return { final: new URL(url), jar, statuses };
  }
  throw new Error('too many redirects');
}

async function signInWith(target: TestServer, provider: string, tamperAuthorizeUrl?: (url: URL) => void): Promise<Flow> {
  const jar: Jar = new Map();
  const authorize = new URL(await begin(target, provider, jar));
  tamperAuthorizeUrl?.(authorize);
  return follow(target, authorize.toString(), jar);
}

async function me(target: TestServer, jar: Jar): Promise<{ status: number; userId?: string }> {
  const response = await fetch(`${target.apiUrl}/api/me`, { headers: { cookie: cookieHeader(jar) } });
  const body = (await response.json()) as { user?: { id: string } };
  return { status: response.status, userId: body.user?.id };
}

const sessionCookie = (jar: Jar) => jar.get('portcullis.session_token');

describe('GitHub', () => {
  it('lists the enabled providers without secrets', async () => {
    const response = await fetch(`${server.apiUrl}/api/auth/providers`);
    const body = await response.text();
    expect(JSON.parse(body)).toEqual({
      providers: [
        { id: 'github', label: 'GitHub' },
        { id: 'google', label: 'Google' },
        { id: 'oidc', label: 'Keycloak' },
      ],
    });
    expect(body).not.toContain('secret');
  });

  it('signs in an existing user with the same verified email, keyed by the numeric id, with state and PKCE', async () => {
    const user = await createPasswordUser(server);
    github.addUser({
      login: 'octo-ok',
      id: 4242,
      emails: [
        { email: 'secondary@elsewhere.test', primary: false, verified: true },
        { email: user.email, primary: true, verified: true },
      ],
      orgs: ['acme'],
    });
    github.authorize('octo-ok');
    github.reset();
    const flow = await signInWith(server, 'github');
    expect(flow.final.pathname).toBe('/sign-in');
    expect(sessionCookie(flow.jar)).toBeDefined();
    expect(await me(server, flow.jar)).toEqual({ status: 200, userId: user.id });
    // state and an S256 code challenge went out; the scopes asked for what the rules need.
    const authorize = github.requests.find((r) => r.path === '/login/oauth/authorize')!;
    expect(authorize.query.get('state')).toBeTruthy();
    expect(authorize.query.get('code_challenge_method')).toBe('S256');
    expect(authorize.query.get('scope')!.split(' ')).toEqual(expect.arrayContaining(['read:user', 'user:email', 'read:org']));
    const rows = await queryRows<{ account_id: string }>(
      server.runtime.database.db,
      sql`select account_id from accounts where user_id = ${user.id} and provider_id = 'github'`,
    );
    expect(rows).toEqual([{ account_id: '4242' }]);
    // A second sign-in finds the linked account.
    const again = await signInWith(server, 'github');
    expect(await me(server, again.jar)).toEqual({ status: 200, userId: user.id });
  });

  it('refuses a callback whose state does not match (error page)', async () => {
    github.addUser({
      login: 'octo-state',
      id: 4243,
      emails: [{ email: 'state@example.test', primary: true, verified: true }],
      orgs: ['acme'],
    });
    github.authorize('octo-state');
    const flow = await signInWith(server, 'github', (url) => url.searchParams.set('state', 'forged-state-value'));
    expect(flow.final.pathname).toBe('/sign-in/error');
    expect(flow.final.searchParams.get('error')).toMatch(/^state_/);
    expect(sessionCookie(flow.jar)).toBeUndefined();
    const page = await fetch(`${server.apiUrl}/sign-in/error?${flow.final.searchParams.toString()}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('not started from this browser');
  });

  it('shows access denied when the user refuses at GitHub', async () => {
    github.denyNext();
    const flow = await signInWith(server, 'github');
    expect(flow.final.pathname).toBe('/sign-in/error');
    expect(flow.final.searchParams.get('error')).toBe('access_denied');
    expect(sessionCookie(flow.jar)).toBeUndefined();
  });

  it('refuses a user outside GITHUB_ALLOWED_ORGS', async () => {
    const user = await createPasswordUser(server);
    github.addUser({
      login: 'octo-outsider',
      id: 4244,
      emails: [{ email: user.email, primary: true, verified: true }],
      orgs: ['not-acme'],
    });
    github.authorize('octo-outsider');
    const flow = await signInWith(server, 'github');
    expect(flow.final.searchParams.get('error')).toBe('org_not_allowed');
    expect(sessionCookie(flow.jar)).toBeUndefined();
    const page = await (await fetch(`${server.apiUrl}/sign-in/error?error=org_not_allowed`)).text();
    expect(page).toContain('GitHub organization');
  });

  it('refuses when GitHub has no primary verified email', async () => {
    const user = await createPasswordUser(server);
    github.addUser({ login: 'octo-unverified', id: 4245, emails: [{ email: user.email, primary: true, verified: false }], orgs: ['acme'] });
    github.authorize('octo-unverified');
    const flow = await signInWith(server, 'github');
    expect(flow.final.searchParams.get('error')).toBe('email_not_verified');
    expect(sessionCookie(flow.jar)).toBeUndefined();
  });

  it('creates no new user: sign-up by OAuth is closed', async () => {
    github.addUser({
      login: 'octo-new',
      id: 4246,
      emails: [{ email: 'nobody-here@example.test', primary: true, verified: true }],
      orgs: ['acme'],
    });
    github.authorize('octo-new');
    const flow = await signInWith(server, 'github');
    expect(flow.final.searchParams.get('error')).toBe('signup_closed');
    const rows = await queryRows(server.runtime.database.db, sql`select id from users where email = 'nobody-here@example.test'`);
    expect(rows).toEqual([]);
    expect(await (await fetch(`${server.apiUrl}/sign-in/error?error=signup_closed`)).text()).toContain('by invitation only');
    // No invitation for the address, and the instance is invite-only (the default).
  });

  it('creates the user of an invited email, who then accepts the invitation signed in', async () => {
    const org = await createOrg(server, 'oauth-invite');
    const email = `invited-${Date.now()}@example.test`;
    const { token } = await server.runtime.apiDb.withTenant(org.orgId, (tx) =>
      createInvitation(tx, { orgId: org.orgId, email, role: 'developer', invitedBy: null }, operatorCtx),
    );
    github.addUser({ login: 'octo-invited', id: 4247, emails: [{ email, primary: true, verified: true }], orgs: ['acme'] });
    github.authorize('octo-invited');
    const flow = await signInWith(server, 'github');
    expect(flow.final.searchParams.get('error')).toBeNull();
    const signedIn = await me(server, flow.jar);
    expect(signedIn.status).toBe(200);
    const accepted = await fetch(`${server.apiUrl}/api/invitations/accept`, {
      method: 'POST',
      headers: { ...CSRF, origin: ORIGIN, 'content-type': 'application/json', cookie: cookieHeader(flow.jar) },
      body: JSON.stringify({ token }),
    });
    expect(accepted.status).toBe(201);
    expect(await accepted.json()).toMatchObject({ orgId: org.orgId, role: 'developer', userCreated: false });
  });

  it('creates the user when the instance is open to sign-up', async () => {
    const email = `open-${Date.now()}@example.test`;
    github.addUser({ login: 'octo-open', id: 4249, emails: [{ email, primary: true, verified: true }], orgs: ['acme'] });
    await server.runtime.database.db.execute(sql`update instance_settings set signup_mode = 'open'`);
    try {
      github.authorize('octo-open');
      const flow = await signInWith(server, 'github');
      expect(flow.final.searchParams.get('error')).toBeNull();
      expect((await me(server, flow.jar)).status).toBe(200);
      const rows = await queryRows<{ email_verified: boolean }>(
        server.runtime.database.db,
        sql`select email_verified from users where email = ${email}`,
      );
      // GitHub reported the address as its primary verified one.
      expect(rows).toEqual([{ email_verified: true }]);
    } finally {
      await server.runtime.database.db.execute(sql`update instance_settings set signup_mode = 'invite_only'`);
    }
  });

  it('records a refused sign-in as a failed login in the instance audit chain', async () => {
    github.addUser({
      login: 'octo-refused',
      id: 4248,
      emails: [{ email: 'refused@example.test', primary: true, verified: true }],
      orgs: ['nope'],
    });
    github.authorize('octo-refused');
    const flow = await signInWith(server, 'github');
    expect(flow.final.searchParams.get('error')).toBe('org_not_allowed');
    const rows = await server.runtime.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'auth.login_failed'), eq(auditEvents.reason, 'oauth:github:org_not_allowed')));
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows.at(-1)).toMatchObject({ orgId: null, outcome: 'failure', targetType: 'oauth_provider', targetId: 'github' });
  });

  it("asks for the account's TOTP code after the provider: no session until the code verifies", async () => {
    const user = await createPasswordUser(server);
    const jar: Jar = new Map();
    const call = async (path: string, body: unknown) => {
      const response = await fetch(`${server.apiUrl}${path}`, {
        method: 'POST',
        headers: { ...CSRF, origin: ORIGIN, 'content-type': 'application/json', cookie: cookieHeader(jar) },
        body: JSON.stringify(body),
      });
      keep(jar, response);
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    expect((await call('/api/auth/sign-in/email', { email: user.email, password: user.password })).status).toBe(200);
    const enabled = await call('/api/auth/two-factor/enable', { password: user.password });
    const uri = enabled.body.totpURI as string;
    expect((await call('/api/auth/two-factor/verify-totp', { code: await unusedTotp(uri) })).status).toBe(200);

    github.addUser({ login: 'octo-2fa', id: 4250, emails: [{ email: user.email, primary: true, verified: true }], orgs: ['acme'] });
    github.authorize('octo-2fa');
    const logins = async () =>
      (
        await server.runtime.database.db
          .select()
          .from(auditEvents)
          .where(and(eq(auditEvents.action, 'auth.login'), eq(auditEvents.actorId, user.id)))
      ).length;
    const before = await logins();
    const flow = await signInWith(server, 'github');
    // The provider was the first factor only: the callback's session is gone, a code challenge stands instead.
    expect(`${flow.final.pathname}${flow.final.search}`).toBe('/login?second-factor=1');
    expect(sessionCookie(flow.jar)).toBeUndefined();
    expect(flow.jar.has('portcullis.two_factor')).toBe(true);
    expect((await me(server, flow.jar)).status).toBe(401);
    const sessions = await queryRows(server.runtime.database.db, sql`select id from sessions where user_id = ${user.id}`);
    expect(sessions).toHaveLength(1); // the password session of the setup above, not a new one
    expect(await logins()).toBe(before);

    jar.clear();
    for (const [name, value] of flow.jar) jar.set(name, value);
    expect((await call('/api/auth/two-factor/verify-totp', { code: '000000' })).status).toBe(401);
    const verified = await call('/api/auth/two-factor/verify-totp', { code: await unusedTotp(uri) });
    expect(verified.status).toBe(200);
    expect(await me(server, jar)).toEqual({ status: 200, userId: user.id });
    expect(await logins()).toBe(before + 1);
  });

  it('works against GitHub Enterprise Server (base URL, API under /api/v3)', async () => {
    const user = await createPasswordUser(ghesServer);
    ghes.addUser({ login: 'ghes-user', id: 77, emails: [{ email: user.email, primary: true, verified: true }], orgs: [] });
    ghes.authorize('ghes-user');
    ghes.reset();
    const flow = await signInWith(ghesServer, 'github');
    expect(flow.final.pathname).toBe('/sign-in');
    expect(await me(ghesServer, flow.jar)).toEqual({ status: 200, userId: user.id });
    expect(ghes.requests.some((r) => r.path === '/api/v3/user/emails')).toBe(true);
  });
});

describe('Google', () => {
  it('signs in with an allowed Workspace domain from the verified ID token', async () => {
    const user = await createPasswordUser(server);
    google.setNextUser({ sub: 'g-1', email: user.email, email_verified: true, hd: 'example.test', name: 'G User' });
    const flow = await signInWith(server, 'google');
    expect(flow.final.pathname).toBe('/sign-in');
    expect(await me(server, flow.jar)).toEqual({ status: 200, userId: user.id });
  });

  it('refuses another hd claim, whatever the request parameter said', async () => {
    const user = await createPasswordUser(server);
    google.setNextUser({ sub: 'g-2', email: user.email, email_verified: true, hd: 'evil.test' });
    const flow = await signInWith(server, 'google', (url) => url.searchParams.set('hd', 'example.test'));
    expect(flow.final.searchParams.get('error')).toBe('domain_not_allowed');
    expect(sessionCookie(flow.jar)).toBeUndefined();
  });

  it('refuses an ID token signed with the wrong key', async () => {
    const user = await createPasswordUser(server);
    google.setNextUser({ sub: 'g-3', email: user.email, email_verified: true, hd: 'example.test' });
    google.tamperNextLogin({ wrongKey: true });
    const flow = await signInWith(server, 'google');
    expect(flow.final.pathname).toBe('/sign-in/error');
    expect(flow.final.searchParams.get('error')).toBe('unable_to_get_user_info');
    expect(sessionCookie(flow.jar)).toBeUndefined();
  });
});

describe('OIDC', () => {
  it('refuses to link when the IdP does not say the email is verified', async () => {
    const user = await createPasswordUser(server);
    oidc.setNextUser({ sub: 'kc-unverified', email: user.email, email_verified: false });
    const flow = await signInWith(server, 'oidc');
    expect(flow.final.searchParams.get('error')).toBe('account_not_linked');
    expect(sessionCookie(flow.jar)).toBeUndefined();
  });

  it('asks the IdP for OIDC_SCOPES, always with openid', async () => {
    const authorize = new URL(await begin(server, 'oidc', new Map()));
    expect(authorize.searchParams.get('scope')?.split(' ').sort()).toEqual(['email', 'groups', 'openid', 'profile']);
  });

  it('maps groups to org roles at each sign-in, audited as system:oidc', async () => {
    const org = await createOrg(server, 'oidcmap');
    // Set by the org's owner through the api; an admin may not, and owner is not a mappable role.
    const owner = apiClient(server, await mintToken(server, org, 'owner'));
    const admin = apiClient(server, await mintToken(server, org, 'admin'));
    const mapping = { 'platform-admins': 'admin', engineers: 'developer' };
    expect((await admin.put(`/api/orgs/${org.orgId}/security`, { oidcGroupRoles: mapping })).status).toBe(403);
    expect((await owner.put(`/api/orgs/${org.orgId}/security`, { oidcGroupRoles: { founders: 'owner' } })).status).toBe(400);
    const set = await owner.put(`/api/orgs/${org.orgId}/security`, { oidcGroupRoles: mapping });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ requireStrongAuthForAdmins: false, oidcGroupRoles: mapping });
    expect((await admin.get(`/api/orgs/${org.orgId}/security`)).body).toMatchObject({ oidcGroupRoles: mapping });
    const user = await createPasswordUser(server);
    const role = async () => {
      const rows = await server.runtime.database.db
        .select({ id: members.id, role: members.role })
        .from(members)
        .where(and(eq(members.orgId, org.orgId), eq(members.userId, user.id)));
      return rows[0];
    };
    const signInAs = async (groups: string[]) => {
      oidc.setNextUser({ sub: 'kc-mapped', email: user.email, email_verified: true, groups });
      const flow = await signInWith(server, 'oidc');
      expect(flow.final.search).toBe('');
      expect(flow.final.pathname).toBe('/sign-in');
      expect(await me(server, flow.jar)).toEqual({ status: 200, userId: user.id });
    };

    await signInAs(['engineers', 'platform-admins', 'unrelated']);
    const added = await role();
    expect(added?.role).toBe('admin');
    await signInAs(['engineers']);
    expect((await role())?.role).toBe('developer');
    await signInAs([]);
    expect(await role()).toBeUndefined();

    const events = await server.runtime.database.db
      .select({ action: auditEvents.action, actorType: auditEvents.actorType, actorId: auditEvents.actorId })
      .from(auditEvents)
      .where(and(eq(auditEvents.orgId, org.orgId), eq(auditEvents.targetId, added!.id)));
    expect(events.map((e) => e.action)).toEqual(['member.added', 'member.role_changed', 'member.removed']);
    expect(events.every((e) => e.actorType === 'system' && e.actorId === 'oidc')).toBe(true);
  });

  it('announces the keys it revokes with a removed membership, so no gateway replica keeps accepting them', async () => {
    const org = await createOrg(server, 'oidcrevoke');
    await server.runtime.database.db.execute(
      sql`update organizations set settings = settings || ${JSON.stringify({ oidcGroupRoles: { engineers: 'developer' } })}::jsonb where id = ${org.orgId}`,
    );
    const user = await createPasswordUser(server);
    const signInAs = async (groups: string[]) => {
      oidc.setNextUser({ sub: 'kc-revoke', email: user.email, email_verified: true, groups });
      const flow = await signInWith(server, 'oidc');
      expect(flow.final.pathname).toBe('/sign-in');
    };
    await signInAs(['engineers']);
    const [member] = await server.runtime.database.db
      .select({ id: members.id })
      .from(members)
      .where(and(eq(members.orgId, org.orgId), eq(members.userId, user.id)));
    const owner = apiClient(server, await mintToken(server, org, 'owner'));
    const created = await owner.post(`/api/orgs/${org.orgId}/projects/${org.projectId}/api-keys`, { name: 'personal' });
    expect(created.status).toBe(201);
    const keyId = (created.body as { apiKey: { id: string } }).apiKey.id;
    await server.runtime.database.db.execute(sql`update api_keys set owner_member_id = ${member!.id} where id = ${keyId}`);

    const announced: unknown[] = [];
    const unsubscribe = server.runtime.bus.subscribe((event) => {
      announced.push(event);
    });
    try {
      await signInAs([]);
      // With Redis the event comes back through the server: wait for it rather than race it.
      const revocation = { type: 'api_key.changed', orgId: org.orgId, apiKeyId: keyId };
      await eventually(() => Promise.resolve(announced.some((event) => isDeepStrictEqual(event, revocation)) ? true : undefined));
    } finally {
      unsubscribe();
    }
  });

  it('never removes a membership granted by hand', async () => {
    const org = await createOrg(server, 'oidckeep');
    await server.runtime.database.db.execute(
      sql`update organizations set settings = settings || ${JSON.stringify({ oidcGroupRoles: { engineers: 'developer' } })}::jsonb where id = ${org.orgId}`,
    );
    const user = await createPasswordUser(server, { org: { name: org.orgName, role: 'viewer' } });
    oidc.setNextUser({ sub: 'kc-manual', email: user.email, email_verified: true, groups: ['something-else'] });
    const flow = await signInWith(server, 'oidc');
    expect(flow.final.pathname).toBe('/sign-in');
    const rows = await server.runtime.database.db
      .select({ role: members.role })
      .from(members)
      .where(and(eq(members.orgId, org.orgId), eq(members.userId, user.id)));
    expect(rows).toEqual([{ role: 'viewer' }]);
  });
});

describe('throttling', () => {
  it('throttles OAuth callbacks per client address (429 with the error page)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 32; i++) {
      const response = await fetch(`${ghesServer.apiUrl}/api/auth/callback/github?code=x&state=y`, { redirect: 'manual' });
      statuses.push(response.status);
      if (response.status === 429) {
        expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
        expect(await response.text()).toContain('Too many sign-in attempts');
      } else await response.body?.cancel();
    }
    // The GitHub Enterprise sign-in above used one callback from the same address.
    expect(statuses.slice(0, 29).every((s) => s === 302)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });
});
