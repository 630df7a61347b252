/**
 * Session cookie flags by mode, and the first administrator (made by first-run setup) signing in.
 * Secure (and the `__Secure-` name) whenever the request came over HTTPS — here, through a
 * trusted TLS proxy saying `X-Forwarded-Proto: https` — and always in production.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';
import { createPasswordUser, sessionClient, signIn } from './support/sessions.js';

const ORIGIN = 'https://portcullis.example.test';

describe('cookie flags in development behind a trusted TLS proxy', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ services: ['api'], env: { PUBLIC_URL: ORIGIN, TRUST_PROXY: 'loopback' } });
  }, 60_000);
  afterAll(async () => server?.stop());

  it('is __Secure- and Secure when the proxy says https, plain otherwise; each is read only in its own mode', async () => {
    const user = await createPasswordUser(server);
    const overHttps = await signIn(server, user.email, user.password, { origin: ORIGIN, headers: { 'x-forwarded-proto': 'https' } });
    const overHttp = await signIn(server, user.email, user.password, { origin: ORIGIN });
    const secure = overHttps.setCookies.find((c) => c.startsWith('__Secure-portcullis.session_token='))!;
    expect(secure).toMatch(/; Secure/i);
    expect(secure).toMatch(/; HttpOnly/i);
    expect(secure).toMatch(/; SameSite=Lax/i);
    expect(secure).toMatch(/; Path=\/api(;|$)/i);
    const plain = overHttp.setCookies.find((c) => c.startsWith('portcullis.session_token='))!;
    expect(plain).not.toMatch(/; Secure/i);

    const https = { 'x-forwarded-proto': 'https' };
    expect((await sessionClient(server, overHttps.cookie!, ORIGIN)('GET', '/api/me', undefined, https)).status).toBe(200);
    // A Secure cookie presented over plain HTTP is not looked at (a browser would not send it).
    expect((await sessionClient(server, overHttps.cookie!, ORIGIN)('GET', '/api/me')).status).toBe(401);
  });
});

describe('cookie flags in production', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ services: ['api'], env: { NODE_ENV: 'production', PUBLIC_URL: ORIGIN, TRUST_PROXY: 'loopback' } });
  }, 60_000);
  afterAll(async () => server?.stop());

  it('is always Secure with the __Secure- prefix', async () => {
    const user = await createPasswordUser(server);
    for (const headers of [{ 'x-forwarded-proto': 'https' }, {}] as Record<string, string>[]) {
      const result = await signIn(server, user.email, user.password, { origin: ORIGIN, headers });
      expect(result.status).toBe(200);
      expect(result.setCookies.some((c) => c.startsWith('portcullis.session_token='))).toBe(false);
      const cookie = result.setCookies.find((c) => c.startsWith('__Secure-portcullis.session_token='))!;
      expect(cookie).toMatch(/; Secure/i);
      expect(cookie).toMatch(/; HttpOnly/i);
      expect(cookie).toMatch(/; SameSite=Lax/i);
      expect(cookie).toMatch(/; Path=\/api(;|$)/i);
    }
  });
});

describe('the first administrator', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ services: ['api'], isolatedDatabase: true, env: { PUBLIC_URL: ORIGIN } });
  }, 60_000);
  afterAll(async () => server?.stop());

  it('signs in with the account made through the setup link and is instance admin', async () => {
    const token = new URL(server.services.setupLink!.replace('#', '?')).searchParams.get('token')!;
    const account = { name: 'Ada Owner', email: 'ada@example.test', password: 'correct horse battery staple' };
    const setup = await fetch(`${server.apiUrl}/api/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, ...account }),
    });
    expect(setup.status).toBe(201);
    const result = await signIn(server, 'Ada@Example.test', account.password, { origin: ORIGIN });
    expect(result.status).toBe(200);
    const me = await sessionClient(server, result.cookie!, ORIGIN)<{ instanceAdmin: boolean; user: { email: string } }>('GET', '/api/me');
    expect(me.status).toBe(200);
    expect(me.body.instanceAdmin).toBe(true);
    expect(me.body.user.email).toBe('ada@example.test');
  });
});
