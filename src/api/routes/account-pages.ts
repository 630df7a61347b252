import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import type { AppEnv } from '../../http/types.js';
import { packageRoot } from '../../paths.js';

// Read from src/ at the package root (see paths.ts), so `npm start` from dist/ serves them too.
const PAGE_DIR = join(packageRoot, 'src', 'api', 'account-pages');
const HTML = 'text/html; charset=utf-8';
const JS = 'text/javascript; charset=utf-8';
const ASSETS: Record<string, { file: string; type: string }> = {
  '/invite': { file: 'invite.html', type: HTML },
  '/reset-password': { file: 'reset-password.html', type: HTML },
  '/verify-email': { file: 'verify-email.html', type: HTML },
  '/account-pages/common.js': { file: 'common.js', type: JS },
  '/account-pages/invite.js': { file: 'invite.js', type: JS },
  '/account-pages/reset-password.js': { file: 'reset-password.js', type: JS },
  '/account-pages/verify-email.js': { file: 'verify-email.js', type: JS },
};

/**
 * The pages behind emailed links, until the dashboard lands: `/invite`, `/reset-password` (also
 * "forgot password" when opened without a link) and `/verify-email`. Each link carries its token
 * in the URL fragment, which the page reads and removes from the address bar; the token reaches
 * the server only in a JSON body. Static files under the api's strict CSP (no inline script),
 * styled by the sign-in page's stylesheet (`/sign-in/sign-in.css`).
 */
export function accountPageRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  for (const [path, asset] of Object.entries(ASSETS)) {
    const body = readFileSync(join(PAGE_DIR, asset.file), 'utf8');
    app.get(path, (c) => c.body(body, 200, { 'content-type': asset.type, 'cache-control': 'no-store' }));
  }
  return app;
}
