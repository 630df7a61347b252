/**
 * The dashboard's projects, project settings and models pages in Chromium, served by the api under its
 * CSP: an admin creates a project (a taken name refused in the api's words), edits its settings (a bad
 * value refused in words; body logging, an allowed model and an alias with two ordered fallbacks saved,
 * seen again after a reload, changed in the api and audited `project.updated`), meets a conflicting edit
 * made through the api in between, narrows the model catalog to the project, and deletes the project
 * behind a typed-name confirmation. A viewer sees no create, delete or save control, and the api refuses
 * their PUT. Every page is watched for script errors and CSP violations, and checked with axe.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, createOrg, mintToken, type ApiClient, type TestOrg } from '../support/api.js';
import type { TestServer } from '../support/server.js';
import { createPasswordUser } from '../support/sessions.js';
import { launchBrowser } from './support/browser.js';
import {
  assertDashboardBuilt,
  createPageWatcher,
  makeInstanceAdmin,
  startDashboardServer,
  submitPasswordSignIn,
} from './support/dashboard.js';
import { reviewPage } from './support/page-review.js';

type CatalogModel = { id: string; provider: string; mode: string; capabilities: string[] };
type Settings = {
  cache: { enabled: boolean; ttlSeconds: number };
  logBodies: boolean;
  allowedModels: string[] | null;
  maxRetries: number;
} & Record<string, unknown>;
type VersionedSettings = { settings: Settings; version: string };

const NEW_PROJECT = 'billing-bot';

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageWatcher = createPageWatcher();
let org: TestOrg;
let admin: { id: string; email: string; password: string };
let origin: string;
let api: ApiClient;
/** Two OpenAI chat models and an Anthropic one from the catalog: an allowed model and an alias's fallbacks. */
let allowedModel: string;
let fallbacks: [string, string];
/** The project the admin creates in the browser. */
let newProjectId = '';

// Timeouts are generous: a fresh database, a server and a browser on a shared 2-core machine.
beforeAll(async () => {
  assertDashboardBuilt();
  ({ server, origin } = await startDashboardServer(['api']));
  org = await createOrg(server, 'projects');
  admin = await createPasswordUser(server, { org: { name: org.orgName, role: 'admin' } });
  await makeInstanceAdmin(server, admin.id);
  api = apiClient(server, await mintToken(server, org, 'admin'));
  // An org-wide OpenAI key: every project may use OpenAI's models (the api only stores it; nothing is called).
  const stored = await api.post(`/api/orgs/${org.orgId}/provider-keys`, { provider: 'openai', key: 'sk-projects-test-0000000000000001' });
  expect(stored.status).toBe(201);
  const catalog = await api.get<{ models: CatalogModel[] }>(`/api/orgs/${org.orgId}/models`);
  const openaiChat = catalog.body.models.filter((m) => m.provider === 'openai' && m.mode === 'chat').map((m) => m.id);
  const anthropic = catalog.body.models.find((m) => m.provider === 'anthropic' && m.mode === 'chat');
  allowedModel = openaiChat[0]!;
  fallbacks = [anthropic!.id, openaiChat[1]!];
  browser = await launchBrowser();
  context = await browser.newContext();
  page = await context.newPage();
  await pageWatcher.watch(page);
}, 180_000);

afterAll(async () => {
  try {
    // Refusals caused on purpose: /api/me before signing in, a taken name, a bad TTL, the conflicting save, the viewer's PUT;
    // and the overview's usage, which a viewer (no usage:read) is refused when signing in lands them there.
    const settingsPath = `/api/orgs/${org?.orgId}/projects/${newProjectId}/settings`;
    const expected = new Set([
      '401 GET /api/me',
      `409 POST /api/orgs/${org?.orgId}/projects`,
      `400 PUT ${settingsPath}`,
      `409 PUT ${settingsPath}`,
      `403 PUT /api/orgs/${org?.orgId}/projects/${org?.projectId}/settings`,
      `403 GET /api/orgs/${org?.orgId}/usage`,
      `403 GET /api/orgs/${org?.orgId}/usage/timeseries`,
    ]);
    pageWatcher.expectClean(expected);
  } finally {
    await context?.close();
    await browser?.close();
    await server?.stop();
  }
});

const projectRow = (target: Page, name: string) =>
  target.locator('tbody tr').filter({ has: target.locator('td.project-name a', { hasText: new RegExp(`^${name}$`) }) });
