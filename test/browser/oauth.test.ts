/**
 * Sign-in with GitHub and a generic OIDC provider in Chromium, through the /sign-in page under the
 * api's CSP, against the offline fakes (test/fakes/github.ts, test/fakes/oidc.ts): the page lists a
 * button per configured provider (none for Google, not configured here); a GitHub user with the
 * email of an existing account signs in through the fake's authorize redirect and back, ending
 * with an HttpOnly session cookie on /api; a GitHub user outside GITHUB_ALLOWED_ORGS lands on the
 * error page with its plain-language explanation and no session; the OIDC button signs in an
 * existing user. Every page of every flow runs without a console error or CSP violation.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SIGN_IN_ERRORS } from '../../src/api/oauth-routes.js';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github.js';
import { startFakeOidc, type FakeOidc } from '../fakes/oidc.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { createPasswordUser, sessionClient, signIn } from '../support/sessions.js';
import { unusedTotp } from '../support/totp.js';
import { launchBrowser, watchConsole, freePort } from './support/browser.js';
import { makeInstanceAdmin } from './support/dashboard.js';

const SESSION_COOKIE = 'portcullis.session_token';
const OIDC_NAME = 'Keycloak';

let server: TestServer;
let github: FakeGitHub;
let oidc: FakeOidc;
let browser: Browser;
/** http://localhost:<port>, the PUBLIC_URL: the OAuth callbacks come back here. */
let origin: string;

type Watched = {
  console: ReturnType<typeof watchConsole>;
  /** Console errors with the URL they were reported for (watchConsole keeps only the text). */
  errors: { text: string; url: string }[];
  /** Every document the page navigated to, in order (the redirect chain included). */
  navigations: string[];
};
const contexts: BrowserContext[] = [];
const watched: Watched[] = [];

beforeAll(async () => {
  const port = await freePort();
  origin = `http://localhost:${port}`;
  [github, oidc] = await Promise.all([
    startFakeGitHub(),
    startFakeOidc({ clientId: 'oidc-client', clientSecret: 'oidc-secret', issuerPath: '/realms/portcullis' }),
  ]);
  // Only the callbacks this server sends are accepted, as on a real provider.
  github.callbackUrls.push(`${origin}/api/auth/callback/github`);
  oidc.redirectUris.push(`${origin}/api/auth/callback/oidc`);
  server = await startTestServer({
    services: ['api'],
    // Its own database: a test below makes an instance admin (the dashboard sends a new instance to /setup).
    isolatedDatabase: true,
    env: {
      API_PORT: String(port),
      PUBLIC_URL: origin,
      GITHUB_CLIENT_ID: github.clientId,
      GITHUB_CLIENT_SECRET: github.clientSecret,
      GITHUB_BASE_URL: github.baseUrl,
      GITHUB_API_URL: github.apiUrl,
      GITHUB_ALLOWED_ORGS: 'Acme',
      OIDC_ISSUER: oidc.issuer,
      OIDC_CLIENT_ID: oidc.clientId,
      OIDC_CLIENT_SECRET: oidc.clientSecret,
      OIDC_NAME,
      // Google deliberately not configured: no button for it.
    },
  });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await Promise.all([github?.stop(), oidc?.stop()]);
});
afterEach(async () => {
  // Every page of the flow (sign-in page, error page) worked under the CSP, without a script error.
  for (const { console, errors } of watched.splice(0)) {
    expect(console.cspViolations()).toEqual([]);
    expect(console.messages.filter((line) => line.startsWith('pageerror:'))).toEqual([]);
    // Expected failed loads, which Chromium reports as console errors without any script involved:
    // the signed-out sign-in page asks GET /api/me (401), and the browser's own /favicon.ico probe
    // (404; the pages declare no icon).
    const expected = (e: { text: string; url: string }) =>
      (e.url === `${origin}/api/me` && /status of 401/.test(e.text)) || (e.url.endsWith('/favicon.ico') && /status of 404/.test(e.text));
    const unexpected = errors.filter((e) => !expected(e));
    expect(unexpected).toEqual([]);
  }
  for (const context of contexts.splice(0)) await context.close();
});

/** A new browser profile (no cookies, no storage), its console and navigations watched. */
async function openPage(): Promise<{ page: Page; context: BrowserContext; watch: Watched }> {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  const watch: Watched = { console: watchConsole(page), errors: [], navigations: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') watch.errors.push({ text: message.text(), url: message.location().url });
  });
  page.on('request', (request) => {
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) watch.navigations.push(request.url());
  });
  watched.push(watch);
  return { page, context, watch };
}

