/**
 * Azure OpenAI options of a provider key in Chromium: the Add dialog shows the API version and the
 * deployments editor only for azure-openai; a key added with an API version and one deployment holds
 * exactly those options in the api and shows its deployment in the list; the Edit dialog starts from
 * them, shows the api's refusal of a deployment mapped to a model the catalog does not list (and a
 * half-filled row is refused before any request), saves a corrected map, and empties them back to
 * "not set". Every page is watched for script errors and CSP violations.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderKeyView } from '../../src/credentials/provider-key-view.js';
import { apiClient, createOrg, mintToken, type ApiClient, type TestOrg } from '../support/api.js';
import type { TestServer } from '../support/server.js';
import { createPasswordUser } from '../support/sessions.js';
import { launchBrowser } from './support/browser.js';
import { reviewPage } from './support/page-review.js';
import {
  assertDashboardBuilt,
  createPageWatcher,
  makeInstanceAdmin,
  startDashboardServer,
  submitPasswordSignIn,
} from './support/dashboard.js';

const AZURE_SECRET = 'azure-dashboard-secret-4711';
const AZURE_URL = 'https://acme.openai.azure.com';

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageWatcher = createPageWatcher();
let org: TestOrg;
let admin: ApiClient;
let origin: string;
let keyId = '';

beforeAll(async () => {
  assertDashboardBuilt();
  ({ server, origin } = await startDashboardServer(['api'], { LOG_LEVEL: 'warn' }));
  org = await createOrg(server, 'azure-opts');
  const user = await createPasswordUser(server, { org: { name: org.orgName, role: 'owner' } });
  await makeInstanceAdmin(server, user.id);
  admin = apiClient(server, await mintToken(server, org, 'admin'));
  browser = await launchBrowser();
  context = await browser.newContext();
  page = await context.newPage();
  await pageWatcher.watch(page);
  await page.goto(`${origin}/login`);
  await submitPasswordSignIn(page, user.email, user.password);
  await page.waitForURL(`${origin}/orgs/${org.orgId}`);
});

afterAll(async () => {
  try {
    // Refusals caused on purpose: /api/me before signing in, a deployment mapped to a model the catalog does not list.
    pageWatcher.expectClean(new Set(['401 GET /api/me', `400 PATCH /api/orgs/${org?.orgId}/provider-keys/${keyId}`]));
  } finally {
    await context?.close();
    await browser?.close();
    await server?.stop();
  }
});

const row = () => page.locator('tbody tr').filter({ has: page.locator('td.key-name', { hasText: 'azure-main' }) });
const deploymentsShown = () => row().getByRole('list', { name: 'Deployments of azure-main' }).locator('li').allTextContents();

async function storedOptions(): Promise<Record<string, unknown>> {
  const response = await admin.get<{ providerKey: ProviderKeyView }>(`/api/orgs/${org.orgId}/provider-keys/${keyId}`);
  expect(response.status, response.text).toBe(200);
  return response.body.providerKey.options;
}

describe('Azure OpenAI provider key options in the dashboard', () => {
  it('adds an Azure key with an API version and one deployment, which the api stores and the list shows', async () => {
    await page.goto(`${origin}/orgs/${org.orgId}/provider-keys`);
    await page.getByText('This organization has no provider key yet.').waitFor();
    await page.getByRole('button', { name: 'Add provider key' }).click();
    const dialog = page.getByRole('dialog');
    // No options for other providers: the api would refuse any.
    expect(await dialog.getByLabel('API version (optional)').count()).toBe(0);
    await dialog.getByLabel('Provider').selectOption('azure-openai');
    await dialog.getByLabel('Name (optional)').fill('azure-main');
    await dialog.getByLabel('API key', { exact: true }).fill(AZURE_SECRET);
    await dialog.getByLabel('Base URL (optional)').fill(AZURE_URL);
    await dialog.getByLabel('API version (optional)').fill('2024-10-21');
    await dialog.getByRole('button', { name: 'Add deployment' }).click();
    await dialog.getByLabel('Deployment 1 name').fill('prod-mini');
    await dialog.getByLabel('Deployment 1 model').fill('gpt-5.4-mini');
    // The model field suggests the catalog's Azure and OpenAI models.
    expect(await dialog.locator('datalist option[value="gpt-5.4-mini"]').count()).toBe(1);
    await reviewPage(page, 'provider-key-add-azure');
    await dialog.getByRole('button', { name: 'Add key' }).click();
    await dialog.waitFor({ state: 'detached' });

    await row().waitFor();
    keyId = (await row().getAttribute('data-provider-key-id')) ?? '';
    expect(await storedOptions()).toEqual({ apiVersion: '2024-10-21', deployments: { 'prod-mini': 'gpt-5.4-mini' } });
    expect(await deploymentsShown()).toEqual(['prod-mini → gpt-5.4-mini']);
    expect(await row().locator('td[data-label="Base URL"]').textContent()).toContain('API version 2024-10-21');
  });

  it('edits them: a half-filled row and an unknown model are refused in words, a corrected map is saved', async () => {
    await row().getByRole('button', { name: 'Edit azure-main' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByLabel('API version (optional)').inputValue()).toBe('2024-10-21');
    expect(await dialog.getByLabel('Deployment 1 name').inputValue()).toBe('prod-mini');
    expect(await dialog.getByLabel('Deployment 1 model').inputValue()).toBe('gpt-5.4-mini');

    await dialog.getByLabel('API version (optional)').fill('2025-04-01-preview');
    await dialog.getByRole('button', { name: 'Add deployment' }).click();
    await dialog.getByLabel('Deployment 2 name').fill('eu-nano');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await expect
      .poll(() => dialog.getByRole('alert').textContent())
      .toBe('Give each deployment both a name and a model, or remove the row.');

    await dialog.getByLabel('Deployment 2 model').fill('gpt-0-imaginary');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await expect
      .poll(() => dialog.getByRole('alert').textContent())
      .toMatch(/options\.deployments: eu-nano maps to a model the catalog does not list/);
    // Refused as a whole: nothing of the edit was stored.
    expect(await storedOptions()).toEqual({ apiVersion: '2024-10-21', deployments: { 'prod-mini': 'gpt-5.4-mini' } });

    await dialog.getByLabel('Deployment 2 model').fill('gpt-5.4-nano');
    await dialog.getByRole('button', { name: 'Remove deployment 1 (prod-mini)' }).click();
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await storedOptions()).toEqual({ apiVersion: '2025-04-01-preview', deployments: { 'eu-nano': 'gpt-5.4-nano' } });
    await expect.poll(deploymentsShown).toEqual(['eu-nano → gpt-5.4-nano']);
  });

  it('empties the API version and the deployments back to the gateway’s defaults', async () => {
    await row().getByRole('button', { name: 'Edit azure-main' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('API version (optional)').fill('');
    await dialog.getByRole('button', { name: 'Remove deployment 1 (eu-nano)' }).click();
    await dialog.getByText('No deployment declared.').waitFor();
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await storedOptions()).toEqual({});
    await expect.poll(() => row().locator('.key-options').count()).toBe(0);
  });
});
