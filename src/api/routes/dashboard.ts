/**
 * Serves the dashboard (web/, built by Vite into web/dist): its hashed assets under /assets/ and
 * its index.html for any other browser navigation that no api route answered, so client-side
 * routes survive a reload. Registered after every other route of the api service: /api/*,
 * /setup, /sign-in and the account pages keep answering as before.
 */
import { readFile } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../../http/types.js';
import { setContentSecurityPolicy } from '../../http/security-headers.js';
import { packageRoot } from '../../paths.js';

export const DASHBOARD_DIST_DIR = join(packageRoot, 'web', 'dist');

/**
 * Stricter than the api's default: nothing but what is named (default-src 'none'); scripts,
 * styles, fonts and connections from this origin only; images also as data: URLs. Vite emits no
 * inline script or style (web/vite.config.ts), so no 'unsafe-inline' and no nonce is needed.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Hashed file names change with their content, so a browser may keep them for a year without asking. */
export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
};

// What Vite names its output (name-hash.ext): letters, digits, dot, dash, underscore, starting with
// a letter or digit. No slash, backslash or leading dot can pass, so no name can leave the folder.
const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;

const NOT_BUILT_PAGE =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Portcullis: dashboard not built</title></head><body><main>' +
  '<h1>The dashboard is not built</h1>' +
  '<p>Portcullis is running, but this copy has no built dashboard (web/dist is missing). Build it from the repository root with ' +
  '<code>npm run build</code> (or only the dashboard: <code>npx vite build --config web/vite.config.ts</code>), then reload this page.</p>' +
  '<p>The api (<code>/api</code>) and the gateway (<code>/v1</code>) work without it.</p>' +
  '</main></body></html>';

export type DashboardOptions = {
  /** Whether the instance still has no admin: browsers are then sent to /setup. */
  needsSetup(): Promise<boolean>;
  /** The built dashboard (default web/dist at the package root). */
  distDir?: string;
};

const isMissing = (error: unknown) => error instanceof Error && 'code' in error && (error.code === 'ENOENT' || error.code === 'ENOTDIR');

/** Only browser navigations get the page: an API client asking for JSON at an unknown path still gets a 404. */
function wantsHtml(c: Context<AppEnv>): boolean {
  return (c.req.header('accept') ?? '').toLowerCase().includes('text/html');
}

function reservedPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/') || path === '/assets' || path.startsWith('/assets/');
}

export function dashboardRoutes(options: DashboardOptions): Hono<AppEnv> {
  const distDir = resolve(options.distDir ?? DASHBOARD_DIST_DIR);
  const assetsDir = join(distDir, 'assets');
  // Once an admin exists the instance is set up for good; only until then is the database asked on each page load.
  let setUp = false;
  const needsSetup = async () => {
    if (setUp) return false;
    const needed = await options.needsSetup();
    setUp = !needed;
    return needed;
  };

  const app = new Hono<AppEnv>();

  app.get('/assets/:name', async (c) => {
    const name = c.req.param('name');
    const type = CONTENT_TYPES[extname(name).toLowerCase()];
    const file = resolve(assetsDir, name);
    if (!ASSET_NAME.test(name) || type === undefined || !file.startsWith(assetsDir + sep)) return c.notFound();
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch (error) {
      if (isMissing(error)) return c.notFound();
      throw error;
    }
    setContentSecurityPolicy(c, DASHBOARD_CSP);
    return c.body(new Uint8Array(body), 200, { 'content-type': type, 'cache-control': IMMUTABLE_CACHE });
  });

  app.get('*', async (c) => {
    // The root is the dashboard whatever the client asks for (as it was the api's landing page before).
    if (reservedPath(c.req.path) || (c.req.path !== '/' && !wantsHtml(c))) return c.notFound();
    if (await needsSetup()) return c.redirect('/setup', 302);
    setContentSecurityPolicy(c, DASHBOARD_CSP);
    let page: string;
    try {
      page = await readFile(join(distDir, 'index.html'), 'utf8');
    } catch (error) {
      if (!isMissing(error)) throw error;
      return c.html(NOT_BUILT_PAGE, 503, { 'cache-control': 'no-store' });
    }
    // Revalidated on every load: it names the current hashed assets, which change with each build.
    return c.html(page, 200, { 'cache-control': 'no-cache' });
  });

  return app;
}
