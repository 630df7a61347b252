import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import type { AppEnv } from '../../http/types.js';
import { packageRoot } from '../../paths.js';

const PAGE_DIR = join(packageRoot, 'src', 'api', 'sign-in-page');
const ASSETS: Record<string, { file: string; type: string }> = {
  '/sign-in': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/sign-in/sign-in.js': { file: 'sign-in.js', type: 'text/javascript; charset=utf-8' },
  '/sign-in/sign-in.css': { file: 'sign-in.css', type: 'text/css; charset=utf-8' },
};

/**
 * A minimal sign-in page until the dashboard lands: password or passkey sign-in, and a small
 * account view to add, list and remove passkeys. Static files under the api's strict CSP (no
 * inline script); everything it does goes through `/api/auth/*` and `/api/me/*`.
 */
export function signInPageRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  for (const [path, asset] of Object.entries(ASSETS)) {
    const body = readFileSync(join(PAGE_DIR, asset.file), 'utf8');
    app.get(path, (c) => c.body(body, 200, { 'content-type': asset.type, 'cache-control': 'no-store' }));
  }
  return app;
}
