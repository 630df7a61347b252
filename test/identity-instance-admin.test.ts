/**
 * Instance administration over real HTTP: the sign-up mode, instance admins, every org and its
 * plan, creating orgs as a signed-in user, open sign-up, and the operator's `orgs set-plan`.
 * An isolated database: the count of instance admins and the sign-up mode are instance-wide.
 */
import { openedAuditRows } from './support/audit.js';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorSetPlan } from '../src/admin/key-operations.js';
import { queryRows } from '../src/db/rows.js';
import { startFakeSmtp, type FakeSmtp } from './fakes/smtp.js';
import { apiClient, createOrg, mintToken, operatorCtx, type ApiClient } from './support/api.js';
import { uniqueName } from './support/database.js';
import { startTestServer, type TestServer } from './support/server.js';
import { createPasswordUser, CSRF, sessionApiClient, signIn, TEST_PASSWORD } from './support/sessions.js';

const ORIGIN = 'https://portcullis.example.test';

let server: TestServer;
let smtp: FakeSmtp;
let admin: Person;

type Person = { client: ApiClient; userId: string; email: string };
type AuditRow = {
  org_id: string | null;
  actor_type: string;
  actor_id: string | null;
  action: string;
  target_id: string | null;
  diff: unknown;
};

async function person(options: { instanceAdmin?: boolean; org?: { name: string; role: 'owner' | 'admin' | 'developer' | 'viewer' } } = {}) {
  const user = await createPasswordUser(server, options.org ? { org: options.org } : {});
  if (options.instanceAdmin)
    await server.runtime.database.db.execute(sql`insert into instance_admins (user_id, granted_by) values (${user.id}, null)`);
  const session = await signIn(server, user.email, user.password, { origin: ORIGIN });
  if (session.cookie === undefined) throw new Error(`sign-in failed: ${session.status}`);
  return { client: sessionApiClient(server, session.cookie, ORIGIN), userId: user.id, email: user.email };
}

/** Events as a reader sees them: personal fields are sealed at rest (src/audit/personal-data.ts). */
async function audit(action: string): Promise<AuditRow[]> {
  const rows = await openedAuditRows(server.runtime.database.db, server.runtime.apiDb, sql`action = ${action}`, sql`occurred_at`);
  return rows.map((r) => ({
    org_id: r.org_id,
    actor_type: r.actor_type,
    actor_id: r.actor_id,
    action: r.action,
    target_id: r.target_id,
    diff: r.diff,
  })) as AuditRow[];
}

async function setMode(mode: 'open' | 'invite_only'): Promise<void> {
  expect((await admin.client.put('/api/instance/settings', { signupMode: mode })).status).toBe(200);
}

beforeAll(async () => {
  smtp = await startFakeSmtp();
  // TRUST_PROXY=loopback: the sign-up throttle tests speak from addresses of their own (X-Forwarded-For).
  server = await startTestServer({
    services: ['api'],
    isolatedDatabase: true,
    env: { PUBLIC_URL: ORIGIN, SMTP_URL: smtp.url, TRUST_PROXY: 'loopback' },
  });
  admin = await person({ instanceAdmin: true });
}, 90_000);
afterAll(async () => {
  await server?.stop();
  await smtp?.stop();
});

describe('instance settings', () => {
  it('lets instance admins read and set the sign-up mode, audited in the instance chain', async () => {
    const got = await admin.client.get<{ signupMode: string }>('/api/instance/settings');
    expect(got.status).toBe(200);
    expect(got.body).toEqual({ signupMode: 'invite_only' });
    const set = await admin.client.put<{ signupMode: string }>('/api/instance/settings', { signupMode: 'open' });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ signupMode: 'open' });
    expect((await admin.client.get<{ signupMode: string }>('/api/instance/settings')).body.signupMode).toBe('open');
    // Setting the same mode again is no event.
    await setMode('open');
    await setMode('invite_only');
    const events = await audit('instance.signup_mode_changed');
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      org_id: null,
      actor_type: 'user',
      actor_id: admin.userId,
      diff: { signupMode: { from: 'invite_only', to: 'open' } },
    });
  });

  it('refuses malformed bodies, non-admins and admin tokens', async () => {
    expect((await admin.client.put('/api/instance/settings', { signupMode: 'everyone' })).status).toBe(400);
    expect((await admin.client.put('/api/instance/settings', { signupMode: 'open', extra: 1 })).status).toBe(400);
    const someone = await person();
    for (const response of [
      await someone.client.get('/api/instance/settings'),
      await someone.client.put('/api/instance/settings', { signupMode: 'open' }),
      await someone.client.get('/api/instance/orgs'),
      await someone.client.get('/api/instance/admins'),
      await someone.client.post('/api/instance/admins', { userId: someone.userId }),
      await someone.client.delete(`/api/instance/admins/${admin.userId}`),
    ]) {
      expect(response.status).toBe(403);
      expect(response.error?.code).toBe('instance_admin_required');
    }
    const org = await createOrg(server, 'inst-tok');
    const token = apiClient(server, await mintToken(server, org, 'owner'));
    const byToken = await token.get('/api/instance/settings');
    expect(byToken.status).toBe(403);
    expect(byToken.error?.code).toBe('session_required');
    expect((await token.post('/api/orgs', { name: uniqueName('tok') })).error?.code).toBe('session_required');
    expect((await apiClient(server, undefined).get('/api/instance/settings')).status).toBe(401);
    expect((await admin.client.get<{ signupMode: string }>('/api/instance/settings')).body.signupMode).toBe('invite_only');
  });
});

