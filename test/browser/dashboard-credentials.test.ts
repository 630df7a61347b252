/**
 * The dashboard's credential pages in Chromium, served by the api under its CSP, with a gateway and a
 * fake OpenAI: a provider key added through a write-only field and shown masked (the secret nowhere in
 * the page or its storage, before or after a reload), "test connection" passing against the fake and
 * failing in words after a rotation to a wrong secret, a private base URL refused with the api's
 * message, deletion behind cancel-then-confirm; an admin token shown exactly once, working against
 * /api, then revoked and refused. Every page is watched for script errors and CSP violations.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FAKE_OPENAI_KEY, startFakeOpenAI, type FakeOpenAI } from '../fakes/openai.js';
import { createOrg, type TestOrg } from '../support/api.js';
import type { TestServer } from '../support/server.js';
import { createPasswordUser } from '../support/sessions.js';
import { launchBrowser } from './support/browser.js';
import { reviewPage } from './support/page-review.js';
import {
  assertDashboardBuilt,
  createPageWatcher,
  makeInstanceAdmin,
  openClipboardPage,
  startDashboardServer,
  submitPasswordSignIn,
} from './support/dashboard.js';

/** A key the fake does not accept: the rotation to it must make the test fail, in words. */
const WRONG_OPENAI_KEY = 'sk-wrong-openai-key-9876543210';

let server: TestServer;
let fake: FakeOpenAI;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageWatcher = createPageWatcher();
let org: TestOrg;
let user: { id: string; email: string; password: string };
let origin: string;

beforeAll(async () => {
  assertDashboardBuilt();
  fake = await startFakeOpenAI();
  // Isolated: this file makes its user the instance admin (no setup redirect), which must not leak into other files.
  ({ server, origin } = await startDashboardServer(['gateway', 'api']));
  org = await createOrg(server, 'creds');
  user = await createPasswordUser(server, { org: { name: org.orgName, role: 'owner' } });
  await makeInstanceAdmin(server, user.id);
  browser = await launchBrowser();
  ({ context, page } = await openClipboardPage(browser, origin));
  await pageWatcher.watch(page);
});

afterAll(async () => {
  try {
    // Refusals caused on purpose: /api/me before signing in, the metadata base URL, a developer's look at the admin tokens.
    const expected = new Set([
      '401 GET /api/me',
      `400 POST /api/orgs/${org?.orgId}/provider-keys`,
      `403 GET /api/orgs/${org?.orgId}/admin-tokens`,
    ]);
    pageWatcher.expectClean(expected);
  } finally {
    await context?.close();
    await browser?.close();
    await server?.stop();
    await fake?.close();
  }
});

/** Everything the page holds: its DOM text and attributes, input values, and both web storages. */
async function everythingInPage(): Promise<string> {
  return page.evaluate<string>(`[
    document.documentElement.outerHTML,
    ...[...document.querySelectorAll('input, textarea')].map((el) => el.value),
    JSON.stringify({ ...localStorage }),
    JSON.stringify({ ...sessionStorage }),
  ].join('\\n')`);
}

const row = (name: string) => page.locator('tbody tr').filter({ has: page.locator('td.key-name', { hasText: name }) });

/** GET /api/orgs/:orgId/projects from Node with only the bearer token (no cookie): its status. */
async function statusWithToken(token: string): Promise<number> {
  const response = await fetch(`${server.apiUrl}/api/orgs/${org.orgId}/projects`, { headers: { authorization: `Bearer ${token}` } });
  await response.body?.cancel();
  return response.status;
}

