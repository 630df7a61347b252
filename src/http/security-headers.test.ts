import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { apiSecurityHeaders, gatewaySecurityHeaders, noStoreMiddleware } from './security-headers.js';

describe('apiSecurityHeaders', () => {
  async function headersFor(options?: Parameters<typeof apiSecurityHeaders>[0]) {
    const app = new Hono();
    app.use(apiSecurityHeaders(options));
    app.get('/', (c) => c.html('<p>dashboard</p>'));
    return (await app.request('/')).headers;
  }

  it('sets a strict CSP and isolation headers', async () => {
    const headers = await headersFor();
    expect(headers.get('content-security-policy')).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    );
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(headers.get('referrer-policy')).toBe('no-referrer');
    expect(headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(headers.get('x-frame-options')).toBe('DENY');
  });

  it('sends HSTS only when asked to', async () => {
    expect((await headersFor()).get('strict-transport-security')).toBeNull();
    expect((await headersFor({ hsts: false })).get('strict-transport-security')).toBeNull();
    expect((await headersFor({ hsts: true })).get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  });
});

describe('gatewaySecurityHeaders', () => {
  function buildApp(options?: Parameters<typeof gatewaySecurityHeaders>[0]) {
    const app = new Hono();
    app.use(gatewaySecurityHeaders(options));
    app.get('/v1/models', (c) => {
      c.header('Cache-Control', 'public, max-age=3600');
      return c.json({ data: [] });
    });
    app.get('/raw', () => new Response('{}', { headers: { 'content-type': 'application/json' } }));
    return app;
  }

  it('sets nosniff, no-referrer and no-store, overriding what a handler set', async () => {
    const { headers } = await buildApp().request('/v1/models');
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(headers.get('referrer-policy')).toBe('no-referrer');
    expect(headers.get('cache-control')).toBe('no-store');
    expect(headers.get('strict-transport-security')).toBeNull();
  });

  it('covers hand-built responses and errors', async () => {
    const app = buildApp();
    expect((await app.request('/raw')).headers.get('cache-control')).toBe('no-store');
    expect((await app.request('/missing')).headers.get('cache-control')).toBe('no-store');
  });

  it('sends HSTS when asked to', async () => {
    const { headers } = await buildApp({ hsts: true }).request('/v1/models');
    expect(headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  });
});

describe('noStoreMiddleware', () => {
  it('sets Cache-Control: no-store', async () => {
    const app = new Hono();
    app.use(noStoreMiddleware());
    app.get('/', (c) => c.text('x'));
    expect((await app.request('/')).headers.get('cache-control')).toBe('no-store');
  });
});
