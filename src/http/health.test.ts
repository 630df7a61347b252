import { Hono } from 'hono';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { healthRoutes, READINESS_TIMEOUT_MS } from './health.js';
import { requestIdMiddleware } from './request-id.js';
import type { AppEnv } from './types.js';

function buildApp(checkReady: () => Promise<void>, timeoutMs?: number) {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const app = new Hono<AppEnv>();
  app.use(requestIdMiddleware(logger));
  app.route('/', healthRoutes(checkReady, timeoutMs === undefined ? {} : { timeoutMs }));
  return { app, lines };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('healthRoutes', () => {
  it('GET /healthz is always ok and never cached', async () => {
    const { app } = buildApp(() => Promise.reject(new Error('db down')));
    const res = await app.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('GET /readyz is ready when the check resolves', async () => {
    const { app } = buildApp(() => Promise.resolve());
    const res = await app.request('/readyz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready' });
  });

  it('GET /readyz is 503 without the reason when the check rejects', async () => {
    const { app, lines } = buildApp(() => Promise.reject(new Error('password authentication failed for user "portcullis"')));
    const res = await app.request('/readyz');
    const text = await res.text();
    expect(res.status).toBe(503);
    expect(JSON.parse(text)).toEqual({ status: 'unavailable' });
    expect(text).not.toContain('password');
    expect(lines.find((l) => l['msg'] === 'readiness check failed')).toBeDefined();
  });

  it('GET /readyz is 503 when the check throws synchronously', async () => {
    const { app } = buildApp(() => {
      throw new Error('sync');
    });
    expect((await app.request('/readyz')).status).toBe(503);
  });

  it('GET /readyz gives up after the default 2 s', async () => {
    expect(READINESS_TIMEOUT_MS).toBe(2000);
    vi.useFakeTimers();
    const { app } = buildApp(() => new Promise<void>(() => undefined));
    const pending = Promise.resolve(app.request('/readyz'));
    await vi.advanceTimersByTimeAsync(READINESS_TIMEOUT_MS - 1);
    let settled = false;
    void pending.then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const res = await pending;
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'unavailable' });
  });

  it('honours a custom timeout', async () => {
    const { app } = buildApp(() => new Promise<void>((resolve) => setTimeout(resolve, 1000)), 20);
    const started = Date.now();
    const res = await app.request('/readyz');
    expect(res.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('works without requestIdMiddleware', async () => {
    const app = new Hono<AppEnv>();
    app.route(
      '/',
      healthRoutes(() => Promise.reject(new Error('x'))),
    );
    expect((await app.request('/readyz')).status).toBe(503);
  });
});