describe('dashboard credentials in Chromium', () => {
  it('signs in and opens the provider keys from the navigation', async () => {
    await page.goto(`${origin}/`);
    await page.waitForURL(`${origin}/login`);
    await submitPasswordSignIn(page, user.email, user.password);
    await page.waitForURL(`${origin}/orgs/${org.orgId}`);
    await page.getByRole('navigation', { name: 'Organization' }).getByRole('link', { name: 'Provider keys' }).click();
    await page.waitForURL(`${origin}/orgs/${org.orgId}/provider-keys`);
    await page.getByText('This organization has no provider key yet.').waitFor();
  });

  it('refuses a metadata base URL with the api’s own words, and empties the secret field', async () => {
    await page.getByRole('button', { name: 'Add provider key' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Provider').selectOption('openai');
    await dialog.getByLabel('Name (optional)').fill('blocked');
    await dialog.getByLabel('API key', { exact: true }).fill(DEFAULT_FAKE_OPENAI_KEY);
    await dialog.getByLabel('Base URL (optional)').fill('http://169.254.169.254/v1');
    await dialog.getByRole('button', { name: 'Add key' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toMatch(/metadata|link-local/);
    expect(await dialog.getByLabel('API key', { exact: true }).inputValue()).toBe('');
    expect(await everythingInPage()).not.toContain(DEFAULT_FAKE_OPENAI_KEY);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  it('adds a key pointing at the fake provider and shows it masked, the secret nowhere in the page, before or after a reload', async () => {
    await page.getByRole('button', { name: 'Add provider key' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Provider').selectOption('openai');
    await dialog.getByLabel('Name (optional)').fill('fake-openai');
    expect(await dialog.getByLabel('API key', { exact: true }).getAttribute('type')).toBe('password');
    await dialog.getByLabel('API key', { exact: true }).fill(DEFAULT_FAKE_OPENAI_KEY);
    await dialog.getByLabel('Base URL (optional)').fill(fake.baseUrl);
    await dialog.getByRole('button', { name: 'Add key' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row('fake-openai').waitFor();
    expect(await row('fake-openai').locator('.masked-key').textContent()).toBe(`••••${DEFAULT_FAKE_OPENAI_KEY.slice(-4)}`);
    expect(await row('fake-openai').locator('td[data-label="Base URL"]').textContent()).toBe(fake.baseUrl);
    expect(page.url()).not.toContain(DEFAULT_FAKE_OPENAI_KEY);
    expect(await everythingInPage()).not.toContain(DEFAULT_FAKE_OPENAI_KEY);
    await page.reload();
    await row('fake-openai').waitFor();
    expect(await everythingInPage()).not.toContain(DEFAULT_FAKE_OPENAI_KEY);
    await reviewPage(page, 'provider-keys');
  });

  it('tests the connection through the gateway: success against the fake, a readable failure after rotating to a wrong key', async () => {
    await row('fake-openai').getByRole('button', { name: 'Test fake-openai' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Project').selectOption({ label: 'app' });
    await dialog.getByRole('button', { name: 'Run test' }).click();
    await expect.poll(() => dialog.getByRole('status').textContent()).toMatch(/^Connected: openai\/.+ answered in \d+ ms\.$/);
    expect(fake.requests.at(-1)?.headers.authorization).toBe(`Bearer ${DEFAULT_FAKE_OPENAI_KEY}`);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });

    await row('fake-openai').getByRole('button', { name: 'Rotate fake-openai' }).click();
    expect(await dialog.getByRole('heading').textContent()).toBe('Rotate the provider key “fake-openai”?');
    await dialog.getByLabel('New API key').fill(WRONG_OPENAI_KEY);
    await dialog.getByRole('button', { name: 'Rotate key' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => row('fake-openai').locator('.masked-key').textContent()).toBe(`••••${WRONG_OPENAI_KEY.slice(-4)}`);
    expect(await everythingInPage()).not.toContain(WRONG_OPENAI_KEY);

    await row('fake-openai').getByRole('button', { name: 'Test fake-openai' }).click();
    await dialog.getByRole('button', { name: 'Run test' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toMatch(/^The test failed \(HTTP 502, openai\/.+\): .*rejected/);
    expect(fake.requests.at(-1)?.headers.authorization).toBe(`Bearer ${WRONG_OPENAI_KEY}`);
    expect(await everythingInPage()).not.toContain(WRONG_OPENAI_KEY);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  it('deletes a key only after a confirmation that names it', async () => {
    await row('fake-openai').getByRole('button', { name: 'Delete fake-openai' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByRole('heading').textContent()).toBe('Delete the provider key “fake-openai”?');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.reload();
    await row('fake-openai').waitFor();

    await row('fake-openai').getByRole('button', { name: 'Delete fake-openai' }).click();
    await dialog.getByRole('button', { name: 'Delete key' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('This organization has no provider key yet.').waitFor();
  });

  it('creates an admin token, shows it exactly once, and it works against /api until revoked', async () => {
    await page.getByRole('navigation', { name: 'Organization' }).getByRole('link', { name: 'Admin tokens' }).click();
    await page.waitForURL(`${origin}/orgs/${org.orgId}/admin-tokens`);
    await page.getByRole('button', { name: 'Create admin token' }).waitFor();
    await reviewPage(page, 'admin-tokens');
    await page.getByRole('button', { name: 'Create admin token' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('ci-deploy');
    expect(await dialog.getByLabel('Role').locator('option').allTextContents()).toEqual(['owner', 'admin', 'developer', 'viewer']);
    await dialog.getByLabel('Role').selectOption('developer');
    await dialog.getByRole('button', { name: 'Create token' }).click();
    const secret = dialog.getByLabel('Your new admin token');
    await secret.waitFor();
    const token = await secret.inputValue();
    expect(token).toMatch(/^pc_admin_/);
    expect(await dialog.textContent()).toContain('It will not be shown again');
    await dialog.getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => dialog.getByRole('status').textContent()).toBe('Copied to the clipboard.');
    expect(await page.evaluate<string>('JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })')).not.toContain(token);
    await dialog.getByRole('button', { name: 'I have stored the token' }).click();
    await dialog.waitFor({ state: 'detached' });

    await row('ci-deploy').waitFor();
    expect(await row('ci-deploy').locator('td[data-label="Role"]').textContent()).toBe('developer');
    expect(await row('ci-deploy').locator('.badge').textContent()).toBe('active');
    expect(await everythingInPage()).not.toContain(token);
    await page.reload();
    await row('ci-deploy').waitFor();
    expect(await everythingInPage()).not.toContain(token);
    expect(await row('ci-deploy').locator('.masked-key').textContent()).toMatch(new RegExp(`${token.slice(-4)}$`));

    expect(await statusWithToken(token)).toBe(200);
    await page.reload();
    await expect.poll(() => row('ci-deploy').locator('td[data-label="Last used"]').textContent()).not.toBe('Never');

    await row('ci-deploy').getByRole('button', { name: 'Revoke ci-deploy' }).click();
    expect(await dialog.getByRole('heading').textContent()).toBe('Revoke the admin token “ci-deploy”?');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await statusWithToken(token)).toBe(200);
    await row('ci-deploy').getByRole('button', { name: 'Revoke ci-deploy' }).click();
    await dialog.getByRole('button', { name: 'Revoke token' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => row('ci-deploy').locator('.badge').textContent()).toBe('revoked');
    expect(await statusWithToken(token)).toBe(401);
  });

  it('filters the admin tokens by status and name', async () => {
    await page.getByLabel('Status').selectOption('active');
    await page.getByText('No admin token matches these filters.').waitFor();
    await page.getByLabel('Status').selectOption('all');
    await page.getByLabel('Filter by name').fill('ci-');
    await expect.poll(() => page.locator('td.key-name').allTextContents()).toEqual(['ci-deploy']);
  });

  it('shows a developer the provider keys without write buttons, and the admin tokens refusal in words', async () => {
    const developer = await createPasswordUser(server, { org: { name: org.orgName, role: 'developer' } });
    const otherContext = await browser.newContext();
    try {
      const other = await otherContext.newPage();
      await pageWatcher.watch(other);
      await other.goto(`${origin}/login`);
      await submitPasswordSignIn(other, developer.email, developer.password);
      await other.waitForURL(`${origin}/orgs/${org.orgId}`);
      await other.goto(`${origin}/orgs/${org.orgId}/provider-keys`);
      await other.getByText('Only owners and admins of the organization can add, test, rotate or delete provider keys.').waitFor();
      expect(await other.getByRole('button', { name: 'Add provider key' }).count()).toBe(0);
      // The navigation has no Admin tokens link for a developer; the address typed in gets the api's refusal.
      expect(await other.getByRole('link', { name: 'Admin tokens' }).count()).toBe(0);
      await other.goto(`${origin}/orgs/${org.orgId}/admin-tokens`);
      await expect.poll(() => other.getByRole('alert').textContent()).toMatch(/\S/);
      expect(await other.getByRole('button', { name: 'Create admin token' }).count()).toBe(0);
    } finally {
      await otherContext.close();
    }
  });
});
