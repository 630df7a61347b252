/**
 * Passkeys end to end in Chromium with the CDP virtual authenticator (CTAP2, resident keys, user
 * verification), through the /sign-in page under the api's CSP: password sign-in, registering a
 * passkey, signing in with it as a discoverable credential (no username), refusal without user
 * verification (in the page, and by the server when the page is bypassed), and refusal once the
 * passkey is removed.
 */
import { sql } from 'drizzle-orm';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/rows.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { createPasswordUser, sessionClient } from '../support/sessions.js';
import { launchBrowser, watchConsole, withVirtualAuthenticator, type VirtualAuthenticator, freePort } from './support/browser.js';

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let authenticator: VirtualAuthenticator;
let console: ReturnType<typeof watchConsole>;
let user: { id: string; email: string; password: string };
/** http://localhost:<port>: WebAuthn needs a secure context and a domain RP id (not 127.0.0.1). */
let origin: string;

beforeAll(async () => {
  const port = await freePort();
  // PUBLIC_URL defaults to http://localhost:<API_PORT>, and WEBAUTHN_* to its host and origin.
  server = await startTestServer({ services: ['api'], env: { API_PORT: String(port) } });
  origin = `http://localhost:${port}`;
  user = await createPasswordUser(server);
  browser = await launchBrowser();
  context = await browser.newContext();
  page = await context.newPage();
  console = watchConsole(page);
  authenticator = await withVirtualAuthenticator(page);
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.stop();
});

async function sessionCookie(): Promise<string | undefined> {
  const cookie = (await context.cookies(origin + '/api')).find((c) => c.name === 'portcullis.session_token');
  return cookie ? `${cookie.name}=${cookie.value}` : undefined;
}

async function api<T = unknown>(method: string, path: string, body?: unknown) {
  const cookie = await sessionCookie();
  if (cookie === undefined) throw new Error('not signed in');
  return sessionClient({ apiUrl: origin }, cookie, origin)<T>(method, path, body);
}

type PasskeyBody = { id: string; name: string | null; lastUsedAt: string | null; deviceType: string; backedUp: boolean };

async function expectSignedOut() {
  expect(await sessionCookie()).toBeUndefined();
  expect(await page.evaluate(`fetch('/api/me').then((r) => r.status)`)).toBe(401);
}

async function signOut() {
  await page.click('#sign-out');
  await page.waitForSelector('#sign-in', { state: 'visible' });
  await expectSignedOut();
}

async function clickPasskeySignIn() {
  await page.click('#passkey-sign-in');
}

