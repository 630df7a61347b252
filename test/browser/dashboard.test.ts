/**
 * The dashboard (web/, built into web/dist) in Chromium, served by the api under its CSP, on seeded
 * data (an org with a project and two keys): the setup redirect, a wrong password explained, password
 * sign-in, the seeded keys listed masked, a new key shown exactly once, revocation behind a
 * confirmation, the theme remembered across a reload, a phone-width layout, sign-out and passkey
 * sign-in. Every page is watched for script errors and CSP violations.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg, joinOrg, type ApiClient, type IssuedKeyBody, type KeyListBody, type TestOrg } from '../support/api.js';
import type { TestServer } from '../support/server.js';
import { createPasswordUser, sessionApiClient, signIn } from '../support/sessions.js';
import { totpFromUri, unusedTotp } from '../support/totp.js';
import { launchBrowser, withVirtualAuthenticator } from './support/browser.js';
import { reviewPage } from './support/page-review.js';
import {
  assertDashboardBuilt,
  createPageWatcher,
  makeInstanceAdmin,
  openClipboardPage,
  startDashboardServer,
  submitPasswordSignIn,
} from './support/dashboard.js';

/** Refusals the tests cause on purpose: /api/me while signed out, and the wrong password. */
const EXPECTED_FAILURES = new Set(['401 GET /api/me', '401 POST /api/auth/sign-in/email', '401 POST /api/auth/two-factor/verify-totp']);

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageWatcher = createPageWatcher();
let org: TestOrg;
let user: { id: string; email: string; password: string };
let api: ApiClient;
/** http://localhost:<port>: the PUBLIC_URL (CSRF origin) and a domain RP id for passkeys. */
let origin: string;
let createdKey = '';

beforeAll(async () => {
  assertDashboardBuilt();
  // Isolated: the setup redirect depends on there being no instance admin yet.
  ({ server, origin } = await startDashboardServer(['api']));
  org = await createOrg(server, 'dash');
  user = await createPasswordUser(server, { org: { name: org.orgName, role: 'owner' } });
  // A second org with a long name (after the first in the list, which sign-in opens): the org switcher must not widen the page on a phone.
  await joinOrg(server, user.email, `${org.orgName} Northwind Health Analytics Platform Europe`, 'viewer');
  const session = await signIn(server, user.email, user.password, { origin });
  api = sessionApiClient(server, session.cookie!, origin);
  for (const name of ['billing-service', 'search-indexer']) {
    const created = await api.post<IssuedKeyBody>(`/api/orgs/${org.orgId}/projects/${org.projectId}/api-keys`, { name });
    expect(created.status).toBe(201);
  }
  browser = await launchBrowser();
  ({ context, page } = await openClipboardPage(browser, origin));
  await pageWatcher.watch(page);
});

afterAll(async () => {
  // Whatever the tests did: no CSP violation, no script error, no console error but the expected 401s.
  try {
    pageWatcher.expectClean(EXPECTED_FAILURES);
  } finally {
    await context?.close();
    await browser?.close();
    await server?.stop();
  }
});

async function keyStatus(name: string): Promise<string | undefined> {
  const list = await api.get<KeyListBody>(`/api/orgs/${org.orgId}/projects/${org.projectId}/api-keys`);
  return list.body.apiKeys.find((k) => k.name === name)?.status;
}

const keyRow = (name: string) => page.locator('tbody tr').filter({ has: page.locator('td.key-name', { hasText: name }) });

/** Everything the page holds: its DOM text and attributes, input values, and both web storages. */
async function everythingInPage(): Promise<string> {
  return page.evaluate<string>(`[
    document.documentElement.outerHTML,
    ...[...document.querySelectorAll('input, textarea')].map((el) => el.value),
    JSON.stringify({ ...localStorage }),
    JSON.stringify({ ...sessionStorage }),
  ].join('\\n')`);
}

