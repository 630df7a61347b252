/**
 * The request logs page in Chromium, on real gateway traffic to a fake OpenAI in two projects (one
 * storing bodies, one not, an invalid request among them): newest first as the api orders them,
 * paged by cursor, filtered through the address (reload and links reopen the same view), a bad
 * filter explained in words, the CSV export of the filtered rows, one request in full and its
 * bodies read by an owner (audited, gone from the page once the dialog closes), and a developer
 * who sees the detail but no bodies (the api refuses them too). Pages are watched for script
 * errors and CSP violations, and checked for accessibility.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/openai.js';
import { createOrg, eventually, type ApiClient, type IssuedKeyBody, type TestOrg } from '../support/api.js';
import type { TestServer } from '../support/server.js';
import { createPasswordUser, sessionApiClient, signIn } from '../support/sessions.js';
import { launchBrowser } from './support/browser.js';
import { assertDashboardBuilt, createPageWatcher, makeInstanceAdmin, openSessionPage, startDashboardServer } from './support/dashboard.js';
import { reviewPage } from './support/page-review.js';

const MODEL = 'openai/gpt-5.4-mini';
/** What only the stored request body holds: it must appear when the bodies are read, and nowhere else. */
const MARKER = `prompt-${randomUUID()}`;
/** With the streamed one and `app`'s four, more than the page's 50 rows: there is a second page. */
const BATCH_REQUESTS = 51;
const APP_OK = 3;

type LogRow = { id: string; projectId: string; requestId: string; status: number; errorCode: string | null; stream: boolean };
type LogList = { requestLogs: LogRow[]; nextCursor: string | null };
type AuditList = { events: { action: string; target: { type: string; id: string | null } | null }[] };

let server: TestServer;
let fake: FakeOpenAI;
let browser: Browser;
const contexts: BrowserContext[] = [];
let page: Page;
const pageWatcher = createPageWatcher();
const expectedFailures = new Set<string>();
let origin: string;
let org: TestOrg;
let batchProjectId = '';
let owner: ApiClient;
let developer: { email: string; password: string };
let all: LogRow[] = [];

async function chat(key: string, messages: unknown, stream = false): Promise<number> {
  const response = await fetch(`${server.gatewayUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: MODEL, messages, ...(stream ? { stream: true } : {}) }),
  });
  await response.text();
  return response.status;
}

async function issueKey(projectId: string, name: string): Promise<string> {
  const issued = await owner.post<IssuedKeyBody>(`/api/orgs/${org.orgId}/projects/${projectId}/api-keys`, { name });
  expect(issued.status, issued.text).toBe(201);
  return issued.body.key;
}

beforeAll(async () => {
  assertDashboardBuilt();
  fake = await startFakeOpenAI();
  ({ server, origin } = await startDashboardServer(['gateway', 'api'], { LOG_LEVEL: 'warn' }));
  org = await createOrg(server, 'reqlogs');
  const user = await createPasswordUser(server, { org: { name: org.orgName, role: 'owner' } });
  developer = await createPasswordUser(server, { org: { name: org.orgName, role: 'developer' } });
  await makeInstanceAdmin(server, user.id);
  const session = await signIn(server, user.email, user.password, { origin });
  owner = sessionApiClient(server, session.cookie!, origin);

  const providerKey = await owner.post(`/api/orgs/${org.orgId}/provider-keys`, {
    provider: 'openai',
    key: fake.apiKey,
    baseUrl: fake.baseUrl,
  });
  expect(providerKey.status, providerKey.text).toBe(201);
  const batch = await owner.post<{ project: { id: string } }>(`/api/orgs/${org.orgId}/projects`, { name: 'batch' });
  expect(batch.status, batch.text).toBe(201);
  batchProjectId = batch.body.project.id;
  // `app` keeps bodies, `batch` does not.
  const settings = await owner.put(`/api/orgs/${org.orgId}/projects/${org.projectId}/settings`, { logBodies: true });
  expect(settings.status, settings.text).toBe(200);

  const appKey = await issueKey(org.projectId, 'chat-backend');
  const batchKey = await issueKey(batchProjectId, 'batch-job');
  for (let i = 0; i < BATCH_REQUESTS; i++) expect(await chat(batchKey, [{ role: 'user', content: `batch ${i}` }])).toBe(200);
  expect(await chat(batchKey, [{ role: 'user', content: 'stream it' }], true)).toBe(200);
  for (let i = 0; i < APP_OK; i++) expect(await chat(appKey, [{ role: 'user', content: `${MARKER} #${i}` }])).toBe(200);
  // An invalid request (messages not a list): refused by the gateway, logged with its error code.
  expect(await chat(appKey, 'not a list')).toBe(400);

  all = await eventually(async () => {
    const list = await owner.get<LogList>(`/api/orgs/${org.orgId}/request-logs?limit=1000`);
    return list.body.requestLogs.length >= BATCH_REQUESTS + 1 + APP_OK + 1 ? list.body.requestLogs : undefined;
  }, 30_000);

  browser = await launchBrowser();
  page = await signedInPage(session.cookie!);
}, 180_000);

