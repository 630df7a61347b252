import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { corsMiddleware } from './cors.js';

const ALLOWED = 'https://dashboard.example.com';

function buildApp(options?: Parameters<typeof corsMiddleware>[1]) {
  const app = new Hono();
  app.use(corsMiddleware([ALLOWED, 'http://localhost:5173'], options));
  app.get('/api/me', (c) => c.json({ ok: true }));
  return app;
}

describe('corsMiddleware', () => {
  it.each([
    ['*', /not allowed/],
    ['null', /not allowed/],
    ['NULL', /not allowed/],
    ['dashboard.example.com', /not a valid origin/],
    ['https://dashboard.example.com/', /bare origin.*"https:\/\/dashboard\.example\.com"/],
    ['https://Dashboard.example.com', /bare origin/],
    ['https://dashboard.example.com:443', /bare origin/],
    ['https://dashboard.example.com/app', /bare origin/],
    ['https://*.example.com', /not allowed/],
    ['ftp://files.example.com', /http or https/],
    ['javascript:alert(1)', /http or https/],
  ])('refuses %j', (origin, message) => {
    expect(() => corsMiddleware([ALLOWED, origin])).toThrow(message);
  });

  it('allows a listed origin with credentials and exposes our headers', async () => {
    const res = await buildApp().request('/api/me', { headers: { origin: ALLOWED } });
    expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    const exposed = res.headers.get('access-control-expose-headers')?.split(',') ?? [];
    expect(exposed).toContain('x-request-id');
    expect(exposed).toContain('x-ratelimit-remaining-requests');
    expect(exposed).toContain('retry-after');
    expect(res.headers.get('vary')).toContain('Origin');
  });

  it('can turn credentials off', async () => {
    const res = await buildApp({ credentials: false }).request('/api/me', { headers: { origin: ALLOWED } });
    expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it.each(['https://evil.example.com', 'https://dashboard.example.com.evil.com', 'null', 'http://dashboard.example.com'])(
    'gives %j no CORS headers at all',
    async (origin) => {
      const res = await buildApp().request('/api/me', { headers: { origin } });
      expect(res.status).toBe(200);
      for (const [name] of res.headers) expect(name).not.toMatch(/^access-control-/);
      expect(res.headers.get('vary')).toContain('Origin');
    },
  );

  it('answers a preflight from a listed origin without reflecting requested headers', async () => {
    const res = await buildApp().request('/api/me', {
      method: 'OPTIONS',
      headers: {
        origin: ALLOWED,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, x-evil',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    const allowedHeaders = res.headers.get('access-control-allow-headers')?.split(',') ?? [];
    expect(allowedHeaders).toContain('content-type');
    expect(allowedHeaders).not.toContain('x-evil');
    expect(res.headers.get('access-control-max-age')).toBe('600');
  });

  it('does not approve a preflight from another origin', async () => {
    const res = await buildApp().request('/api/me', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' },
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('access-control-allow-methods')).toBeNull();
  });

  it('an empty list allows nobody', async () => {
    const app = new Hono();
    app.use(corsMiddleware([]));
    app.get('/', (c) => c.text('x'));
    const res = await app.request('/', { headers: { origin: ALLOWED } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
