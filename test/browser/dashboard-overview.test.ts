/**
 * The overview's charts in Chromium, on real gateway traffic to a fake OpenAI: answers in two
 * projects, an invalid request (an error) and a request carrying a secret (a guardrail block). The
 * range's totals and each chart's data table show what was sent; the range and a project filter
 * change them; at a phone's width nothing overflows; a viewer, whom usage:read is not granted, is
 * told so without the page asking for it (no 403); a developer limited to one project sees that
 * project's month instead of the org's (refused to them, so not asked for); and a failing api is
 * reported in words. Every page is watched for script errors and CSP violations, and reviewed
 * with axe.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyBootstrap } from '../../src/bootstrap/apply.js';
import { parseBootstrapText } from '../../src/bootstrap/document.js';
import { findOrganizationId } from '../../src/tenancy/organizations.js';
import { startFakeOpenAI, type FakeOpenAI } from '../fakes/openai.js';
import { eventually, operatorCtx, type ApiClient, type IssuedKeyBody } from '../support/api.js';
import { uniqueName } from '../support/database.js';
import type { TestServer } from '../support/server.js';
import { createPasswordUser, sessionApiClient, signIn } from '../support/sessions.js';
import { launchBrowser } from './support/browser.js';
import { assertDashboardBuilt, createPageWatcher, makeInstanceAdmin, openSessionPage, startDashboardServer } from './support/dashboard.js';
import { reviewPage } from './support/page-review.js';

// Built at run time so that no scanner mistakes this file for a leak.
const LEAKED_TOKEN = 'glpat-' + 'q8Zr3LmP0xWv7Ty2Nk5B';
const MODEL = 'openai/gpt-5.4-mini';
/** What the gateway is sent below: 5 requests in `app` (one invalid, one blocked), 2 in `second`. */
const SENT = { app: 5, second: 2, errors: 2, blocks: 1 };

type Series = { totals: { requests: number; errors: number; guardrailBlocks: number } };

let server: TestServer;
let openai: FakeOpenAI;
let browser: Browser;
const contexts: BrowserContext[] = [];
let page: Page;
const pageWatcher = createPageWatcher();
/** Refusals caused on purpose: the api failure staged below. */
const expectedFailures = new Set<string>();
let origin: string;
let orgId = '';
let orgName = '';
let owner: ApiClient;
let appProjectId = '';
let viewer: { email: string; password: string };
let ownerCookie = '';
/** A developer limited to the `app` project (members.projectIds). */
let appDeveloper: { email: string; password: string };

