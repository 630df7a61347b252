/**
 * Response-cache requirements not covered in gateway-resilience.test.ts:
 *   - a store that is unreachable or hangs never fails a request: it is a MISS, the provider
 *     answers, and the operator gets one warning (not one per request);
 *   - an answer with restored PII (reversible redaction) is never cached;
 *   - entries expire after the project's TTL;
 *   - on Redis (TEST_REDIS_URL): HIT and stream replay, and what Redis holds is ciphertext.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createConnection, createServer } from 'node:net';
import { Redis } from 'ioredis';
import type OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './support/gateway.js';
import { applyOrgDocument, eventually, rawPost, waitForLog } from './support/resilience.js';
import { resetFakes, sdkClient } from './support/sdk.js';

const MODEL = 'openai/gpt-5.4-mini';
const CHAT = '/v1/chat/completions';
const ask = (text: string) => [{ role: 'user' as const, content: text }];

async function chat(client: OpenAI, body: OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming) {
  const { data, response } = await client.chat.completions.create(body).withResponse();
  return { text: data.choices[0]?.message.content, cache: response.headers.get('x-portcullis-cache') };
}

async function streamText(client: OpenAI, body: OpenAI.Chat.Completions.ChatCompletionCreateParamsStreaming) {
  const { data, response } = await client.chat.completions.create(body).withResponse();
  let text = '';
  for await (const chunk of data) text += chunk.choices[0]?.delta.content ?? '';
  return { text, cache: response.headers.get('x-portcullis-cache'), contentType: response.headers.get('content-type') };
}

// ---------------------------------------------------------------------------------------------

/** A redis-server of this test's own on a free port, so stopping it disturbs nobody else. */
async function startPrivateRedis(): Promise<{ url: string; process: ChildProcess }> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  await eventually('the private redis-server to accept connections', async () => {
    const connected = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' }, () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    return connected || undefined;
  });
  return { url: `redis://127.0.0.1:${port}`, process: child };
}

/** Warnings the response cache logged (pino lines carry the level as its label). */
const cacheWarnings = (fx: GatewayFixture) =>
  fx.server.logLines
    .map((line) => JSON.parse(line) as { component?: string; level?: string; msg?: string })
    .filter((entry) => entry.component === 'response-cache' && entry.level === 'warn');

