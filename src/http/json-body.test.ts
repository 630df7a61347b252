import { Hono } from 'hono';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createErrorHandler } from './errors.js';
import { isJsonContentType, readJson } from './json-body.js';
import { requestIdMiddleware } from './request-id.js';
import type { AppEnv } from './types.js';

const schema = z.object({
  model: z.string(),
  max_tokens: z.number().int().positive(),
  metadata: z.unknown().optional(),
});

function buildApp() {
  const app = new Hono<AppEnv>();
  app.use(requestIdMiddleware(pino({ level: 'silent' })));
  app.onError(createErrorHandler());
  app.post('/v1/chat/completions', async (c) => c.json(await readJson(c, schema)));
  app.post('/v1/messages', async (c) => c.json(await readJson(c, schema)));
  return app;
}

function post(path: string, body: string, contentType: string | null = 'application/json') {
  // A string body would get an automatic text/plain type; bytes get none.
  if (contentType === null) {
    return buildApp().request(path, { method: 'POST', body: new TextEncoder().encode(body) });
  }
  return buildApp().request(path, { method: 'POST', body, headers: { 'content-type': contentType } });
}

type OpenAiError = { error: { message: string; type: string; code: string } };

describe('readJson', () => {
  it('returns the parsed, validated body', async () => {
    const res = await post('/v1/chat/completions', '{"model":"m","max_tokens":5,"extra":1}');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ model: 'm', max_tokens: 5 });
  });

  it('accepts parameters on the media type', async () => {
    const res = await post('/v1/chat/completions', '{"model":"m","max_tokens":5}', 'Application/JSON; charset=utf-8');
    expect(res.status).toBe(200);
  });

  it.each([null, 'text/plain', 'application/x-www-form-urlencoded', 'application/jsonx', 'multipart/form-data'])(
    'answers 415 for content type %j',
    async (contentType) => {
      const res = await post('/v1/chat/completions', '{"model":"m","max_tokens":5}', contentType);
      expect(res.status).toBe(415);
      expect(((await res.json()) as OpenAiError).error).toMatchObject({
        type: 'invalid_request_error',
        code: 'unsupported_media_type',
      });
    },
  );

  it.each(['{"model": "sk-SECRET-IN-BODY",', '', 'not json sk-SECRET-IN-BODY', '{"a":1}}'])(
    'answers 400 invalid_json for %j without echoing it',
    async (body) => {
      const res = await post('/v1/chat/completions', body);
      const text = await res.text();
      expect(res.status).toBe(400);
      expect((JSON.parse(text) as OpenAiError).error).toEqual({
        message: 'Request body is not valid JSON',
        type: 'invalid_request_error',
        code: 'invalid_json',
      });
      expect(text).not.toContain('SECRET');
    },
  );

  it('names the failing fields without echoing the values', async () => {
    const res = await post('/v1/chat/completions', '{"model":["sk-SECRET-IN-BODY"],"max_tokens":"sk-OTHER-SECRET"}');
    const text = await res.text();
    expect(res.status).toBe(400);
    const { error } = JSON.parse(text) as OpenAiError;
    expect(error.type).toBe('invalid_request_error');
    expect(error.message).toBe('Invalid request body: model: expected string, got array; max_tokens: expected number, got string');
    expect(text).not.toContain('SECRET');
  });

  it('reports a missing field as required', async () => {
    const res = await post('/v1/chat/completions', '{"model":"m"}');
    expect(((await res.json()) as OpenAiError).error.message).toBe('Invalid request body: max_tokens: is required');
  });

  it('uses the Anthropic shape under /v1/messages', async () => {
    const res = await post('/v1/messages', '{');
    expect(await res.json()).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'Request body is not valid JSON' },
    });
  });

  it.each([
    '{"model":"m","max_tokens":1,"metadata":{"__proto__":{"isAdmin":true}}}',
    '{"model":"m","max_tokens":1,"metadata":{"constructor":{"prototype":{"isAdmin":true}}}}',
    '{"model":"m","max_tokens":1,"metadata":{"\\u005f_proto__":{}}}',
  ])('refuses prototype-polluting keys in %s', async (body) => {
    const res = await post('/v1/chat/completions', body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as OpenAiError).error.message).toMatch(/forbidden key/);
  });

  it('allows an ordinary "constructor" field', async () => {
    const res = await post('/v1/chat/completions', '{"model":"m","max_tokens":1,"metadata":{"constructor":"x"}}');
    expect(res.status).toBe(200);
  });
});

describe('isJsonContentType', () => {
  it.each([
    ['application/json', true],
    ['application/json;charset=UTF-8', true],
    [' application/json ', true],
    ['application/problem+json', false],
    ['text/json', false],
    ['', false],
    [undefined, false],
  ])('%j -> %s', (value, expected) => {
    expect(isJsonContentType(value)).toBe(expected);
  });
});