async function openSignInPage(page: Page) {
  const response = await page.goto(`${origin}/sign-in`);
  expect(response?.status()).toBe(200);
  expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
  await page.waitForSelector('#sign-in', { state: 'visible' });
}

function providerButton(page: Page, label: string) {
  return page.locator('#providers button', { hasText: `Sign in with ${label}` });
}

async function sessionCookie(context: BrowserContext) {
  return (await context.cookies(`${origin}/api`)).find((c) => c.name === SESSION_COOKIE);
}

/** GET /api/me from the page itself (its cookies, its origin). */
async function meFromPage(page: Page): Promise<{ status: number; body: { user?: { id: string; email: string } } }> {
  return page.evaluate(async () => {
    const response = await fetch('/api/me', { credentials: 'same-origin' });
    return { status: response.status, body: (await response.json()) as { user?: { id: string; email: string } } };
  });
}

/** Signed in: the page shows the account, /api/me answers for the user, the cookie is HttpOnly on /api. */
async function expectSignedInAs(page: Page, context: BrowserContext, user: { id: string; email: string }) {
  await page.waitForSelector('#account', { state: 'visible' });
  expect(await page.textContent('#account-email')).toBe(user.email);
  expect(await page.isVisible('#error')).toBe(false);
  const me = await meFromPage(page);
  expect(me.status).toBe(200);
  expect(me.body.user).toMatchObject({ id: user.id, email: user.email });
  const cookie = await sessionCookie(context);
  expect(cookie).toBeDefined();
  expect(cookie).toMatchObject({ httpOnly: true, path: '/api', sameSite: 'Lax', domain: 'localhost' });
  // Out of reach of page script, even of a document on /api where the cookie applies.
  const probe = await context.newPage();
  expect((await probe.goto(`${origin}/api/me`))?.status()).toBe(200);
  expect(await probe.evaluate<string>('document.cookie')).not.toContain(SESSION_COOKIE);
  await probe.close();
}