describe('when the cache store is unreachable or hangs', { timeout: 120_000 }, () => {
  let fx: GatewayFixture;
  let client: OpenAI;
  let redis: { url: string; process: ChildProcess };
  beforeAll(async () => {
    redis = await startPrivateRedis();
    fx = await startGatewayFixture({ projectSettings: { cache: { enabled: true, ttlSeconds: 600 } }, env: { REDIS_URL: redis.url } });
    client = sdkClient(fx);
  }, 120_000);
  afterAll(async () => {
    redis?.process.kill('SIGKILL');
    await fx?.stop();
  });
  beforeEach(() => resetFakes(fx));

  it('works as a normal cache while Redis is up', async () => {
    const body = { model: MODEL, messages: ask(`warm ${randomUUID()}`) };
    expect((await chat(client, body)).cache).toBe('MISS');
    expect((await chat(client, body)).cache).toBe('HIT');
    expect(fx.openai.requests).toHaveLength(1);
  });

  it('a hung Redis (process stopped): answered by the provider as a MISS, within the cache timeout, not the 2 s Redis command timeout', async () => {
    redis.process.kill('SIGSTOP');
    try {
      const body = { model: MODEL, messages: ask(`hung ${randomUUID()}`) };
      const started = Date.now();
      const first = await chat(client, body);
      const elapsed = Date.now() - started;
      expect(first).toEqual({ text: 'Hello from gpt-5.4-mini.', cache: 'MISS' });
      // Unbounded, the lookup and the write would each wait for the 2 s command timeout (4 s).
      expect(elapsed).toBeLessThan(3_500);
      expect(fx.openai.requests).toHaveLength(1);
      expect(cacheWarnings(fx).map((entry) => entry.msg)).toEqual([expect.stringContaining('response cache store unavailable')]);
    } finally {
      redis.process.kill('SIGCONT');
    }
  });

  it('a Redis that is gone: every request still succeeds as a MISS (JSON and stream), one warning in all', async () => {
    redis.process.kill('SIGKILL');
    await new Promise((resolve) => redis.process.once('exit', resolve));
    const body = { model: MODEL, messages: ask(`gone ${randomUUID()}`) };
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of ids) {
      const response = await rawPost(fx, CHAT, body, { headers: { 'x-request-id': id } });
      expect(response.status, response.text).toBe(200);
      expect(response.headers.get('x-portcullis-cache')).toBe('MISS');
    }
    const streamed = await streamText(client, { ...body, stream: true });
    expect(streamed).toMatchObject({ text: 'Hello from gpt-5.4-mini.', cache: 'MISS' });
    // Nothing came from the cache: the provider answered every one of them.
    expect(fx.openai.requests).toHaveLength(4);
    expect(await waitForLog(fx, ids[2]!)).toMatchObject({ status: 200, cacheStatus: 'miss' });
    // The hung and the gone phases are one outage: one warning, not one per request.
    expect(cacheWarnings(fx)).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------

describe('cache rules', { timeout: 120_000 }, () => {
  let fx: GatewayFixture;
  let client: OpenAI;
  beforeAll(async () => {
    fx = await startGatewayFixture({ projectSettings: { cache: { enabled: true, ttlSeconds: 1 } } });
    client = sdkClient(fx);
  }, 120_000);
  afterAll(async () => fx?.stop());
  beforeEach(() => resetFakes(fx));

  it('an entry expires after the project TTL (1 s): HIT before, MISS reaching the provider after', async () => {
    const body = { model: MODEL, messages: ask(`ttl ${randomUUID()}`) };
    fx.openai.reply({ text: 'first answer' }, { text: 'second answer' });
    expect(await chat(client, body)).toEqual({ text: 'first answer', cache: 'MISS' });
    expect(await chat(client, body)).toEqual({ text: 'first answer', cache: 'HIT' });
    expect(fx.openai.requests).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(await chat(client, body)).toEqual({ text: 'second answer', cache: 'MISS' });
    expect(fx.openai.requests).toHaveLength(2);
  });

  it('never caches an answer with restored PII (reversible redaction): both identical requests reach the provider', async () => {
    await applyOrgDocument(fx, {
      guardrails: { pii: { actions: { EMAIL: 'redact' }, reversible: true } },
      projects: [{ name: 'app', settings: { cache: { enabled: true, ttlSeconds: 600 } } }],
    });
    const email = `jane.${randomUUID().slice(0, 8)}@example.com`;
    const body = { model: MODEL, messages: ask(`Please write to ${email}.`) };
    fx.openai.reply({ text: 'I wrote to [EMAIL_1].' }, { text: 'I wrote to [EMAIL_1] again.' });
    const first = await chat(client, body);
    const second = await chat(client, body);
    expect(first.text).toBe(`I wrote to ${email}.`);
    expect(second.text).toBe(`I wrote to ${email} again.`);
    expect(fx.openai.requests).toHaveLength(2);
    for (const request of fx.openai.requests) expect(JSON.stringify(request.body)).not.toContain(email);
    expect(second.cache).not.toBe('HIT');
  });
});

// ---------------------------------------------------------------------------------------------

describe.skipIf(!process.env.TEST_REDIS_URL)('the cache on Redis (TEST_REDIS_URL)', { timeout: 120_000 }, () => {
  let fx: GatewayFixture;
  let client: OpenAI;
  let redis: Redis;
  beforeAll(async () => {
    fx = await startGatewayFixture({ projectSettings: { cache: { enabled: true, ttlSeconds: 600 } } });
    client = sdkClient(fx);
    redis = new Redis(process.env.TEST_REDIS_URL!, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
  }, 120_000);
  afterAll(async () => {
    redis?.disconnect();
    await fx?.stop();
  });
  beforeEach(() => resetFakes(fx));

  /** The raw bytes Redis holds for this org's cache entries (this test server's key prefix). */
  async function storedEntries(): Promise<string[]> {
    const keys = await redis.keys(`${fx.server.runtime.config.redisPrefix}rc:${fx.orgId}:*`);
    const values = await Promise.all(keys.map((key) => redis.get(key)));
    return values.filter((value): value is string => value !== null);
  }

  it('second request is a HIT served from Redis; Redis holds only ciphertext', async () => {
    expect(fx.server.runtime.store.kind).toBe('redis');
    const prompt = `Which vault? ${randomUUID()}`;
    const answer = `Vault number ${randomUUID()}.`;
    const body = { model: MODEL, messages: ask(prompt) };
    fx.openai.reply({ text: answer });
    expect(await chat(client, body)).toEqual({ text: answer, cache: 'MISS' });
    expect(await chat(client, body)).toEqual({ text: answer, cache: 'HIT' });
    expect(fx.openai.requests).toHaveLength(1);

    const entries = await storedEntries();
    expect(entries).toHaveLength(1);
    for (const raw of entries) {
      const envelope = JSON.parse(raw) as { k: string; c: string };
      for (const text of [raw, Buffer.from(envelope.c, 'base64').toString('latin1')]) {
        expect(text).not.toContain(answer);
        expect(text).not.toContain('Vault number');
        expect(text).not.toContain(prompt);
      }
    }
  });

  it('a streamed answer is stored in Redis and replayed as a stream (HIT)', async () => {
    const before = (await storedEntries()).length;
    const body = { model: MODEL, messages: ask(`Stream ${randomUUID()}`), stream: true as const };
    const answer = 'A streamed answer, kept in Redis.';
    fx.openai.reply({ text: answer });
    expect(await streamText(client, body)).toMatchObject({ text: answer, cache: 'MISS' });
    // The entry is written after the stream's last byte: wait for it.
    const entries = await eventually('the streamed entry in Redis', async () => {
      const now = await storedEntries();
      return now.length > before ? now : undefined;
    });
    for (const raw of entries) expect(raw).not.toContain('kept in Redis');
    const replay = await streamText(client, body);
    expect(replay).toEqual({ text: answer, cache: 'HIT', contentType: expect.stringContaining('text/event-stream') as unknown });
    expect(fx.openai.requests).toHaveLength(1);
  });
});
