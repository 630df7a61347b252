/**
 * Self-test of the browser support: Debian's Chromium starts, and the CDP virtual authenticator
 * takes part in real WebAuthn ceremonies (what the passkey tests rely on).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchBrowser, withVirtualAuthenticator } from './support/browser.js';

// `register()` creates a discoverable credential (resident key) with user verification required,
// and reports the outcome as data: the credential id, or the DOMException's name.
const PAGE = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>WebAuthn self-test</title></head>
  <body>
    <script>
      const random = (n) => crypto.getRandomValues(new Uint8Array(n));
      const base64url = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
      window.register = async (name) => {
        const userId = random(16);
        try {
          const credential = await navigator.credentials.create({
            publicKey: {
              rp: { id: location.hostname, name: 'Portcullis self-test' },
              user: { id: userId, name, displayName: name },
              challenge: random(32),
              pubKeyCredParams: [{ type: 'public-key', alg: -7 }, { type: 'public-key', alg: -257 }],
              authenticatorSelection: { authenticatorAttachment: 'platform', residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
              timeout: 5000,
            },
          });
          return { ok: true, id: credential.id, userHandle: base64url(userId), secure: isSecureContext };
        } catch (error) {
          return { ok: false, error: error.name, message: error.message };
        }
      };
    </script>
  </body>
</html>`;

type Outcome = { ok: true; id: string; userHandle: string; secure: boolean } | { ok: false; error: string; message: string };

let server: Server;
let origin: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // WebAuthn needs a secure context: http://localhost is one, http://127.0.0.1 is not for RP ids.
  origin = `http://localhost:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

beforeEach(async () => {
  context = await browser.newContext();
  page = await context.newPage();
});
afterEach(async () => context?.close());

const register = (name: string) => page.evaluate<Outcome>(`window.register(${JSON.stringify(name)})`);

describe('virtual authenticator (CDP WebAuthn)', () => {
  it('stores a discoverable credential created with user verification required', async () => {
    const authenticator = await withVirtualAuthenticator(page);
    expect(authenticator.authenticatorId).toEqual(expect.any(String));
    await page.goto(`${origin}/`);

    const outcome = await register('ada@example.test');
    expect(outcome).toMatchObject({ ok: true, secure: true });
    if (!outcome.ok) throw new Error('unreachable');

    const credentials = await authenticator.credentials();
    expect(credentials).toHaveLength(1);
    expect(credentials[0]).toMatchObject({ isResidentCredential: true, rpId: 'localhost', userHandle: expect.any(String) });
    // CDP reports ids in base64, the page in base64url: compare the bytes.
    expect(Buffer.from(credentials[0]!.credentialId, 'base64').equals(Buffer.from(outcome.id, 'base64url'))).toBe(true);
    expect(Buffer.from(credentials[0]!.userHandle!, 'base64').equals(Buffer.from(outcome.userHandle, 'base64url'))).toBe(true);

    await authenticator.remove();
  });

  it('refuses userVerification "required" while the user is not verified, and accepts it once they are', async () => {
    const authenticator = await withVirtualAuthenticator(page, { isUserVerified: false });
    await page.goto(`${origin}/`);

    const refused = await register('grace@example.test');
    expect(refused).toMatchObject({ ok: false, error: 'NotAllowedError' });
    expect(await authenticator.credentials()).toEqual([]);

    await authenticator.setUserVerified(true);
    expect(await register('grace@example.test')).toMatchObject({ ok: true });
    expect(await authenticator.credentials()).toHaveLength(1);
  });
});