describe('organizations and plans', () => {
  it('lists every org with its plan and member count', async () => {
    const org = await createOrg(server, 'inst-list');
    const list = await admin.client.get<{ orgs: { id: string; name: string; plan: string; members: number }[] }>('/api/instance/orgs');
    expect(list.status).toBe(200);
    expect(list.body.orgs.find((o) => o.id === org.orgId)).toMatchObject({ name: org.orgName, plan: 'free', members: 1 });
  });

  it('sets the plan of an org the admin is not a member of, audited in that org’s chain', async () => {
    const org = await createOrg(server, 'inst-plan');
    const path = `/api/instance/orgs/${org.orgId}/plan`;
    const changed = await admin.client.put<{ plan: string; previousPlan: string; name: string }>(path, { plan: 'pro' });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ id: org.orgId, name: org.orgName, plan: 'pro', previousPlan: 'free' });
    const owner = apiClient(server, await mintToken(server, org, 'owner'));
    expect((await owner.get<{ plan: string }>(`/api/orgs/${org.orgId}`)).body.plan).toBe('pro');
    const events = (await audit('org.plan_changed')).filter((e) => e.org_id === org.orgId);
    expect(events).toEqual([
      expect.objectContaining({ actor_type: 'user', actor_id: admin.userId, diff: { plan: { from: 'free', to: 'pro' } } }),
    ]);

    expect((await admin.client.put(path, { plan: 'platinum' })).status).toBe(400);
    expect((await admin.client.put(path, {})).status).toBe(400);
    const missing = await admin.client.put(`/api/instance/orgs/${crypto.randomUUID()}/plan`, { plan: 'pro' });
    expect(missing.status).toBe(404);
  });

  it('refuses an instance admin setting the plan of their own org (own_org_plan); another admin or the operator may', async () => {
    const org = await createOrg(server, 'inst-own');
    const owningAdmin = await person({ instanceAdmin: true, org: { name: org.orgName, role: 'owner' } });
    const path = `/api/instance/orgs/${org.orgId}/plan`;
    const own = await owningAdmin.client.put(path, { plan: 'enterprise' });
    expect(own.status).toBe(403);
    expect(own.error?.code).toBe('own_org_plan');
    // Another instance admin may.
    expect((await admin.client.put<{ plan: string }>(path, { plan: 'enterprise' })).body.plan).toBe('enterprise');
    // And so may the operator (`portcullis orgs set-plan`), as a system actor.
    const deps = { db: server.runtime.apiDb, bus: server.runtime.bus, logger: server.runtime.logger, keyring: server.runtime.keyring };
    const byOperator = await operatorSetPlan(deps, { org: org.orgName, plan: 'free' }, operatorCtx);
    expect(byOperator).toMatchObject({ id: org.orgId, plan: 'free', previousPlan: 'enterprise' });
    const events = (await audit('org.plan_changed')).filter((e) => e.org_id === org.orgId);
    expect(events.map((e) => e.actor_type)).toEqual(['user', 'system']);
    await expect(operatorSetPlan(deps, { org: uniqueName('nope'), plan: 'pro' }, operatorCtx)).rejects.toThrow(/No organization named/);
    await removeAdminDirectly(owningAdmin.userId);
  });

  it('gives an org owner no way to write their plan', async () => {
    const org = await createOrg(server, 'inst-gate');
    const owner = await person({ org: { name: org.orgName, role: 'owner' } });
    const base = `/api/orgs/${org.orgId}`;
    // Strict schemas: a plan field is refused, not ignored.
    const limits = await owner.client.put(`${base}/limits`, { usage: [], plan: 'enterprise' });
    expect(limits.status).toBe(400);
    expect((await owner.client.put(`${base}/security`, { requireStrongAuthForAdmins: false, plan: 'enterprise' })).status).toBe(400);
    // No route writes the org itself.
    expect((await owner.client.patch(base, { plan: 'enterprise' })).status).toBe(404);
    expect((await owner.client.put(base, { plan: 'enterprise' })).status).toBe(404);
    const denied = await owner.client.put(`/api/instance/orgs/${org.orgId}/plan`, { plan: 'enterprise' });
    expect(denied.error?.code).toBe('instance_admin_required');
    const token = apiClient(server, await mintToken(server, org, 'owner'));
    expect((await token.put(`/api/instance/orgs/${org.orgId}/plan`, { plan: 'enterprise' })).error?.code).toBe('session_required');
    expect((await owner.client.get<{ plan: string }>(base)).body.plan).toBe('free');
  });
});

