/** A browser-like client of the auth routes, and a password user with two-factor turned on (identity tests). */
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { queryRows } from '../../src/db/rows.js';
import type { TestServer } from './server.js';
import { CSRF, createPasswordUser } from './sessions.js';
import { unusedTotp } from './totp.js';

/** A browser-like cookie jar over the auth and api routes of `target`, sending `origin` (and `headers`: an address, a user agent). */
export function cookieBrowser(target: TestServer, origin: string, headers: Record<string, string> = {}) {
  const jar = new Map<string, string>();
  async function call(method: string, path: string, body?: unknown) {
    const response = await fetch(target.apiUrl + path, {
      method,
      headers: {
        origin,
        ...CSRF,
        ...headers,
        ...(jar.size ? { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair, ...attributes] = cookie.split(';');
      const [name, value] = [pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1)];
      if (value === '' || attributes.some((a) => /max-age=0$/i.test(a.trim()))) jar.delete(name);
      else jar.set(name, value);
    }
    const text = await response.text();
    const json = (text ? JSON.parse(text) : undefined) as Record<string, unknown> | undefined;
    return { status: response.status, body: json, headers: response.headers };
  }
  return { call, jar, session: () => jar.get('portcullis.session_token') };
}

/** Signs a password user in and turns TOTP on; returns the URI, backup codes and the browser. */
export async function enableTwoFactor(
  target: TestServer,
  origin: string,
  options: { org?: { name: string; role: 'owner' | 'admin' | 'developer' | 'viewer' } } = {},
) {
  const user = await createPasswordUser(target, options);
  const b = cookieBrowser(target, origin);
  expect((await b.call('POST', '/api/auth/sign-in/email', { email: user.email, password: user.password })).status).toBe(200);
  const wrongPassword = await b.call('POST', '/api/auth/two-factor/enable', { password: 'not-the-password-at-all' });
  expect(wrongPassword.status).toBe(400);
  const enabled = await b.call('POST', '/api/auth/two-factor/enable', { password: user.password });
  expect(enabled.status).toBe(200);
  const uri = enabled.body!.totpURI as string;
  const backupCodes = enabled.body!.backupCodes as string[];
  expect(uri).toMatch(/^otpauth:\/\/totp\/Portcullis:/);
  expect(backupCodes).toHaveLength(10);
  // Not on until a code verifies.
  const [before] = await queryRows<{ two_factor_enabled: boolean }>(
    target.runtime.database.db,
    sql`select two_factor_enabled from users where id = ${user.id}`,
  );
  expect(before!.two_factor_enabled).toBe(false);
  const activated = await b.call('POST', '/api/auth/two-factor/verify-totp', { code: await unusedTotp(uri) });
  expect(activated.status).toBe(200);
  expect(JSON.stringify(activated.body)).not.toMatch(/token/i);
  expect((await b.call('GET', '/api/me')).status).toBe(200);
  return { user, uri, backupCodes, browser: b };
}
