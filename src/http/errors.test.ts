import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  badRequest,
  createErrorHandler,
  errorShapeFor,
  forbidden,
  HttpError,
  internal,
  notFound,
  notFoundHandler,
  payloadTooLarge,
  serviceUnavailable,
  tooManyRequests,
  unauthorized,
  unsupportedMediaType,
} from './errors.js';
import { requestIdMiddleware } from './request-id.js';
import type { AppEnv } from './types.js';

function captureLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

function buildApp(register: (app: Hono<AppEnv>) => void) {
  const { logger, lines } = captureLogger();
  const app = new Hono<AppEnv>();
  app.use(requestIdMiddleware(logger));
  app.onError(createErrorHandler());
  app.notFound(notFoundHandler);
  register(app);
  return { app, lines };
}

describe('helpers', () => {
  it.each([
    [badRequest('x'), 400, 'invalid_request_error', 'invalid_request'],
    [unauthorized(), 401, 'authentication_error', 'unauthorized'],
    [forbidden(), 403, 'permission_error', 'forbidden'],
    [notFound(), 404, 'not_found_error', 'not_found'],
    [payloadTooLarge(), 413, 'request_too_large', 'payload_too_large'],
    [unsupportedMediaType(), 415, 'invalid_request_error', 'unsupported_media_type'],
    [tooManyRequests(), 429, 'rate_limit_error', 'rate_limit_exceeded'],
    [serviceUnavailable(), 503, 'api_error', 'service_unavailable'],
    [internal(), 500, 'api_error', 'internal_error'],
  ])('%o has the expected status, type and code', (error, status, type, code) => {
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toBeInstanceOf(Error);
    expect([error.status, error.type, error.code]).toEqual([status, type, code]);
  });

  it('lets callers pick the code', () => {
    expect(unauthorized('Invalid API key', 'invalid_api_key').code).toBe('invalid_api_key');
  });

  it('refuses non-error statuses', () => {
    expect(() => new HttpError(200, 'x', 'y', 'z')).toThrow(RangeError);
  });
});

describe('errorShapeFor', () => {
  it.each([
    ['/v1/messages', 'anthropic'],
    ['/v1/messages/count_tokens', 'anthropic'],
    ['/v1/messagesX', 'openai'],
    ['/v1/chat/completions', 'openai'],
    ['/api/keys', 'openai'],
    ['/', 'openai'],
  ] as const)('%s -> %s', (path, shape) => {
    expect(errorShapeFor(path)).toBe(shape);
  });
});

