/**
 * `GET /api/auth/sign-up`: `{ open }`, whether self-service sign-up is open now, and nothing else
 * about the instance. Public, so the sign-in page offers "Create an account" only when it would
 * work; a sign-up attempt tells the same (403 `signup_closed` before any other check), so this
 * reveals nothing new.
 */
import type { Context } from 'hono';
import type { ScopedDatabase } from '../db/tenant.js';
import { readSignupMode } from '../tenancy/instance-settings.js';

export function signUpStatusHandler(deps: { db: ScopedDatabase }) {
  return async (c: Context): Promise<Response> => {
    const open = (await deps.db.withRole((tx) => readSignupMode(tx))) === 'open';
    // no-store: an instance admin may change the mode at any time.
    return c.json({ open }, 200, { 'cache-control': 'no-store' });
  };
}
