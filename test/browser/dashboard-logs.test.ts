/**
 * The dashboard's trails in Chromium: the audit log (newest first, filtered, an event's diff, the
 * export downloaded) and the guardrail violations (from real gateway traffic to a fake OpenAI, and
 * never the matched secret), plus a developer refused the audit log in words. The audit events
 * come from real admin actions through the api; every page is watched for script errors and CSP
 * violations. The chain is verified from the page, then shown broken after an edit in the database.
 * (Request logs have their own file: dashboard-request-logs.test.ts.)
 */
import { readFileSync } from 'node:fs';
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
import { sql } from 'drizzle-orm';
import { launchBrowser } from './support/browser.js';
import { reviewPage } from './support/page-review.js';
import { assertDashboardBuilt, createPageWatcher, makeInstanceAdmin, openSessionPage, startDashboardServer } from './support/dashboard.js';

// Built at run time so that no scanner mistakes this file for a leak.
const LEAKED_TOKEN = 'glpat-' + 'q8Zr3LmP0xWv7Ty2Nk5B';

type AuditList = { events: { seq: number; action: string; target: { id: string | null } | null }[] };
type GuardrailList = { events: { requestId: string; detector: string; action: string; direction: string }[] };

let server: TestServer;
let openai: FakeOpenAI;
let browser: Browser;
const contexts: BrowserContext[] = [];
let page: Page;
const pageWatcher = createPageWatcher();
/** Refusals caused on purpose: the developer's audit log, the request with a secret. */
const expectedFailures = new Set<string>();
let origin: string;
let orgId = '';
let orgName = '';
let projectId = '';
let owner: ApiClient;
let gatewayKey = '';
let renamedKeyId = '';
let developer: { email: string; password: string };