/** Removes an instance admin behind the api's back, so later tests count admins from a known state. */
async function removeAdminDirectly(userId: string): Promise<void> {
  await server.runtime.database.db.execute(sql`delete from instance_admins where user_id = ${userId}`);
}

describe('instance admins', () => {
  it('grants by email or user id, lists, revokes (applying to the next request) and keeps the last admin', async () => {
    const list = await admin.client.get<{ admins: { userId: string; email: string; grantedBy: string | null }[] }>('/api/instance/admins');
    expect(list.status).toBe(200);
    expect(list.body.admins).toEqual([expect.objectContaining({ userId: admin.userId, email: admin.email, grantedBy: null })]);

    const other = await person();
    expect((await other.client.get('/api/instance/orgs')).status).toBe(403);
    const granted = await admin.client.post<{ userId: string; grantedBy: string }>('/api/instance/admins', {
      email: other.email.toUpperCase(),
    });
    expect(granted.status).toBe(201);
    expect(granted.body).toMatchObject({ userId: other.userId, email: other.email, grantedBy: admin.userId });
    expect((await other.client.get('/api/instance/orgs')).status).toBe(200); // no new sign-in needed
    const again = await admin.client.post('/api/instance/admins', { userId: other.userId });
    expect(again.status).toBe(409);
    expect(again.error?.code).toBe('already_admin');
    const unknownEmail = await admin.client.post('/api/instance/admins', { email: 'nobody@example.test' });
    expect(unknownEmail.status).toBe(404);
    expect(unknownEmail.error?.code).toBe('no_user');
    expect((await admin.client.post('/api/instance/admins', { userId: 'no-such-user' })).error?.code).toBe('no_user');
    expect((await admin.client.post('/api/instance/admins', {})).status).toBe(400);
    expect((await admin.client.post('/api/instance/admins', { userId: other.userId, email: other.email })).status).toBe(400);
    expect((await admin.client.post('/api/instance/admins', { email: 'not-an-email' })).status).toBe(400);

    // The new admin revokes the first; the first is refused on their very next request.
    expect((await other.client.delete(`/api/instance/admins/${admin.userId}`)).status).toBe(204);
    const refused = await admin.client.get('/api/instance/settings');
    expect(refused.status).toBe(403);
    expect(refused.error?.code).toBe('instance_admin_required');
    expect((await admin.client.get('/api/me')).status).toBe(200); // still signed in
    expect((await other.client.delete(`/api/instance/admins/${admin.userId}`)).status).toBe(404);
    expect((await other.client.delete('/api/instance/admins/bad%20id')).status).toBe(400);
    const last = await other.client.delete(`/api/instance/admins/${other.userId}`);
    expect(last.status).toBe(409);
    expect(last.error?.code).toBe('last_admin');

    // Hand back: the first admin again, the second removed.
    expect((await other.client.post('/api/instance/admins', { userId: admin.userId })).status).toBe(201);
    expect((await admin.client.delete(`/api/instance/admins/${other.userId}`)).status).toBe(204);
    expect((await other.client.get('/api/instance/admins')).status).toBe(403);

    const grants = await audit('instance.admin_granted');
    const revokes = await audit('instance.admin_revoked');
    expect(grants.map((e) => [e.org_id, e.actor_id, e.target_id])).toEqual([
      [null, admin.userId, other.userId],
      [null, other.userId, admin.userId],
    ]);
    expect(revokes.map((e) => [e.org_id, e.actor_id, e.target_id])).toEqual([
      [null, other.userId, admin.userId],
      [null, admin.userId, other.userId],
    ]);
  });
});

