/**
 * The guardrail policy page in Chromium, end to end: an admin adds a custom blocklist rule through the page,
 * tries it live (blocked; an innocent text passes), sees the api's refusal of a regex RE2 cannot run next to
 * that rule, and saves. The official OpenAI SDK, pointed at the gateway, is then refused with
 * `guardrail_blocked`; the violation shows on the violations page (rule and action, never the term), and the
 * change is in the audit log. A project override that drops the rule lets that project's request through.
 * A developer sees the policy read-only, can still try texts, and the api refuses their save.
 */
import OpenAI, { APIError } from 'openai';
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

/** The blocked term: it must never appear on the violations page (events hold no matched text). */
const TERM = 'nightjar';
const RULE = 'launch-codenames';
const MODEL = 'openai/gpt-5.4-mini';

type GuardrailList = { events: { rule: string; action: string; detector: string }[] };
type AuditList = { events: { action: string; target: { type: string; id: string | null } | null }[] };

let server: TestServer;
let openai: FakeOpenAI;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageWatcher = createPageWatcher();
const expectedFailures = new Set<string>();
let origin: string;
let orgId = '';
let appProjectId = '';
let otherProjectId = '';
let admin: ApiClient;
let developer: ApiClient;
let adminCookie = '';
let developerCookie = '';
let appKey = '';
let otherKey = '';
let page: Page;

beforeAll(async () => {
  assertDashboardBuilt();
  openai = await startFakeOpenAI();
  ({ server, origin } = await startDashboardServer(['gateway', 'api'], { LOG_LEVEL: 'warn' }));
  const orgName = uniqueName('guard');
  const doc = {
    orgs: [
      {
        name: orgName,
        providerKeys: [{ provider: 'openai', key: openai.apiKey, baseUrl: openai.baseUrl }],
        projects: [{ name: 'app' }, { name: 'other' }],
      },
    ],
  };
  await applyBootstrap(parseBootstrapText(stringify(doc), 'org.yaml'), {
    db: server.runtime.apiDb,
    keyring: server.runtime.keyring,
    ctx: operatorCtx,
  });
  orgId = (await findOrganizationId(server.runtime.apiDb, orgName))!;
  const adminUser = await createPasswordUser(server, { org: { name: orgName, role: 'admin' } });
  const developerUser = await createPasswordUser(server, { org: { name: orgName, role: 'developer' } });
  await makeInstanceAdmin(server, adminUser.id);
  adminCookie = (await signIn(server, adminUser.email, adminUser.password, { origin })).cookie!;
  developerCookie = (await signIn(server, developerUser.email, developerUser.password, { origin })).cookie!;
  admin = sessionApiClient(server, adminCookie, origin);
  developer = sessionApiClient(server, developerCookie, origin);

  const projects = await admin.get<{ projects: { id: string; name: string }[] }>(`/api/orgs/${orgId}/projects`);
  appProjectId = projects.body.projects.find((p) => p.name === 'app')!.id;
  otherProjectId = projects.body.projects.find((p) => p.name === 'other')!.id;
  const issue = async (projectId: string) => {
    const issued = await admin.post<IssuedKeyBody>(`/api/orgs/${orgId}/projects/${projectId}/api-keys`, { name: 'chat-backend' });
    expect(issued.status, issued.text).toBe(201);
    return issued.body.key;
  };
  appKey = await issue(appProjectId);
  otherKey = await issue(otherProjectId);

  browser = await launchBrowser();
  page = await signedInPage(adminCookie);
  // A fresh database and two password users: slow on a busy machine.
}, 240_000);

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

/** The official SDK as an application uses it, with one project's key. */
const sdk = (apiKey: string) => new OpenAI({ apiKey, baseURL: `${server.gatewayUrl}/v1`, maxRetries: 0, timeout: 20_000 });

/** Sends one user turn; the gateway's refusal comes back as the SDK's APIError. */
async function ask(apiKey: string, content: string): Promise<{ status: number; code: string | null | undefined }> {
  try {
    await sdk(apiKey).chat.completions.create({ model: MODEL, messages: [{ role: 'user', content }] });
    return { status: 200, code: null };
  } catch (error) {
    if (error instanceof APIError) return { status: error.status ?? 0, code: error.code };
    throw error;
  }
}