beforeAll(async () => {
  assertDashboardBuilt();
  openai = await startFakeOpenAI();
  ({ server, origin } = await startDashboardServer(['gateway', 'api'], { LOG_LEVEL: 'warn' }));
  orgName = uniqueName('logs');
  const doc = {
    orgs: [
      {
        name: orgName,
        providerKeys: [{ provider: 'openai', key: openai.apiKey, baseUrl: openai.baseUrl }],
        projects: [{ name: 'app' }],
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
  developer = await createPasswordUser(server, { org: { name: orgName, role: 'developer' } });
  // An instance admin exists, so navigations are not sent to /setup.
  await makeInstanceAdmin(server, user.id);
  const session = await signIn(server, user.email, user.password, { origin });
  owner = sessionApiClient(server, session.cookie!, origin);

  // Real admin actions, each audited: two keys made, one renamed, then a guardrail policy saved.
  const projects = await owner.get<{ projects: { id: string; name: string }[] }>(`/api/orgs/${orgId}/projects`);
  projectId = projects.body.projects.find((p) => p.name === 'app')!.id;
  const gatewayIssued = await owner.post<IssuedKeyBody>(`/api/orgs/${orgId}/projects/${projectId}/api-keys`, { name: 'chat-backend' });
  expect(gatewayIssued.status, gatewayIssued.text).toBe(201);
  gatewayKey = gatewayIssued.body.key;
  const other = await owner.post<IssuedKeyBody>(`/api/orgs/${orgId}/projects/${projectId}/api-keys`, { name: 'batch-job' });
  expect(other.status, other.text).toBe(201);
  renamedKeyId = other.body.apiKey.id;
  const renamed = await owner.patch(`/api/orgs/${orgId}/api-keys/${renamedKeyId}`, { name: 'nightly-batch' });
  expect(renamed.status, renamed.text).toBe(200);
  const policy = await owner.put(`/api/orgs/${orgId}/guardrails`, {});
  expect(policy.status, policy.text).toBeLessThan(300);

  // Gateway traffic: one clean request, one carrying a secret (blocked by the default secret rules).
  const chat = (content: string) =>
    fetch(`${server.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gatewayKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-5.4-mini', messages: [{ role: 'user', content }] }),
    });
  expect((await chat('hello there')).status).toBe(200);
  const blocked = await chat(`deploy with ${LEAKED_TOKEN} please`);
  expect(blocked.status, await blocked.text()).toBe(400);
  await eventually(async () => {
    const list = await owner.get<GuardrailList>(`/api/orgs/${orgId}/guardrails/events`);
    return list.body.events.length > 0 ? list : undefined;
  });

  browser = await launchBrowser();
  page = await signedInPage(session.cookie!);
});

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
    await openai?.close();
  }
});

const auditRows = () => page.locator('table.audit-table tbody tr');
const shownActions = () => page.locator('table.audit-table td.audit-action').allTextContents();

describe('audit log and guardrail violations in Chromium', () => {
  it('lists the actions just taken, newest first, as the api orders them', async () => {
    await page.goto(`${origin}/orgs/${orgId}`);
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.waitForURL(`${origin}/orgs/${orgId}/audit`);
    await auditRows().first().waitFor();
    const api = await owner.get<AuditList>(`/api/orgs/${orgId}/audit/events?limit=50`);
    expect(api.status).toBe(200);
    expect(await shownActions()).toEqual(api.body.events.map((event) => event.action));
    const seqs = await Promise.all((await auditRows().all()).map(async (row) => Number(await row.getAttribute('data-seq'))));
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    const actions = await shownActions();
    expect(actions[0]).toBe('guardrail_policy.changed');
    expect(actions.indexOf('api_key.updated')).toBeLessThan(actions.indexOf('api_key.created'));
    // The chain head is the newest event.
    expect(await page.locator('[data-head="seq"]').textContent()).toBe(String(seqs[0]));
    await reviewPage(page, 'audit-log');
  });

  it('narrows the list with a filter, and explains an action the api does not know', async () => {
    await page.getByLabel('Action', { exact: true }).fill('api_key.*');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => shownActions()).toEqual(['api_key.updated', 'api_key.created', 'api_key.created']);
    await page.getByLabel('Action', { exact: true }).fill('api_key.created');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => shownActions()).toEqual(['api_key.created', 'api_key.created']);

    expectedFailures.add(`400 GET /api/orgs/${orgId}/audit/events`);
    await page.getByLabel('Action', { exact: true }).fill('api_key');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/audit action/i);
  });

  it('shows an event in full, with its diff', async () => {
    await page.getByLabel('Action', { exact: true }).fill('api_key.updated');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => shownActions()).toEqual(['api_key.updated']);
    await auditRows()
      .first()
      .getByRole('button', { name: /^Details of api_key\.updated/ })
      .click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByRole('heading', { level: 2 }).textContent()).toBe('Audit event: api_key.updated');
    const diff = (await dialog.getByLabel('Diff').textContent()) ?? '';
    expect(diff).toContain('nightly-batch');
    expect(diff).toContain('batch-job');
    expect(await dialog.textContent()).toContain(renamedKeyId);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  it('downloads the export, with the filtered events in it, and the export is itself audited', async () => {
    await page.getByLabel('Action', { exact: true }).fill('api_key.*');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => shownActions()).toHaveLength(3);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^audit-${orgId}-\\d{8}T\\d{6}Z\\.csv$`));
    const file = await download.path();
    const csv = readFileSync(file, 'utf8');
    const lines = csv.trim().split('\n');
    expect(lines[0]).toMatch(/^seq,id,occurredAt,/);
    expect(lines).toHaveLength(4); // the header and the three api_key.* events, oldest first
    expect(csv).toContain('api_key.created');
    expect(csv).toContain(renamedKeyId);
    expect(csv).not.toContain('guardrail_policy.changed');
    // Cleared filters: the export is now the newest event.
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.reload();
    await expect.poll(async () => (await shownActions())[0]).toBe('audit.exported');
  });

  it('verifies the chain on request, and says in words where it is broken after an edit in the database', async () => {
    await page.getByRole('button', { name: 'Verify the chain' }).click();
    const ok = page.locator('[data-chain-status="ok"]');
    await ok.waitFor();
    const head = await page.locator('[data-head="seq"]').textContent();
    expect(await ok.textContent()).toContain(`(event ${head})`);
    // Someone with database access edits an old event: the page names it.
    await server.runtime.database.db.execute(sql`update audit_events set action = 'project.created' where org_id = ${orgId} and seq = 2`);
    await page.getByRole('button', { name: 'Verify the chain' }).click();
    const broken = page.locator('[data-chain-status="broken"]');
    await broken.waitFor();
    expect(await broken.textContent()).toMatch(/broken at event 2: its content no longer matches its hash/);
    await reviewPage(page, 'audit-log-broken-chain');
  });

  it('lists the guardrail violation from the gateway, filterable, and never the matched secret', async () => {
    const api = await owner.get<GuardrailList>(`/api/orgs/${orgId}/guardrails/events`);
    const [event] = api.body.events;
    expect(event).toMatchObject({ detector: 'secret', action: 'block', direction: 'input' });
    await page.getByRole('link', { name: 'Guardrail violations' }).click();
    await page.waitForURL(`${origin}/orgs/${orgId}/guardrail-violations`);
    const row = page.locator('table.violations-table tbody tr').first();
    await row.waitFor();
    expect(await row.locator('td[data-label="Project"]').textContent()).toBe('app');
    await expect.poll(() => row.locator('td[data-label="API key"]').textContent()).toBe('chat-backend');
    expect(await row.locator('td[data-label="Detector"]').textContent()).toBe('secret');
    expect(await row.locator('td[data-label="Category"]').textContent()).toMatch(/^secret/);
    expect(await row.locator('td[data-label="Action"]').textContent()).toBe('block');
    expect(await row.locator('td[data-label="Direction"]').textContent()).toMatch(/^input/);
    expect(await row.locator('td[data-label="Request id"]').textContent()).toBe(event!.requestId);
    const html = await page.content();
    expect(html).not.toContain(LEAKED_TOKEN);
    expect(html).not.toContain(LEAKED_TOKEN.slice(6));

    await page.getByLabel('Direction', { exact: true }).selectOption('output');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No guardrail violation matches these filters.').waitFor();
    await page.getByLabel('Direction', { exact: true }).selectOption('input');
    await page.getByLabel('Detector', { exact: true }).selectOption('secret');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => page.locator('table.violations-table tbody tr').count()).toBe(api.body.events.length);
  });

  it('tells a developer in words that the audit log needs another role', async () => {
    const session = await signIn(server, developer.email, developer.password, { origin });
    const developerPage = await signedInPage(session.cookie!);
    expectedFailures.add(`403 GET /api/orgs/${orgId}/audit/events`);
    expectedFailures.add(`403 GET /api/orgs/${orgId}/audit/head`);
    await developerPage.goto(`${origin}/orgs/${orgId}/audit`);
    await developerPage.getByRole('heading', { name: 'Audit log' }).waitFor();
    await expect
      .poll(() => developerPage.getByRole('alert').allTextContents())
      .toContain('This needs the audit:read permission, which the developer role does not have.');
    // The rest of the frame still works: the developer can read the violations.
    await developerPage.getByRole('link', { name: 'Guardrail violations' }).click();
    await developerPage.locator('table.violations-table tbody tr').first().waitFor();
  });
});
