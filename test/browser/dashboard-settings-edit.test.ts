/**
 * The settings edits of issue 10 in Chromium, under the dashboard's CSP, as an owner: a provider key's
 * name and project scope edited (and a metadata base URL refused in the api's words), a project's daily
 * request limit and rate limit set (and a negative limit refused in the api's words), unsaved edits of
 * the settings kept when the limits are saved and the other way round, an OIDC group
 * mapped to a role. Every change is checked at the api. A developer is offered none of these controls.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg, type ApiClient, type TestOrg } from '../support/api.js';
import type { TestServer } from '../support/server.js';
import { createPasswordUser, sessionApiClient, signIn } from '../support/sessions.js';
import { launchBrowser } from './support/browser.js';
import {
  assertDashboardBuilt,
  createPageWatcher,
  makeInstanceAdmin,
  openClipboardPage,
  startDashboardServer,
  submitPasswordSignIn,
} from './support/dashboard.js';
import { reviewPage } from './support/page-review.js';

type ProviderKeyBody = { providerKey: { id: string; label: string; baseUrl: string | null; projectIds: string[] } };
type Limits = {
  usage: { metric: string; period: string; limit: number; alertThresholds: number[] }[];
  rate: { requestsPerMinute: number | null; tokensPerMinute: number | null };
};

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let origin: string;
let org: TestOrg;
let owner: { id: string; email: string; password: string };
let developer: { id: string; email: string; password: string };
let api: ApiClient;
let providerKeyId: string;
const pageWatcher = createPageWatcher();

beforeAll(async () => {
  assertDashboardBuilt();
  ({ server, origin } = await startDashboardServer(['api']));
  org = await createOrg(server, 'edits');
  owner = await createPasswordUser(server, { org: { name: org.orgName, role: 'owner' } });
  developer = await createPasswordUser(server, { org: { name: org.orgName, role: 'developer' } });
  await makeInstanceAdmin(server, owner.id);
  const signedIn = await signIn(server, owner.email, owner.password, { origin });
  api = sessionApiClient(server, signedIn.cookie!, origin);
  const created = await api.post<ProviderKeyBody>(`/api/orgs/${org.orgId}/provider-keys`, {
    provider: 'openai',
    key: 'sk-settings-edit-test-0123456789',
    label: 'shared-openai',
  });
  expect(created.status).toBe(201);
  providerKeyId = created.body.providerKey.id;
  browser = await launchBrowser();
  ({ context, page } = await openClipboardPage(browser, origin));
  await pageWatcher.watch(page);
  // A fresh isolated database and a browser: slow when the machine is shared with other test runs.
}, 180_000);

afterAll(async () => {
  try {
    // Refusals caused on purpose: /api/me before signing in, the metadata base URL, the negative limit.
    const expected = new Set([
      '401 GET /api/me',
      `400 PATCH /api/orgs/${org?.orgId}/provider-keys/${providerKeyId}`,
      `400 PUT /api/orgs/${org?.orgId}/projects/${org?.projectId}/limits`,
    ]);
    pageWatcher.expectClean(expected);
  } finally {
    await context?.close();
    await browser?.close();
    await server?.stop();
  }
});

const keyRow = (name: string) => page.locator('tbody tr').filter({ has: page.locator('td.key-name', { hasText: name }) });

describe('settings edits as the owner', () => {
  it('refuses a metadata base URL in words, then renames the key and limits it to one project; the api shows it', async () => {
    await page.goto(`${origin}/login`);
    await submitPasswordSignIn(page, owner.email, owner.password);
    await page.waitForURL(`${origin}/orgs/${org.orgId}`);
    await page.goto(`${origin}/orgs/${org.orgId}/provider-keys`);
    await keyRow('shared-openai').waitFor();
    expect(await keyRow('shared-openai').locator('td[data-label="Projects"]').textContent()).toBe('All projects');

    await page.getByRole('button', { name: 'Edit shared-openai' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByLabel('Name').inputValue()).toBe('shared-openai');
    await dialog.getByLabel('Base URL').fill('http://169.254.169.254/v1');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toMatch(/metadata|link-local/);
    expect(await dialog.getByRole('alert').textContent()).not.toContain('169.254.169.254/v1');

    await dialog.getByLabel('Base URL').fill('');
    await dialog.getByLabel('Name').fill('app-openai');
    await dialog.getByLabel('Only the projects chosen below').check();
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toBe('Choose at least one project, or every project.');
    await dialog.getByLabel('app', { exact: true }).check();
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.waitFor({ state: 'detached' });

    await keyRow('app-openai').waitFor();
    expect(await keyRow('app-openai').locator('td[data-label="Projects"]').textContent()).toBe('app');
    const stored = await api.get<ProviderKeyBody>(`/api/orgs/${org.orgId}/provider-keys/${providerKeyId}`);
    expect(stored.body.providerKey).toMatchObject({ label: 'app-openai', baseUrl: null, projectIds: [org.projectId] });
    await reviewPage(page, 'provider-keys-edited');
  });

  it('refuses a negative limit with the api’s words, then sets a daily request limit and a rate limit; the api shows them', async () => {
    await page.goto(`${origin}/orgs/${org.orgId}/projects/${org.projectId}/settings`);
    const limits = page.getByRole('form', { name: 'Limits' });
    await limits.getByText('No usage limit').waitFor();
    await limits.getByRole('button', { name: 'Add a usage limit' }).click();
    const row = limits.getByRole('listitem');
    await row.getByLabel('Metric').selectOption('requests');
    await row.getByLabel('Period').selectOption('daily');
    await row.getByLabel('Limit', { exact: true }).fill('-5');
    await limits.getByRole('button', { name: 'Save limits' }).click();
    await expect.poll(() => limits.getByRole('alert').textContent()).toBe('Invalid request body: usage[0].limit: must be > 0.');
    const refused = await api.get<{ project: { limits: Limits } }>(`/api/orgs/${org.orgId}/projects/${org.projectId}`);
    expect(refused.body.project.limits.usage).toEqual([]);

    await row.getByLabel('Limit', { exact: true }).fill('1000');
    await row.getByLabel('Alert at (% of the limit)').fill('80, 100');
    await limits.getByLabel('Requests per minute').fill('120');
    const reread = page.waitForResponse((r) => r.request().method() === 'GET' && r.url().endsWith(`/projects/${org.projectId}/settings`));
    await limits.getByRole('button', { name: 'Save limits' }).click();
    await page.getByRole('status').filter({ hasText: 'Limits saved.' }).waitFor();
    // The settings are read again after the save (their version moved): still one settings form and one limits form.
    await reread;
    await page.getByRole('form', { name: 'Limits' }).getByLabel('Requests per minute').waitFor();
    expect(await page.getByRole('button', { name: 'Save settings' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Save limits' }).count()).toBe(1);
    const stored = await api.get<{ project: { limits: Limits } }>(`/api/orgs/${org.orgId}/projects/${org.projectId}`);
    expect(stored.body.project.limits).toEqual({
      usage: [{ metric: 'requests', period: 'daily', limit: 1000, alertThresholds: [80, 100] }],
      rate: { requestsPerMinute: 120, tokensPerMinute: null },
    });
    await page.reload();
    expect(await page.getByRole('form', { name: 'Limits' }).getByLabel('Limit', { exact: true }).inputValue()).toBe('1000');
    // One settings form and one limits form: the limits save reads the settings again without doubling anything.
    expect(await page.getByRole('button', { name: 'Save settings' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Save limits' }).count()).toBe(1);
    await reviewPage(page, 'project-settings-limits');
  });

  it('keeps unsaved edits of one section of a project’s settings when the other is saved, and then saves them', async () => {
    type StoredSettings = { settings: { cache: { ttlSeconds: number }; limits: Limits } };
    const settingsPath = `/api/orgs/${org.orgId}/projects/${org.projectId}/settings`;
    const settingsRead = () => page.waitForResponse((r) => r.request().method() === 'GET' && r.url().endsWith(settingsPath));
    /** Two frames after the settings were read again: whatever the new answer rebuilds has been drawn. */
    const drawn = () => page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
    await page.goto(`${origin}${settingsPath.replace('/api', '')}`);
    const settingsForm = page.getByRole('form', { name: 'Project settings' });
    const limits = page.getByRole('form', { name: 'Limits' });
    const ttl = settingsForm.getByLabel('Keep cached responses for (seconds)');
    await ttl.waitFor();

    // An unsaved cache edit, then the limits saved: the settings are read again (their version moved).
    await ttl.fill('900');
    await limits.getByLabel('Tokens per minute').fill('50000');
    const reread = settingsRead();
    await limits.getByRole('button', { name: 'Save limits' }).click();
    await page.getByRole('status').filter({ hasText: 'Limits saved.' }).waitFor();
    await reread;
    await drawn();
    expect(await ttl.inputValue()).toBe('900');
    await settingsForm.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').filter({ hasText: 'Settings saved.' }).waitFor();
    let stored = await api.get<StoredSettings>(settingsPath);
    expect(stored.body.settings.cache.ttlSeconds).toBe(900);
    // Saving the settings sent back the limits just saved, not the ones first read.
    expect(stored.body.settings.limits.rate).toEqual({ requestsPerMinute: 120, tokensPerMinute: 50000 });

    // The other way round: an unsaved limit edit survives saving the settings.
    await limits.getByLabel('Requests per minute').fill('90');
    await ttl.fill('1200');
    await settingsForm.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').filter({ hasText: 'Settings saved.' }).waitFor();
    await drawn();
    expect(await limits.getByLabel('Requests per minute').inputValue()).toBe('90');
    await limits.getByRole('button', { name: 'Save limits' }).click();
    await page.getByRole('status').filter({ hasText: 'Limits saved.' }).waitFor();
    stored = await api.get<StoredSettings>(settingsPath);
    expect(stored.body.settings.cache.ttlSeconds).toBe(1200);
    expect(stored.body.settings.limits.rate).toEqual({ requestsPerMinute: 90, tokensPerMinute: 50000 });
  });

  it('maps an OIDC group to a role; the api shows it and the strong-auth setting is untouched', async () => {
    await page.goto(`${origin}/orgs/${org.orgId}/settings`);
    const section = page.getByRole('region', { name: 'OIDC group mapping' });
    await section.getByText('No group is mapped.').waitFor();
    await section.getByRole('button', { name: 'Add group' }).click();
    await expect.poll(() => section.getByRole('alert').textContent()).toMatch(/Type the group’s name/);
    await section.getByLabel('Group name').fill('platform-engineers');
    await section.getByLabel('Role', { exact: true }).selectOption('admin');
    await section.getByRole('button', { name: 'Add group' }).click();
    await section.getByRole('button', { name: 'Save group mapping' }).click();
    await section.getByRole('status').filter({ hasText: 'Group mapping saved.' }).waitFor();
    const stored = await api.get<{ requireStrongAuthForAdmins: boolean; oidcGroupRoles: Record<string, string> }>(
      `/api/orgs/${org.orgId}/security`,
    );
    expect(stored.body).toEqual({ requireStrongAuthForAdmins: false, oidcGroupRoles: { 'platform-engineers': 'admin' } });
    await page.reload();
    await page.getByRole('region', { name: 'OIDC group mapping' }).getByText('platform-engineers', { exact: true }).waitFor();
    await reviewPage(page, 'org-settings-oidc');
  });
});

