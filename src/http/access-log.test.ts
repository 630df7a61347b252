import { Hono } from 'hono';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { accessLogMiddleware } from './access-log.js';
import { createErrorHandler } from './errors.js';
import { requestIdMiddleware } from './request-id.js';
import { clientIpMiddleware, parseTrustProxy } from './trust-proxy.js';
import type { AppEnv } from './types.js';

function buildApp() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const app = new Hono<AppEnv>();
  app.use(requestIdMiddleware(logger));
  app.use(clientIpMiddleware(parseTrustProxy('1')));
  app.use(accessLogMiddleware());
  app.onError(createErrorHandler());
  app.post('/v1/chat/completions', async (c) => c.json({ echoed: (await c.req.text()).length }, 201));
  app.get('/boom', () => {
    throw new Error('kaboom');
  });
  return { app, lines: () => lines.filter((l) => l['msg'] === 'request completed') };
}

describe('accessLogMiddleware', () => {
  it('logs one line with method, path, status, duration and client ip', async () => {
    const { app, lines } = buildApp();
    const res = await app.request('/v1/chat/completions?api_key=sk-QUERY-SECRET', {
      method: 'POST',
      body: '{"prompt":"BODY-SECRET"}',
      headers: {
        authorization: 'Bearer sk-HEADER-SECRET',
        'x-forwarded-for': '198.51.100.4',
        'content-type': 'application/json',
      },
    });
    expect(res.status).toBe(201);
    const logged = lines();
    expect(logged).toHaveLength(1);
    const [line] = logged;
    expect(line).toMatchObject({
      level: 30,
      method: 'POST',
      path: '/v1/chat/completions',
      status: 201,
      clientIp: '198.51.100.4',
      requestId: res.headers.get('x-request-id'),
    });
    expect(typeof line!['durationMs']).toBe('number');
    expect(JSON.stringify(line)).not.toMatch(/SECRET|authorization|api_key/i);
  });

  it('logs the error status when the handler throws', async () => {
    const { app, lines } = buildApp();
    const res = await app.request('/boom');
    expect(res.status).toBe(500);
    expect(lines()[0]).toMatchObject({ path: '/boom', status: 500 });
  });

  it('logs 404s', async () => {
    const { app, lines } = buildApp();
    await app.request('/nope?token=abc');
    expect(lines()[0]).toMatchObject({ path: '/nope', status: 404 });
  });

  it('refuses to run without requestIdMiddleware', async () => {
    const app = new Hono<AppEnv>();
    app.use(accessLogMiddleware());
    app.onError((err, c) => c.text(err.message, 500));
    app.get('/', (c) => c.text('x'));
    const res = await app.request('/');
    expect(res.status).toBe(500);
    expect(await res.text()).toMatch(/after requestIdMiddleware/);
  });
});