const verdict = (target: Page) => target.locator('[data-verdict]');
const ruleRow = (target: Page, name: string) => target.locator(`tr[data-rule="${name}"]`);

async function addRule(
  target: Page,
  rule: { name: string; kind: string; pattern?: string; terms?: string; action: string; scope: string },
): Promise<void> {
  await target.getByRole('button', { name: 'Add rule' }).click();
  const dialog = target.getByRole('dialog');
  await dialog.getByLabel('Name', { exact: true }).fill(rule.name);
  await dialog.getByLabel('Kind').selectOption(rule.kind);
  if (rule.pattern !== undefined) await dialog.getByLabel('Pattern').fill(rule.pattern);
  if (rule.terms !== undefined) await dialog.getByLabel('Terms (one per line)').fill(rule.terms);
  await dialog.getByLabel('Action').selectOption(rule.action);
  await dialog.getByLabel('Applies to').selectOption(rule.scope);
  await dialog.getByRole('button', { name: 'Add rule' }).click();
  await dialog.waitFor({ state: 'detached' });
}

describe('guardrail policies in Chromium', { timeout: 120_000 }, () => {
  it('opens the org policy from the navigation, with the defaults filled in', async () => {
    await page.goto(`${origin}/orgs/${orgId}`);
    await page.getByRole('navigation', { name: 'Organization' }).getByRole('link', { name: 'Guardrails', exact: true }).click();
    await page.waitForURL(`${origin}/orgs/${orgId}/guardrails`);
    await page.getByRole('heading', { name: 'Custom rules' }).waitFor();
    expect(await page.getByLabel('Action for SSN').inputValue()).toBe('redact');
    expect(await page.getByLabel('In requests').inputValue()).toBe('block');
    expect(await page.getByText('No custom rule.').isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Save policy' }).isDisabled()).toBe(true);
  });

  it('adds a blocklist rule, and the live try box blocks the term while an innocent text passes', async () => {
    await addRule(page, { name: RULE, kind: 'blocklist', terms: TERM, action: 'block', scope: 'input' });
    await expect.poll(() => ruleRow(page, RULE).locator('td[data-label="Action"]').textContent()).toBe('block');
    expect(await page.getByRole('status').filter({ hasText: 'Unsaved changes.' }).count()).toBe(1);

    await page.getByLabel('Text to try').fill(`Launch plan for Project ${TERM.toUpperCase()} next week`);
    await expect.poll(() => verdict(page).getAttribute('data-verdict')).toBe('blocked');
    expect(await verdict(page).textContent()).toContain(`rule ${RULE}`);
    // A blocked text is not echoed back as "what the provider would receive".
    expect(await page.getByLabel('Text as the provider would receive it').count()).toBe(0);
    expect(await page.locator('table.findings-table td[data-label="Rule or type"]').allTextContents()).toEqual([RULE]);

    await page.getByLabel('Text to try').fill('Launch plan for the spring sale next week');
    await expect.poll(() => verdict(page).getAttribute('data-verdict')).toBe('pass');
    expect(await page.getByLabel('Text as the provider would receive it').textContent()).toBe('Launch plan for the spring sale next week');
    // The rule only judges requests: the same term in an answer passes.
    await page.getByLabel('Text to try').fill(`Project ${TERM}`);
    await page.getByLabel('Direction').selectOption('output');
    await expect.poll(() => verdict(page).getAttribute('data-verdict')).toBe('pass');
    await page.getByLabel('Direction').selectOption('input');
    await expect.poll(() => verdict(page).getAttribute('data-verdict')).toBe('blocked');
  });

  it('shows the api’s refusal of a pattern RE2 cannot run next to that rule, on try and on save', async () => {
    expectedFailures.add(`400 POST /api/orgs/${orgId}/guardrails/try`);
    expectedFailures.add(`400 PUT /api/orgs/${orgId}/guardrails`);
    await addRule(page, { name: 'lookahead', kind: 'regex', pattern: 'secret(?=s)', action: 'flag', scope: 'both' });
    const refusal = ruleRow(page, 'lookahead').locator('.rule-error');
    await expect.poll(() => refusal.textContent()).toMatch(/^Custom rule lookahead: .*no backreferences or lookaround/);
    expect(await ruleRow(page, RULE).locator('.rule-error').count()).toBe(0);

    await page.getByRole('button', { name: 'Save policy' }).click();
    await expect.poll(() => page.locator('.save-bar [role="alert"]').textContent()).toMatch(/^Custom rule lookahead: /);
    expect((await admin.get<{ version: number }>(`/api/orgs/${orgId}/guardrails`)).body.version).toBe(0);

    // Removing it asks first; Cancel keeps it.
    await page.getByRole('button', { name: 'Remove lookahead' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    expect(await ruleRow(page, 'lookahead').count()).toBe(1);
    await page.getByRole('button', { name: 'Remove lookahead' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove rule' }).click();
    await expect.poll(() => ruleRow(page, 'lookahead').count()).toBe(0);
  });

  it('saves the policy with its version, audited as guardrail_policy.changed', async () => {
    // tool poisoning gets an action of its own; a threshold typed after it leaves it as chosen
    expect(await page.getByLabel('Tool descriptions (tool poisoning)').inputValue()).toBe('log');
    await page.getByLabel('Tool descriptions (tool poisoning)').selectOption('block');
    await page.getByLabel('Threshold (0.5 to 0.999)').fill('0.9');
    await page.getByLabel('Minimum confidence (0 to 1)').fill('0.85');
    await page.getByRole('button', { name: 'Save policy' }).click();
    await expect.poll(() => page.locator('.save-state').textContent()).toMatch(/^Saved as version 1\./);
    const stored = await admin.get<{
      version: number;
      policy: { customRules: { name: string; terms: string[] }[]; injection: Record<string, unknown>; pii: Record<string, unknown> };
    }>(`/api/orgs/${orgId}/guardrails`);
    expect(stored.body.version).toBe(1);
    expect(stored.body.policy.injection).toEqual({ enabled: true, action: 'log', threshold: 0.9, toolDefinitions: 'block' });
    expect(stored.body.policy.pii.minConfidence).toBe(0.85);
    expect(stored.body.policy.customRules).toMatchObject([
      { name: RULE, kind: 'blocklist', terms: [TERM], action: 'block', scope: 'input' },
    ]);
    await reviewPage(page, 'guardrails-org');
    // On a phone: nothing of the page sticks out of its column (the rules table becomes cards). The shared frame
    // (header, navigation) is the layout's to fit, so the check is on what this page renders inside <main>.
    await page.setViewportSize({ width: 390, height: 844 });
    // Page code as a string: the test project has no DOM types. Names what sticks out, if anything does.
    const overflowing = await page.evaluate<string[]>(`(() => {
      const main = document.querySelector('main');
      const right = main.getBoundingClientRect().right + 0.5;
      return [...main.querySelectorAll('*')]
        .filter((el) => !el.closest('thead') && el.getBoundingClientRect().right > right)
        .filter((el) => ![...el.children].some((child) => child.getBoundingClientRect().right > right))
        .map((el) => el.tagName + '.' + el.className + ' ' + Math.round(el.getBoundingClientRect().width) + ': ' + (el.textContent || '').slice(0, 40));
    })()`);
    expect(overflowing).toEqual([]);
    expect(await page.evaluate<string>(`getComputedStyle(document.querySelector('table.rules-table tbody td')).display`)).toBe('block');
    await reviewPage(page, 'guardrails-org-phone');
    await page.setViewportSize({ width: 1280, height: 720 });

    const audit = await admin.get<AuditList>(`/api/orgs/${orgId}/audit/events?action=guardrail_policy.changed`);
    expect(audit.status, audit.text).toBe(200);
    expect(audit.body.events.map((e) => [e.action, e.target?.type, e.target?.id])).toEqual([['guardrail_policy.changed', 'org', orgId]]);
  });

  it('the gateway refuses the term through the OpenAI SDK with guardrail_blocked, and lets an innocent prompt through', async () => {
    expect(await ask(appKey, `Write the announcement for project ${TERM}.`)).toEqual({ status: 400, code: 'guardrail_blocked' });
    expect(await ask(appKey, 'Write the announcement for the spring sale.')).toEqual({ status: 200, code: null });
  });

  it('shows the violation with its rule and action, never the term', async () => {
    await eventually(async () => {
      const list = await admin.get<GuardrailList>(`/api/orgs/${orgId}/guardrails/events`);
      return list.body.events.some((e) => e.rule === RULE) ? list : undefined;
    });
    await page.getByRole('main').getByRole('link', { name: 'Guardrail violations' }).click();
    await page.waitForURL(`${origin}/orgs/${orgId}/guardrail-violations`);
    const row = page.locator('table.violations-table tbody tr').filter({ hasText: `rule ${RULE}` });
    await row.first().waitFor();
    expect(await row.count()).toBe(1);
    expect(await row.locator('td[data-label="Detector"]').textContent()).toBe('custom');
    expect(await row.locator('td[data-label="Action"]').textContent()).toBe('block');
    expect(await row.locator('td[data-label="Direction"]').textContent()).toMatch(/^input/);
    expect((await page.content()).toLowerCase()).not.toContain(TERM);
    await reviewPage(page, 'guardrail-violations');
  });

  it('a project override without the rule lets that project’s request through, and only that project’s', async () => {
    await page.goto(`${origin}/orgs/${orgId}/guardrails`);
    await page.getByLabel('Policy of').selectOption({ label: 'Project other' });
    await page.waitForURL(`${origin}/orgs/${orgId}/guardrails?project=${otherProjectId}`);
    await page.getByLabel('Inherit the organization policy').waitFor();
    expect(await page.getByLabel('Inherit the organization policy').isChecked()).toBe(true);
    // Inherited: the org's rule is shown, not editable.
    await ruleRow(page, RULE).waitFor();
    expect(await page.getByRole('button', { name: `Remove ${RULE}` }).count()).toBe(0);

    await page.getByLabel('Override parts of it for this project').check();
    await page.getByLabel("Override the organization's custom rules for this project").check();
    await page.getByRole('button', { name: `Remove ${RULE}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove rule' }).click();
    await page.getByText('No custom rule.').waitFor();
    // The draft is tried as this project would get it: the term now passes.
    await page.getByLabel('Text to try').fill(`Project ${TERM}`);
    await expect.poll(() => verdict(page).getAttribute('data-verdict')).toBe('pass');
    await page.getByRole('button', { name: 'Save override' }).click();
    await expect.poll(() => page.locator('.save-state').textContent()).toMatch(/^Override saved as version 1\./);
    await reviewPage(page, 'guardrails-project');

    const stored = await admin.get<{ override: unknown }>(`/api/orgs/${orgId}/projects/${otherProjectId}/guardrails`);
    expect(stored.body.override).toEqual({ customRules: [] });
    expect(await ask(otherKey, `Write the announcement for project ${TERM}.`)).toEqual({ status: 200, code: null });
    expect(await ask(appKey, `Write the announcement for project ${TERM}.`)).toEqual({ status: 400, code: 'guardrail_blocked' });
  });

  it('shows a developer the policy read-only (trying still works), and the api refuses their save', async () => {
    const devPage = await signedInPage(developerCookie);
    await devPage.goto(`${origin}/orgs/${orgId}/guardrails`);
    await ruleRow(devPage, RULE).waitFor();
    expect(await devPage.getByText('Only owners and admins of the organization can change guardrail policies.').isVisible()).toBe(true);
    expect(await devPage.getByRole('button', { name: 'Save policy' }).count()).toBe(0);
    expect(await devPage.getByRole('button', { name: 'Add rule' }).count()).toBe(0);
    expect(await devPage.getByRole('button', { name: `Remove ${RULE}` }).count()).toBe(0);
    expect(await devPage.getByLabel('Detect personal data').isDisabled()).toBe(true);
    expect(await devPage.getByLabel('Action for EMAIL').isDisabled()).toBe(true);
    await devPage.getByLabel('Text to try').fill(`Project ${TERM}`);
    await expect.poll(() => verdict(devPage).getAttribute('data-verdict')).toBe('blocked');

    const refused = await developer.put(`/api/orgs/${orgId}/guardrails`, { customRules: [] });
    expect(refused.status).toBe(403);
    expect((await admin.get<{ version: number }>(`/api/orgs/${orgId}/guardrails`)).body.version).toBe(1);
  });
});
