/**
 * How the api serves the built dashboard (web/dist): its CSP, immutable hashed assets, the
 * index.html fallback for browser navigations only, /api/* left alone, no way out of the folder,
 * the setup redirect, and a plain-words page when the dashboard was never built.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiSecurityHeaders } from '../../http/security-headers.js';
import { createServiceApp } from '../../http/service-app.js';
import { DASHBOARD_CSP, IMMUTABLE_CACHE, dashboardRoutes } from './dashboard.js';

const INDEX = '<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script></head><body></body></html>';
const SCRIPT = 'console.log("dashboard")';
const HTML = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

let root: string;
let dist: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'portcullis-dashboard-'));
  dist = join(root, 'web', 'dist');
  mkdirSync(join(dist, 'assets'), { recursive: true });
  writeFileSync(join(dist, 'index.html'), INDEX);
  writeFileSync(join(dist, 'assets', 'index-abc123.js'), SCRIPT);
  writeFileSync(join(dist, 'assets', 'index-abc123.css'), 'body{color:red}');
  writeFileSync(join(dist, 'assets', 'notes.txt'), 'not an asset type');
  // Outside web/dist: must never be served, whatever the path says.
  writeFileSync(join(root, 'web', 'secret.js'), 'SECRET_OUTSIDE_DIST');
  writeFileSync(join(root, 'package.json'), '{"SECRET":"outside"}');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function buildApp(options: { distDir?: string; needsSetup?: boolean } = {}) {
  const app = createServiceApp({
    logger: pino({ level: 'silent' }),
    trustProxy: { kind: 'none' },
    maxBodyBytes: 1024,
    securityHeaders: apiSecurityHeaders(),
    ready: () => Promise.resolve(),
  });
  app.get('/api/ping', (c) => c.json({ pong: true }));
  app.get('/sign-in', (c) => c.html('<p>standalone sign-in</p>'));
  app.route('/', dashboardRoutes({ distDir: options.distDir ?? dist, needsSetup: () => Promise.resolve(options.needsSetup ?? false) }));
  return app;
}

describe('dashboard serving', () => {
  it('answers a browser navigation to any client route with index.html under the dashboard CSP', async () => {
    const app = buildApp();
    for (const path of ['/', '/login', '/orgs/3f2a/projects/9c1d/keys']) {
      const response = await app.request(path, { headers: HTML });
      expect(response.status, path).toBe(200);
      expect(await response.text()).toBe(INDEX);
      expect(response.headers.get('content-type')).toBe('text/html; charset=UTF-8');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(response.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
      // The other isolation headers of the api stay.
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    }
    expect(DASHBOARD_CSP).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    );
  });

  it('serves hashed assets with their type and a year-long immutable cache', async () => {
    const app = buildApp();
    const script = await app.request('/assets/index-abc123.js');
    expect(script.status).toBe(200);
    expect(await script.text()).toBe(SCRIPT);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toBe(IMMUTABLE_CACHE);
    expect(IMMUTABLE_CACHE).toContain('immutable');
    const style = await app.request('/assets/index-abc123.css');
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
    // A missing asset is a 404, never index.html (a browser would run HTML as a script and fail oddly).
    const missing = await app.request('/assets/index-gone.js', { headers: HTML });
    expect(missing.status).toBe(404);
    expect(await missing.text()).not.toContain('<script');
    // A file of a type the dashboard does not ship is not served.
    expect((await app.request('/assets/notes.txt')).status).toBe(404);
  });

  it('gives index.html only to GET navigations that accept HTML', async () => {
    const app = buildApp();
    const json = await app.request('/orgs/x', { headers: { accept: 'application/json' } });
    expect(json.status).toBe(404);
    expect(await json.json()).toMatchObject({ error: { code: 'not_found' } });
    expect((await app.request('/orgs/x', { method: 'POST', headers: HTML })).status).toBe(404);
    // The root alone is the dashboard for any client (curl, a health probe following links).
    expect(await (await app.request('/', { headers: { accept: '*/*' } })).text()).toBe(INDEX);
    expect((await app.request('/orgs/x', { method: 'DELETE', headers: HTML })).status).toBe(404);
  });

  it('leaves /api/* and the other pages alone', async () => {
    const app = buildApp();
    const ping = await app.request('/api/ping', { headers: HTML });
    expect(await ping.json()).toEqual({ pong: true });
    const unknown = await app.request('/api/no-such-route', { headers: HTML });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('application/json');
    expect(await unknown.text()).not.toContain('<html');
    const signIn = await app.request('/sign-in', { headers: HTML });
    expect(await signIn.text()).toBe('<p>standalone sign-in</p>');
    // The api's own CSP, not the dashboard's.
    expect(signIn.headers.get('content-security-policy')).toContain("default-src 'self'");
  });

  it('refuses every path out of web/dist', async () => {
    const app = buildApp();
    const attempts = [
      '/assets/../secret.js',
      '/assets/..%2Fsecret.js',
      '/assets/..%2F..%2Fpackage.json',
      '/assets/%2e%2e%2fsecret.js',
      '/assets/..%5Csecret.js',
      '/assets/.%2E/secret.js',
      '/assets/%2Fetc%2Fpasswd.js',
      '/assets//etc/passwd',
      '/assets/sub/..%2F..%2Fsecret.js',
    ];
    for (const path of attempts) {
      const response = await app.request(path);
      const body = await response.text();
      expect(body, path).not.toContain('SECRET');
      expect(body, path).not.toContain('root:');
      expect(response.headers.get('cache-control'), path).not.toBe(IMMUTABLE_CACHE);
    }
  });

  it('sends a browser to /setup while the instance has no admin', async () => {
    const response = await buildApp({ needsSetup: true }).request('/', { headers: HTML });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/setup');
  });

  it('says in plain words that the dashboard is not built, and how to build it', async () => {
    const response = await buildApp({ distDir: join(root, 'nowhere') }).request('/', { headers: HTML });
    expect(response.status).toBe(503);
    const body = await response.text();
    expect(body).toContain('The dashboard is not built');
    expect(body).toContain('npm run build');
    expect(body).not.toMatch(/ENOENT|at .*\.js:\d+/);
    expect(response.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
  });
});