describe('sign-in providers in Chromium', () => {
  it('shows one button per configured provider (GitHub, the OIDC provider by its OIDC_NAME) and none for Google', async () => {
    const { page } = await openPage();
    await openSignInPage(page);
    await page.waitForSelector('#providers button');
    const labels = await page.locator('#providers button').allTextContents();
    expect(labels).toEqual(['Sign in with GitHub', `Sign in with ${OIDC_NAME}`]);
    expect(labels.some((label) => /google/i.test(label))).toBe(false);
    expect(await providerButton(page, 'GitHub').isVisible()).toBe(true);
    expect(await providerButton(page, OIDC_NAME).isVisible()).toBe(true);
    // What the buttons came from: ids and labels only.
    const listed = await page.evaluate(async () => (await fetch('/api/auth/providers')).text());
    expect(JSON.parse(listed)).toEqual({
      providers: [
        { id: 'github', label: 'GitHub' },
        { id: 'oidc', label: OIDC_NAME },
      ],
    });
    expect(listed).not.toContain('secret');
  });

  it('signs in an existing user with GitHub: through the fake authorize redirect and back, HttpOnly cookie on /api', async () => {
    const user = await createPasswordUser(server);
    github.addUser({
      login: 'octo-browser',
      id: 5151,
      emails: [
        { email: 'other@elsewhere.test', primary: false, verified: true },
        { email: user.email, primary: true, verified: true },
      ],
      orgs: ['acme'],
    });
    github.authorize('octo-browser');
    github.reset();
    const { page, context, watch } = await openPage();
    await openSignInPage(page);
    expect(await sessionCookie(context)).toBeUndefined();

    await providerButton(page, 'GitHub').click();
    await page.waitForURL(`${origin}/sign-in`);
    await expectSignedInAs(page, context, user);

    // The browser itself went to the fake GitHub and came back through the callback.
    const authorizeHop = watch.navigations.find((url) => url.startsWith(github.authorizeUrl));
    expect(authorizeHop).toBeDefined();
    const authorize = new URL(authorizeHop!);
    expect(authorize.searchParams.get('client_id')).toBe(github.clientId);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${origin}/api/auth/callback/github`);
    expect(authorize.searchParams.get('state')).toBeTruthy();
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    const callbackHop = watch.navigations.find((url) => url.startsWith(`${origin}/api/auth/callback/github?`));
    expect(new URL(callbackHop!).searchParams.get('state')).toBe(authorize.searchParams.get('state'));
    expect(watch.navigations.at(-1)).toBe(`${origin}/sign-in`);
    // The server, not the browser, exchanged the code and read the user, emails and orgs.
    expect(github.requests.map((r) => r.path)).toEqual(
      expect.arrayContaining(['/login/oauth/authorize', '/login/oauth/access_token', '/user', '/user/emails', '/user/orgs']),
    );

    // Reloading the page keeps the session (the cookie, not page state, signs the user in).
    await page.reload();
    await expectSignedInAs(page, context, user);
  });

  it('sends a GitHub user outside GITHUB_ALLOWED_ORGS to the error page, in plain words, without a session', async () => {
    const user = await createPasswordUser(server);
    github.addUser({
      login: 'octo-outsider',
      id: 5152,
      emails: [{ email: user.email, primary: true, verified: true }],
      orgs: ['not-acme'],
    });
    github.authorize('octo-outsider');
    const { page, context } = await openPage();
    await openSignInPage(page);

    await providerButton(page, 'GitHub').click();
    await page.waitForURL((url) => url.pathname === '/sign-in/error');
    const landed = new URL(page.url());
    expect(landed.origin).toBe(origin);
    expect(landed.searchParams.get('error')).toBe('org_not_allowed');
    expect(await page.textContent('#error-title')).toBe(SIGN_IN_ERRORS.org_not_allowed!.title);
    expect(await page.textContent('#error-text')).toBe(SIGN_IN_ERRORS.org_not_allowed!.text);
    expect(await page.textContent('#error-text')).toContain('GitHub organizations');
    // The way back.
    expect(await page.getAttribute('a[href="/sign-in"]', 'href')).toBe('/sign-in');

    expect(await sessionCookie(context)).toBeUndefined();
    expect((await meFromPage(page)).status).toBe(401);
    await page.click('a[href="/sign-in"]');
    await page.waitForSelector('#sign-in', { state: 'visible' });
    expect(await page.isVisible('#account')).toBe(false);
  });

  it(`signs in an existing user with the OIDC provider (${OIDC_NAME}) and a verified email`, async () => {
    const user = await createPasswordUser(server);
    oidc.setNextUser({ sub: 'kc-browser', email: user.email, email_verified: true, name: 'Browser User' });
    oidc.reset();
    const { page, context, watch } = await openPage();
    await openSignInPage(page);

    await providerButton(page, OIDC_NAME).click();
    await page.waitForURL(`${origin}/sign-in`);
    await expectSignedInAs(page, context, user);

    const authorizeHop = watch.navigations.find((url) => url.startsWith(oidc.authorizationEndpoint));
    expect(authorizeHop).toBeDefined();
    const authorize = new URL(authorizeHop!);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${origin}/api/auth/callback/oidc`);
    expect(authorize.searchParams.get('scope')?.split(' ')).toContain('openid');
    expect(authorize.searchParams.get('state')).toBeTruthy();
    expect(oidc.requests.some((r) => r.path.endsWith('/token') && r.method === 'POST')).toBe(true);
  });

  it("asks for the account's TOTP code on the dashboard after the provider, and signs in only with it", async () => {
    const user = await createPasswordUser(server);
    await makeInstanceAdmin(server, user.id);
    // Two-factor turned on through the api (password session, enable, first code).
    const password = await signIn({ apiUrl: origin }, user.email, user.password, { origin });
    const call = sessionClient({ apiUrl: origin }, password.cookie!, origin);
    const enabled = await call<{ totpURI: string }>('POST', '/api/auth/two-factor/enable', { password: user.password });
    expect(enabled.status).toBe(200);
    expect((await call('POST', '/api/auth/two-factor/verify-totp', { code: await unusedTotp(enabled.body.totpURI) })).status).toBe(200);
    github.addUser({ login: 'octo-totp', id: 5153, emails: [{ email: user.email, primary: true, verified: true }], orgs: ['acme'] });
    github.authorize('octo-totp');
    const { page, context } = await openPage();
    await openSignInPage(page);

    await providerButton(page, 'GitHub').click();
    await page.waitForURL(`${origin}/login?second-factor=1`);
    await page.getByRole('heading', { name: 'Two-factor authentication' }).waitFor();
    expect(await sessionCookie(context)).toBeUndefined();
    expect((await meFromPage(page)).status).toBe(401);

    await page.getByLabel('6-digit code from your authenticator app').fill(await unusedTotp(enabled.body.totpURI));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(`${origin}/`);
    expect(await sessionCookie(context)).toBeDefined();
    const me = await meFromPage(page);
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ id: user.id, email: user.email });
  });
});
