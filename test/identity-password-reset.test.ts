/** Password reset by emailed link over real HTTP and SMTP: the mail, single use, sessions ended, uniform answers, policy, throttling. */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/rows.js';
import { startFakeSmtp, type FakeSmtp } from './fakes/smtp.js';
import { uniqueName } from './support/database.js';
import { startTestServer, type TestServer } from './support/server.js';
import { CSRF, createPasswordUser, sessionClient, signIn } from './support/sessions.js';

const ORIGIN = 'https://portcullis.example.test';
const NEW_PASSWORD = 'saffron-glacier-tandem-2208';

let server: TestServer;
let smtp: FakeSmtp;

beforeAll(async () => {
  smtp = await startFakeSmtp();
  server = await startTestServer({ services: ['api'], env: { PUBLIC_URL: ORIGIN, SMTP_URL: smtp.url } });
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await smtp?.stop();
});

async function post(path: string, body: unknown) {
  const response = await fetch(`${server.apiUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: ORIGIN, ...CSRF },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined, headers: response.headers };
}

describe('password reset', () => {
  it('mails a single-use link; the reset ends every session and the new password works', async () => {
    const user = await createPasswordUser(server);
    const session = await signIn(server, user.email, user.password, { origin: ORIGIN });
    const requested = await post('/api/auth/request-password-reset', { email: user.email.toUpperCase() });
    expect(requested.status).toBe(200);
    const mail = await smtp.waitFor((m) => m.to.includes(user.email));
    const link = mail.links.find((l) => l.startsWith(`${ORIGIN}/reset-password#token=`));
    expect(link).toBeDefined();
    const token = decodeURIComponent(link!.split('#token=')[1]!);
    const rows = await queryRows<{ identifier: string }>(server.runtime.database.db, sql`select identifier from verifications`);
    expect(JSON.stringify(rows)).not.toContain(token);

    const weak = await post('/api/auth/reset-password', { token, newPassword: 'password1234567890' });
    expect(weak.status).toBe(400);
    const reset = await post('/api/auth/reset-password', { token, newPassword: NEW_PASSWORD });
    expect(reset.status).toBe(200);
    expect((await sessionClient(server, session.cookie!, ORIGIN)('GET', '/api/me')).status).toBe(401);
    expect((await signIn(server, user.email, user.password, { origin: ORIGIN })).status).toBe(401);
    expect((await signIn(server, user.email, NEW_PASSWORD, { origin: ORIGIN })).status).toBe(200);
    const again = await post('/api/auth/reset-password', { token, newPassword: `${NEW_PASSWORD}-x` });
    expect(again.status).toBe(410);
    const events = await queryRows<{ action: string }>(
      server.runtime.database.db,
      sql`select action from audit_events where org_id is null and target_id = ${user.id} and action like 'auth.password_reset%'`,
    );
    expect(events.map((e) => e.action).sort()).toEqual(['auth.password_reset', 'auth.password_reset_requested']);
  });

  it('answers an unknown email the same and sends nothing', async () => {
    const user = await createPasswordUser(server);
    const known = await post('/api/auth/request-password-reset', { email: user.email });
    const unknownEmail = `${uniqueName('nobody')}@example.test`;
    const unknown = await post('/api/auth/request-password-reset', { email: unknownEmail });
    expect(unknown.status).toBe(known.status);
    expect(unknown.body).toEqual(known.body);
    await smtp.waitFor((m) => m.to.includes(user.email));
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.messages.some((m) => m.to.includes(unknownEmail))).toBe(false);
  });

  it('does not serve better-auth’s token-in-path link', async () => {
    const response = await fetch(`${server.apiUrl}/api/auth/reset-password/sometoken?callbackURL=/`);
    expect(response.status).toBe(404);
  });

  it('throttles requests per email with 429', async () => {
    const user = await createPasswordUser(server);
    let last = 200;
    for (let i = 0; i < 5 && last !== 429; i++) last = (await post('/api/auth/request-password-reset', { email: user.email })).status;
    expect(last).toBe(429);
  });
});