/** A new browser context signed in with this session cookie, watched for errors and CSP violations. */
async function signedInPage(cookie: string): Promise<Page> {
  const { context, page: opened } = await openSessionPage(browser, origin, cookie, pageWatcher, { acceptDownloads: true });
  contexts.push(context);
  return opened;
}

afterAll(async () => {
  try {
    pageWatcher.expectClean(expectedFailures);
  } finally {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.stop();
    await fake?.close();
  }
});

/** expect.poll with room for a loaded machine (its default gives up after a second). */
const poll = <T>(probe: () => Promise<T> | T) => expect.poll(probe, { timeout: 15_000 });

const rowsOf = (target: Page) => target.locator('table.request-logs-table tbody tr');
// Page code as a string: the test project has no DOM types.
const shownRequestIds = (target: Page = page) =>
  target.evaluate<string[]>(
    `[...document.querySelectorAll('table.request-logs-table tbody tr')].map((row) => row.getAttribute('data-request-id') ?? '')`,
  );
const pagePath = () => `/orgs/${org.orgId}/request-logs`;

/** Everything the page holds: its DOM, input values and both web storages. */
const everythingIn = (target: Page) =>
  target.evaluate<string>(`[
    document.documentElement.outerHTML,
    ...[...document.querySelectorAll('input, textarea')].map((el) => el.value),
    JSON.stringify({ ...localStorage }),
    JSON.stringify({ ...sessionStorage }),
  ].join('\\n')`);

async function applyFilters(target: Page, fields: { project?: string; status?: string; requestId?: string }): Promise<void> {
  if (fields.project !== undefined) await target.getByLabel('Project', { exact: true }).selectOption({ label: fields.project });
  if (fields.status !== undefined) await target.getByLabel('Status', { exact: true }).fill(fields.status);
  if (fields.requestId !== undefined) await target.getByLabel('Request id', { exact: true }).fill(fields.requestId);
  await target.getByRole('button', { name: 'Apply filters' }).click();
}