const listItems = (name: string) => page.getByRole('list', { name, exact: true }).locator('code').allTextContents();
const settingsOf = (projectId: string) => api.get<VersionedSettings>(`/api/orgs/${org.orgId}/projects/${projectId}/settings`);

describe('dashboard projects, settings and models in Chromium', { timeout: 120_000 }, () => {
  it('creates a project, refuses a taken name in the api’s words, and lists it', async () => {
    await page.goto(`${origin}/`);
    await page.waitForURL(`${origin}/login`);
    await submitPasswordSignIn(page, admin.email, admin.password);
    await page.waitForURL(`${origin}/orgs/${org.orgId}`);
    await page.goto(`${origin}/orgs/${org.orgId}/projects`);
    await projectRow(page, 'app').waitFor();

    await page.getByRole('button', { name: 'Create project' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('app');
    await dialog.getByRole('button', { name: 'Create project' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toBe('This organization already has a project with that name.');

    await dialog.getByLabel('Name').fill(NEW_PROJECT);
    await dialog.getByLabel('Mode').selectOption('test');
    await dialog.getByRole('button', { name: 'Create project' }).click();
    await dialog.waitFor({ state: 'detached' });
    await projectRow(page, NEW_PROJECT).waitFor();
    expect(await projectRow(page, NEW_PROJECT).locator('.badge').textContent()).toBe('test');
    newProjectId = (await projectRow(page, NEW_PROJECT).getAttribute('data-project-id')) ?? '';
    expect(newProjectId).toMatch(/^[0-9a-f-]{36}$/);

    await page.getByLabel('Filter by name').fill('billing');
    await expect.poll(() => page.locator('td.project-name a').allTextContents()).toEqual([NEW_PROJECT]);
    await page.getByLabel('Filter by name').fill('');
    await reviewPage(page, 'projects');
  });

  it('edits the settings: a bad value refused in words, then body logging, an allowed model and an alias saved and read back', async () => {
    await projectRow(page, NEW_PROJECT)
      .getByRole('link', { name: `Settings of ${NEW_PROJECT}` })
      .click();
    await page.waitForURL(`${origin}/orgs/${org.orgId}/projects/${newProjectId}/settings`);
    await page.getByRole('heading', { name: `Settings of ${NEW_PROJECT}` }).waitFor();
    expect(await page.getByLabel('Store request and response bodies').isChecked()).toBe(false);
    expect(await page.getByText('every read is recorded in the audit log').count()).toBe(1);

    // Out of range: the api's own 400 names the field.
    await page.getByLabel('Keep cached responses for (seconds)').fill('0');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/ttlSeconds/);
    await page.getByLabel('Keep cached responses for (seconds)').fill('600');

    await page.getByLabel('Cache responses', { exact: true }).check();
    await page.getByLabel('Store request and response bodies').check();
    await page.getByLabel('Only allow the models listed below').check();
    await page.getByLabel('Add an allowed model').fill(allowedModel);
    await page.getByRole('button', { name: 'Add to the allowed models' }).click();
    await page.getByLabel('Add an allowed model').fill('fast');
    await page.getByLabel('Add an allowed model').press('Enter');
    expect(await listItems('Allowed models')).toEqual([allowedModel, 'fast']);

    await page.getByLabel('New alias name').fill('fast');
    await page.getByRole('button', { name: 'Add alias' }).click();
    // Added in the reverse order, then put right with the Up button.
    await page.getByLabel('Add a model to fast').fill(fallbacks[1]);
    await page.getByRole('button', { name: 'Add to fast' }).click();
    await page.getByLabel('Add a model to fast').fill(fallbacks[0]);
    await page.getByRole('button', { name: 'Add to fast' }).click();
    expect(await listItems('Fallbacks of fast')).toEqual([fallbacks[1], fallbacks[0]]);
    await page.getByRole('button', { name: `Up: try ${fallbacks[0]} earlier in Fallbacks of fast` }).click();
    expect(await listItems('Fallbacks of fast')).toEqual(fallbacks);

    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Settings saved.' }).count()).toBe(1);

    await page.reload();
    await page.getByRole('heading', { name: `Settings of ${NEW_PROJECT}` }).waitFor();
    await page.getByRole('list', { name: 'Fallbacks of fast', exact: true }).waitFor();
    expect(await page.getByLabel('Store request and response bodies').isChecked()).toBe(true);
    expect(await page.getByLabel('Cache responses', { exact: true }).isChecked()).toBe(true);
    expect(await page.getByLabel('Keep cached responses for (seconds)').inputValue()).toBe('600');
    expect(await listItems('Allowed models')).toEqual([allowedModel, 'fast']);
    expect(await listItems('Fallbacks of fast')).toEqual(fallbacks);
    await reviewPage(page, 'project-settings');

    const { body } = await settingsOf(newProjectId);
    expect(body.settings).toMatchObject({
      cache: { enabled: true, ttlSeconds: 600 },
      logBodies: true,
      allowedModels: [allowedModel, 'fast'],
      aliases: { fast: fallbacks },
      maxRetries: 2,
      limits: { usage: [], rate: { requestsPerMinute: null, tokensPerMinute: null } },
    });
    const audit = await api.get<{ events: { action: string; target: { id: string } | null }[] }>(
      `/api/orgs/${org.orgId}/audit/events?action=project.updated&targetId=${newProjectId}`,
    );
    expect(audit.status).toBe(200);
    expect(audit.body.events.map((event) => event.action)).toEqual(['project.updated']);
  });

  it('keeps the limits it does not edit exactly as read', async () => {
    const limits = { usage: [{ metric: 'requests', period: 'daily', limit: 500 }], rate: { requestsPerMinute: 60 } };
    expect((await api.put(`/api/orgs/${org.orgId}/projects/${newProjectId}/limits`, limits)).status).toBe(200);
    const before = (await settingsOf(newProjectId)).body.settings;
    await page.reload();
    await page.getByLabel('Retries per provider').fill('3');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Settings saved.' }).count()).toBe(1);
    const after = (await settingsOf(newProjectId)).body.settings;
    expect(after).toEqual({ ...before, maxRetries: 3 });
  });

  it('says when someone else changed the settings in between, and reloads them', async () => {
    await page.reload();
    await page.getByRole('list', { name: 'Fallbacks of fast', exact: true }).waitFor();
    // Someone else saves through the api after the page read the settings.
    const { body } = await settingsOf(newProjectId);
    expect((await api.put(`/api/orgs/${org.orgId}/projects/${newProjectId}/settings`, { ...body.settings, maxRetries: 4 })).status).toBe(
      200,
    );

    await page.getByLabel('Cache responses', { exact: true }).uncheck();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/^Someone changed these settings since you opened them/);
    expect((await settingsOf(newProjectId)).body.settings).toMatchObject({ cache: { enabled: true }, maxRetries: 4 });

    await page.getByRole('button', { name: 'Reload settings' }).click();
    await expect.poll(() => page.getByLabel('Retries per provider').inputValue()).toBe('4');
    expect(await page.getByLabel('Cache responses', { exact: true }).isChecked()).toBe(true);
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it('lists the catalog, narrows it to what a project may use, and filters it', async () => {
    await page.getByRole('link', { name: 'the models this project can use' }).click();
    await page.waitForURL(`${origin}/orgs/${org.orgId}/models?projectId=${newProjectId}`);
    await expect.poll(() => page.locator('td.model-id code').allTextContents()).toEqual([allowedModel]);
    const row = page.locator(`tr[data-model-id="${allowedModel}"]`);
    expect(await row.locator('td[data-label="Input"]').textContent()).toMatch(/^\$\d/);
    expect(await row.locator('td[data-label="Context window"]').textContent()).toMatch(/^\d[\d,.\s]*$/);

    await page.getByLabel('Project', { exact: true }).selectOption({ label: 'All' });
    await expect.poll(() => page.locator('td.model-id code').count()).toBe(20);
    expect(page.url()).toBe(`${origin}/orgs/${org.orgId}/models`);
    await page.getByLabel('Provider', { exact: true }).selectOption('anthropic');
    await expect
      .poll(async () => (await page.locator('td[data-label="Provider"]').allTextContents()).every((p) => p === 'anthropic'))
      .toBe(true);
    expect(await page.locator('td.model-id code').count()).toBeGreaterThan(0);
    await page.getByLabel('Provider', { exact: true }).selectOption({ label: 'All' });
    await page.getByLabel('Mode', { exact: true }).selectOption('embedding');
    await expect
      .poll(async () => (await page.locator('td[data-label="Mode"]').allTextContents()).every((m) => m === 'embedding'))
      .toBe(true);
    await page.getByLabel('Mode', { exact: true }).selectOption({ label: 'All' });
    await page.getByLabel('Filter by name').fill('no-such-model-anywhere');
    await page.getByText('No model matches these filters.').waitFor();
    await page.getByLabel('Filter by name').fill('');
    await page.getByLabel('Capability', { exact: true }).selectOption('vision');
    await expect
      .poll(async () => (await page.locator('td[data-label="Capabilities"]').allTextContents()).every((c) => c.includes('vision')))
      .toBe(true);
    await page.getByLabel('Capability', { exact: true }).selectOption({ label: 'All' });
    await page.locator('td.model-id code').first().waitFor();
    await reviewPage(page, 'models');
  });

  it('deletes a project only once its exact name is typed', async () => {
    await page.goto(`${origin}/orgs/${org.orgId}/projects`);
    await projectRow(page, NEW_PROJECT)
      .getByRole('button', { name: `Delete ${NEW_PROJECT}` })
      .click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByRole('heading').textContent()).toBe(`Delete the project “${NEW_PROJECT}”?`);
    expect(await dialog.textContent()).toContain('Its request logs stay.');
    const confirm = dialog.getByRole('button', { name: 'Delete project' });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel(/Type the project’s name/).fill(NEW_PROJECT.toUpperCase());
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel(/Type the project’s name/).press('Enter');
    expect(await dialog.isVisible()).toBe(true);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await api.get(`/api/orgs/${org.orgId}/projects/${newProjectId}`)).status).toBe(200);

    await projectRow(page, NEW_PROJECT)
      .getByRole('button', { name: `Delete ${NEW_PROJECT}` })
      .click();
    await dialog.getByLabel(/Type the project’s name/).fill(NEW_PROJECT);
    await confirm.click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => projectRow(page, NEW_PROJECT).count()).toBe(0);
    expect((await api.get(`/api/orgs/${org.orgId}/projects/${newProjectId}`)).status).toBe(404);
  });

  it('shows a viewer the projects and settings without create, delete or save controls, and the api refuses their PUT', async () => {
    const viewer = await createPasswordUser(server, { org: { name: org.orgName, role: 'viewer' } });
    const otherContext = await browser.newContext();
    try {
      const other = await otherContext.newPage();
      await pageWatcher.watch(other);
      await other.goto(`${origin}/login`);
      await submitPasswordSignIn(other, viewer.email, viewer.password);
      await other.waitForURL(`${origin}/orgs/${org.orgId}`);
      await other.goto(`${origin}/orgs/${org.orgId}/projects`);
      await other.getByText('Only owners and admins of the organization can create or delete projects.').waitFor();
      await projectRow(other, 'app').waitFor();
      expect(await other.getByRole('button', { name: 'Create project' }).count()).toBe(0);
      expect(await other.getByRole('button', { name: /^Delete/ }).count()).toBe(0);

      await projectRow(other, 'app').getByRole('link', { name: 'Settings of app' }).click();
      await other.getByText('Only owners and admins of the organization can change project settings; you can read them.').waitFor();
      await other.getByLabel('Retries per provider').waitFor();
      expect(await other.getByRole('button', { name: 'Save settings' }).count()).toBe(0);
      expect(await other.getByRole('button', { name: 'Add alias' }).count()).toBe(0);
      expect(await other.getByLabel('Store request and response bodies').isDisabled()).toBe(true);
      // On a phone: read-only settings, then the catalog of what `app` may use as cards.
      await other.setViewportSize({ width: 390, height: 844 });
      await reviewPage(other, 'project-settings-viewer-390');
      await other.goto(`${origin}/orgs/${org.orgId}/models?projectId=${org.projectId}`);
      // Not vacuous: the catalog must have rendered rows, and every one of them is an OpenAI model.
      await expect
        .poll(async () => {
          const providers = await other.locator('td[data-label="Provider"]').allTextContents();
          return providers.length > 1 && providers.every((p) => p === 'openai');
        })
        .toBe(true);
      expect(await other.locator('td.model-id').count()).toBeGreaterThan(1);
      await reviewPage(other, 'models-390');

      const settingsPath = `/api/orgs/${org.orgId}/projects/${org.projectId}/settings`;
      const status = await other.evaluate<number>(`fetch('${settingsPath}')
        .then((r) => r.json())
        .then((current) => fetch('${settingsPath}', {
          method: 'PUT',
          headers: { 'content-type': 'application/json', 'x-portcullis-csrf': '1' },
          body: JSON.stringify({ ...current.settings, logBodies: true }),
        }))
        .then((r) => r.status)`);
      expect(status).toBe(403);
      expect((await settingsOf(org.projectId)).body.settings.logBodies).toBe(false);
    } finally {
      await otherContext.close();
    }
  });
});
