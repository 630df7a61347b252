/** Changing one's password over real HTTP: current password required, other sessions ended, audited, throttled per user. */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents } from '../src/db/schema/index.js';
import { startTestServer, type TestServer } from './support/server.js';
import { CSRF, createPasswordUser, sessionClient, signIn } from './support/sessions.js';

const ORIGIN = 'https://portcullis.example.test';
const NEW_PASSWORD = 'copper-meadow-quartz-5521';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ services: ['api'], env: { PUBLIC_URL: ORIGIN, TRUST_PROXY: 'loopback' } });
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

async function signedIn(email: string, password: string): Promise<string> {
  const result = await signIn(server, email, password, { origin: ORIGIN });
  expect(result.status).toBe(200);
  return result.cookie!;
}

function auditRows(userId: string, action: 'auth.password_changed' | 'auth.password_change_failed') {
  return server.runtime.database.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.action, action), eq(auditEvents.targetId, userId)));
}

describe('change password', () => {
  it('needs the current password, ends every other session and answers without a token', async () => {
    const user = await createPasswordUser(server);
    const other = await signedIn(user.email, user.password);
    const current = await signedIn(user.email, user.password);
    const changed = await sessionClient(server, current, ORIGIN)('POST', '/api/auth/change-password', {
      currentPassword: user.password,
      newPassword: NEW_PASSWORD,
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({ user: { id: user.id, email: user.email, name: 'Test User' } });
    expect(changed.text).not.toMatch(/token/i);
    // The caller continues on the replacement session the answer set; the other device is out.
    const replacement = changed.headers
      .getSetCookie()
      .find((c) => /^(__Secure-)?portcullis\.session_token=/.test(c))
      ?.split(';', 1)[0];
    expect(replacement).toBeDefined();
    expect((await sessionClient(server, replacement!, ORIGIN)('GET', '/api/me')).status).toBe(200);
    expect((await sessionClient(server, other, ORIGIN)('GET', '/api/me')).status).toBe(401);
    expect((await signIn(server, user.email, user.password, { origin: ORIGIN })).status).toBe(401);
    expect((await signIn(server, user.email, NEW_PASSWORD, { origin: ORIGIN })).status).toBe(200);
    const [event] = await auditRows(user.id, 'auth.password_changed');
    expect(event).toMatchObject({ orgId: null, actorType: 'user', actorId: user.id, outcome: 'success' });
    expect(JSON.stringify(event)).not.toContain(NEW_PASSWORD);
  });

  it('refuses a wrong current password (audited), a weak new one, no session, and a request without the CSRF header', async () => {
    const user = await createPasswordUser(server);
    const cookie = await signedIn(user.email, user.password);
    const call = sessionClient(server, cookie, ORIGIN);
    const wrong = await call('POST', '/api/auth/change-password', {
      currentPassword: 'not-the-password-at-all',
      newPassword: NEW_PASSWORD,
    });
    expect(wrong.status).toBe(400);
    expect(wrong.error?.code).toBe('invalid_current_password');
    expect(await auditRows(user.id, 'auth.password_change_failed')).toHaveLength(1);
    const weak = await call('POST', '/api/auth/change-password', { currentPassword: user.password, newPassword: 'short' });
    expect(weak.status).toBe(400);
    const malformed = await call('POST', '/api/auth/change-password', { currentPassword: user.password });
    expect(malformed.status).toBe(400);
    const anonymous = await fetch(`${server.apiUrl}/api/auth/change-password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: ORIGIN, ...CSRF },
      body: JSON.stringify({ currentPassword: user.password, newPassword: NEW_PASSWORD }),
    });
    expect(anonymous.status).toBe(401);
    const noCsrf = await call(
      'POST',
      '/api/auth/change-password',
      { currentPassword: user.password, newPassword: NEW_PASSWORD },
      { 'x-portcullis-csrf': '' },
    );
    expect(noCsrf.status).toBe(403);
    // Nothing above changed the password.
    expect((await signIn(server, user.email, user.password, { origin: ORIGIN })).status).toBe(200);
  });

  it('throttles guesses of the current password per user, even from fresh sessions', async () => {
    const user = await createPasswordUser(server);
    let throttled = false;
    for (let i = 0; i < 15 && !throttled; i++) {
      // Each guess from a new session and a new address: the limit follows the account.
      const cookie = await signedIn(user.email, user.password);
      const guess = await sessionClient(server, cookie, ORIGIN)(
        'POST',
        '/api/auth/change-password',
        { currentPassword: `guess-number-${i}-wrong`, newPassword: NEW_PASSWORD },
        { 'x-forwarded-for': `203.0.113.${i + 1}` },
      );
      if (guess.status === 429) throttled = true;
      else expect(guess.status).toBe(400);
    }
    expect(throttled).toBe(true);
  });
});
