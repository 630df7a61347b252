/**
 * What the account pages' browser test needs besides the shared dashboard support: the api as a
 * browser context sees it (its cookies, the dashboard's Origin and anti-CSRF header), everything a
 * page holds (to prove a secret shown once is gone), and direct database edits for states the
 * dashboard cannot reach on its own (an old sign-in, an account without a password).
 */
import { and, eq, sql } from 'drizzle-orm';
import type { BrowserContext, Page } from 'playwright-core';
import { accounts } from '../../../src/db/schema/index.js';
import type { TestServer } from '../../support/server.js';
import { CSRF } from '../../support/sessions.js';

/** GET `path` with the context's cookies (what its pages would send): the status and the JSON body. */
export async function contextGet<T = unknown>(context: BrowserContext, origin: string, path: string): Promise<{ status: number; body: T }> {
  const response = await context.request.get(origin + path, { headers: { origin, ...CSRF } });
  const text = await response.text();
  return { status: response.status(), body: (text ? JSON.parse(text) : undefined) as T };
}

/** Everything the page holds: its DOM, input values, and both web storages. */
export async function everythingInPage(page: Page): Promise<string> {
  return page.evaluate<string>(`[
    document.documentElement.outerHTML,
    ...[...document.querySelectorAll('input, textarea')].map((el) => el.value),
    JSON.stringify({ ...localStorage }),
    JSON.stringify({ ...sessionStorage }),
  ].join('\\n')`);
}

/** Backdates every session of the user: to the api, their last sign-in was an hour ago. */
export async function ageSessions(server: TestServer, userId: string): Promise<void> {
  await server.runtime.database.db.execute(sql`update sessions set created_at = now() - interval '1 hour' where user_id = ${userId}`);
}

/** Removes the user's password (as if the account had been made with a passkey or a provider only). */
export async function removePassword(server: TestServer, userId: string): Promise<void> {
  await server.runtime.apiDb.withRole((tx) =>
    tx.delete(accounts).where(and(eq(accounts.userId, userId), eq(accounts.providerId, 'credential'))),
  );
}