describe('settings edits as a developer', () => {
  it('offers no edit, limit or mapping control', async () => {
    const other = await context.browser()!.newContext();
    try {
      const devPage = await other.newPage();
      await pageWatcher.watch(devPage);
      await devPage.goto(`${origin}/login`);
      await submitPasswordSignIn(devPage, developer.email, developer.password);
      await devPage.waitForURL(`${origin}/orgs/${org.orgId}`);
      await devPage.goto(`${origin}/orgs/${org.orgId}/provider-keys`);
      await devPage.getByText('app-openai').waitFor();
      expect(await devPage.getByRole('button', { name: 'Edit app-openai' }).count()).toBe(0);
      await devPage.goto(`${origin}/orgs/${org.orgId}/projects/${org.projectId}/settings`);
      const limits = devPage.getByRole('form', { name: 'Limits' });
      await limits.getByLabel('Requests per minute').waitFor();
      expect(await limits.getByLabel('Requests per minute').isDisabled()).toBe(true);
      expect(await limits.getByRole('button', { name: 'Save limits' }).count()).toBe(0);
      await devPage.goto(`${origin}/orgs/${org.orgId}/settings`);
      const mapping = devPage.getByRole('region', { name: 'OIDC group mapping' });
      await mapping.getByText('platform-engineers', { exact: true }).waitFor();
      expect(await mapping.getByRole('button', { name: 'Save group mapping' }).count()).toBe(0);
    } finally {
      await other.close();
    }
  });
});
