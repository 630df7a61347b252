/**
 * What the dashboard's browser tests share: the built dashboard checked for, an api (and gateway)
 * on a free port, an instance admin, a page opened with clipboard access or with a session cookie
 * already set, and a watcher that records
 * each page's console, failed responses and CSP violations and checks them once all tests ran.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { packageRoot } from '../../../src/paths.js';
import type { ServiceName } from '../../../src/server/services.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import { freePort, watchConsole } from './browser.js';

const DIST_INDEX = join(packageRoot, 'web', 'dist', 'index.html');

/** Fails with what to run when web/dist has not been built. */
export function assertDashboardBuilt(): void {
  if (!existsSync(DIST_INDEX)) {
    throw new Error(`The dashboard is not built (${DIST_INDEX} is missing). Run \`npm run build\` (or \`npm run build:web\`) first.`);
  }
}

/**
 * These services on an isolated database (the setup redirect and the instance admins must not leak
 * between files), the api on a free port; `origin` (http://localhost:<port>) is the PUBLIC_URL (CSRF
 * origin) and a domain RP id for passkeys.
 */
export async function startDashboardServer(
  services: ServiceName[],
  env: Record<string, string> = {},
): Promise<{ server: TestServer; origin: string }> {
  const port = await freePort();
  const server = await startTestServer({ services, isolatedDatabase: true, env: { API_PORT: String(port), ...env } });
  return { server, origin: `http://localhost:${port}` };
}

/** Makes the user an instance admin, so navigations are no longer sent to /setup. */
export async function makeInstanceAdmin(server: TestServer, userId: string): Promise<void> {
  await server.runtime.database.db.execute(sql`insert into instance_admins (user_id, granted_by) values (${userId}, null)`);
}

/** A new context allowed to use the clipboard on `origin`, and its first page (not yet watched). */
export async function openClipboardPage(browser: Browser, origin: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  return { context, page: await context.newPage() };
}

/**
 * A new context holding this session cookie (`name=value`, as the api set it) the way a signed-in
 * browser holds it, and its first page, watched by `watcher`. The caller closes the context.
 */
export async function openSessionPage(
  browser: Browser,
  origin: string,
  cookie: string,
  watcher: PageWatcher,
  options: { acceptDownloads?: boolean } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext(options);
  const split = cookie.indexOf('=');
  await context.addCookies([
    { name: cookie.slice(0, split), value: cookie.slice(split + 1), url: origin, httpOnly: true, sameSite: 'Lax' },
  ]);
  const page = await context.newPage();
  await watcher.watch(page);
  return { context, page };
}

export type PageWatcher = {
  /** Records the page's console, failed responses and CSP violations. */
  watch(target: Page): Promise<void>;
  /** No CSP violation, no script error, no console error, no failed response but the expected ones ("status METHOD path"). */
  expectClean(expectedFailures: ReadonlySet<string>): void;
};

export function createPageWatcher(): PageWatcher {
  const consoleWatches: ReturnType<typeof watchConsole>[] = [];
  const cspViolations: string[] = [];
  /** Every response of 400 or more the pages received ("status METHOD path"). */
  const failedResponses: string[] = [];
  return {
    async watch(target) {
      consoleWatches.push(watchConsole(target));
      target.on('response', (response) => {
        if (response.status() >= 400)
          failedResponses.push(`${response.status()} ${response.request().method()} ${new URL(response.url()).pathname}`);
      });
      // `securitypolicyviolation` fires in the page for anything the CSP blocks; report it to the test.
      await target.exposeBinding('reportCspViolation', (_source, line: string) => cspViolations.push(line));
      // Page code as strings: the test project has no DOM types (the page runs it, not Node).
      await target.addInitScript(`document.addEventListener('securitypolicyviolation', (event) => {
    window.reportCspViolation(event.violatedDirective + ' blocked ' + event.blockedURI);
  });`);
    },
    expectClean(expectedFailures) {
      expect(cspViolations).toEqual([]);
      expect(failedResponses.filter((line) => !expectedFailures.has(line))).toEqual([]);
      // (No watches only when beforeAll failed before opening a page: its own error says why.)
      for (const consoleWatch of consoleWatches) {
        expect(consoleWatch.cspViolations()).toEqual([]);
        // The browser logs each failed response as a console error: those are checked just above; so is the
        // browser's own /favicon.ico probe on the standalone /sign-in page (which names no icon).
        const errors = consoleWatch.messages.filter((line) => line.startsWith('error:') || line.startsWith('pageerror:'));
        expect(errors.filter((line) => !line.startsWith('error: Failed to load resource: the server responded with a status of'))).toEqual(
          [],
        );
      }
    },
  };
}

/** Fills the dashboard's sign-in form (on /login) with an email and password and submits it. */
export async function submitPasswordSignIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}
