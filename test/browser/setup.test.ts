/**
 * First-run setup in a real browser: the one-time link printed at start, opened in Chromium,
 * the form filled and submitted, the success state, the link refused on a second use, and the
 * page working under the strict CSP the api service sends (no violations in the console).
 */
import { sql } from 'drizzle-orm';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/rows.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { launchBrowser, watchConsole } from './support/browser.js';
import { reviewPage } from './support/page-review.js';

let server: TestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  // The first administrator is instance-wide state: a database of its own.
  server = await startTestServer({ services: ['api'], isolatedDatabase: true });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});
afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
});

/** A new browser profile (no shared cookies or storage), with its console watched. */
async function openPage(): Promise<{ page: Page; console: ReturnType<typeof watchConsole> }> {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  return { page, console: watchConsole(page) };
}

async function fillSetupForm(page: Page, fields: { name: string; email: string; password: string; confirm?: string }) {
  await page.fill('#name', fields.name);
  await page.fill('#email', fields.email);
  await page.fill('#password', fields.password);
  await page.fill('#confirm', fields.confirm ?? fields.password);
  await page.click('#setup-form button[type="submit"]');
}

/** Whether the form still shows where the page sets it `hidden` (see the known-bug test below). */
const formVisible = { afterSuccess: true, withoutToken: true };

const owner = { name: 'Ada Owner', email: 'ada@example.test', password: 'orbit-lantern-quarry-velvet-42' };

describe('setup page in Chromium', () => {
  it('creates the first administrator through the one-time link, under the server CSP', async () => {
    const link = server.services.setupLink;
    expect(link).toMatch(/^http:\/\/localhost:\d+\/setup#token=[A-Za-z0-9_-]{43}$/);
    const { page, console } = await openPage();

    const response = await page.goto(link!);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await expect.poll(() => page.isVisible('#setup-form')).toBe(true);
    // The page takes the token out of the address bar once it has read it.
    await expect.poll(() => page.url()).toBe(new URL(link!).origin + '/setup');
    await reviewPage(page, 'setup');

    // Checked in the page before anything is sent.
    await fillSetupForm(page, { ...owner, confirm: `${owner.password}-typo` });
    await expect.poll(() => page.textContent('#error')).toBe('The two passwords differ.');

    await fillSetupForm(page, owner);
    await page.waitForSelector('#done', { state: 'visible' });
    expect(await page.textContent('#done h2')).toBe('Your account is ready');
    expect(await page.isHidden('#intro')).toBe(true);
    expect(await page.isHidden('#error')).toBe(true);
    formVisible.afterSuccess = await page.isVisible('#setup-form');

    const users = await queryRows<{ email: string; name: string }>(server.runtime.database.db, sql`select email, name from users`);
    expect(users).toEqual([{ email: owner.email, name: owner.name }]);
    expect(await (await fetch(`${server.apiUrl}/api/setup`)).json()).toEqual({ required: false });

    expect(console.cspViolations()).toEqual([]);
    expect(console.messages.filter((line) => line.startsWith('pageerror:'))).toEqual([]);
  });

  it('refuses the same link a second time and shows why', async () => {
    const { page, console } = await openPage();
    await page.goto(server.services.setupLink!);
    await expect.poll(() => page.isVisible('#setup-form')).toBe(true);

    await fillSetupForm(page, { name: 'Mallory', email: 'mallory@example.test', password: 'second-visit-password-99' });
    await page.waitForSelector('#error', { state: 'visible' });
    expect(await page.textContent('#error')).toMatch(/invalid, expired or already used/);
    expect(await page.isHidden('#done')).toBe(true);

    const users = await queryRows<{ email: string }>(server.runtime.database.db, sql`select email from users`);
    expect(users).toEqual([{ email: owner.email }]);
    expect(console.cspViolations()).toEqual([]);
  });

  it('without a token, tells the person to use the printed link', async () => {
    const { page, console } = await openPage();
    await page.goto(`${server.apiUrl.replace('127.0.0.1', 'localhost')}/setup`);
    await expect.poll(() => page.textContent('#intro')).toContain('needs the one-time link printed by `portcullis start`');
    formVisible.withoutToken = await page.isVisible('#setup-form');
    expect(console.cspViolations()).toEqual([]);
  });

  // Regression: `form { display: grid }` once overrode the `hidden` attribute, leaving the form usable.
  it('hides the form after success and without a token', () => {
    expect(formVisible).toEqual({ afterSuccess: false, withoutToken: false });
  });

  it('really enforces the CSP: an injected inline script is blocked and reported', async () => {
    // The control for the assertions above: a violation does show up in the console.
    const { page, console } = await openPage();
    await page.goto(`${server.apiUrl.replace('127.0.0.1', 'localhost')}/setup`);
    await page.evaluate(`(() => {
      const script = document.createElement('script');
      script.textContent = 'window.injected = true';
      document.body.append(script);
    })()`);
    await expect.poll(() => console.cspViolations().length).toBeGreaterThan(0);
    expect(await page.evaluate('window.injected === true')).toBe(false);
  });
});
