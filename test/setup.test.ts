/** First-run setup over HTTP: the one-time link, the form endpoint, and every way it must refuse. */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../src/audit/context.js';
import { queryRows } from '../src/db/rows.js';
import { issueSetupLink } from '../src/setup/setup-link.js';
import { startTestServer, type TestServer } from './support/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ isolatedDatabase: true });
});
afterAll(async () => server?.stop());

const tokenOf = (link: string) => new URL(link.replace('#', '?')).searchParams.get('token')!;

async function postSetup(body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  const response = await fetch(`${server.apiUrl}/api/setup`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json()) as { error?: { message: string; code: string }; user?: { id: string; email: string } },
  };
}

async function instanceAudit(action: string) {
  return queryRows<{ outcome: string; reason: string | null }>(
    server.runtime.database.db,
    sql`select outcome, reason from audit_events where org_id is null and action = ${action}`,
  );
}

describe('first-run setup', () => {
  const valid = { name: 'Ada Owner', email: 'Ada@Example.test', password: 'correct horse battery staple' };

  it('prints a one-time link whose token is in the fragment, never in the query', () => {
    expect(server.announcements.join('\n')).toContain(`${server.apiUrl.replace('127.0.0.1', 'localhost')}/setup#token=`);
    expect(server.services.setupLink).toMatch(/\/setup#token=[A-Za-z0-9_-]{43}$/);
  });

  it('serves the setup page and reports that setup is required', async () => {
    const page = await fetch(`${server.apiUrl}/setup`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<form id="setup-form"');
    expect(await (await fetch(`${server.apiUrl}/api/setup`)).json()).toEqual({ required: true });
  });

  it('rejects malformed bodies with a clear 4xx that never echoes the password', async () => {
    expect((await postSetup('{not json')).status).toBe(400);
    expect((await postSetup(valid, { 'content-type': 'text/plain' })).status).toBe(415);
    const short = await postSetup({ ...valid, token: 'x', password: 'short-pass' });
    expect(short.status).toBe(400);
    expect(short.body.error?.message).toMatch(/password/);
    expect(JSON.stringify(short.body)).not.toContain('short-pass');
  });

  it('refuses a wrong token and records the failure in the instance audit chain', async () => {
    const response = await postSetup({ ...valid, token: 'not-the-token' });
    expect(response.status).toBe(410);
    expect(response.body.error?.code).toBe('setup_link_invalid');
    expect(await instanceAudit('instance.setup_failed')).toContainEqual({ outcome: 'failure', reason: 'invalid_token' });
    const users = await queryRows(server.runtime.database.db, sql`select id from users`);
    expect(users).toEqual([]);
  });

  it('refuses an expired link', async () => {
    const ctx = { actor: systemActor('server', 'test'), requestId: null };
    const old = await issueSetupLink(server.runtime.apiDb, 'http://x', ctx, new Date(Date.now() - 2 * 60 * 60 * 1000));
    expect((await postSetup({ ...valid, token: tokenOf(old!.url) })).status).toBe(410);
  });

  it('only the newest link works: issuing a new one expires the previous', async () => {
    const ctx = { actor: systemActor('server', 'test'), requestId: null };
    const first = await issueSetupLink(server.runtime.apiDb, 'http://x', ctx);
    const second = await issueSetupLink(server.runtime.apiDb, 'http://x', ctx);
    expect((await postSetup({ ...valid, token: tokenOf(first!.url) })).status).toBe(410);
    server.services.setupLink = second!.url;
  });

  it('creates the first account as instance admin exactly once, even when two submissions race', async () => {
    const token = tokenOf(server.services.setupLink!);
    const [a, b] = await Promise.all([postSetup({ ...valid, token }), postSetup({ ...valid, email: 'eve@example.test', token })]);
    expect([a.status, b.status].sort()).toEqual([201, 410]);
    const winner = a.status === 201 ? a : b;
    const admins = await queryRows<{ email: string }>(
      server.runtime.database.db,
      sql`select u.email from instance_admins a join users u on u.id = a.user_id`,
    );
    expect(admins).toEqual([{ email: winner.body.user!.email }]);
    const users = await queryRows(server.runtime.database.db, sql`select id from users`);
    expect(users).toHaveLength(1); // the loser's user row was rolled back with its transaction
    const [account] = await queryRows<{ password: string }>(server.runtime.database.db, sql`select password from accounts`);
    expect(account!.password).not.toContain(valid.password);
    expect(account!.password).toMatch(/^[0-9a-f]{32}:[0-9a-f]{128}$/); // scrypt salt:hash, as better-auth verifies it
    expect(await instanceAudit('instance.setup_completed')).toEqual([{ outcome: 'success', reason: null }]);
  });

  it('after setup: the link is spent, no new link is issued, and setup is no longer required', async () => {
    expect((await postSetup({ ...valid, token: tokenOf(server.services.setupLink!) })).status).toBe(410);
    expect(await (await fetch(`${server.apiUrl}/api/setup`)).json()).toEqual({ required: false });
    const again = await issueSetupLink(server.runtime.apiDb, 'http://x', { actor: systemActor('server', 'test'), requestId: null });
    expect(again).toBeUndefined();
  });
});

describe('setup throttling', () => {
  it('refuses the 11th attempt in a minute from one address with a 429 and retry-after', async () => {
    const throttled = await startTestServer({ isolatedDatabase: true, services: ['api'] });
    try {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 11; i++) {
        const response = await fetch(`${throttled.apiUrl}/api/setup`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ token: 'wrong', name: 'x', email: 'x@example.test', password: 'a long enough password' }),
        });
        statuses.push(response.status);
        retryAfter = response.headers.get('retry-after');
        await response.text();
      }
      expect(statuses.slice(0, 10).every((s) => s === 410)).toBe(true);
      expect(statuses[10]).toBe(429);
      expect(Number(retryAfter)).toBeGreaterThan(0);
    } finally {
      await throttled.stop();
    }
  });
});