beforeAll(async () => {
  assertDashboardBuilt();
  openai = await startFakeOpenAI();
  ({ server, origin } = await startDashboardServer(['gateway', 'api'], { LOG_LEVEL: 'warn' }));
  // A short name: the frame's organization switcher does not wrap, and a long name alone would overflow a phone.
  orgName = uniqueName('ov');
  const doc = {
    orgs: [
      {
        name: orgName,
        providerKeys: [{ provider: 'openai', key: openai.apiKey, baseUrl: openai.baseUrl }],
        projects: [{ name: 'app' }, { name: 'second' }],
      },
    ],
  };
  await applyBootstrap(parseBootstrapText(stringify(doc), 'org.yaml'), {
    db: server.runtime.apiDb,
    keyring: server.runtime.keyring,
    ctx: operatorCtx,
  });
  orgId = (await findOrganizationId(server.runtime.apiDb, orgName))!;
  const user = await createPasswordUser(server, { org: { name: orgName, role: 'owner' } });
  viewer = await createPasswordUser(server, { org: { name: orgName, role: 'viewer' } });
  // Someone else is the instance admin (no setup redirect): the owner's header has no Instance admin link,
  // which at a phone's width is the frame's business (AppLayout), not this page's.
  await makeInstanceAdmin(server, (await createPasswordUser(server)).id);
  const session = await signIn(server, user.email, user.password, { origin });
  owner = sessionApiClient(server, session.cookie!, origin);

  const projects = await owner.get<{ projects: { id: string; name: string }[] }>(`/api/orgs/${orgId}/projects`);
  const keyOf = async (project: string, name: string) => {
    const projectId = projects.body.projects.find((p) => p.name === project)!.id;
    const issued = await owner.post<IssuedKeyBody>(`/api/orgs/${orgId}/projects/${projectId}/api-keys`, { name });
    expect(issued.status, issued.text).toBe(201);
    return issued.body.key;
  };
  appProjectId = projects.body.projects.find((p) => p.name === 'app')!.id;
  appDeveloper = await createPasswordUser(server, { org: { name: orgName, role: 'developer' } });
  const members = await owner.get<{ members: { id: string; email: string }[] }>(`/api/orgs/${orgId}/members`);
  const developerMemberId = members.body.members.find((m) => m.email === appDeveloper.email)!.id;
  const limited = await owner.patch(`/api/orgs/${orgId}/members/${developerMemberId}`, { projectIds: [appProjectId] });
  expect(limited.status, limited.text).toBe(200);
  const appKey = await keyOf('app', 'app-backend');
  const secondKey = await keyOf('second', 'second-backend');
  const policy = await owner.put(`/api/orgs/${orgId}/guardrails`, {});
  expect(policy.status, policy.text).toBeLessThan(300);

  const chat = async (key: string, messages: unknown) => {
    const response = await fetch(`${server.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, messages }),
    });
    await response.text();
    return response.status;
  };
  for (let i = 0; i < 3; i++) expect(await chat(appKey, [{ role: 'user', content: `hello ${i}` }])).toBe(200);
  expect(await chat(appKey, 'not a list')).toBe(400);
  expect(await chat(appKey, [{ role: 'user', content: `deploy with ${LEAKED_TOKEN} please` }])).toBe(400);
  for (let i = 0; i < 2; i++) expect(await chat(secondKey, [{ role: 'user', content: `hi ${i}` }])).toBe(200);

  // The request logs are written a few seconds behind: wait until the api counts everything.
  const now = Date.now();
  const window = `from=${new Date(now - 86_400_000).toISOString()}&to=${new Date(now + 3_600_000).toISOString()}&bucket=hour`;
  await eventually(async () => {
    const series = await owner.get<Series>(`/api/orgs/${orgId}/usage/timeseries?${window}`);
    return series.body.totals?.requests === SENT.app + SENT.second && series.body.totals.guardrailBlocks === SENT.blocks
      ? series
      : undefined;
  }, 20_000);

  browser = await launchBrowser();
  ownerCookie = session.cookie!;
  page = await signedInPage(ownerCookie);
}, 180_000);

/** A new browser context signed in with this session cookie, watched for errors and CSP violations. */
async function signedInPage(cookie: string): Promise<Page> {
  const { context, page: opened } = await openSessionPage(browser, origin, cookie, pageWatcher);
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
    await openai?.close();
  }
});

const rangeStat = (target: Page, id: string) => target.locator(`[data-range-stat="${id}"]`);
const chart = (target: Page, id: string) => target.locator(`[data-chart="${id}"]`);

/** The sum of one chart's data-table column (the numbers the chart draws). */
async function tableSum(target: Page, id: string, series: string): Promise<number> {
  let sum = 0;
  for (const cell of await chart(target, id).locator(`td[data-series="${series}"]`).all()) {
    const value = (await cell.getAttribute('data-value')) ?? '';
    if (value !== '') sum += Number(value);
  }
  return sum;
}

const tableRows = (target: Page, id: string) => chart(target, id).locator('tbody tr');

describe('overview charts in Chromium', () => {
  it('shows the last 24 hours by hour: totals and each chart’s table match what was sent', async () => {
    await page.goto(`${origin}/orgs/${orgId}`);
    await page.getByRole('heading', { name: 'Over time' }).waitFor();
    const total = SENT.app + SENT.second;
    await expect.poll(() => rangeStat(page, 'requests').textContent()).toBe(String(total));
    // The month's numbers above stay as they were: the requests that count toward limits (not the invalid one).
    const month = await owner.get<{ usage: { requests: number } }>(`/api/orgs/${orgId}/usage?scope=org&period=monthly`);
    expect(month.body.usage.requests).toBe(total - 1);
    await expect.poll(() => page.locator('[data-stat="requests"]').textContent()).toBe(String(month.body.usage.requests));
    expect(await rangeStat(page, 'guardrail-blocks').textContent()).toBe(String(SENT.blocks));
    expect(await rangeStat(page, 'error-rate').textContent()).toMatch(/^28\.6\s?%$/);
    expect(await rangeStat(page, 'latency-p50').textContent()).toMatch(/^\d[\d,]* ms$/);

    expect(await tableRows(page, 'requests').count()).toBe(24);
    expect(await chart(page, 'requests').locator('th[scope="col"]').first().textContent()).toBe('Hour (UTC)');
    expect(await tableSum(page, 'requests', 'Requests')).toBe(total);
    expect(await tableSum(page, 'errors', 'Errors')).toBe(SENT.errors);
    expect(await tableSum(page, 'guardrail-blocks', 'Guardrail blocks')).toBe(SENT.blocks);
    expect(await tableSum(page, 'tokens', 'Input tokens')).toBeGreaterThan(0);
    expect(await tableSum(page, 'cost', 'Cost (USD)')).toBeGreaterThan(0);
    // Hours without traffic are present (zeros, or a gap for a rate), not left out.
    expect(await chart(page, 'error-rate').locator('td[data-value=""]').count()).toBeGreaterThan(0);

    // The drawn bars and the image's name carry the same numbers.
    expect(await chart(page, 'requests').locator('rect.chart-bar').count()).toBeGreaterThan(0);
    expect(await chart(page, 'requests').locator('svg[role="img"]').getAttribute('aria-label')).toMatch(
      new RegExp(`^Requests per hour \\(UTC\\), 24 hours\\. Requests: total ${total},`),
    );
    expect(await page.content()).not.toContain(LEAKED_TOKEN);
    await reviewPage(page, 'overview-charts');
  });

  it('rolls "last 24 hours" forward when the next hour begins, on a page left open', async () => {
    const opened = await signedInPage(ownerCookie);
    const HOUR = 3_600_000;
    // The page's clock, 20 s before the next full hour: the server's traffic is inside both windows.
    await opened.clock.install({ time: new Date(Math.ceil(Date.now() / HOUR) * HOUR - 20_000) });
    const windows: { from: string; to: string }[] = [];
    opened.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname.endsWith('/usage/timeseries'))
        windows.push({ from: url.searchParams.get('from') ?? '', to: url.searchParams.get('to') ?? '' });
    });
    await opened.goto(`${origin}/orgs/${orgId}`);
    await expect.poll(() => rangeStat(opened, 'requests').textContent()).toBe(String(SENT.app + SENT.second));
    const first = windows[0]!;
    expect(Date.parse(first.to) - Date.parse(first.from)).toBe(24 * HOUR);

    await opened.clock.fastForward(60_000);
    await expect.poll(() => windows.at(-1)!.from, { timeout: 10_000 }).toBe(new Date(Date.parse(first.from) + HOUR).toISOString());
    expect(windows.at(-1)!.to).toBe(new Date(Date.parse(first.to) + HOUR).toISOString());
    await expect.poll(() => rangeStat(opened, 'requests').textContent()).toBe(String(SENT.app + SENT.second));
    expect(await tableRows(opened, 'requests').count()).toBe(24);
  });

  it('changes the range to days, and filters by project, then by its API key and a model', async () => {
    await page.getByLabel('Range', { exact: true }).selectOption('7d');
    await expect.poll(() => tableRows(page, 'requests').count()).toBe(7);
    expect(await chart(page, 'requests').locator('th[scope="col"]').first().textContent()).toBe('Day (UTC)');
    expect(await tableSum(page, 'requests', 'Requests')).toBe(SENT.app + SENT.second);

    const keyFilter = page.getByLabel('API key', { exact: true });
    expect(await keyFilter.isDisabled()).toBe(true);
    await page.getByLabel('Project', { exact: true }).selectOption({ label: 'second' });
    await expect.poll(() => rangeStat(page, 'requests').textContent()).toBe(String(SENT.second));
    expect(await rangeStat(page, 'guardrail-blocks').textContent()).toBe('0');
    expect(await rangeStat(page, 'error-rate').textContent()).toMatch(/^0\s?%$/);
    expect(await tableSum(page, 'requests', 'Requests')).toBe(SENT.second);

    await expect.poll(() => keyFilter.locator('option').allTextContents()).toEqual(['All', 'second-backend']);
    await keyFilter.selectOption({ label: 'second-backend' });
    await expect.poll(() => rangeStat(page, 'requests').textContent()).toBe(String(SENT.second));

    await page.getByLabel('Project', { exact: true }).selectOption({ label: 'app' });
    await expect.poll(() => rangeStat(page, 'requests').textContent()).toBe(String(SENT.app));
    expect(await keyFilter.inputValue()).toBe('');
    expect(await rangeStat(page, 'guardrail-blocks').textContent()).toBe(String(SENT.blocks));
    await expect.poll(() => page.getByLabel('Model', { exact: true }).locator('option').allTextContents()).toEqual(['All', MODEL]);
    // As many as the request logs of `app` that name the model (a request refused before its model was read names none).
    const logs = await owner.get<{ requestLogs: { projectId: string; model: string | null }[] }>(
      `/api/orgs/${orgId}/request-logs?limit=1000`,
    );
    const withModel = logs.body.requestLogs.filter((log) => log.projectId === appProjectId && log.model === MODEL).length;
    expect(withModel).toBeGreaterThanOrEqual(SENT.app - 2);
    await page.getByLabel('Model', { exact: true }).selectOption(MODEL);
    await expect.poll(() => rangeStat(page, 'requests').textContent()).toBe(String(withModel));
  });

  it('fits a phone: no sideways scrolling, charts one under the other, tables as cards', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByLabel('Project', { exact: true }).selectOption('');
    await page.getByLabel('Model', { exact: true }).selectOption('');
    await expect.poll(() => rangeStat(page, 'requests').textContent()).toBe(String(SENT.app + SENT.second));
    // Page code as a string: the test project has no DOM types. Names what sticks out of the page, if anything does
    // (the navigation above is a row that scrolls on its own).
    const overflowing = await page.evaluate<string[]>(`[...document.querySelectorAll('main *')]
      .filter((el) => el.getBoundingClientRect().right > 390.5)
      .filter((el) => ![...el.children].some((child) => child.getBoundingClientRect().right > 390.5))
      .map((el) => el.tagName + '.' + el.className + ' ' + Math.round(el.getBoundingClientRect().width) + ': ' + (el.textContent || '').slice(0, 40))`);
    expect(overflowing).toEqual([]);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    const boxes = await Promise.all(['requests', 'tokens'].map((id) => chart(page, id).boundingBox()));
    expect(boxes[0]!.width).toBeLessThanOrEqual(390);
    expect(boxes[1]!.y).toBeGreaterThan(boxes[0]!.y + boxes[0]!.height - 1);
    await chart(page, 'requests').getByText('Requests as a table').click();
    // Page code as a string: the test project has no DOM types.
    expect(await page.evaluate<string>(`getComputedStyle(document.querySelector('[data-chart="requests"] tbody td')).display`)).toBe(
      'block',
    );
    await reviewPage(page, 'overview-charts-phone');
    await page.setViewportSize({ width: 1280, height: 720 });
  });

  it('shows a viewer what the role may read, without asking for the usage it is refused (no 403, no error)', async () => {
    const session = await signIn(server, viewer.email, viewer.password, { origin });
    const viewerPage = await signedInPage(session.cookie!);
    const refused: string[] = [];
    viewerPage.on('response', (response) => {
      if (response.status() === 403) refused.push(`${response.request().method()} ${new URL(response.url()).pathname}`);
    });
    await viewerPage.goto(`${origin}/orgs/${orgId}`);
    await viewerPage.getByRole('heading', { name: orgName, level: 1 }).waitFor();
    await viewerPage.getByText('Usage, spend and limits are shown to developers, admins and owners').waitFor();
    expect(await viewerPage.getByRole('link', { name: 'projects, their settings and API keys' }).getAttribute('href')).toBe(
      `/orgs/${orgId}/projects`,
    );
    // Everything the page asks for has been answered.
    await viewerPage.waitForLoadState('networkidle');
    expect(refused).toEqual([]);
    expect(await viewerPage.getByRole('alert').count()).toBe(0);
    expect(await viewerPage.locator('[data-chart], [data-stat]').count()).toBe(0);
    await reviewPage(viewerPage, 'overview-viewer');
  });

  it('shows a developer limited to one project that project’s month, without asking for the org’s (no 403, no error)', async () => {
    const session = await signIn(server, appDeveloper.email, appDeveloper.password, { origin });
    const limitedPage = await signedInPage(session.cookie!);
    const refused: string[] = [];
    const usageAsked: string[] = [];
    limitedPage.on('response', (response) => {
      if (response.status() === 403) refused.push(`${response.request().method()} ${new URL(response.url()).pathname}`);
    });
    limitedPage.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname === `/api/orgs/${orgId}/usage`) usageAsked.push(url.searchParams.get('scope') ?? 'org');
    });
    await limitedPage.goto(`${origin}/orgs/${orgId}`);
    await limitedPage.getByText('organization-wide totals and limits are shown to members with access to every project').waitFor();
    const month = await owner.get<{ usage: { requests: number } }>(
      `/api/orgs/${orgId}/usage?scope=project&id=${appProjectId}&period=monthly`,
    );
    expect(month.body.usage.requests).toBeGreaterThan(0);
    const app = limitedPage.getByRole('region', { name: 'app', exact: true });
    await expect.poll(() => app.locator('[data-stat="requests"]').textContent()).toBe(String(month.body.usage.requests));
    expect(await app.getByText('No limit is set for this project.').count()).toBe(1);
    // The other project is not theirs: neither shown nor counted in the charts below.
    expect(await limitedPage.getByRole('region', { name: 'second', exact: true }).count()).toBe(0);
    await expect.poll(() => rangeStat(limitedPage, 'requests').textContent()).toBe(String(SENT.app));
    await limitedPage.waitForLoadState('networkidle');
    expect(refused).toEqual([]);
    expect(usageAsked).toEqual(['project']);
    expect(await limitedPage.getByRole('alert').count()).toBe(0);
    await reviewPage(limitedPage, 'overview-limited-developer');
  });

  it('reports a failing api in words instead of empty charts', async () => {
    expectedFailures.add(`500 GET /api/orgs/${orgId}/usage/timeseries`);
    await page.route('**/usage/timeseries?**', (route) =>
      route.fulfill({ status: 500, contentType: 'application/json', body: '{"error":{"message":"","type":"api_error","code":"x"}}' }),
    );
    await page.getByLabel('Range', { exact: true }).selectOption('30d');
    // The dashboard retries a 5xx twice before it gives up.
    await expect
      .poll(() => page.getByRole('alert').allTextContents(), { timeout: 15_000 })
      .toContain('The server failed to answer (HTTP 500). Try again; if it persists, tell your operator.');
    await page.unroute('**/usage/timeseries?**');
  });
});
