/** Signed-in users over real HTTP: sign-in, the cookie on /api routes, session storage, CSRF, expiry, revocation. */
import { createHmac } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/rows.js';
import { createOrg, mintToken, type TestOrg } from './support/api.js';
import { startTestServer, type TestServer } from './support/server.js';
import { CSRF, createPasswordUser, sessionClient, signIn } from './support/sessions.js';

const ORIGIN = 'https://portcullis.example.test';

let server: TestServer;
let org: TestOrg;

beforeAll(async () => {
  server = await startTestServer({ services: ['api'], env: { PUBLIC_URL: ORIGIN } });
  org = await createOrg(server, 'sess');
}, 60_000);
afterAll(async () => server?.stop());

async function sessionRows(userId: string) {
  return queryRows<{ id: string; token: string; created_at: Date; expires_at: Date }>(
    server.runtime.database.db,
    sql`select id, token, created_at, expires_at from sessions where user_id = ${userId}`,
  );
}

describe('sign-in and the session cookie', () => {
  it('signs in, sets an HttpOnly SameSite=Lax cookie scoped to /api, and the cookie works on /api routes', async () => {
    const user = await createPasswordUser(server, { org: { name: org.orgName, role: 'admin' } });
    const result = await signIn(server, user.email, user.password, { origin: ORIGIN });
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ user: { id: user.id, email: user.email, name: 'Test User' } });
    expect(JSON.stringify(result.body)).not.toMatch(/token/i);
    const cookie = result.setCookies.find((c) => c.startsWith('portcullis.session_token='))!;
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; SameSite=Lax/i);
    expect(cookie).toMatch(/; Path=\/api(;|$)/i);
    expect(cookie).not.toMatch(/; Secure/i);

    const call = sessionClient(server, result.cookie!, ORIGIN);
    const me = await call<{ user: { id: string }; memberships: { orgId: string; role: string }[]; instanceAdmin: boolean }>(
      'GET',
      '/api/me',
    );
    expect(me.status).toBe(200);
    expect(me.body.user.id).toBe(user.id);
    expect(me.body.memberships).toEqual([{ orgId: org.orgId, orgName: org.orgName, role: 'admin', projectIds: null }]);
    expect(me.body.instanceAdmin).toBe(false);
    expect((await call('GET', `/api/orgs/${org.orgId}/projects`)).status).toBe(200);
    const created = await call('POST', `/api/orgs/${org.orgId}/projects`, { name: 'from-session' });
    expect(created.status).toBe(201);
  });

  it('stores no usable token: the row value, as a cookie (even signed with AUTH_SECRET), is refused', async () => {
    const user = await createPasswordUser(server, { org: { name: org.orgName, role: 'viewer' } });
    const result = await signIn(server, user.email, user.password, { origin: ORIGIN });
    const [row] = await sessionRows(user.id);
    const raw = decodeURIComponent(result.cookie!.split('=')[1]!).split('.')[0]!;
    expect(row!.token).not.toContain(raw);
    const signed = (value: string) =>
      encodeURIComponent(`${value}.${createHmac('sha256', server.runtime.secrets.authSecret).update(value).digest('base64')}`);
    const status = async (value: string) =>
      (await fetch(`${server.apiUrl}/api/me`, { headers: { cookie: `portcullis.session_token=${value}` } })).status;
    // Control: signing the real token this way is what better-auth does, so it is accepted…
    expect(await status(signed(raw))).toBe(200);
    // …while the stored value is refused, as it is and signed with the server's own secret.
    expect(await status(row!.token)).toBe(401);
    expect(await status(signed(row!.token))).toBe(401);
    // The real cookie still works.
    expect((await sessionClient(server, result.cookie!, ORIGIN)('GET', '/api/me')).status).toBe(200);
  });
});