describe('request logs in Chromium', () => {
  it('lists the gateway’s requests newest first, as the api orders them, with names and numbers', async () => {
    await page.goto(`${origin}/orgs/${org.orgId}`);
    await page.getByRole('link', { name: 'Request logs' }).click();
    await page.waitForURL(`${origin}${pagePath()}`);
    await rowsOf(page).first().waitFor();
    expect(await shownRequestIds()).toEqual(all.slice(0, 50).map((row) => row.requestId));

    // The newest is the invalid request of `app`: its status and error code, the project and key by name.
    const newest = rowsOf(page).first();
    const refused = all[0]!;
    expect(refused.status).toBe(400);
    expect(await newest.locator('td[data-label="Project"]').textContent()).toBe('app');
    await poll(() => newest.locator('td[data-label="API key"]').textContent()).toBe('chat-backend');
    expect(await newest.locator('td[data-label="Status"]').textContent()).toBe(`400${refused.errorCode}`);
    const answered = rowsOf(page).nth(1);
    expect(await answered.locator('td[data-label="Model"]').textContent()).toBe('openai/gpt-5.4-minivia openai');
    expect(await answered.locator('td[data-label="Tokens"]').textContent()).toMatch(/^\d+ in \/ \d+ out$/);
    expect(await answered.locator('td[data-label="Cost"]').textContent()).toMatch(/^\$0\.\d+/);
    expect(await answered.locator('td[data-label="Latency"]').textContent()).toMatch(/^\d+\sms$/);
    // The streamed request says so, with its time to first token.
    const streamed = all.findIndex((row) => row.stream);
    expect(streamed).toBeGreaterThan(0);
    expect(await rowsOf(page).nth(streamed).locator('td[data-label="Latency"]').textContent()).toMatch(
      /^\d+\sms\s*streamed, first token \d+\sms$/,
    );
    // Ten columns fit a laptop: the list does not scroll sideways at 1280 px.
    expect(
      await page.evaluate<number>(`(() => { const w = document.querySelector('.table-wrap'); return w.scrollWidth - w.clientWidth; })()`),
    ).toBeLessThanOrEqual(0);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1280);
    expect(await everythingIn(page)).not.toContain(MARKER);
    await reviewPage(page, 'request-logs');
  });

  it('pages through by cursor: Next shows the older rows, Previous the newest again', async () => {
    await page.getByRole('button', { name: 'Next' }).click();
    await poll(() => shownRequestIds()).toEqual(all.slice(50).map((row) => row.requestId));
    expect(await page.getByText('Page 2').count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Previous' }).click();
    await poll(() => shownRequestIds()).toEqual(all.slice(0, 50).map((row) => row.requestId));
  });

  it('filters by project and status class, keeps the filters in the address, and a reload shows the same view', async () => {
    await applyFilters(page, { project: 'app', status: '4xx' });
    await poll(() => shownRequestIds()).toEqual([all[0]!.requestId]);
    const url = new URL(page.url());
    expect(url.searchParams.get('projectId')).toBe(org.projectId);
    expect(url.searchParams.get('status')).toBe('4xx');
    expect(await page.getByRole('navigation', { name: 'Request logs pages' }).count()).toBe(0);

    await page.reload();
    await poll(() => shownRequestIds()).toEqual([all[0]!.requestId]);
    expect(await page.getByLabel('Status', { exact: true }).inputValue()).toBe('4xx');
    await poll(() => page.getByLabel('Project', { exact: true }).inputValue()).toBe(org.projectId);

    // Every request of `app`: its three answers and the refusal.
    await applyFilters(page, { status: '' });
    const appIds = all.filter((row) => row.projectId === org.projectId).map((row) => row.requestId);
    expect(appIds).toHaveLength(APP_OK + 1);
    await poll(() => shownRequestIds()).toEqual(appIds);
  });

  it('offers the API keys of the chosen project only, and filters by one', async () => {
    const keySelect = page.getByLabel('API key', { exact: true });
    await poll(async () => (await keySelect.locator('option').allTextContents()).slice(1)).toEqual(['chat-backend']);
    await keySelect.selectOption({ label: 'chat-backend' });
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await poll(() => new URL(page.url()).searchParams.get('apiKeyId')).not.toBeNull();
    await poll(() => shownRequestIds()).toHaveLength(APP_OK + 1);
    await page.getByLabel('Project', { exact: true }).selectOption({ label: 'batch' });
    await poll(async () => (await keySelect.locator('option').allTextContents()).slice(1)).toEqual(['batch-job']);
    await page.getByLabel('Project', { exact: true }).selectOption({ label: 'app' });
  });

  it('downloads the CSV export of exactly the filtered rows', async () => {
    await page.getByRole('button', { name: 'Clear' }).click();
    // The cleared form is drawn again from the URL: choosing a project before that lands is undone by it.
    await poll(() => page.getByLabel('Project', { exact: true }).inputValue()).toBe('');
    await poll(() => shownRequestIds()).toHaveLength(50);
    await applyFilters(page, { project: 'app' });
    await poll(() => shownRequestIds()).toHaveLength(APP_OK + 1);
    const link = page.getByRole('link', { name: 'Export CSV' });
    expect(new URL((await link.getAttribute('href'))!, origin).searchParams.get('projectId')).toBe(org.projectId);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^request-logs-${org.orgId}-\\d{8}T\\d{6}Z\\.csv$`));
    const csv = readFileSync(await download.path(), 'utf8');
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^id,created_at,project_id,api_key_id,request_id,/);
    expect(lines).toHaveLength(1 + APP_OK + 1);
    for (const row of all.filter((r) => r.projectId === org.projectId)) expect(csv).toContain(row.requestId);
    expect(csv).not.toContain(batchProjectId);
    expect(csv).not.toContain(MARKER);
  });

  it('explains a status the api does not understand, and an empty time range', async () => {
    expectedFailures.add(`400 GET /api/orgs/${org.orgId}/request-logs`);
    await applyFilters(page, { status: 'teapot' });
    await poll(() => page.getByRole('alert').textContent()).toMatch(/^Invalid query parameter: status: /);
    expect(await rowsOf(page).count()).toBe(0);
    await page.getByLabel('Status', { exact: true }).fill('');
    await page.getByLabel('From', { exact: true }).fill('2099-01-01T00:00');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No request matches these filters.').waitFor();
  });

  it('reopens one request from a link with its request id (as the playground links to it)', async () => {
    const target = all.find((row) => row.projectId === batchProjectId)!;
    await page.goto(`${origin}${pagePath()}?requestId=${encodeURIComponent(target.requestId)}`);
    await poll(() => shownRequestIds()).toEqual([target.requestId]);
    expect(await page.getByLabel('Request id', { exact: true }).inputValue()).toBe(target.requestId);
    await rowsOf(page)
      .first()
      .getByRole('button', { name: /^Details of request/ })
      .click();
    const dialog = page.getByRole('dialog');
    // `batch` does not keep bodies: said in words, no button.
    await dialog.getByText(/were not stored/).waitFor();
    expect(await dialog.getByRole('button', { name: 'Show request and response bodies' }).count()).toBe(0);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  it('shows one request in full, reads its bodies on request (audited), and drops them when the dialog closes', async () => {
    const target = all.find((row) => row.projectId === org.projectId && row.status === 200)!;
    await page.goto(`${origin}${pagePath()}?projectId=${org.projectId}&status=200`);
    await poll(() => shownRequestIds()).toHaveLength(APP_OK);
    await page
      .locator(`tr[data-request-id="${target.requestId}"]`)
      .getByRole('button', { name: /^Details of request/ })
      .click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByRole('heading', { level: 2 }).textContent()).toBe(`Request ${target.requestId}`);
    const details = (await dialog.locator('dl').textContent()) ?? '';
    const shown = ['Project', 'app', 'chat-backend', 'Model served', 'Time to first token', 'Upstream attempts', target.id];
    for (const text of [...shown, 'Usage counted by', 'the provider’s usage report']) {
      expect(details).toContain(text);
    }
    const reveal = dialog.getByRole('button', { name: 'Show request and response bodies' });
    await reveal.waitFor();
    expect(await dialog.textContent()).toMatch(/recorded in the organization.s audit log/);
    await reviewPage(page, 'request-log-detail');

    const auditPath = `/api/orgs/${org.orgId}/audit/events?action=request_log.body_read`;
    const before = (await owner.get<AuditList>(auditPath)).body.events.length;
    await reveal.click();
    const requestBody = dialog.getByLabel('Request body');
    await poll(() => requestBody.textContent()).toContain(MARKER);
    // Formatted JSON: one key a line, indented.
    expect(await requestBody.textContent()).toMatch(/^\{\n {2}"/);
    expect(await dialog.getByLabel('Response body').textContent()).toContain('Hello from');
    const events = await eventually(async () => {
      const list = await owner.get<AuditList>(auditPath);
      return list.body.events.length > before ? list.body.events : undefined;
    });
    expect(events).toHaveLength(before + 1);
    expect(events[0]!.target).toMatchObject({ type: 'request_log', id: target.id });

    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await everythingIn(page)).not.toContain(MARKER);
    // Opened again: the bodies are asked for again (and audited again), not shown from a cache.
    await page
      .locator(`tr[data-request-id="${target.requestId}"]`)
      .getByRole('button', { name: /^Details of request/ })
      .click();
    await dialog.getByRole('button', { name: 'Show request and response bodies' }).waitFor();
    expect(await dialog.textContent()).not.toContain(MARKER);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  it('fits a phone: each row a card, the list never scrolls sideways', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${origin}${pagePath()}`);
    await rowsOf(page).first().waitFor();
    // The page's own content (the frame around it is the layout's): no sideways scrolling in the list.
    const overflow = await page.evaluate<number[]>(
      `[...document.querySelectorAll('main section, main .table-wrap, main form')].map((el) => el.scrollWidth - el.clientWidth)`,
    );
    expect(overflow.every((extra) => extra <= 0)).toBe(true);
    expect(await page.locator('table.request-logs-table thead').boundingBox()).toMatchObject({ width: 1, height: 1 });
    await reviewPage(page, 'request-logs-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('shows a developer the detail but not the bodies, and the api refuses them the bodies too', async () => {
    const target = all.find((row) => row.projectId === org.projectId && row.status === 200)!;
    const session = await signIn(server, developer.email, developer.password, { origin });
    const developerPage = await signedInPage(session.cookie!);
    await developerPage.goto(`${origin}${pagePath()}?requestId=${encodeURIComponent(target.requestId)}`);
    await rowsOf(developerPage).first().waitFor();
    await poll(() => shownRequestIds(developerPage)).toEqual([target.requestId]);
    await rowsOf(developerPage)
      .first()
      .getByRole('button', { name: /^Details of request/ })
      .click();
    const dialog = developerPage.getByRole('dialog');
    await dialog.getByText(/only owners and admins may read them/).waitFor();
    expect(await dialog.textContent()).toContain('your role is developer');
    expect(await dialog.getByRole('button', { name: 'Show request and response bodies' }).count()).toBe(0);
    expect(await dialog.locator('dl').textContent()).toContain(target.id);

    const refused = await sessionApiClient(server, session.cookie!, origin).get(`/api/orgs/${org.orgId}/request-logs/${target.id}/body`);
    expect(refused.status).toBe(403);
    expect(refused.text).not.toContain(MARKER);
  });
});