describe('dashboard in Chromium', () => {
  it('sends a browser to /setup while the instance has no admin', async () => {
    const response = await fetch(`${server.apiUrl}/orgs/anything`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/setup');
    await makeInstanceAdmin(server, user.id);
  });

  it('serves the dashboard under its strict CSP and shows a wrong password as a readable error', async () => {
    const response = await page.goto(`${origin}/`);
    expect(response?.status()).toBe(200);
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    // Signed out: the app takes the visitor to its sign-in page.
    await page.waitForURL(`${origin}/login`);
    await submitPasswordSignIn(page, user.email, 'not-the-right-password-1');
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toMatch(/invalid email or password/i);
    expect(page.url()).toBe(`${origin}/login`);
    expect(await page.evaluate<number>(`fetch('/api/me').then((r) => r.status)`)).toBe(401);
    await reviewPage(page, 'login');
  });

  it('signs in with a password and lists the seeded keys, masked', async () => {
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${origin}/orgs/${org.orgId}`);
    await page.getByRole('heading', { name: org.orgName }).waitFor();
    await page.getByRole('link', { name: 'Projects and API keys' }).click();
    await page.getByRole('link', { name: 'app', exact: true }).click();
    await page.waitForURL(`${origin}/orgs/${org.orgId}/projects/${org.projectId}/keys`);
    await keyRow('billing-service').waitFor();
    const seeded = (await api.get<KeyListBody>(`/api/orgs/${org.orgId}/projects/${org.projectId}/api-keys`)).body.apiKeys;
    expect(seeded).toHaveLength(2);
    for (const key of seeded) {
      const row = keyRow(key.name);
      expect(await row.locator('.masked-key').textContent()).toBe(key.maskedKey);
      expect(key.maskedKey.endsWith(key.last4)).toBe(true);
      expect(await row.locator('.badge').textContent()).toBe('active');
      expect(await row.locator('td[data-label="Last used"]').textContent()).toBe('Never');
    }
    await reviewPage(page, 'api-keys');
  });

  it('creates a key and shows the full key exactly once, with a copy button and a warning', async () => {
    await page.getByRole('button', { name: 'Create API key' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('ci-runner');
    await dialog.getByRole('button', { name: 'Create key' }).click();
    const secret = dialog.getByLabel('Your new API key');
    await secret.waitFor();
    createdKey = await secret.inputValue();
    expect(createdKey).toMatch(/^pc_live_/);
    expect(await dialog.textContent()).toContain('It will not be shown again');
    await dialog.getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => dialog.getByRole('status').textContent()).toBe('Copied to the clipboard.');
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(createdKey);
    // Not in either storage, nor in the address, while shown.
    expect(page.url()).not.toContain(createdKey);
    expect(await page.evaluate<string>('JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })')).not.toContain(
      createdKey,
    );

    await dialog.getByRole('button', { name: 'I have stored the key' }).click();
    await dialog.waitFor({ state: 'detached' });
    await keyRow('ci-runner').waitFor();
    expect(await everythingInPage()).not.toContain(createdKey);
    await page.reload();
    await keyRow('ci-runner').waitFor();
    expect(await everythingInPage()).not.toContain(createdKey);
    const masked = await keyRow('ci-runner').locator('.masked-key').textContent();
    expect(masked?.endsWith(createdKey.slice(-4))).toBe(true);
    expect(masked).not.toBe(createdKey);
  });

  it('revokes a key only after a confirmation that names it', async () => {
    await keyRow('ci-runner').getByRole('button', { name: 'Revoke ci-runner' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByRole('heading').textContent()).toBe('Revoke the API key “ci-runner”?');
    expect(await dialog.textContent()).toContain('cannot be undone');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await keyRow('ci-runner').locator('.badge').textContent()).toBe('active');
    expect(await keyStatus('ci-runner')).toBe('active');

    await keyRow('ci-runner').getByRole('button', { name: 'Revoke ci-runner' }).click();
    await dialog.getByRole('button', { name: 'Revoke key' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => keyRow('ci-runner').locator('.badge').textContent()).toBe('revoked');
    expect(await keyStatus('ci-runner')).toBe('revoked');
    // The others are untouched.
    expect(await keyStatus('billing-service')).toBe('active');
  });

  it('rotates a key with a grace period: the new secret shown once, the old one still listed until it ends', async () => {
    await keyRow('billing-service').getByRole('button', { name: 'Rotate billing-service' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByRole('heading').textContent()).toBe('Rotate the API key “billing-service”?');
    await dialog.getByLabel('The old secret keeps working for').selectOption({ label: '1 hour' });
    await dialog.getByRole('button', { name: 'Rotate key' }).click();
    const secret = dialog.getByLabel('Your new API key');
    await secret.waitFor();
    const rotated = await secret.inputValue();
    expect(rotated).toMatch(/^pc_live_/);
    await dialog.getByRole('button', { name: 'I have stored the key' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => keyRow('billing-service').locator('.badge').textContent()).toBe('rotating');
    expect(await keyRow('billing-service').textContent()).toContain('Old secret works until');
    expect(await everythingInPage()).not.toContain(rotated);
    expect(await keyStatus('billing-service')).toBe('rotating');
  });

  it('filters the keys by status and name', async () => {
    await page.getByLabel('Status').selectOption('revoked');
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    await page.getByLabel('Status').selectOption('all');
    await page.getByLabel('Filter by name').fill('search');
    await expect.poll(() => page.locator('td.key-name').allTextContents()).toEqual(['search-indexer']);
    await page.getByLabel('Filter by name').fill('');
  });

  it('shows the overview numbers and the members, filterable', async () => {
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.waitForURL(`${origin}/orgs/${org.orgId}`);
    // No traffic went through the gateway: this month's numbers are zero, from GET /usage.
    expect(await page.locator('[data-stat="requests"]').textContent()).toBe('0');
    expect(await page.locator('[data-stat="tokens"]').textContent()).toBe('0');
    await reviewPage(page, 'overview');
    await page.getByRole('link', { name: 'Members' }).click();
    await page.waitForURL(`${origin}/orgs/${org.orgId}/members`);
    const memberRows = page.locator('tr[data-member-email]');
    await page.locator(`tr[data-member-email="${user.email}"]`).waitFor();
    expect(await memberRows.count()).toBe(2); // the bootstrap owner and this user
    await reviewPage(page, 'members');
    await page.getByLabel('Filter by name or email').fill(user.email.slice(0, 12));
    await expect.poll(() => memberRows.count()).toBe(1);
    await page.goto(`${origin}/orgs/${org.orgId}/projects/${org.projectId}/keys`);
    await keyRow('billing-service').waitFor();
  });

  it('remembers the theme across a reload', async () => {
    const toggle = page.getByRole('button', { name: 'Dark theme' });
    const before = await page.evaluate<string | null>('document.documentElement.dataset.theme ?? null');
    expect(before).toBeNull(); // no choice yet: the system preference applies
    await toggle.click();
    expect(await page.evaluate<string | undefined>('document.documentElement.dataset.theme')).toBe('dark');
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    const background = () => page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
    const dark = await background();
    await page.reload();
    await keyRow('billing-service').waitFor();
    expect(await page.evaluate<string | undefined>('document.documentElement.dataset.theme')).toBe('dark');
    expect(await background()).toBe(dark);
    await page.getByRole('button', { name: 'Dark theme' }).click();
    expect(await page.evaluate<string | undefined>('document.documentElement.dataset.theme')).toBe('light');
    expect(await background()).not.toBe(dark);
  });

  it('fits a phone screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await keyRow('billing-service').waitFor();
    // The header holds the org switcher (with the long name above), the account links and the controls.
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    expect(await page.getByRole('button', { name: 'Create API key' }).isVisible()).toBe(true);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('asks for the authenticator code of an account with two-factor on, and explains a wrong one', async () => {
    const second = await createPasswordUser(server, { org: { name: org.orgName, role: 'developer' } });
    const session = await signIn(server, second.email, second.password, { origin });
    const secondApi = sessionApiClient(server, session.cookie!, origin);
    const enabled = await secondApi.post<{ totpURI: string }>('/api/auth/two-factor/enable', { password: second.password });
    expect(enabled.status).toBe(200);
    expect((await secondApi.post('/api/auth/two-factor/verify-totp', { code: await unusedTotp(enabled.body.totpURI) })).status).toBe(200);

    const otherContext = await browser.newContext();
    try {
      const other = await otherContext.newPage();
      await pageWatcher.watch(other);
      await other.goto(`${origin}/login`);
      await submitPasswordSignIn(other, second.email, second.password);
      await other.getByRole('heading', { name: 'Two-factor authentication' }).waitFor();
      expect(await other.evaluate<number>(`fetch('/api/me').then((r) => r.status)`)).toBe(401);
      await other.getByLabel('6-digit code from your authenticator app').fill(totpFromUri(enabled.body.totpURI, 5));
      await other.getByRole('button', { name: 'Verify' }).click();
      await expect.poll(() => other.getByRole('alert').textContent()).toMatch(/That code is not right/);
      await other.getByLabel('6-digit code from your authenticator app').fill(await unusedTotp(enabled.body.totpURI));
      await other.getByRole('button', { name: 'Verify' }).click();
      await other.waitForURL(`${origin}/orgs/${org.orgId}`);
      expect(await other.evaluate<number>(`fetch('/api/me').then((r) => r.status)`)).toBe(200);
    } finally {
      await otherContext.close();
    }
  });

  it('signs out, then signs in with a passkey', async () => {
    const authenticator = await withVirtualAuthenticator(page);
    // Registered through the account page (the dashboard has no passkey settings yet), same session.
    await page.goto(`${origin}/sign-in`);
    await page.waitForSelector('#account', { state: 'visible' });
    await page.fill('#passkey-name', 'Laptop');
    await page.click('#add-passkey-form button[type="submit"]');
    await page.waitForSelector('#passkey-list li .passkey-name');

    await page.goto(`${origin}/orgs/${org.orgId}/projects`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${origin}/login`);
    expect(await page.getByRole('status').textContent()).toBe('You are signed out.');
    expect(await page.evaluate<number>(`fetch('/api/me').then((r) => r.status)`)).toBe(401);

    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.waitForURL(`${origin}/orgs/${org.orgId}`);
    await page.getByRole('heading', { name: org.orgName }).waitFor();
    expect(await page.evaluate<number>(`fetch('/api/me').then((r) => r.status)`)).toBe(200);
    await authenticator.remove();
  });
});