describe('creating an org (POST /api/orgs)', () => {
  type Created = { id: string; name: string; plan: string; yourRole: string };

  it('is for instance admins only while sign-up is invite-only; the creator becomes owner in the same transaction', async () => {
    const someone = await person();
    const closed = await someone.client.post('/api/orgs', { name: uniqueName('closed') });
    expect(closed.status).toBe(403);
    expect(closed.error?.code).toBe('org_creation_closed');

    const name = uniqueName('by-admin');
    const created = await admin.client.post<Created>('/api/orgs', { name, plan: 'enterprise' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name, plan: 'enterprise', yourRole: 'owner' });
    const me = await admin.client.get<{ memberships: { orgId: string; role: string }[] }>('/api/me');
    expect(me.body.memberships).toContainEqual(expect.objectContaining({ orgId: created.body.id, role: 'owner' }));
    expect((await admin.client.get<{ plan: string }>(`/api/orgs/${created.body.id}`)).body.plan).toBe('enterprise');
    const orgEvents = await queryRows<{ action: string; actor_id: string }>(
      server.runtime.database.db,
      sql`select action, actor_id from audit_events where org_id = ${created.body.id} order by occurred_at`,
    );
    expect(orgEvents.map((e) => e.action)).toEqual(['org.created', 'org.plan_changed', 'member.added']);
    expect(new Set(orgEvents.map((e) => e.actor_id))).toEqual(new Set([admin.userId]));

    const duplicate = await admin.client.post('/api/orgs', { name: name.toUpperCase() });
    expect(duplicate.status).toBe(409);
    expect(duplicate.error?.code).toBe('org_name_taken');
    expect((await admin.client.post('/api/orgs', { name: '   ' })).status).toBe(400);
    expect((await admin.client.post('/api/orgs', { name: 'x', plan: 'gold' })).status).toBe(400);
    expect((await admin.client.post('/api/orgs', { name: 'x', owner: 'y' })).status).toBe(400);
  });

  it('is open to anyone signed in while sign-up is open, on the free plan only', async () => {
    await setMode('open');
    try {
      const someone = await person();
      const escalate = await someone.client.post('/api/orgs', { name: uniqueName('pro'), plan: 'pro' });
      expect(escalate.status).toBe(403);
      expect(escalate.error?.code).toBe('plan_requires_instance_admin');
      const name = uniqueName('self');
      const created = await someone.client.post<Created>('/api/orgs', { name });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name, plan: 'free', yourRole: 'owner' });
      // The new owner manages the org at once (memberships are read on every request).
      expect((await someone.client.get<{ yourRole: string }>(`/api/orgs/${created.body.id}`)).body.yourRole).toBe('owner');
      expect((await someone.client.post('/api/orgs', { name })).error?.code).toBe('org_name_taken');
      const ownPlan = await someone.client.put(`/api/instance/orgs/${created.body.id}/plan`, { plan: 'pro' });
      expect(ownPlan.error?.code).toBe('instance_admin_required');
    } finally {
      await setMode('invite_only');
    }
  });
});

