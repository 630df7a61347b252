import { Hono } from 'hono';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createErrorHandler } from './errors.js';
import { generateRequestId, isAcceptableRequestId, requestIdMiddleware } from './request-id.js';
import type { AppEnv } from './types.js';

function captureLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

function buildApp() {
  const { logger, lines } = captureLogger();
  const app = new Hono<AppEnv>();
  app.use(requestIdMiddleware(logger));
  app.onError(createErrorHandler());
  app.get('/', (c) => {
    c.get('logger').info('inside handler');
    return c.json({ requestId: c.get('requestId') });
  });
  return { app, lines };
}

describe('generateRequestId', () => {
  it('produces distinct req_ ids that pass our own inbound check', () => {
    const a = generateRequestId();
    expect(a).toMatch(/^req_[0-9a-f]{24}$/);
    expect(a).not.toBe(generateRequestId());
    expect(isAcceptableRequestId(a)).toBe(true);
  });
});

describe('requestIdMiddleware', () => {
  it('generates an id, exposes it to handlers, the header and the child logger', async () => {
    const { app, lines } = buildApp();
    const res = await app.request('/');
    const header = res.headers.get('x-request-id');
    expect(header).toMatch(/^req_[0-9a-f]{24}$/);
    expect(await res.json()).toEqual({ requestId: header });
    expect(lines.find((l) => l['msg'] === 'inside handler')?.['requestId']).toBe(header);
  });

  it.each(['abc-123', 'trace.id:42_x', 'A'.repeat(128), '0'])('keeps a well-formed inbound id %s', async (id) => {
    const { app } = buildApp();
    const res = await app.request('/', { headers: { 'x-request-id': id } });
    expect(res.headers.get('x-request-id')).toBe(id);
  });

  it.each(['', 'has space', 'A'.repeat(129), '<script>', '"quoted"', 'a/b', 'ünïcode', 'x,y'])(
    'replaces a bad inbound id %j',
    async (id) => {
      const { app } = buildApp();
      const res = await app.request('/', { headers: { 'x-request-id': id } });
      expect(res.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{24}$/);
    },
  );

  it('sets the header on responses with immutable headers and on errors', async () => {
    const { app } = buildApp();
    app.get('/redirect', () => Response.redirect('https://example.com/', 302));
    app.get('/fail', () => {
      throw new Error('x');
    });
    const redirect = await app.request('/redirect');
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('x-request-id')).toMatch(/^req_/);
    const failed = await app.request('/fail', { headers: { 'x-request-id': 'client-id-1' } });
    expect(failed.status).toBe(500);
    expect(failed.headers.get('x-request-id')).toBe('client-id-1');
  });
});
