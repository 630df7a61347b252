import http from 'node:http';
import { Hono } from 'hono';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { bodyLimitMiddleware } from './body-limit.js';
import { createErrorHandler } from './errors.js';
import { requestIdMiddleware } from './request-id.js';
import { startHttpServer, type RunningServer } from './serve.js';
import type { AppEnv } from './types.js';

const LIMIT = 16;

function buildApp() {
  let handlerCalls = 0;
  const app = new Hono<AppEnv>();
  app.use(requestIdMiddleware(pino({ level: 'silent' })));
  app.onError(createErrorHandler());
  app.use(bodyLimitMiddleware(LIMIT));
  const echo = async (c: { req: { text(): Promise<string> }; text(body: string): Response }) => {
    handlerCalls++;
    return c.text(await c.req.text());
  };
  app.post('/v1/chat/completions', echo);
  app.post('/v1/messages', echo);
  return { app, calls: () => handlerCalls };
}

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

describe('bodyLimitMiddleware', () => {
  it('rejects a bad limit', () => {
    expect(() => bodyLimitMiddleware(0)).toThrow(RangeError);
    expect(() => bodyLimitMiddleware(1.5)).toThrow(RangeError);
    expect(() => bodyLimitMiddleware(Number.NaN)).toThrow(RangeError);
  });

  it('passes a body at the limit through', async () => {
    const { app } = buildApp();
    const body = 'x'.repeat(LIMIT);
    const res = await app.request('/v1/chat/completions', { method: 'POST', body });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(body);
  });

  it('rejects an oversized body with Content-Length before the handler runs', async () => {
    const { app, calls } = buildApp();
    const body = 'x'.repeat(LIMIT + 1);
    const res = await app.request('/v1/chat/completions', {
      method: 'POST',
      body,
      headers: { 'content-length': String(body.length) },
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
    expect(await res.json()).toEqual({
      error: {
        message: `Request body exceeds the limit of ${LIMIT} bytes`,
        type: 'request_too_large',
        code: 'payload_too_large',
      },
    });
    expect(calls()).toBe(0);
  });

  it('rejects an oversized streamed body without Content-Length', async () => {
    const { app, calls } = buildApp();
    const request = new Request('http://localhost/v1/chat/completions', {
      method: 'POST',
      body: streamOf('x'.repeat(10), 'x'.repeat(10)),
      duplex: 'half',
    });
    expect(request.headers.has('content-length')).toBe(false);
    const res = await app.request(request);
    expect(res.status).toBe(413);
    expect(calls()).toBe(0);
  });

  it('passes a small streamed body through', async () => {
    const { app } = buildApp();
    const request = new Request('http://localhost/v1/chat/completions', {
      method: 'POST',
      body: streamOf('abc', 'def'),
      duplex: 'half',
    });
    const res = await app.request(request);
    expect(await res.text()).toBe('abcdef');
  });

  it('uses the Anthropic shape under /v1/messages', async () => {
    const { app } = buildApp();
    const res = await app.request('/v1/messages', { method: 'POST', body: 'x'.repeat(LIMIT + 1) });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'request_too_large' } });
  });

  describe('on a real server', () => {
    let server: RunningServer | undefined;
    afterEach(async () => {
      await server?.close(1000);
      server = undefined;
    });

    function post(url: string, headers: http.OutgoingHttpHeaders, chunks: string[]) {
      return new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(url, { method: 'POST', headers, agent: false }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        for (const chunk of chunks) req.write(chunk);
        req.end();
      });
    }

    it('rejects chunked uploads over the limit', async () => {
      const { app, calls } = buildApp();
      server = await startHttpServer({ app, host: '127.0.0.1', port: 0, logger: pino({ level: 'silent' }) });
      const url = `${server.url}/v1/chat/completions`;

      const small = await post(url, { 'transfer-encoding': 'chunked' }, ['abc', 'def']);
      expect(small).toEqual({ status: 200, body: 'abcdef' });

      const big = await post(url, { 'transfer-encoding': 'chunked' }, ['x'.repeat(10), 'x'.repeat(10)]);
      expect(big.status).toBe(413);
      expect(JSON.parse(big.body)).toMatchObject({ error: { code: 'payload_too_large' } });

      const declared = await post(url, { 'content-length': String(LIMIT + 4) }, ['x'.repeat(LIMIT + 4)]);
      expect(declared.status).toBe(413);
      expect(calls()).toBe(1);
    });
  });
});