describe('whether sign-up is open (GET /api/auth/sign-up)', () => {
  const status = async () => {
    // No session, no CSRF header: the sign-in page asks before anyone is signed in.
    const response = await fetch(`${server.apiUrl}/api/auth/sign-up`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    return response.json();
  };

  it('answers only whether sign-up is open, following the mode as an instance admin changes it', async () => {
    expect(await status()).toEqual({ open: false });
    await setMode('open');
    try {
      expect(await status()).toEqual({ open: true });
    } finally {
      await setMode('invite_only');
    }
    expect(await status()).toEqual({ open: false });
  });
});

describe('open sign-up (POST /api/auth/sign-up)', () => {
  const signUp = (body: unknown, headers: Record<string, string> = { origin: ORIGIN, ...CSRF }) =>
    fetch(`${server.apiUrl}/api/auth/sign-up`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const errorCode = async (response: Response) => ((await response.json()) as { error?: { code?: string } }).error?.code;

  it('is refused while sign-up is invite-only', async () => {
    const response = await signUp({ email: `${uniqueName('closed')}@example.test`, name: 'Closed', password: TEST_PASSWORD });
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe('signup_closed');
  });

  it('creates an unverified account and signs it in; existing emails, weak passwords and forged requests are refused', async () => {
    await setMode('open');
    try {
      const email = `${uniqueName('new')}@example.test`;
      const response = await signUp({ email: email.toUpperCase(), name: 'New Person', password: TEST_PASSWORD });
      expect(response.status).toBe(201);
      const body = (await response.json()) as { user: { id: string; email: string }; signedIn: boolean };
      expect(body).toMatchObject({ user: { email }, signedIn: true });
      expect(JSON.stringify(body)).not.toMatch(/token/i);
      const cookie = response.headers
        .getSetCookie()
        .find((c) => /^(__Secure-)?portcullis\.session_token=/.test(c))
        ?.split(';', 1)[0];
      expect(cookie).toBeDefined();
      const client = sessionApiClient(server, cookie!, ORIGIN);
      const me = await client.get<{ user: { id: string }; instanceAdmin: boolean; memberships: unknown[] }>('/api/me');
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ user: { id: body.user.id }, instanceAdmin: false, memberships: [] });
      const [row] = await queryRows<{ email_verified: boolean }>(
        server.runtime.database.db,
        sql`select email_verified from users where id = ${body.user.id}`,
      );
      expect(row?.email_verified).toBe(false);
      // …and a link to verify it is on its way.
      const mail = await smtp.waitFor((m) => m.to.includes(email));
      expect(mail.links.some((link) => link.startsWith(`${ORIGIN}/verify-email#token=`))).toBe(true);
      expect((await audit('auth.signed_up')).map((e) => [e.org_id, e.actor_id, e.target_id])).toEqual([[null, body.user.id, body.user.id]]);
      expect((await audit('user.created')).filter((e) => e.target_id === body.user.id)).toEqual([
        expect.objectContaining({ org_id: null, diff: { email, via: 'sign_up' } }),
      ]);
      // The new user may create an org while sign-up is open.
      expect((await client.post('/api/orgs', { name: uniqueName('signed-up') })).status).toBe(201);

      const existing = await signUp({ email, name: 'Again', password: 'another-long-passphrase-77' });
      expect(existing.status).toBe(400);
      expect(await errorCode(existing)).toBe('signup_failed');
      const weak = await signUp({ email: `${uniqueName('weak')}@example.test`, name: 'Weak', password: 'short' });
      expect(weak.status).toBe(400);
      expect(await errorCode(weak)).toMatch(/^password_/);
      expect((await signUp({ email: 'not-an-email', name: 'X', password: TEST_PASSWORD })).status).toBe(400);
      expect((await signUp({ email: `${uniqueName('x')}@example.test`, password: TEST_PASSWORD })).status).toBe(400);
      const forged = await signUp(
        { email: `${uniqueName('csrf')}@example.test`, name: 'Forged', password: TEST_PASSWORD },
        { origin: 'https://evil.example' },
      );
      expect(forged.status).toBe(403);
      expect(await errorCode(forged)).toBe('csrf_rejected');
    } finally {
      await setMode('invite_only');
    }
  });

  /** A 429 as the client sees it: the error body and whether it says when to come back. */
  const throttled = async (response: Response) => ({
    status: response.status,
    retryAfter: Number(response.headers.get('retry-after')) > 0,
    error: ((await response.json()) as { error?: unknown }).error,
  });
  const TOO_MANY_ATTEMPTS = {
    status: 429,
    retryAfter: true,
    error: { type: 'rate_limit_error', code: 'too_many_attempts', message: 'Too many attempts. Wait before trying again.' },
  };
  const from = (ip: string) => ({ origin: ORIGIN, ...CSRF, 'x-forwarded-for': ip });
  const auditRowCount = async () =>
    Number((await queryRows<{ n: string }>(server.runtime.database.db, sql`select count(*) as n from audit_events`))[0]?.n);

  it('has a per-address budget of its own: exhausting it refuses sign-up (429, not audited) but not sign-in', async () => {
    await setMode('open');
    try {
      const ip = '203.0.113.10';
      const user = await createPasswordUser(server);
      // Weak passwords: each attempt passes the throttle and is refused by the policy, cheaply.
      // 31 attempts: more than sign-in's per-address budget (30 a minute), were it shared.
      const statuses: number[] = [];
      for (let i = 0; i < 31; i++)
        statuses.push(
          (await signUp({ email: `${uniqueName('budget')}@example.test`, name: 'Budget', password: 'short' }, from(ip))).status,
        );
      expect(statuses).toEqual([...Array<number>(10).fill(400), ...Array<number>(21).fill(429)]);
      const before = await auditRowCount();
      const refused = await signUp({ email: `${uniqueName('budget')}@example.test`, name: 'Budget', password: TEST_PASSWORD }, from(ip));
      expect(await throttled(refused)).toEqual(TOO_MANY_ATTEMPTS);
      // Logged, not audited, like the sign-in throttle: flooding cannot grow the audit trail.
      expect(await auditRowCount()).toBe(before);
      // A colleague behind the same address still signs in.
      const session = await signIn(server, user.email, user.password, { origin: ORIGIN, headers: { 'x-forwarded-for': ip } });
      expect(session.status).toBe(200);
      expect(session.cookie).toBeDefined();
      // Another address still signs up.
      const elsewhere = await signUp(
        { email: `${uniqueName('elsewhere')}@example.test`, name: 'Elsewhere', password: 'short' },
        from('203.0.113.11'),
      );
      expect(elsewhere.status).toBe(400);
    } finally {
      await setMode('invite_only');
    }
  });

  it('is not blocked by an address that spent its sign-in budget', async () => {
    await setMode('open');
    try {
      const ip = '203.0.113.20';
      // 30 sign-ins a minute per address, each for another email so the per-account limit stays
      // out of it; once refused, the address is blocked for two minutes. Sent at once: the bucket
      // refills one attempt every 2 s, so sequential attempts on a slow machine would get more.
      const attempts = await Promise.all(
        Array.from({ length: 40 }, () =>
          signIn(server, `${uniqueName('nobody')}@example.test`, 'wrong-password-attempt', {
            origin: ORIGIN,
            headers: { 'x-forwarded-for': ip },
          }),
        ),
      );
      const refusedAttempts = attempts.filter((attempt) => attempt.status === 429);
      expect(refusedAttempts.length).toBeGreaterThanOrEqual(9);
      const last = refusedAttempts[0]!;
      expect({
        status: last.status,
        retryAfter: Number(last.headers.get('retry-after')) > 0,
        error: (last.body as { error?: unknown }).error,
      }).toEqual(TOO_MANY_ATTEMPTS);
      const email = `${uniqueName('after-sign-in')}@example.test`;
      const response = await signUp({ email, name: 'After Sign-in', password: TEST_PASSWORD }, from(ip));
      expect(response.status).toBe(201);
      expect(await response.json()).toMatchObject({ user: { email }, signedIn: true });
      // The sign-in budget is still spent: sign-up neither used nor refunded it.
      expect((await signIn(server, email, TEST_PASSWORD, { origin: ORIGIN, headers: { 'x-forwarded-for': ip } })).status).toBe(429);
    } finally {
      await setMode('invite_only');
    }
  }, 90_000); // 30-odd password checks: about 11 s on a quiet machine, more under a full suite

  it('has a per-email budget of its own, apart from that account’s sign-in budget', async () => {
    await setMode('open');
    try {
      const user = await createPasswordUser(server);
      // 5 an hour per email, whatever the address; 11 attempts, more than sign-in's 10 per account.
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++)
        statuses.push((await signUp({ email: user.email, name: 'Same Email', password: 'short' }, from(`203.0.113.${30 + i}`))).status);
      expect(statuses).toEqual([...Array<number>(5).fill(400), ...Array<number>(6).fill(429)]);
      // The account's owner signs in all the same…
      expect(
        (await signIn(server, user.email, user.password, { origin: ORIGIN, headers: { 'x-forwarded-for': '203.0.113.45' } })).status,
      ).toBe(200);
      // …and an account whose sign-in is throttled does not throttle a sign-up for its email.
      const other = await createPasswordUser(server);
      let last = 0;
      for (let i = 0; i < 11; i++)
        last = (
          await signIn(server, other.email, `wrong-password-attempt-${i}`, {
            origin: ORIGIN,
            headers: { 'x-forwarded-for': `203.0.113.${50 + i}` },
          })
        ).status;
      expect(last).toBe(429);
      const signUpForIt = await signUp({ email: other.email, name: 'Other', password: 'short' }, from('203.0.113.70'));
      expect(signUpForIt.status).toBe(400);
      expect(await errorCode(signUpForIt)).toMatch(/^password_/);
    } finally {
      await setMode('invite_only');
    }
  });
});