describe('createErrorHandler', () => {
  it('renders an HttpError in the OpenAI shape with the request id header', async () => {
    const { app } = buildApp((a) =>
      a.post('/v1/chat/completions', () => {
        throw badRequest('model is required', 'missing_model');
      }),
    );
    const res = await app.request('/v1/chat/completions', { method: 'POST' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
    expect(await res.json()).toEqual({
      error: { message: 'model is required', type: 'invalid_request_error', code: 'missing_model' },
    });
  });

  it('renders the Anthropic shape under /v1/messages', async () => {
    const { app } = buildApp((a) =>
      a.post('/v1/messages', () => {
        throw unauthorized('Invalid API key');
      }),
    );
    const res = await app.request('/v1/messages', { method: 'POST' });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      type: 'error',
      error: { type: 'authentication_error', message: 'Invalid API key' },
    });
  });

  it('passes HttpError headers through', async () => {
    const { app } = buildApp((a) =>
      a.get('/limited', () => {
        throw tooManyRequests('Slow down', 2.2);
      }),
    );
    const res = await app.request('/limited');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
  });

  it('turns a ZodError into a 400 that names the field but not the value', async () => {
    const schema = z.object({ temperature: z.number(), role: z.enum(['user', 'assistant']) });
    const { app } = buildApp((a) =>
      a.post('/api/things', () => {
        schema.parse({ temperature: 'sk-live-SECRET-VALUE', role: 'sk-live-OTHER-SECRET' });
        return new Response('unreachable');
      }),
    );
    const res = await app.request('/api/things', { method: 'POST' });
    const text = await res.text();
    expect(res.status).toBe(400);
    const body = JSON.parse(text) as { error: { message: string; type: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toContain('temperature');
    expect(body.error.message).toContain('role');
    expect(text).not.toContain('SECRET');
  });

  it('hides unexpected errors behind a generic 500 and logs them', async () => {
    const { app, lines } = buildApp((a) =>
      a.get('/boom', () => {
        throw new Error('connect ECONNREFUSED postgres://admin:hunter2@db');
      }),
    );
    const res = await app.request('/boom');
    const text = await res.text();
    const requestId = res.headers.get('x-request-id');
    expect(res.status).toBe(500);
    expect(JSON.parse(text)).toEqual({
      error: {
        message: `Internal server error (request id ${requestId})`,
        type: 'api_error',
        code: 'internal_error',
      },
    });
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('ECONNREFUSED');
    expect(text).not.toMatch(/\bat\s.+\(.+:\d+:\d+\)/);
    expect(text).not.toContain('errors.test');

    const logged = lines.find((line) => line['msg'] === 'unhandled error');
    expect(logged?.['requestId']).toBe(requestId);
    expect(JSON.stringify(logged?.['err'])).toContain('hunter2');
  });

  it('hides unexpected errors in the Anthropic shape too', async () => {
    const { app } = buildApp((a) =>
      a.post('/v1/messages', () => {
        throw new TypeError('Cannot read properties of undefined');
      }),
    );
    const res = await app.request('/v1/messages', { method: 'POST' });
    const body = (await res.json()) as { type: string; error: { type: string; message: string } };
    expect(res.status).toBe(500);
    expect(body.type).toBe('error');
    expect(body.error.type).toBe('api_error');
    expect(body.error.message).toMatch(/^Internal server error \(request id req_[0-9a-f]{24}\)$/);
  });

  it('does not echo the message of a Hono HTTPException', async () => {
    const { app } = buildApp((a) =>
      a.post('/api/x', () => {
        throw new HTTPException(400, { message: 'Invalid HTTP header: Content-Type=<attacker text>' });
      }),
    );
    const res = await app.request('/api/x', { method: 'POST' });
    const text = await res.text();
    expect(res.status).toBe(400);
    expect(text).not.toContain('attacker');
  });

  it('treats a 5xx HTTPException as unexpected', async () => {
    const { app, lines } = buildApp((a) =>
      a.get('/x', () => {
        throw new HTTPException(502, { message: 'upstream said: secret' });
      }),
    );
    const res = await app.request('/x');
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain('secret');
    expect(lines.some((line) => line['msg'] === 'unhandled error')).toBe(true);
  });

  it('still answers with a request id when requestIdMiddleware did not run', async () => {
    const { logger, lines } = captureLogger();
    const app = new Hono<AppEnv>();
    app.onError(createErrorHandler({ fallbackLogger: logger }));
    app.get('/boom', () => {
      throw new Error('nope');
    });
    const res = await app.request('/boom');
    const requestId = res.headers.get('x-request-id');
    expect(res.status).toBe(500);
    expect(requestId).toMatch(/^req_[0-9a-f]{24}$/);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(requestId);
    expect(lines.find((line) => line['msg'] === 'unhandled error')?.['requestId']).toBe(requestId);
  });
});

describe('notFoundHandler', () => {
  it('answers 404 in the route shape without echoing the path', async () => {
    const { app } = buildApp(() => undefined);
    const res = await app.request('/v1/<script>alert(1)</script>');
    const text = await res.text();
    expect(res.status).toBe(404);
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
    expect(JSON.parse(text)).toMatchObject({ error: { type: 'not_found_error', code: 'not_found' } });
    expect(text).not.toContain('script');

    const anthropic = await app.request('/v1/messages/nope');
    expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
  });
});