describe('credentials and CSRF', () => {
  it('answers an unknown email and a wrong password alike, and audits both without the password', async () => {
    const user = await createPasswordUser(server, { org: { name: org.orgName, role: 'viewer' } });
    const unknown = await signIn(server, `nobody-${user.email}`, 'some-wrong-password-123', { origin: ORIGIN });
    const wrong = await signIn(server, user.email, 'some-wrong-password-123', { origin: ORIGIN });
    const noPassword = await signIn(server, `owner@${org.orgName}.test`, 'some-wrong-password-123', { origin: ORIGIN });
    for (const result of [unknown, wrong, noPassword]) {
      expect(result.status).toBe(401);
      expect(result.body).toEqual({
        error: { message: 'Invalid email or password.', type: 'authentication_error', code: 'invalid_credentials' },
      });
      expect(result.cookie).toBeUndefined();
    }
    const events = await queryRows<{ target_type: string; target_id: string; actor_ip: string | null; diff: unknown; reason: string }>(
      server.runtime.database.db,
      sql`select target_type, target_id, actor_ip, diff, reason from audit_events where org_id is null and action = 'auth.login_failed'`,
    );
    expect(events).toContainEqual(expect.objectContaining({ target_type: 'user', target_id: user.id, reason: 'invalid_credentials' }));
    const hashed = events.filter((e) => e.target_type === 'email_hash');
    expect(hashed.length).toBeGreaterThan(0);
    expect(JSON.stringify(events)).not.toContain('some-wrong-password-123');
    expect(JSON.stringify(events)).not.toContain(`nobody-${user.email}`);
    expect(events.every((e) => e.actor_ip !== null)).toBe(true);
  });

  it('refuses cookie-authenticated writes without the CSRF header or from a foreign origin, and accepts the dashboard', async () => {
    const user = await createPasswordUser(server, { org: { name: org.orgName, role: 'admin' } });
    const { cookie } = await signIn(server, user.email, user.password, { origin: ORIGIN });
    const path = `/api/orgs/${org.orgId}/projects`;
    const post = (headers: Record<string, string>) =>
      fetch(`${server.apiUrl}${path}`, {
        method: 'POST',
        headers: { cookie: cookie!, 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ name: `csrf-${Math.random().toString(36).slice(2, 8)}` }),
      });
    const refused: Record<string, string>[] = [
      { origin: ORIGIN }, // no custom header
      { origin: 'https://evil.example.test', ...CSRF },
      { origin: 'null', ...CSRF },
      { ...CSRF }, // neither Origin nor Referer
      { referer: 'https://evil.example.test/page', ...CSRF },
    ];
    for (const headers of refused) {
      const response = await post(headers);
      expect(response.status).toBe(403);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('csrf_rejected');
    }
    expect((await post({ origin: ORIGIN, ...CSRF })).status).toBe(201);
    expect((await post({ referer: `${ORIGIN}/projects`, ...CSRF })).status).toBe(201);
    // Reads need no CSRF header.
    expect((await fetch(`${server.apiUrl}${path}`, { headers: { cookie: cookie! } })).status).toBe(200);
    // Sign-in itself is checked too (login CSRF), even without a cookie.
    const forged = await signIn(server, user.email, user.password, { origin: 'https://evil.example.test' });
    expect(forged.status).toBe(403);
  });

  it('lets a bearer token win over a cookie (no CSRF needed) and keeps /api/me for users', async () => {
    const user = await createPasswordUser(server, { org: { name: org.orgName, role: 'viewer' } });
    const { cookie } = await signIn(server, user.email, user.password, { origin: ORIGIN });
    const token = await mintToken(server, org, 'admin');
    const response = await fetch(`${server.apiUrl}/api/orgs/${org.orgId}/projects`, {
      method: 'POST',
      headers: { cookie: cookie!, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bearer-wins' }),
    });
    expect(response.status).toBe(201); // the viewer cookie alone could not create a project
    const bad = await fetch(`${server.apiUrl}/api/me`, { headers: { cookie: cookie!, authorization: 'Bearer pc_admin_nope' } });
    expect(bad.status).toBe(401);
    const asToken = await fetch(`${server.apiUrl}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(asToken.status).toBe(403);
  });

  it('throttles sign-in per account with 429 and Retry-After', async () => {
    const user = await createPasswordUser(server);
    let last = await signIn(server, user.email, 'wrong-password-attempt-0', { origin: ORIGIN });
    for (let i = 1; i <= 10 && last.status === 401; i++)
      last = await signIn(server, user.email, `wrong-password-attempt-${i}`, { origin: ORIGIN });
    expect(last.status).toBe(429);
    expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
    // Even the right password waits now.
    expect((await signIn(server, user.email, user.password, { origin: ORIGIN })).status).toBe(429);
  });
});

describe('session lifecycle', () => {
  it('lists sessions without tokens, revokes one, and signs out everywhere keeping the current one', async () => {
    const user = await createPasswordUser(server, { org: { name: org.orgName, role: 'viewer' } });
    const first = await signIn(server, user.email, user.password, { origin: ORIGIN, headers: { 'user-agent': 'browser-one' } });
    const second = await signIn(server, user.email, user.password, { origin: ORIGIN });
    const third = await signIn(server, user.email, user.password, { origin: ORIGIN });
    const call = sessionClient(server, first.cookie!, ORIGIN);
    type List = { sessions: { id: string; current: boolean; userAgent: string | null; ipAddress: string | null }[] };
    const list = await call<List>('GET', '/api/me/sessions');
    expect(list.status).toBe(200);
    expect(list.body.sessions).toHaveLength(3);
    expect(list.body.sessions.filter((s) => s.current)).toHaveLength(1);
    const current = list.body.sessions.find((s) => s.current)!;
    expect(current.userAgent).toBe('browser-one');
    expect(current.ipAddress).toBe('127.0.0.1');
    for (const row of await sessionRows(user.id)) expect(list.text).not.toContain(row.token);

    const other = list.body.sessions.find((s) => !s.current)!;
    expect((await call('DELETE', `/api/me/sessions/${other.id}`)).status).toBe(204);
    expect((await call('DELETE', `/api/me/sessions/${other.id}`)).status).toBe(404);
    expect((await call('DELETE', '/api/me/sessions/no-such-session')).status).toBe(404);
    const stillAlive = [second, third].map((r) => sessionClient(server, r.cookie!, ORIGIN));
    const statuses = await Promise.all(stillAlive.map((c) => c('GET', '/api/me').then((r) => r.status)));
    expect(statuses.sort()).toEqual([200, 401]);

    const all = await call<{ revoked: number }>('POST', '/api/me/sessions/revoke-all', {});
    expect(all.body).toEqual({ revoked: 1 });
    expect((await stillAlive[0]!('GET', '/api/me')).status).toBe(401);
    expect((await stillAlive[1]!('GET', '/api/me')).status).toBe(401);
    expect((await call('GET', '/api/me')).status).toBe(200);
    expect((await call('POST', '/api/me/sessions/revoke-all', { includeCurrent: true })).body).toEqual({ revoked: 1 });
    expect((await call('GET', '/api/me')).status).toBe(401);
    const revoked = await queryRows(
      server.runtime.database.db,
      sql`select 1 from audit_events where action = 'session.revoked' and actor_id = ${user.id}`,
    );
    expect(revoked.length).toBe(3);
  });

  it('cannot revoke another user’s session (404, and it keeps working)', async () => {
    const alice = await createPasswordUser(server, { org: { name: org.orgName, role: 'viewer' } });
    const bob = await createPasswordUser(server, { org: { name: org.orgName, role: 'viewer' } });
    const a = await signIn(server, alice.email, alice.password, { origin: ORIGIN });
    const b = await signIn(server, bob.email, bob.password, { origin: ORIGIN });
    const [bobRow] = await sessionRows(bob.id);
    expect((await sessionClient(server, a.cookie!, ORIGIN)('DELETE', `/api/me/sessions/${bobRow!.id}`)).status).toBe(404);
    expect((await sessionClient(server, b.cookie!, ORIGIN)('GET', '/api/me')).status).toBe(200);
  });

  it('signs out (auth.logout) and the cookie stops working', async () => {
    const user = await createPasswordUser(server, { org: { name: org.orgName, role: 'viewer' } });
    const { cookie } = await signIn(server, user.email, user.password, { origin: ORIGIN });
    const call = sessionClient(server, cookie!, ORIGIN);
    const out = await call('POST', '/api/auth/sign-out', {});
    expect(out.status).toBe(200);
    expect(out.headers.getSetCookie().some((c) => c.startsWith('portcullis.session_token=;') || /Max-Age=0/i.test(c))).toBe(true);
    expect((await call('GET', '/api/me')).status).toBe(401);
    const events = await queryRows<{ action: string }>(
      server.runtime.database.db,
      sql`select action from audit_events where org_id is null and actor_id = ${user.id} order by id`,
    );
    expect(events.map((e) => e.action).sort()).toEqual(['auth.login', 'auth.logout']);
  });

  it('ends a session after the idle timeout and after the absolute maximum age, even while active', async () => {
    const user = await createPasswordUser(server, { org: { name: org.orgName, role: 'viewer' } });
    const idle = await signIn(server, user.email, user.password, { origin: ORIGIN });
    const active = await signIn(server, user.email, user.password, { origin: ORIGIN });
    expect(await sessionRows(user.id)).toHaveLength(2);
    const db = server.runtime.database.db;
    // Idle: the sliding expiry has passed.
    const idleCall = sessionClient(server, idle.cookie!, ORIGIN);
    const activeCall = sessionClient(server, active.cookie!, ORIGIN);
    const idleId = (await idleCall<{ sessions: { id: string; current: boolean }[] }>('GET', '/api/me/sessions')).body.sessions.find(
      (s) => s.current,
    )!.id;
    const activeId = (await activeCall<{ sessions: { id: string; current: boolean }[] }>('GET', '/api/me/sessions')).body.sessions.find(
      (s) => s.current,
    )!.id;
    await db.execute(sql`update sessions set expires_at = now() - interval '1 second' where id = ${idleId}`);
    expect((await idleCall('GET', '/api/me')).status).toBe(401);
    // Absolute: signed in 7 days ago, its idle expiry still in the future (used a minute ago).
    await db.execute(
      sql`update sessions set created_at = now() - interval '7 days', expires_at = now() + interval '11 hours' where id = ${activeId}`,
    );
    const expired = await activeCall('GET', '/api/me');
    expect(expired.status).toBe(401);
    expect(expired.error?.code).toBe('session_invalid');
  });

  it('slides the idle expiry forward on use', async () => {
    const user = await createPasswordUser(server, { org: { name: org.orgName, role: 'viewer' } });
    const { cookie } = await signIn(server, user.email, user.password, { origin: ORIGIN });
    const [row] = await sessionRows(user.id);
    // Pretend the session was last refreshed an hour ago: expires 11 h from now.
    await server.runtime.database.db.execute(sql`update sessions set expires_at = now() + interval '11 hours' where id = ${row!.id}`);
    const response = await sessionClient(server, cookie!, ORIGIN)('GET', '/api/me');
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie().some((c) => c.startsWith('portcullis.session_token='))).toBe(true);
    const [after] = await sessionRows(user.id);
    expect(new Date(after!.expires_at).getTime()).toBeGreaterThan(Date.now() + 11.9 * 3600 * 1000);
  });

  it('ends the sessions of a member whose role changes', async () => {
    const email = `role-${Date.now()}@example.test`;
    const user = await createPasswordUser(server, { email, org: { name: org.orgName, role: 'viewer' } });
    const { cookie } = await signIn(server, user.email, user.password, { origin: ORIGIN });
    const call = sessionClient(server, cookie!, ORIGIN);
    expect((await call('GET', '/api/me')).status).toBe(200);
    await createPasswordUserRoleChange(email, 'developer');
    expect((await call('GET', '/api/me')).status).toBe(401);
    expect(await sessionRows(user.id)).toEqual([]);
  });
});

async function createPasswordUserRoleChange(email: string, role: 'developer') {
  const { applyBootstrap } = await import('../src/bootstrap/apply.js');
  const { parseBootstrapText } = await import('../src/bootstrap/document.js');
  const { stringify } = await import('yaml');
  const { operatorCtx } = await import('./support/api.js');
  const doc = { orgs: [{ name: org.orgName, members: [{ email, role }] }] };
  await applyBootstrap(parseBootstrapText(stringify(doc), 'org.yaml'), {
    db: server.runtime.apiDb,
    keyring: server.runtime.keyring,
    ctx: operatorCtx,
  });
}