describe('passkeys in Chromium', () => {
  it('signs in with a password, under the CSP', async () => {
    const response = await page.goto(`${origin}/sign-in`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.waitForSelector('#sign-in', { state: 'visible' });
    await page.fill('#email', user.email);
    await page.fill('#password', user.password);
    await page.click('#password-form button[type="submit"]');
    await page.waitForSelector('#account', { state: 'visible' });
    expect(await page.textContent('#account-email')).toBe(user.email);
    expect(await page.isVisible('#no-passkeys')).toBe(true);
  });

  it('registers a passkey named "YubiKey": discoverable, in the authenticator, listed, audited', async () => {
    await page.fill('#passkey-name', 'YubiKey');
    await page.click('#add-passkey-form button[type="submit"]');
    await page.waitForSelector('#passkey-list li .passkey-name');
    expect(await page.textContent('#passkey-list li .passkey-name')).toBe('YubiKey');
    expect(await page.textContent('#status')).toBe('Passkey "YubiKey" added.');

    const stored = await authenticator.credentials();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ isResidentCredential: true, rpId: 'localhost' });

    const list = await api<{ passkeys: PasskeyBody[] }>('GET', '/api/me/passkeys');
    expect(list.status).toBe(200);
    expect(list.body.passkeys).toEqual([expect.objectContaining({ name: 'YubiKey', lastUsedAt: null })]);
    const events = await queryRows<{ actor_id: string; target_id: string }>(
      server.runtime.database.db,
      sql`select actor_id, target_id from audit_events where action = 'passkey.added'`,
    );
    expect(events).toEqual([{ actor_id: user.id, target_id: list.body.passkeys[0]!.id }]);
  });

  it('signs out, then signs in with the discoverable passkey (no username); the cookie works on /api/me', async () => {
    await signOut();
    const verified = page.waitForResponse((r) => r.url().endsWith('/api/auth/passkey/verify-authentication'));
    await clickPasskeySignIn();
    await page.waitForSelector('#account', { state: 'visible' });
    expect(await page.textContent('#account-email')).toBe(user.email);
    // Like password sign-in: the token is only in the HttpOnly cookie, never in the body.
    const body = await (await verified).text();
    expect(JSON.parse(body)).toEqual({ user: { id: user.id, email: user.email, name: 'Test User' } });
    expect(body).not.toMatch(/token|session/i);
    const me = await api<{ user: { id: string } }>('GET', '/api/me');
    expect(me.status).toBe(200);
    expect(me.body.user.id).toBe(user.id);
    const [passkey] = (await api<{ passkeys: PasskeyBody[] }>('GET', '/api/me/passkeys')).body.passkeys;
    expect(passkey!.lastUsedAt).not.toBeNull();
    expect(Date.now() - Date.parse(passkey!.lastUsedAt!)).toBeLessThan(60_000);
  });

  it('refuses a passkey sign-in without user verification: the page shows an error and no session starts', async () => {
    await signOut();
    await authenticator.setUserVerified(false);
    await clickPasskeySignIn();
    await page.waitForSelector('#error', { state: 'visible' });
    expect(await page.textContent('#error')).toMatch(/did not verify you/);
    expect(await page.isVisible('#account')).toBe(false);
    await expectSignedOut();
  });

  it('refuses it on the server too, when a page asks the authenticator not to verify the user', async () => {
    // Bypasses the page's script: an assertion with the UV flag clear, signed by the real passkey.
    const result = await page.evaluate<{ userVerifiedFlag: boolean; status: number; body: { code?: string } }>(`(async () => {
      const b64 = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4)), (c) => c.charCodeAt(0));
      const enc = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
      const options = await (await fetch('/api/auth/passkey/generate-authenticate-options')).json();
      const credential = await navigator.credentials.get({
        publicKey: { challenge: b64(options.challenge), rpId: options.rpId, userVerification: 'discouraged' },
      });
      const flags = new Uint8Array(credential.response.authenticatorData)[32];
      const response = await fetch('/api/auth/passkey/verify-authentication', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-portcullis-csrf': '1' },
        body: JSON.stringify({ response: {
          id: credential.id, rawId: enc(credential.rawId), type: credential.type, clientExtensionResults: {},
          response: {
            clientDataJSON: enc(credential.response.clientDataJSON),
            authenticatorData: enc(credential.response.authenticatorData),
            signature: enc(credential.response.signature),
            userHandle: credential.response.userHandle ? enc(credential.response.userHandle) : undefined,
          },
        } }),
      });
      return { userVerifiedFlag: (flags & 4) !== 0, status: response.status, body: await response.json() };
    })()`);
    expect(result.userVerifiedFlag).toBe(false);
    expect(result.status).toBe(401);
    expect(result.body.code).toBe('USER_VERIFICATION_REQUIRED');
    await expectSignedOut();
    await authenticator.setUserVerified(true);
  });

  it('once the passkey is removed through the api, signing in with it fails', async () => {
    // Sign in with the passkey (verification restored), remove it, sign out.
    await clickPasskeySignIn();
    await page.waitForSelector('#account', { state: 'visible' });
    const [passkey] = (await api<{ passkeys: PasskeyBody[] }>('GET', '/api/me/passkeys')).body.passkeys;
    // The user still has a password, so the last passkey may go.
    expect((await api('DELETE', `/api/me/passkeys/${passkey!.id}`)).status).toBe(204);
    await signOut();

    // The authenticator still offers the credential; the server no longer knows it.
    expect(await authenticator.credentials()).toHaveLength(1);
    await clickPasskeySignIn();
    await page.waitForSelector('#error', { state: 'visible' });
    expect(await page.textContent('#error')).toMatch(/passkey/i);
    expect(await page.isVisible('#account')).toBe(false);
    await expectSignedOut();
    const removed = await queryRows(server.runtime.database.db, sql`select 1 from audit_events where action = 'passkey.removed'`);
    expect(removed).toHaveLength(1);
    const failures = await queryRows<{ reason: string }>(
      server.runtime.database.db,
      sql`select reason from audit_events where action = 'auth.login_failed' and reason like 'passkey:%'`,
    );
    expect(failures.map((f) => f.reason).sort()).toEqual(['passkey:passkey_not_found', 'passkey:user_verification_required']);
  });

  it('refuses to register a passkey without user verification, in the page and on the server', async () => {
    await page.fill('#email', user.email);
    await page.fill('#password', user.password);
    await page.click('#password-form button[type="submit"]');
    await page.waitForSelector('#account', { state: 'visible' });
    await authenticator.setUserVerified(false);

    await page.fill('#passkey-name', 'Unverified');
    await page.click('#add-passkey-form button[type="submit"]');
    await page.waitForSelector('#error', { state: 'visible' });
    expect(await page.textContent('#error')).toMatch(/did not verify you/);

    // Bypassing the page: a credential created without verification is refused by the server. A
    // CTAP2 authenticator with built-in verification always verifies at registration, so this
    // needs one without (a plain security key, presence only).
    await authenticator.remove();
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable', { enableUI: false });
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'usb', hasResidentKey: true, hasUserVerification: false, automaticPresenceSimulation: true },
    });
    const result = await page.evaluate<{ userVerifiedFlag: boolean; status: number; body: { code?: string } }>(`(async () => {
      const b64 = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4)), (c) => c.charCodeAt(0));
      const enc = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
      const options = await (await fetch('/api/auth/passkey/generate-register-options')).json();
      const credential = await navigator.credentials.create({ publicKey: {
        ...options,
        challenge: b64(options.challenge),
        user: { ...options.user, id: b64(options.user.id) },
        excludeCredentials: [],
        authenticatorSelection: { residentKey: 'discouraged', userVerification: 'discouraged' },
      } });
      const response = await fetch('/api/auth/passkey/verify-registration', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-portcullis-csrf': '1' },
        body: JSON.stringify({ name: 'Unverified', response: {
          id: credential.id, rawId: enc(credential.rawId), type: credential.type, clientExtensionResults: {},
          response: {
            clientDataJSON: enc(credential.response.clientDataJSON),
            attestationObject: enc(credential.response.attestationObject),
            transports: credential.response.getTransports(),
          },
        } }),
      });
      const flags = new Uint8Array(credential.response.getAuthenticatorData())[32];
      return { userVerifiedFlag: (flags & 4) !== 0, status: response.status, body: await response.json() };
    })()`);
    expect(result.userVerifiedFlag).toBe(false);
    expect(result.status).toBe(400);
    expect(result.body.code).toBe('USER_VERIFICATION_REQUIRED');
    expect((await api<{ passkeys: PasskeyBody[] }>('GET', '/api/me/passkeys')).body.passkeys).toEqual([]);
    await cdp.detach();
  });

  it('ran without CSP violations or page errors', () => {
    expect(console.cspViolations()).toEqual([]);
    expect(console.messages.filter((line) => line.startsWith('pageerror:'))).toEqual([]);
  });
});
