/**
 * Editing and deleting API keys in Chromium, with their limits and usage: an owner renames a key,
 * restricts its models and addresses and gives it a daily request limit (a CIDR with host bits set is
 * refused in the api's words first); the list then shows the new name and a usage meter at 0 of the
 * limit, and the api holds exactly what the form showed; two requests through the gateway (to a fake
 * OpenAI) move the meter to 2. Deletion is behind a confirmation with
 * Cancel focused; afterwards the api answers 404. A viewer sees the limits but no edit or delete, and
 * asks for no usage it may not read. Every page is watched for script errors and CSP violations.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyBootstrap } from '../../src/bootstrap/apply.js';
import { parseBootstrapText } from '../../src/bootstrap/document.js';
import { findOrganizationId } from '../../src/tenancy/organizations.js';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/openai.js';
import { operatorCtx, type ApiClient, type IssuedKeyBody, type KeyBody } from '../support/api.js';
import { uniqueName } from '../support/database.js';
import type { TestServer } from '../support/server.js';
import { createPasswordUser, sessionApiClient, signIn } from '../support/sessions.js';
import { launchBrowser } from './support/browser.js';
import { reviewPage } from './support/page-review.js';
import {
  assertDashboardBuilt,
  createPageWatcher,
  makeInstanceAdmin,
  startDashboardServer,
  submitPasswordSignIn,
} from './support/dashboard.js';

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let viewerContext: BrowserContext | undefined;
const pageWatcher = createPageWatcher();
let org: { orgId: string; projectId: string };
let openai: FakeOpenAI;
const secrets = new Map<string, string>();
let owner: { id: string; email: string; password: string };
let viewer: { id: string; email: string; password: string };
let api: ApiClient;
let origin: string;
const keyIds = new Map<string, string>();

beforeAll(async () => {
  assertDashboardBuilt();
  openai = await startFakeOpenAI();
  ({ server, origin } = await startDashboardServer(['gateway', 'api'], { LOG_LEVEL: 'warn' }));
  // Through the bootstrap: a provider key on the fake's loopback base URL, which the api would refuse.
  const orgName = uniqueName('keyedit');
  const doc = {
    orgs: [
      { name: orgName, providerKeys: [{ provider: 'openai', key: openai.apiKey, baseUrl: openai.baseUrl }], projects: [{ name: 'app' }] },
    ],
  };
  await applyBootstrap(parseBootstrapText(stringify(doc), 'org.yaml'), {
    db: server.runtime.apiDb,
    keyring: server.runtime.keyring,
    ctx: operatorCtx,
  });
  const orgId = (await findOrganizationId(server.runtime.apiDb, orgName))!;
  owner = await createPasswordUser(server, { org: { name: orgName, role: 'owner' } });
  viewer = await createPasswordUser(server, { org: { name: orgName, role: 'viewer' } });
  await makeInstanceAdmin(server, owner.id);
  const session = await signIn(server, owner.email, owner.password, { origin });
  api = sessionApiClient(server, session.cookie!, origin);
  const projects = await api.get<{ projects: { id: string; name: string }[] }>(`/api/orgs/${orgId}/projects`);
  org = { orgId, projectId: projects.body.projects.find((p) => p.name === 'app')!.id };
  for (const name of ['reporting-job', 'old-worker']) {
    const created = await api.post<IssuedKeyBody>(`/api/orgs/${org.orgId}/projects/${org.projectId}/api-keys`, { name });
    expect(created.status).toBe(201);
    keyIds.set(name, created.body.apiKey.id);
    secrets.set(name, created.body.key);
  }
  browser = await launchBrowser();
  context = await browser.newContext();
  page = await context.newPage();
  await pageWatcher.watch(page);
});

afterAll(async () => {
  try {
    // Refused on purpose: /api/me before signing in, the CIDR with host bits set, and the overview's
    // usage, which a viewer lands on after signing in and may not read (usage:read is developer and up).
    pageWatcher.expectClean(
      new Set([
        '401 GET /api/me',
        `400 PATCH /api/orgs/${org?.orgId}/api-keys/${keyIds.get('reporting-job')}`,
        `403 GET /api/orgs/${org?.orgId}/usage`,
        `403 GET /api/orgs/${org?.orgId}/usage/timeseries`,
      ]),
    );
  } finally {
    await viewerContext?.close();
    await context?.close();
    await browser?.close();
    await server?.stop();
    await openai?.close();
  }
});

const keysUrl = () => `${origin}/orgs/${org.orgId}/projects/${org.projectId}/keys`;
const rowIn = (target: Page, name: string) => target.locator('tbody tr').filter({ has: target.locator('td.key-name', { hasText: name }) });
const row = (name: string) => rowIn(page, name);
const getKey = (name: string) => api.get<KeyBody>(`/api/orgs/${org.orgId}/api-keys/${keyIds.get(name)}`);

async function signInAt(target: Page, user: { email: string; password: string }): Promise<void> {
  await target.goto(`${origin}/`);
  await target.waitForURL(`${origin}/login`);
  await submitPasswordSignIn(target, user.email, user.password);
  await target.waitForURL(`${origin}/orgs/${org.orgId}`);
  await target.goto(keysUrl());
}

describe('API key editing in Chromium', () => {
  it('lists the keys with no limits for an owner, each with Edit and Delete', async () => {
    await signInAt(page, owner);
    await row('reporting-job').waitFor();
    expect(await row('reporting-job').locator('td[data-label="Limits"]').textContent()).toBe('None');
    expect(await row('reporting-job').getByRole('button', { name: 'Edit reporting-job' }).isVisible()).toBe(true);
    expect(await row('reporting-job').getByRole('button', { name: 'Delete reporting-job' }).isVisible()).toBe(true);
  });

  it('refuses a CIDR with host bits set in the api’s words, then saves name, models, addresses and a daily limit', async () => {
    await row('reporting-job').getByRole('button', { name: 'Edit reporting-job' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByRole('heading').textContent()).toBe('Edit the API key “reporting-job”');
    expect(await dialog.getByLabel('Name').inputValue()).toBe('reporting-job');
    await dialog.getByLabel('Name').fill('reporting-job-v2');
    await dialog.getByLabel('Allowed models (one a line)').fill('openai/gpt-5.4-mini');
    await dialog.getByLabel(/IP allow-list/).fill('203.0.113.7/24');
    await dialog.getByRole('button', { name: 'Add a limit' }).click();
    await dialog.getByLabel('Metric of limit 1').selectOption('requests');
    await dialog.getByLabel('Period of limit 1').selectOption('daily');
    await dialog.getByLabel('Amount of limit 1').fill('50');
    await dialog.getByLabel('Requests a minute').fill('30');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toMatch(/beyond its prefix length/);
    // Nothing was changed by the refused request.
    expect((await getKey('reporting-job')).body.apiKey.name).toBe('reporting-job');
    await reviewPage(page, 'api-keys-edit');

    await dialog.getByLabel(/IP allow-list/).fill('203.0.113.0/24\n127.0.0.1\n::1');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.waitFor({ state: 'detached' });

    const meter = row('reporting-job-v2').getByRole('meter', { name: '0 of 50 requests today' });
    await meter.waitFor();
    expect(await meter.getAttribute('max')).toBe('50');
    expect(await meter.getAttribute('value')).toBe('0');
    expect(await row('reporting-job-v2').locator('td[data-label="Limits"]').textContent()).toContain('At most 30 requests a minute');

    const saved = (await getKey('reporting-job')).body.apiKey;
    expect(saved.name).toBe('reporting-job-v2');
    expect(saved.allowedModels).toEqual(['openai/gpt-5.4-mini']);
    expect(saved.ipAllowlist).toEqual(['203.0.113.0/24', '127.0.0.1/32', '::1/128']);
    expect(saved.limits.usage).toEqual([{ metric: 'requests', period: 'daily', limit: 50, alertThresholds: [50, 80, 100] }]);
    expect(saved.limits.rate).toEqual({ requestsPerMinute: 30, tokensPerMinute: null });
    await reviewPage(page, 'api-keys-with-limits');
  });

  it('counts the key’s requests through the gateway in its bar', async () => {
    const chat = () =>
      fetch(`${server.gatewayUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secrets.get('reporting-job')}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'openai/gpt-5.4-mini', messages: [{ role: 'user', content: 'hello' }] }),
      });
    for (let i = 0; i < 2; i += 1) {
      const response = await chat();
      expect(response.status, await response.text()).toBe(200);
    }
    // Usage may come from request logs, written seconds behind: reload until the bar has caught up.
    await expect
      .poll(
        async () => {
          await page.reload();
          const meter = row('reporting-job-v2').getByRole('meter');
          await meter.waitFor();
          return row('reporting-job-v2').locator('.key-usage label').textContent();
        },
        { timeout: 20_000, interval: 1_000 },
      )
      .toBe('2 of 50 requests today');
    expect(await row('reporting-job-v2').getByRole('meter', { name: '2 of 50 requests today' }).getAttribute('value')).toBe('2');
  });

  it('reopens the dialog on what was saved, and removing the limit leaves the key without one', async () => {
    await row('reporting-job-v2').getByRole('button', { name: 'Edit reporting-job-v2' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByLabel('Allowed models (one a line)').inputValue()).toBe('openai/gpt-5.4-mini');
    expect(await dialog.getByLabel(/IP allow-list/).inputValue()).toBe('203.0.113.0/24\n127.0.0.1/32\n::1/128');
    expect(await dialog.getByLabel('Period of limit 1').inputValue()).toBe('daily');
    expect(await dialog.getByLabel('Amount of limit 1').inputValue()).toBe('50');
    expect(await dialog.getByLabel('Requests a minute').inputValue()).toBe('30');
    await dialog.getByLabel('Amount of limit 1').fill('');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toMatch(/needs an amount above zero/);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await getKey('reporting-job')).body.apiKey.limits.usage).toHaveLength(1);
  });

  it('deletes a key only after a confirmation that names it, with Cancel focused; the api then answers 404', async () => {
    await row('old-worker').getByRole('button', { name: 'Delete old-worker' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByRole('heading').textContent()).toBe('Delete the API key “old-worker”?');
    expect(await page.evaluate<string | undefined>('document.activeElement?.textContent ?? undefined')).toBe('Cancel');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await getKey('old-worker')).status).toBe(200);

    await row('old-worker').getByRole('button', { name: 'Delete old-worker' }).click();
    await dialog.getByRole('button', { name: 'Delete key' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row('old-worker').waitFor({ state: 'detached' });
    expect((await getKey('old-worker')).status).toBe(404);
    await row('reporting-job-v2').waitFor();
  });

  it('keeps the edit dialog and the limits within a phone screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await row('reporting-job-v2').getByRole('meter').waitFor();
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await row('reporting-job-v2').getByRole('button', { name: 'Edit reporting-job-v2' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Amount of limit 1').waitFor();
    const box = await dialog.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 390).toBe(true);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('shows a viewer the limits in words, with no edit, delete or create, and asks for no usage', async () => {
    viewerContext = await browser.newContext();
    const viewerPage = await viewerContext.newPage();
    await pageWatcher.watch(viewerPage);
    const usageRequests: string[] = [];
    viewerPage.on('request', (req) => {
      if (req.url().includes('scope=api_key')) usageRequests.push(req.url());
    });
    await signInAt(viewerPage, viewer);
    const viewerRow = rowIn(viewerPage, 'reporting-job-v2');
    await viewerRow.waitFor();
    expect(await viewerRow.locator('td[data-label="Limits"]').textContent()).toContain('At most 50 requests a day');
    expect(await viewerRow.getByRole('meter').count()).toBe(0);
    expect(await viewerRow.getByRole('button').count()).toBe(0);
    expect(await viewerPage.getByRole('button', { name: 'Create API key' }).count()).toBe(0);
    await viewerPage.getByText('creating or changing them needs a developer or above').waitFor();
    expect(usageRequests).toEqual([]);
  });
});
