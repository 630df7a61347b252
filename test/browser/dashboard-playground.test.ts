/**
 * The playground in Chromium, served by the api under its CSP, with a gateway and a fake OpenAI that
 * streams its answer in many small pieces: a provider key added on the Provider keys page, then a
 * chat whose text is seen growing on the page until it equals what the fake sent, with provider,
 * tokens and cost under it; a second turn that sends the first again; Stop in the middle of an
 * answer; a prompt an org guardrail blocks (the notice, no answer, nothing sent to the provider);
 * a provider failure and a bad setting said in words; a viewer told the playground is not for them.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FAKE_OPENAI_KEY, startFakeOpenAI, type FakeOpenAI } from '../fakes/openai.js';
import { apiClient, createOrg, mintToken, type TestOrg } from '../support/api.js';
import type { TestServer } from '../support/server.js';
import { createPasswordUser } from '../support/sessions.js';
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

const MODEL = 'openai/gpt-5.4-mini';
const FIRST_ANSWER = 'Portcullis streams this answer piece by piece, so the playground shows it growing instead of all at once at the end.';
const SECOND_ANSWER = 'The second turn saw the first one again.';
/** An org blocklist term: a prompt with it never reaches the provider. */
const BLOCKED_TERM = 'nightjar';

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
  ({ server, origin } = await startDashboardServer(['gateway', 'api']));
  org = await createOrg(server, 'playground');
  user = await createPasswordUser(server, { org: { name: org.orgName, role: 'owner' } });
  await makeInstanceAdmin(server, user.id);
  const admin = apiClient(server, await mintToken(server, org, 'admin'));
  const policy = await admin.put(`/api/orgs/${org.orgId}/guardrails`, {
    customRules: [{ name: 'codename', kind: 'blocklist', terms: [BLOCKED_TERM], action: 'block', scope: 'input' }],
  });
  expect(policy.status, policy.text).toBe(200);
  browser = await launchBrowser();
  ({ context, page } = await openClipboardPage(browser, origin));
  await pageWatcher.watch(page);
  // Two gateways' worth of startup on a busy machine: more than the default minute.
}, 180_000);

afterAll(async () => {
  try {
    // Refused on purpose: /api/me before signing in.
    pageWatcher.expectClean(new Set(['401 GET /api/me']));
  } finally {
    await context?.close();
    await browser?.close();
    await server?.stop();
    await fake?.close();
  }
});

const prompt = () => page.getByLabel('Message');
const turns = () => page.locator('.playground-turn');
const answerOf = (index: number) => turns().nth(index).getByTestId('playground-answer');
const summaryOf = (index: number) => turns().nth(index).getByTestId('playground-summary');

async function send(text: string): Promise<void> {
  await prompt().fill(text);
  await prompt().press('Enter');
}

describe('the playground in Chromium', () => {
  it('adds a provider key pointing at the fake provider on the Provider keys page', async () => {
    await page.goto(`${origin}/`);
    await page.waitForURL(`${origin}/login`);
    await submitPasswordSignIn(page, user.email, user.password);
    await page.waitForURL(`${origin}/orgs/${org.orgId}`);
    await page.getByRole('navigation', { name: 'Organization' }).getByRole('link', { name: 'Provider keys' }).click();
    await page.getByRole('button', { name: 'Add provider key' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Provider').selectOption('openai');
    await dialog.getByLabel('Name (optional)').fill('fake-openai');
    await dialog.getByLabel('API key', { exact: true }).fill(DEFAULT_FAKE_OPENAI_KEY);
    await dialog.getByLabel('Base URL (optional)').fill(fake.baseUrl);
    await dialog.getByRole('button', { name: 'Add key' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.locator('td.key-name', { hasText: 'fake-openai' }).waitFor();
  });

  it('chats: the answer appears as it streams, then provider, tokens and cost', async () => {
    await page.getByRole('navigation', { name: 'Organization' }).getByRole('link', { name: 'Playground' }).click();
    await page.waitForURL(`${origin}/orgs/${org.orgId}/playground`);
    await page.getByLabel('Project').selectOption({ label: 'app' });
    // Send stays off until a model is chosen.
    expect(await page.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);
    await page.getByLabel('Model', { exact: true }).selectOption(MODEL);
    await page.getByLabel('System prompt (optional)').fill('Answer in one sentence.');

    // Twelve pieces, 150 ms apart: the page must show the text growing, not only at the end.
    fake.fail({ kind: 'slow-stream', eventDelayMs: 150 });
    fake.reply({ text: FIRST_ANSWER, chunks: 12, usage: { input: 31, output: 24 } });
    await send('How do you answer?');
    const lengths = new Set<number>();
    await expect
      .poll(
        async () => {
          const text = (await answerOf(0).count()) > 0 ? ((await answerOf(0).textContent()) ?? '') : '';
          if (text !== '') lengths.add(text.length);
          return text;
        },
        { interval: 50, timeout: 20_000 },
      )
      .toBe(FIRST_ANSWER);
    expect(lengths.size, `partial lengths seen: ${[...lengths].join(', ')}`).toBeGreaterThan(3);

    const summary = summaryOf(0);
    await summary.waitFor();
    const line = (await summary.textContent()) ?? '';
    expect(line).toContain(`openai · ${MODEL}`);
    expect(line).toContain('31 tokens in, 24 out');
    expect(line).toMatch(/\$0\.\d+/);
    expect(line).toMatch(/\d+ ms/);
    const requestLink = summary.getByRole('link', { name: /^request req_/ });
    expect(await requestLink.getAttribute('href')).toMatch(new RegExp(`^/orgs/${org.orgId}/request-logs\\?requestId=req_`));
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Answer complete' }).count()).toBe(1);

    const upstream = fake.requests.at(-1)!.body as { messages: unknown; stream: boolean };
    expect(upstream.stream).toBe(true);
    expect(upstream.messages).toEqual([
      { role: 'system', content: 'Answer in one sentence.' },
      { role: 'user', content: 'How do you answer?' },
    ]);
    await reviewPage(page, 'playground');
  });

  it('sends the earlier turn again with the next one (Shift+Enter is a new line)', async () => {
    fake.reply({ text: SECOND_ANSWER });
    await prompt().fill('Line one');
    await prompt().press('Shift+Enter');
    await prompt().type('line two');
    expect(await turns().count()).toBe(1);
    await prompt().press('Enter');
    await expect
      .poll(() =>
        answerOf(1)
          .textContent()
          .catch(() => ''),
      )
      .toBe(SECOND_ANSWER);
    await summaryOf(1).waitFor();
    expect((fake.requests.at(-1)!.body as { messages: unknown }).messages).toEqual([
      { role: 'system', content: 'Answer in one sentence.' },
      { role: 'user', content: 'How do you answer?' },
      { role: 'assistant', content: FIRST_ANSWER },
      { role: 'user', content: 'Line one\nline two' },
    ]);
  });

  it('stops an answer in the middle', async () => {
    let release!: () => void;
    fake.fail({ kind: 'hold', until: new Promise<void>((resolve) => (release = resolve)), afterEvents: 3 });
    fake.reply({ text: 'This answer will be cut off by the Stop button long before it ends.' });
    try {
      await send('Tell me a long story');
      await expect
        .poll(() =>
          answerOf(2)
            .textContent()
            .catch(() => ''),
        )
        .not.toBe('');
      await page.getByRole('button', { name: 'Stop' }).click();
      await turns().nth(2).getByText('Stopped.').waitFor();
      expect(await summaryOf(2).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Send' }).isDisabled()).toBe(false);
    } finally {
      release();
    }
  });

  it('shows a guardrail block as a notice, with no answer, and nothing reaches the provider', async () => {
    const before = fake.requests.length;
    await send(`What does ${BLOCKED_TERM} mean?`);
    const notice = turns().nth(3).getByTestId('guardrail-notice');
    await notice.waitFor();
    expect(await notice.textContent()).toContain('A guardrail blocked this request.');
    expect(await notice.textContent()).toContain('custom rule codename');
    expect(await answerOf(3).count()).toBe(0);
    expect(await turns().nth(3).getByRole('alert').textContent()).toMatch(/blocked by a guardrail/);
    expect(fake.requests.length).toBe(before);

    // A phone's width: settings stack, the conversation and the notice still read and pass axe.
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await reviewPage(page, 'playground-390');
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  it('says a provider failure and a bad setting in words', async () => {
    const failure = {
      kind: 'status',
      status: 500,
      body: { error: { message: 'The fake provider is down.', type: 'server_error' } },
    } as const;
    fake.fail(failure, failure, failure);
    await send('Are you there?');
    await expect
      .poll(() =>
        turns()
          .nth(4)
          .getByRole('alert')
          .textContent()
          .catch(() => ''),
      )
      .not.toBe('');
    expect(await answerOf(4).count()).toBe(0);

    await page.getByLabel('Temperature (optional)').fill('5');
    await send('Hello again');
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'Temperature must be a number from 0 to 2.' }).count()).toBe(1);
    expect(await turns().count()).toBe(5);
    await page.getByLabel('Temperature (optional)').fill('');
  });

  it('tells a viewer the playground is not for their role', async () => {
    const viewer = await createPasswordUser(server, { org: { name: org.orgName, role: 'viewer' } });
    const viewerContext = await browser.newContext();
    try {
      const viewerPage = await viewerContext.newPage();
      await viewerPage.goto(`${origin}/orgs/${org.orgId}/playground`);
      await viewerPage.waitForURL(`${origin}/login`);
      await submitPasswordSignIn(viewerPage, viewer.email, viewer.password);
      await viewerPage.waitForURL(`${origin}/orgs/${org.orgId}/playground`);
      await viewerPage.getByText('The playground is for developers, admins and owners of the organization; your role is viewer.').waitFor();
      expect(await viewerPage.getByLabel('Message').count()).toBe(0);
    } finally {
      await viewerContext.close();
    }
  });
});
