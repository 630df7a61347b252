/**
 * Gateway resilience, end to end: a real gateway (test/support/gateway.ts) in front of fake
 * providers that are told to misbehave, driven with the official OpenAI SDK (maxRetries: 0, so
 * every retry seen is the gateway's) or raw fetch. Covers retries and fallback, the circuit
 * breaker, streams cut before and after the first byte, the encrypted response cache, one request
 * log per authenticated request (with usage, cost and TTFT), encrypted bodies, the SSRF guard on
 * provider base URLs and org provider policy.
 *
 * Nothing asserts on elapsed time: waits (for the batched log writer, the async cache write of a
 * stream) poll with generous timeouts. Circuit breakers live in the gateway process for the
 * fixture's lifetime, so describes that make a provider fail send a successful request first
 * (`heal`) to reset its consecutive-failure count.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dataKeyById } from '../src/credentials/tenant-keys.js';
import { decryptSecret } from '../src/crypto/envelope.js';
import { responseCacheKey } from '../src/gateway/cache/response-cache.js';
import { DEFAULT_RETRY_POLICY } from '../src/gateway/upstream/retry.js';
import { findModel } from '../src/providers/catalog/catalog.js';
import { computeCostMicroUsd } from '../src/providers/catalog/cost.js';
import { projectSettingsSchema } from '../src/tenancy/settings.js';
import type { Fault } from './fakes/fake-upstream.js';
import { startGatewayFixture, type GatewayFixture } from './support/gateway.js';
import {
  apiKeyIdOf,
  applyOrgDocument,
  applySettings,
  bodyRowsOf,
  errorOf,
  eventually,
  logRowsAnyOrg,
  logRowsOfKey,
  projectAndKeyIds,
  rawPost,
  waitForLog,
  waitForLogs,
  type LogRow,
} from './support/resilience.js';

const CHAT = '/v1/chat/completions';
const OPENAI_MODEL = 'openai/gpt-5.4-mini';
const ANTHROPIC_MODEL = 'anthropic/claude-haiku-4-5';
const ALIAS = { primary: [OPENAI_MODEL, ANTHROPIC_MODEL] };
/** The project default: each candidate gets 1 + MAX_RETRIES attempts. */
const MAX_RETRIES = projectSettingsSchema.parse({}).maxRetries;
/** createGatewayServices' default, which the fixture uses. */
const BREAKER_THRESHOLD = 5;

const SERVER_ERROR: Fault = { kind: 'status', status: 500 };
const times = (n: number, fault: Fault): Fault[] => Array.from({ length: n }, () => fault);

type Message = { role: 'user'; content: string };
const ask = (content = 'Say hello.'): Message[] => [{ role: 'user', content }];
const requestId = (label: string) => `${label}-${randomUUID()}`;
const idHeader = (id: string) => ({ headers: { 'x-request-id': id } });

function sdk(fixture: GatewayFixture, apiKey = fixture.apiKey): OpenAI {
  return new OpenAI({ apiKey, baseURL: `${fixture.gatewayUrl}/v1`, maxRetries: 0, timeout: 30_000 });
}

function resetFakes(fixture: GatewayFixture): void {
  for (const fake of [fixture.openai, fixture.azure, fixture.compatible, fixture.anthropic, fixture.gemini]) fake.reset();
}

/** One successful call per pinned model closes (resets) its circuit's failure count; the fakes are then forgotten. */
async function heal(fixture: GatewayFixture, models: string[]): Promise<void> {
  resetFakes(fixture);
  for (const model of models) {
    const response = await rawPost(fixture, CHAT, { model, messages: ask('heal') });
    if (response.status !== 200) throw new Error(`heal ${model}: ${response.status} ${response.text}`);
  }
  resetFakes(fixture);
}

/** Text of an SDK stream, and whether iterating it threw (and what). */
async function drain(
  stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>,
): Promise<{ text: string; chunks: number; error: unknown }> {
  let text = '';
  let chunks = 0;
  try {
    for await (const chunk of stream) {
      chunks += 1;
      text += chunk.choices[0]?.delta.content ?? '';
    }
    return { text, chunks, error: undefined };
  } catch (error) {
    return { text, chunks, error };
  }
}

const usageOf = (input: number, output: number, cached = 0) => ({
  inputTokens: input,
  outputTokens: output,
  cachedInputTokens: cached,
  cacheWriteInputTokens: 0,
  reasoningTokens: 0,
});

// ---------------------------------------------------------------------------------------------

describe('fallback along an alias chain', () => {
  let fx: GatewayFixture;
  let client: OpenAI;
  beforeAll(async () => {
    fx = await startGatewayFixture({ projectSettings: { aliases: ALIAS } });
    client = sdk(fx);
  });
  afterAll(async () => fx?.stop());
  beforeEach(async () => heal(fx, [OPENAI_MODEL, ANTHROPIC_MODEL]));

  it('retries a 500 on the first provider maxRetries times, then Anthropic serves it', async () => {
    fx.openai.fail(...times(MAX_RETRIES + 1, SERVER_ERROR));
    const id = requestId('fb-500');
    const { data, response } = await client.chat.completions.create({ model: 'primary', messages: ask() }, idHeader(id)).withResponse();

    expect(response.headers.get('x-portcullis-provider')).toBe('anthropic');
    expect(response.headers.get('x-portcullis-attempts')).toBe(String(MAX_RETRIES + 2));
    expect(data.choices[0]?.message.content).toBe('Hello from claude-haiku-4-5.');
    expect(fx.openai.requests).toHaveLength(MAX_RETRIES + 1);
    expect(fx.anthropic.requests).toHaveLength(1);
    expect(await waitForLog(fx, id)).toMatchObject({ status: 200, provider: 'anthropic', attempts: MAX_RETRIES + 2, model: 'primary' });
  });

  it('passes a 400 from the first provider to the client: no retry, no fallback', async () => {
    fx.openai.fail({
      kind: 'status',
      status: 400,
      body: {
        error: { message: "Invalid value for 'temperature'.", type: 'invalid_request_error', param: 'temperature', code: 'invalid_value' },
      },
    });
    const id = requestId('fb-400');
    const response = await rawPost(fx, CHAT, { model: 'primary', messages: ask() }, { headers: { 'x-request-id': id } });

    expect(response.status).toBe(400);
    expect(errorOf(response.json)).toMatchObject({ code: 'invalid_value', type: 'invalid_request_error' });
    expect(fx.openai.requests).toHaveLength(1);
    expect(fx.anthropic.requests).toHaveLength(0);
    expect(await waitForLog(fx, id)).toMatchObject({ status: 400, provider: 'openai', attempts: 1 });
  });

  it('falls back without retrying when the provider rejects the configured key (401), and never echoes the key', async () => {
    const wrongKey = 'sk-wrong-provider-key-0000000000001234';
    await applyOrgDocument(fx, { providerKeys: [{ provider: 'openai', key: wrongKey, baseUrl: fx.openai.baseUrl }] });
    try {
      const { response } = await client.chat.completions.create({ model: 'primary', messages: ask() }).withResponse();
      expect(response.headers.get('x-portcullis-provider')).toBe('anthropic');
      expect(response.headers.get('x-portcullis-attempts')).toBe('2');
      expect(fx.openai.requests).toHaveLength(1); // the fake's own key check answered 401
      expect(fx.openai.requests[0]?.headers.authorization).toBe(`Bearer ${wrongKey}`);
      expect(fx.anthropic.requests).toHaveLength(1);

      // With no other candidate the client learns the key is bad, without seeing any of it.
      const pinned = await rawPost(fx, CHAT, { model: OPENAI_MODEL, messages: ask() });
      expect(pinned.status).toBe(502);
      expect(errorOf(pinned.json)?.code).toBe('upstream_auth_failed');
      expect(pinned.text).not.toContain('sk-wro');
      // The random request id could contain "1234" by chance: look past it.
      expect(pinned.text.replace(/req_[0-9a-f]+/g, 'req_…')).not.toContain('1234');
      expect(fx.openai.requests).toHaveLength(2);
    } finally {
      await applyOrgDocument(fx, { providerKeys: [{ provider: 'openai', key: fx.openai.apiKey, baseUrl: fx.openai.baseUrl }] });
    }
  });

  it('retries connection resets, then falls back', async () => {
    fx.openai.fail(...times(MAX_RETRIES + 1, { kind: 'reset' }));
    const { data, response } = await client.chat.completions.create({ model: 'primary', messages: ask() }).withResponse();
    expect(response.headers.get('x-portcullis-provider')).toBe('anthropic');
    expect(response.headers.get('x-portcullis-attempts')).toBe(String(MAX_RETRIES + 2));
    expect(data.choices[0]?.message.content).toBe('Hello from claude-haiku-4-5.');
    expect(fx.openai.requests).toHaveLength(MAX_RETRIES + 1);
  });

  it('gives up on a provider that hangs past the project timeout (timeoutMs: 1000), then falls back', async () => {
    await applySettings(fx, { aliases: ALIAS, timeoutMs: 1000 });
    try {
      fx.openai.fail(...times(MAX_RETRIES + 1, { kind: 'hang' }));
      const id = requestId('fb-hang');
      const { data, response } = await client.chat.completions.create({ model: 'primary', messages: ask() }, idHeader(id)).withResponse();
      expect(response.headers.get('x-portcullis-provider')).toBe('anthropic');
      expect(response.headers.get('x-portcullis-attempts')).toBe(String(MAX_RETRIES + 2));
      expect(data.choices[0]?.message.content).toBe('Hello from claude-haiku-4-5.');
      expect(fx.openai.requests).toHaveLength(MAX_RETRIES + 1);
      expect(await waitForLog(fx, id)).toMatchObject({ status: 200, provider: 'anthropic', attempts: MAX_RETRIES + 2 });
    } finally {
      await applySettings(fx, { aliases: ALIAS });
    }
  });

  it('bounds the whole request (requestTimeoutMs), not only each attempt: retries and fallbacks stop when it is spent', async () => {
    // 1 s per attempt and 1.5 s for the request: the first hang takes 1 s, the retry gets the
    // 0.5 s left, and the fallback gets nothing, so the client waits ~1.5 s, not 3 s + a fallback.
    await applySettings(fx, { aliases: ALIAS, timeoutMs: 1000, requestTimeoutMs: 1500 });
    try {
      fx.openai.fail(...times(MAX_RETRIES + 1, { kind: 'hang' }));
      const id = requestId('fb-deadline');
      const started = performance.now();
      const response = await rawPost(fx, CHAT, { model: 'primary', messages: ask() }, { headers: { 'x-request-id': id } });
      const elapsed = performance.now() - started;
      expect(response.status).toBe(504);
      expect(errorOf(response.json)?.code).toBe('upstream_timeout');
      expect(fx.anthropic.requests).toHaveLength(0);
      expect(fx.openai.requests.length).toBeLessThan(MAX_RETRIES + 1);
      // Per-attempt timeouts alone would have taken (MAX_RETRIES + 1) s before the fallback.
      expect(elapsed).toBeLessThan((MAX_RETRIES + 1) * 1000);
      expect(await waitForLog(fx, id)).toMatchObject({ status: 504, provider: 'openai' });
    } finally {
      await applySettings(fx, { aliases: ALIAS });
    }
  });

  it('answers 502 when every candidate failed, and logs every attempt made', async () => {
    fx.openai.fail(...times(MAX_RETRIES + 1, SERVER_ERROR));
    fx.anthropic.fail(...times(MAX_RETRIES + 1, SERVER_ERROR));
    const id = requestId('fb-all');
    const response = await rawPost(fx, CHAT, { model: 'primary', messages: ask() }, { headers: { 'x-request-id': id } });
    expect(response.status).toBe(502);
    expect(fx.openai.requests).toHaveLength(MAX_RETRIES + 1);
    expect(fx.anthropic.requests).toHaveLength(MAX_RETRIES + 1);
    expect(await waitForLog(fx, id)).toMatchObject({ status: 502, provider: 'anthropic', attempts: 2 * (MAX_RETRIES + 1) });
  });
});

// ---------------------------------------------------------------------------------------------

describe('retries honour retry-after', () => {
  let fx: GatewayFixture;
  let client: OpenAI;
  const rateLimited = (retryAfter: string): Fault => ({
    kind: 'status',
    status: 429,
    headers: { 'retry-after': retryAfter },
    body: { error: { message: 'Rate limit reached for requests', type: 'requests', param: null, code: 'rate_limit_exceeded' } },
  });
  /** Longer than the gateway will sit out (DEFAULT_RETRY_POLICY.maxRetryAfterMs). */
  const tooLong = String(DEFAULT_RETRY_POLICY.maxRetryAfterMs / 1000 + 40);

  beforeAll(async () => {
    fx = await startGatewayFixture({ projectSettings: { aliases: ALIAS } });
    client = sdk(fx);
  });
  afterAll(async () => fx?.stop());
  beforeEach(async () => heal(fx, [OPENAI_MODEL, ANTHROPIC_MODEL]));

  it('waits out a short retry-after and retries the same provider once', async () => {
    fx.openai.fail(rateLimited('1'));
    const { data, response } = await client.chat.completions.create({ model: OPENAI_MODEL, messages: ask() }).withResponse();
    expect(response.headers.get('x-portcullis-provider')).toBe('openai');
    expect(response.headers.get('x-portcullis-attempts')).toBe('2');
    expect(data.choices[0]?.message.content).toBe('Hello from gpt-5.4-mini.');
    expect(fx.openai.requests).toHaveLength(2);
  });

  it('does not sit out a retry-after beyond the cap: falls back at once', async () => {
    fx.openai.fail(rateLimited(tooLong));
    const { response } = await client.chat.completions.create({ model: 'primary', messages: ask() }).withResponse();
    expect(response.headers.get('x-portcullis-provider')).toBe('anthropic');
    expect(response.headers.get('x-portcullis-attempts')).toBe('2');
    expect(fx.openai.requests).toHaveLength(1);
    expect(fx.anthropic.requests).toHaveLength(1);
  });

  it('with no other candidate, returns the 429 and its retry-after to the client', async () => {
    fx.openai.fail(rateLimited(tooLong));
    const response = await rawPost(fx, CHAT, { model: OPENAI_MODEL, messages: ask() });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe(tooLong);
    expect(errorOf(response.json)).toMatchObject({ code: 'upstream_rate_limited', type: 'rate_limit_error' });
    expect(fx.openai.requests).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------

describe('circuit breaker per provider key', () => {
  let fx: GatewayFixture;
  let client: OpenAI;
  beforeAll(async () => {
    fx = await startGatewayFixture({ projectSettings: { aliases: ALIAS, maxRetries: 0 } });
    client = sdk(fx);
  });
  afterAll(async () => fx?.stop());

  const viaAlias = async () => {
    const { response } = await client.chat.completions.create({ model: 'primary', messages: ask() }).withResponse();
    return { provider: response.headers.get('x-portcullis-provider'), attempts: response.headers.get('x-portcullis-attempts') };
  };

  it('counts consecutive failures only: a success in between starts the count again', async () => {
    await heal(fx, [OPENAI_MODEL]);
    fx.openai.fail(...times(BREAKER_THRESHOLD - 1, SERVER_ERROR));
    for (let i = 0; i < BREAKER_THRESHOLD - 1; i++) expect(await viaAlias()).toEqual({ provider: 'anthropic', attempts: '2' });
    expect(await viaAlias()).toEqual({ provider: 'openai', attempts: '1' });
    fx.openai.fail(...times(BREAKER_THRESHOLD - 1, SERVER_ERROR));
    for (let i = 0; i < BREAKER_THRESHOLD - 1; i++) expect(await viaAlias()).toEqual({ provider: 'anthropic', attempts: '2' });
    // Every one of them still reached OpenAI: the circuit never opened.
    expect(fx.openai.requests).toHaveLength(2 * (BREAKER_THRESHOLD - 1) + 1);
  });

  it('after threshold consecutive failures skips the provider without calling it; alone it is a 503', async () => {
    await heal(fx, [OPENAI_MODEL]);
    fx.openai.fail(...times(BREAKER_THRESHOLD, SERVER_ERROR));
    for (let i = 0; i < BREAKER_THRESHOLD; i++) expect(await viaAlias()).toEqual({ provider: 'anthropic', attempts: '2' });
    expect(fx.openai.requests).toHaveLength(BREAKER_THRESHOLD);

    // Open: the alias goes straight to Anthropic, OpenAI's fake sees nothing.
    expect(await viaAlias()).toEqual({ provider: 'anthropic', attempts: '1' });
    expect(fx.openai.requests).toHaveLength(BREAKER_THRESHOLD);

    // Pinned to the open circuit: nothing to fall back to.
    const id = requestId('cb-open');
    const pinned = await rawPost(fx, CHAT, { model: OPENAI_MODEL, messages: ask() }, { headers: { 'x-request-id': id } });
    expect(pinned.status).toBe(503);
    expect(errorOf(pinned.json)).toMatchObject({ code: 'upstream_unavailable' });
    expect(pinned.headers.get('retry-after')).toBe('30');
    expect(fx.openai.requests).toHaveLength(BREAKER_THRESHOLD);
    expect(await waitForLog(fx, id)).toMatchObject({ status: 503, attempts: 0 });

    // A bare model name routes around it: Azure serves gpt-5.4-mini.
    const { response } = await client.chat.completions.create({ model: 'gpt-5.4-mini', messages: ask() }).withResponse();
    expect(response.headers.get('x-portcullis-provider')).toBe('azure-openai');
    expect(fx.openai.requests).toHaveLength(BREAKER_THRESHOLD);
    expect(fx.azure.requests).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------

describe('streams: fallback only before the first byte', () => {
  let fx: GatewayFixture;
  let client: OpenAI;
  beforeAll(async () => {
    fx = await startGatewayFixture({ projectSettings: { aliases: ALIAS } });
    client = sdk(fx);
  });
  afterAll(async () => fx?.stop());
  beforeEach(async () => heal(fx, [OPENAI_MODEL, ANTHROPIC_MODEL]));

  it('a passthrough stream cut after its first events ends with an error, never a silent switch', async () => {
    fx.openai.fail({ kind: 'die-mid-stream', afterEvents: 2 });
    const id = requestId('st-cut');
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'primary', messages: ask(), stream: true }, idHeader(id))
      .withResponse();
    expect(response.headers.get('x-portcullis-provider')).toBe('openai');
    const result = await drain(stream);

    expect(result.chunks).toBeGreaterThan(0);
    expect(result.error).toBeInstanceOf(OpenAI.APIError);
    expect((result.error as InstanceType<typeof OpenAI.APIError>).code).toBe('upstream_stream_cut');
    expect('Hello from gpt-5.4-mini.'.startsWith(result.text)).toBe(true);
    expect(result.text).not.toBe('Hello from gpt-5.4-mini.');
    expect(fx.openai.requests).toHaveLength(1);
    expect(fx.anthropic.requests).toHaveLength(0);
    const row = await waitForLog(fx, id);
    expect(row).toMatchObject({ status: 502, errorCode: 'upstream_stream_cut', stream: true, provider: 'openai', attempts: 1 });
    expect(row.ttftMs).not.toBeNull();
  });

  it('a translated stream (Anthropic → OpenAI chunks) cut mid-way also ends with an error', async () => {
    fx.anthropic.fail({ kind: 'die-mid-stream', afterEvents: 4 });
    const id = requestId('st-cut-tr');
    const stream = await client.chat.completions.create({ model: ANTHROPIC_MODEL, messages: ask(), stream: true }, idHeader(id));
    const result = await drain(stream);
    expect(result.chunks).toBeGreaterThan(0);
    expect(result.error).toBeInstanceOf(OpenAI.APIError);
    // The gateway then counts what was delivered with Anthropic's count_tokens (not another answer).
    expect(fx.anthropic.requests.filter((r) => r.path === '/v1/messages')).toHaveLength(1);
    expect(await waitForLog(fx, id)).toMatchObject({ status: 502, errorCode: 'upstream_stream_cut', stream: true, provider: 'anthropic' });
  });

  it('a stream that dies before its first event is retried and then falls back', async () => {
    fx.openai.fail(...times(MAX_RETRIES + 1, { kind: 'die-mid-stream', afterEvents: 0 }));
    const id = requestId('st-early');
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'primary', messages: ask(), stream: true }, idHeader(id))
      .withResponse();
    expect(response.headers.get('x-portcullis-provider')).toBe('anthropic');
    expect(response.headers.get('x-portcullis-attempts')).toBe(String(MAX_RETRIES + 2));
    const result = await drain(stream);
    expect(result.error).toBeUndefined();
    expect(result.text).toBe('Hello from claude-haiku-4-5.');
    expect(fx.openai.requests).toHaveLength(MAX_RETRIES + 1);
    const row = await waitForLog(fx, id);
    expect(row).toMatchObject({ status: 200, errorCode: null, stream: true, provider: 'anthropic', attempts: MAX_RETRIES + 2 });
    expect(row.ttftMs).not.toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------

describe('response cache', () => {
  let fx: GatewayFixture;
  let client: OpenAI;
  let ids: { projectId: string; providerKeyId: string };
  beforeAll(async () => {
    fx = await startGatewayFixture({ projectSettings: { cache: { enabled: true, ttlSeconds: 60 } } });
    client = sdk(fx);
    ids = await projectAndKeyIds(fx, 'openai');
  });
  afterAll(async () => fx?.stop());
  beforeEach(() => resetFakes(fx));

  /** Where the gateway stores the answer to this exact body, pinned to the org's OpenAI key. */
  const storeKey = (body: unknown) =>
    `rc:${fx.orgId}:${responseCacheKey({
      orgId: fx.orgId,
      projectId: ids.projectId,
      format: 'openai-chat',
      route: [`openai/gpt-5.4-mini@${ids.providerKeyId}`],
      body,
      policyVersion: '0.0', // no guardrail policy stored (gateway/guardrails/loaded-guardrails.ts)
    })}`;

  const call = async (body: OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming, headers: Record<string, string> = {}) => {
    const { data, response } = await client.chat.completions.create(body, { headers }).withResponse();
    return { text: data.choices[0]?.message.content, data, cache: response.headers.get('x-portcullis-cache'), response };
  };

  it('MISS, then HIT for the identical request without calling the provider; stored encrypted', async () => {
    const secretPrompt = `What is the vault combination? ${randomUUID()}`;
    const answer = `The combination is ${randomUUID()}.`;
    const body = { model: OPENAI_MODEL, messages: ask(secretPrompt) };
    fx.openai.reply({ text: answer });
    const missId = requestId('c-miss');
    const hitId = requestId('c-hit');

    const first = await call(body, { 'x-request-id': missId });
    expect(first).toMatchObject({ text: answer, cache: 'MISS' });
    const second = await call(body, { 'x-request-id': hitId });
    expect(second).toMatchObject({ text: answer, cache: 'HIT' });
    expect(second.data).toEqual(first.data);
    expect(second.response.headers.get('x-portcullis-attempts')).toBe('0');
    expect(second.response.headers.get('x-portcullis-provider')).toBe('openai');
    expect(fx.openai.requests).toHaveLength(1);

    const raw = await fx.server.runtime.store.get(storeKey(body));
    expect(raw, 'cache entry under rc:<org>:<sha256>').not.toBeNull();
    const envelope = JSON.parse(raw!) as { k: string; c: string };
    expect(Object.keys(envelope).sort()).toEqual(['c', 'k']);
    for (const text of [raw!, Buffer.from(envelope.c, 'base64').toString('latin1')]) {
      expect(text).not.toContain(answer);
      expect(text).not.toContain('combination');
      expect(text).not.toContain(secretPrompt);
    }

    const [miss, hit] = await Promise.all([waitForLog(fx, missId), waitForLog(fx, hitId)]);
    expect(miss).toMatchObject({ cacheStatus: 'miss', attempts: 1, provider: 'openai' });
    expect(miss.costMicroUsd).toBeGreaterThan(0);
    expect(hit).toMatchObject({ status: 200, cacheStatus: 'hit', attempts: 0, provider: 'openai', costMicroUsd: 0, inputTokens: null });
  });

  it('a different body (same prompt, other parameters) is a MISS', async () => {
    const messages = ask(`Different ${randomUUID()}`);
    expect((await call({ model: OPENAI_MODEL, messages })).cache).toBe('MISS');
    expect((await call({ model: OPENAI_MODEL, messages, temperature: 0.5 })).cache).toBe('MISS');
    expect((await call({ model: OPENAI_MODEL, messages, temperature: 0.5 })).cache).toBe('HIT');
    expect(fx.openai.requests).toHaveLength(2);
  });

  it('Cache-Control: no-cache bypasses the lookup but stores the fresh answer; no-store does neither', async () => {
    const body = { model: OPENAI_MODEL, messages: ask(`Bypass ${randomUUID()}`) };
    fx.openai.reply({ text: 'old answer' }, { text: 'fresh answer' });
    expect(await call(body)).toMatchObject({ cache: 'MISS', text: 'old answer' });
    const bypassId = requestId('c-bypass');
    expect(await call(body, { 'cache-control': 'no-cache', 'x-request-id': bypassId })).toMatchObject({
      cache: 'BYPASS',
      text: 'fresh answer',
    });
    expect(fx.openai.requests).toHaveLength(2);
    expect(await call(body)).toMatchObject({ cache: 'HIT', text: 'fresh answer' });
    expect(fx.openai.requests).toHaveLength(2);
    expect(await waitForLog(fx, bypassId)).toMatchObject({ cacheStatus: 'bypass', attempts: 1 });

    const unstored = { model: OPENAI_MODEL, messages: ask(`No store ${randomUUID()}`) };
    expect((await call(unstored, { 'cache-control': 'no-store' })).cache).toBe('BYPASS');
    expect(await fx.server.runtime.store.get(storeKey(unstored))).toBeNull();
    expect((await call(unstored)).cache).toBe('MISS');
  });

  it('replays a cached stream as a stream (HIT), without calling the provider', async () => {
    const body = { model: OPENAI_MODEL, messages: ask(`Stream ${randomUUID()}`), stream: true as const };
    fx.openai.reply({ text: 'A streamed answer, in several pieces.' });
    const first = await client.chat.completions.create(body).withResponse();
    expect(first.response.headers.get('x-portcullis-cache')).toBe('MISS');
    const firstResult = await drain(first.data);
    expect(firstResult).toMatchObject({ text: 'A streamed answer, in several pieces.', error: undefined });

    // The stream's entry is written after its last byte went out: wait for it.
    const stored = await eventually(
      'the streamed cache entry',
      async () => (await fx.server.runtime.store.get(storeKey(body))) ?? undefined,
    );
    expect(stored).not.toContain('streamed answer');

    const hitId = requestId('c-stream-hit');
    const second = await client.chat.completions.create(body, idHeader(hitId)).withResponse();
    expect(second.response.headers.get('x-portcullis-cache')).toBe('HIT');
    expect(second.response.headers.get('content-type')).toContain('text/event-stream');
    const secondResult = await drain(second.data);
    expect(secondResult).toEqual(firstResult);
    expect(fx.openai.requests).toHaveLength(1);
    const row = await waitForLog(fx, hitId);
    expect(row).toMatchObject({ status: 200, cacheStatus: 'hit', stream: true, attempts: 0 });
    expect(row.ttftMs).not.toBeNull();
  });

  it('never stores a stream that was cut mid-way', async () => {
    const body = { model: OPENAI_MODEL, messages: ask(`Cut ${randomUUID()}`), stream: true as const };
    fx.openai.fail({ kind: 'die-mid-stream', afterEvents: 2 });
    const cut = await client.chat.completions.create(body);
    expect((await drain(cut)).error).toBeInstanceOf(OpenAI.APIError);
    const again = await client.chat.completions.create(body).withResponse();
    expect(again.response.headers.get('x-portcullis-cache')).toBe('MISS');
    expect(await drain(again.data)).toMatchObject({ text: 'Hello from gpt-5.4-mini.', error: undefined });
    expect(fx.openai.requests).toHaveLength(2);
  });

  it('with the cache off there is no x-portcullis-cache header and nothing is reused', async () => {
    await applySettings(fx, { cache: { enabled: false, ttlSeconds: 60 } });
    const body = { model: OPENAI_MODEL, messages: ask(`Off ${randomUUID()}`) };
    const id = requestId('c-off');
    const first = await call(body, { 'x-request-id': id });
    const second = await call(body);
    expect(first.cache).toBeNull();
    expect(second.cache).toBeNull();
    expect(fx.openai.requests).toHaveLength(2);
    expect(await fx.server.runtime.store.get(storeKey(body))).toBeNull();
    expect(await waitForLog(fx, id)).toMatchObject({ cacheStatus: 'off' });
  });
});

// ---------------------------------------------------------------------------------------------

describe('request logs', () => {
  let fx: GatewayFixture;
  beforeAll(async () => {
    fx = await startGatewayFixture({ projectSettings: { cache: { enabled: true, ttlSeconds: 60 } } });
  });
  afterAll(async () => fx?.stop());
  beforeEach(async () => heal(fx, [OPENAI_MODEL]));

  const modelNotFound: Fault = {
    kind: 'status',
    status: 404,
    body: {
      error: { message: 'The model `no-such-model` does not exist.', type: 'invalid_request_error', param: null, code: 'model_not_found' },
    },
  };

  /** Sends a non-stream request with this id and aborts it once the provider has it (the provider hangs). */
  async function disconnectWhileWaiting(apiKey: string, id: string): Promise<void> {
    fx.openai.fail({ kind: 'hang' });
    const before = fx.openai.requests.length;
    const controller = new AbortController();
    const pending = rawPost(
      fx,
      CHAT,
      { model: OPENAI_MODEL, messages: ask('hang') },
      { apiKey, headers: { 'x-request-id': id }, signal: controller.signal },
    );
    await eventually('the provider to receive the request', () => (fx.openai.requests.length > before ? true : undefined));
    controller.abort();
    await expect(pending).rejects.toThrow();
  }

  /** Starts a slow stream with this id, reads its first bytes, then goes away. */
  async function disconnectMidStream(apiKey: string, id: string): Promise<void> {
    fx.openai.fail({ kind: 'slow-stream', eventDelayMs: 500 });
    const controller = new AbortController();
    const response = await fetch(`${fx.gatewayUrl}${CHAT}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}`, 'x-request-id': id },
      body: JSON.stringify({ model: OPENAI_MODEL, messages: ask('slow'), stream: true }),
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    controller.abort();
    await reader.read().catch(() => undefined);
  }

  it('writes exactly one row per authenticated request, whatever its outcome, and none for unauthenticated ones', async () => {
    const apiKey = await applySettings(fx);
    const client = sdk(fx, apiKey);
    const id = {
      ok: requestId('l-ok'),
      upstreamError: requestId('l-upstream'),
      malformed: requestId('l-malformed'),
      invalid: requestId('l-invalid'),
      notFound: requestId('l-notfound'),
      cacheHit: requestId('l-hit'),
      stream: requestId('l-stream'),
      disconnect: requestId('l-disconnect'),
      streamDisconnect: requestId('l-stream-disconnect'),
    };
    const okBody = { model: OPENAI_MODEL, messages: ask(`logged ${randomUUID()}`) };
    const post = (body: unknown, rid: string) => rawPost(fx, CHAT, body, { apiKey, headers: { 'x-request-id': rid } });

    expect((await post(okBody, id.ok)).status).toBe(200);
    fx.openai.fail(...times(MAX_RETRIES + 1, SERVER_ERROR));
    expect((await post({ model: OPENAI_MODEL, messages: ask('fail') }, id.upstreamError)).status).toBe(502);
    await heal(fx, [OPENAI_MODEL]);
    expect((await post('{"model": "openai/gpt-5.4-mini", "messages": [', id.malformed)).status).toBe(400);
    expect((await post({ model: OPENAI_MODEL }, id.invalid)).status).toBe(400);
    fx.compatible.fail(modelNotFound);
    expect((await post({ model: 'no-such-model', messages: ask() }, id.notFound)).status).toBe(404);
    const hit = await post(okBody, id.cacheHit);
    expect(hit.status).toBe(200);
    expect(hit.headers.get('x-portcullis-cache')).toBe('HIT');
    const stream = await client.chat.completions.create(
      { model: OPENAI_MODEL, messages: ask('stream'), stream: true },
      idHeader(id.stream),
    );
    expect((await drain(stream)).error).toBeUndefined();
    await disconnectWhileWaiting(apiKey, id.disconnect);
    await disconnectMidStream(apiKey, id.streamDisconnect);

    // Unauthenticated: no key, a garbage key, this org's key with a wrong secret, a key of another kind.
    const unauthenticated = [
      null,
      'garbage',
      `${apiKey.slice(0, -4)}${apiKey.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`,
      apiKey.replace('pc_live_', 'pc_test_'),
    ];
    const unauthenticatedIds: string[] = [];
    for (const key of unauthenticated) {
      const rid = requestId('l-unauth');
      unauthenticatedIds.push(rid);
      expect((await rawPost(fx, CHAT, okBody, { apiKey: key, headers: { 'x-request-id': rid } })).status).toBe(401);
    }

    const authenticatedIds = Object.values(id);
    const rows = await waitForLogs(fx, authenticatedIds);
    const byId = new Map(rows.map((r) => [r.requestId, r]));
    // Rows are written in enqueue order: once a request sent after all of these is logged, any
    // duplicate of an earlier one would be visible too.
    const sentinel = requestId('l-sentinel');
    expect((await post({ model: OPENAI_MODEL, messages: ask('sentinel') }, sentinel)).status).toBe(200);
    await waitForLog(fx, sentinel);
    const keyId = byId.get(id.ok)!.apiKeyId!;
    const all = await logRowsOfKey(fx, keyId);
    expect(all.map((r) => r.requestId).sort()).toEqual([...authenticatedIds, sentinel].sort());

    expect(byId.get(id.ok)).toMatchObject({ status: 200, cacheStatus: 'miss', stream: false });
    expect(byId.get(id.upstreamError)).toMatchObject({ status: 502, provider: 'openai', attempts: MAX_RETRIES + 1 });
    expect(byId.get(id.malformed)).toMatchObject({ status: 400, attempts: 0, provider: null });
    expect(byId.get(id.invalid)).toMatchObject({ status: 400, attempts: 0 });
    expect(byId.get(id.notFound)).toMatchObject({ status: 404, provider: 'openai-compatible', attempts: 1 });
    expect(byId.get(id.cacheHit)).toMatchObject({ status: 200, cacheStatus: 'hit', attempts: 0 });
    expect(byId.get(id.stream)).toMatchObject({ status: 200, stream: true });
    expect(byId.get(id.streamDisconnect)).toMatchObject({ status: 499, errorCode: 'client_disconnected', stream: true });
    for (const row of rows) expect(row.apiKeyId).toBe(keyId);

    // The owner connection sees every org's rows: the authenticated id is there, the others nowhere.
    const anywhere = await logRowsAnyOrg(fx, [...unauthenticatedIds, id.ok]);
    expect(anywhere.map((r) => r.requestId)).toEqual([id.ok]);
  });

  it('rows carry provider, served model, attempts, tokens, cache status and the catalog cost; streams carry TTFT', async () => {
    const pricing = findModel('openai', 'gpt-5.4-mini')!.pricing;
    // The catalog's own numbers: $0.75 / $4.50 per million input / output tokens, $0.075 cached.
    expect(pricing).toMatchObject({ input: 0.75, output: 4.5, cachedInput: 0.075 });
    fx.openai.reply(
      { text: 'Priced.', usage: { input: 1000, output: 500 }, model: 'gpt-5.4-mini-2026-03-17' },
      { text: 'Priced stream.', usage: { input: 1000, output: 500, cached: 400 }, model: 'gpt-5.4-mini-2026-03-17' },
    );
    const plainId = requestId('l-cost');
    const streamId = requestId('l-cost-stream');
    const client = sdk(fx);
    await client.chat.completions.create({ model: OPENAI_MODEL, messages: ask(`cost ${randomUUID()}`) }, idHeader(plainId));
    const stream = await client.chat.completions.create(
      { model: OPENAI_MODEL, messages: ask(`cost ${randomUUID()}`), stream: true },
      idHeader(streamId),
    );
    expect((await drain(stream)).text).toBe('Priced stream.');

    const plain = await waitForLog(fx, plainId);
    expect(plain).toMatchObject({
      status: 200,
      errorCode: null,
      endpoint: CHAT,
      model: OPENAI_MODEL,
      servedModel: 'gpt-5.4-mini-2026-03-17',
      provider: 'openai',
      attempts: 1,
      stream: false,
      inputTokens: 1000,
      outputTokens: 500,
      cachedInputTokens: 0,
      cacheStatus: 'miss',
      ttftMs: null,
    });
    // 1000 × $0.75/M + 500 × $4.50/M = 750 + 2250 micro-USD.
    expect(plain.costMicroUsd).toBe(computeCostMicroUsd(pricing, usageOf(1000, 500)));
    expect(plain.costMicroUsd).toBe(3000);
    expect(plain.latencyMs).toBeGreaterThanOrEqual(0);

    const streamed = await waitForLog(fx, streamId);
    expect(streamed).toMatchObject({
      status: 200,
      servedModel: 'gpt-5.4-mini-2026-03-17',
      provider: 'openai',
      stream: true,
      inputTokens: 1000,
      outputTokens: 500,
      cachedInputTokens: 400,
      cacheStatus: 'miss',
    });
    // 600 uncached × 0.75 + 400 cached × 0.075 + 500 × 4.5 = 450 + 30 + 2250.
    expect(streamed.costMicroUsd).toBe(computeCostMicroUsd(pricing, usageOf(1000, 500, 400)));
    expect(streamed.costMicroUsd).toBe(2730);
    expect(streamed.ttftMs).not.toBeNull();
    expect(streamed.ttftMs!).toBeLessThanOrEqual(streamed.latencyMs!);
  });

  it('keeps exactly one row per request under 200 concurrent requests (successes and errors mixed)', { timeout: 90_000 }, async () => {
    const apiKey = await applySettings(fx);
    const ok = 120;
    const badRequests = 40;
    const notFound = 40;
    fx.gemini.fail(
      ...times(badRequests, {
        kind: 'status',
        status: 400,
        body: { error: { code: 400, message: 'Invalid argument.', status: 'INVALID_ARGUMENT' } },
      }),
    );
    fx.compatible.fail(...times(notFound, modelNotFound));
    const bodies = [
      ...Array.from({ length: ok }, (_, i) => ({ model: OPENAI_MODEL, messages: ask(`concurrent ${i} ${randomUUID()}`) })),
      ...Array.from({ length: badRequests }, () => ({ model: 'gemini/gemini-3.5-flash', messages: ask() })),
      ...Array.from({ length: notFound }, () => ({ model: 'no-such-model', messages: ask() })),
    ];
    const responses = await Promise.all(bodies.map((body) => rawPost(fx, CHAT, body, { apiKey })));
    const statuses = (list: { status: number }[]) =>
      list.reduce<Record<number, number>>((acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }), {});
    expect(statuses(responses)).toEqual({ 200: ok, 400: badRequests, 404: notFound });

    const sentinel = requestId('l-concurrent-sentinel');
    expect(
      (await rawPost(fx, CHAT, { model: OPENAI_MODEL, messages: ask('sentinel') }, { apiKey, headers: { 'x-request-id': sentinel } }))
        .status,
    ).toBe(200);
    const keyId = await apiKeyIdOf(fx, sentinel);
    const rows = await eventually('201 rows', async () => {
      const found = await logRowsOfKey(fx, keyId);
      return found.length >= bodies.length + 1 ? found : undefined;
    });
    expect(rows).toHaveLength(bodies.length + 1);
    expect(statuses(rows.filter((r) => r.requestId !== sentinel))).toEqual({ 200: ok, 400: badRequests, 404: notFound });
    expect(new Set(rows.map((r) => r.requestId)).size).toBe(rows.length);
  });

  it('logs the error code of a failed request, not the generic "error"', async () => {
    const ids = { malformed: requestId('l-code-json'), notFound: requestId('l-code-404'), upstream: requestId('l-code-502') };
    expect((await rawPost(fx, CHAT, '{"model": ', { headers: { 'x-request-id': ids.malformed } })).status).toBe(400);
    fx.compatible.fail(modelNotFound);
    expect(
      (await rawPost(fx, CHAT, { model: 'no-such-model', messages: ask() }, { headers: { 'x-request-id': ids.notFound } })).status,
    ).toBe(404);
    fx.openai.fail(...times(MAX_RETRIES + 1, SERVER_ERROR));
    const upstream = await rawPost(fx, CHAT, { model: OPENAI_MODEL, messages: ask() }, { headers: { 'x-request-id': ids.upstream } });
    expect(upstream.status).toBe(502);
    const rows = new Map((await waitForLogs(fx, Object.values(ids))).map((r): [string, LogRow] => [r.requestId, r]));
    expect(rows.get(ids.malformed)?.errorCode).toBe('invalid_json');
    expect(rows.get(ids.notFound)?.errorCode).toBe('model_not_found');
    expect(rows.get(ids.upstream)?.errorCode).toBe(errorOf(upstream.json)?.code);
  });

  it('logs a client that disconnected before a non-streamed answer as 499 client_disconnected, not as a 500', async () => {
    const id = requestId('l-499');
    await disconnectWhileWaiting(fx.apiKey, id);
    const row = await waitForLog(fx, id);
    expect(row).toMatchObject({ status: 499, errorCode: 'client_disconnected' });
    expect(fx.server.logLines.filter((line) => line.includes('"unhandled error"') && line.includes(id))).toEqual([]);
  });

  it('the row of a client that disconnected keeps the upstream attempt already made', async () => {
    const id = requestId('l-499-attempts');
    await disconnectWhileWaiting(fx.apiKey, id);
    const row = await waitForLog(fx, id);
    expect(row).toMatchObject({ provider: 'openai', attempts: 1 });
  });
});

// ---------------------------------------------------------------------------------------------

/**
 * A provider that answers 200 with a stream that carries its own failure: an in-band
 * `data: {"error": …}` chunk followed by `[DONE]` (what vLLM and other OpenAI-compatible servers
 * send when generation fails mid-way) on Chat Completions, and a `response.failed` event on the
 * Responses API. The fakes cannot script these, so this small server stands in.
 */
async function startInBandErrorServer(): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const sse = (data: unknown, event?: string) => `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (req.url?.includes('/responses')) {
        const response = { id: 'resp_1', object: 'response', created_at: 1, model: 'gpt-5.4-mini', output: [], usage: null };
        res.write(
          sse({ type: 'response.created', sequence_number: 0, response: { ...response, status: 'in_progress' } }, 'response.created'),
        );
        res.end(
          sse(
            {
              type: 'response.failed',
              sequence_number: 1,
              response: { ...response, status: 'failed', error: { code: 'server_error', message: 'The model crashed.' } },
            },
            'response.failed',
          ),
        );
        return;
      }
      const chunk = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'deepseek-flash' };
      res.write(sse({ ...chunk, choices: [{ index: 0, delta: { role: 'assistant', content: 'Partial' }, finish_reason: null }] }));
      res.write(sse({ error: { message: 'The model crashed.', type: 'internal_error', code: 500 } }));
      res.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('answers that only look successful (cache on)', () => {
  let fx: GatewayFixture;
  let inBand: Awaited<ReturnType<typeof startInBandErrorServer>>;
  beforeAll(async () => {
    [fx, inBand] = await Promise.all([
      startGatewayFixture({ projectSettings: { cache: { enabled: true, ttlSeconds: 60 } } }),
      startInBandErrorServer(),
    ]);
    await applyOrgDocument(fx, {
      providerKeys: [{ provider: 'deepseek', key: 'sk-deepseek-test-000', baseUrl: `${inBand.url}/v1` }],
      // Scoped to the project, so it is tried before the fixture's org-wide Azure key.
      projects: [{ name: 'app', providerKeys: [{ provider: 'azure-openai', key: 'azure-test-key-000', baseUrl: inBand.url }] }],
    });
  });
  afterAll(async () => {
    await fx?.stop();
    await inBand?.close();
  });
  beforeEach(() => {
    resetFakes(fx);
    inBand.requests.length = 0;
  });

  const redirect = (fixture: GatewayFixture): Fault => ({
    kind: 'status',
    status: 302,
    headers: { location: `${fixture.azure.baseUrl}/openai/v1/chat/completions` },
  });

  it('never follows a provider redirect', async () => {
    fx.openai.fail(redirect(fx));
    await rawPost(fx, CHAT, { model: OPENAI_MODEL, messages: ask(`redirect ${randomUUID()}`) });
    expect(fx.openai.requests).toHaveLength(1);
    expect(fx.azure.requests).toHaveLength(0);
  });

  it('a 3xx from the provider is a failed attempt, not a 200 that is billed as zero and cached', async () => {
    fx.openai.fail(redirect(fx));
    const body = { model: OPENAI_MODEL, messages: ask(`redirect ${randomUUID()}`) };
    const first = await rawPost(fx, CHAT, body);
    const second = await rawPost(fx, CHAT, body);
    expect(second.headers.get('x-portcullis-cache')).not.toBe('HIT');
    expect(first.status).toBe(502);
  });

  it('the client sees an in-band stream error (the frame is forwarded)', async () => {
    const stream = await sdk(fx).chat.completions.create({
      model: 'deepseek/deepseek-flash',
      messages: ask(`in-band ${randomUUID()}`),
      stream: true,
    });
    const result = await drain(stream);
    expect(result.text).toBe('Partial');
    expect(result.error).toBeInstanceOf(OpenAI.APIError);
  });

  it('an in-band error in a passed-through chat stream is logged as a failure and never cached', async () => {
    const body = { model: 'deepseek/deepseek-flash', messages: ask(`in-band ${randomUUID()}`), stream: true };
    const id = requestId('ib-chat');
    const first = await rawPost(fx, CHAT, body, { headers: { 'x-request-id': id } });
    expect(first.text).toContain('The model crashed.');
    const second = await rawPost(fx, CHAT, body);
    expect(second.headers.get('x-portcullis-cache')).not.toBe('HIT');
    expect(inBand.requests).toHaveLength(2);
    const row = await waitForLog(fx, id);
    expect(row.status).not.toBe(200);
    expect(row.errorCode).not.toBeNull();
  });

  it('response.failed in a passed-through Responses stream is logged as a failure and never cached', async () => {
    const body = { model: 'azure-openai/gpt-5.4-mini', input: `in-band ${randomUUID()}`, stream: true };
    const id = requestId('ib-responses');
    const first = await rawPost(fx, '/v1/responses', body, { headers: { 'x-request-id': id } });
    expect(first.text).toContain('response.failed');
    const second = await rawPost(fx, '/v1/responses', body);
    expect(second.headers.get('x-portcullis-cache')).not.toBe('HIT');
    expect(inBand.requests).toHaveLength(2);
    const row = await waitForLog(fx, id);
    expect(row.status).not.toBe(200);
    expect(row.errorCode).not.toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------

describe('stored bodies', () => {
  let fx: GatewayFixture;
  beforeAll(async () => {
    fx = await startGatewayFixture({ projectSettings: { logBodies: true } });
  });
  afterAll(async () => fx?.stop());
  beforeEach(() => resetFakes(fx));

  async function decrypt(row: { id: string; tenantKeyId: string }, ciphertext: Buffer, purpose: 'request_body' | 'response_body') {
    const { runtime } = fx.server;
    const dataKey = await runtime.apiDb.withTenant(fx.orgId, (tx) => dataKeyById(tx, fx.orgId, row.tenantKeyId, runtime.keyring));
    return decryptSecret(dataKey.key, ciphertext, { orgId: fx.orgId, rowId: row.id, purpose });
  }

  it('with logBodies on, stores request and response encrypted under the org key (plain and streamed)', async () => {
    const client = sdk(fx);
    for (const stream of [false, true]) {
      const prompt = `The launch code is ${randomUUID()}`;
      const answer = `Acknowledged ${randomUUID()}`;
      fx.openai.reply({ text: answer });
      const id = requestId(stream ? 'b-stream' : 'b-plain');
      if (stream)
        await drain(await client.chat.completions.create({ model: OPENAI_MODEL, messages: ask(prompt), stream: true }, idHeader(id)));
      else await client.chat.completions.create({ model: OPENAI_MODEL, messages: ask(prompt) }, idHeader(id));

      const log = await waitForLog(fx, id);
      const bodies = await eventually('the request_bodies row', async () => {
        const found = await bodyRowsOf(fx, log.id);
        return found.length > 0 ? found : undefined;
      });
      expect(bodies).toHaveLength(1);
      const body = bodies[0]!;
      expect(body.responseCiphertext).not.toBeNull();
      for (const ciphertext of [body.requestCiphertext, body.responseCiphertext!]) {
        expect(ciphertext.includes(prompt)).toBe(false);
        expect(ciphertext.includes(answer)).toBe(false);
        expect(ciphertext.includes('launch code')).toBe(false);
      }
      expect(await decrypt(body, body.requestCiphertext, 'request_body')).toContain(prompt);
      expect(await decrypt(body, body.responseCiphertext!, 'response_body')).toContain(answer.slice(0, 8));
    }
  });

  it('with logBodies off, stores no body', async () => {
    const apiKey = await applySettings(fx, { logBodies: false });
    const id = requestId('b-off');
    await sdk(fx, apiKey).chat.completions.create({ model: OPENAI_MODEL, messages: ask('not stored') }, idHeader(id));
    const log = await waitForLog(fx, id);
    // The bodies of a batch are inserted in the same transaction as its log rows.
    expect(await bodyRowsOf(fx, log.id)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('SSRF guard on provider base URLs (private URLs allowed, as in development)', () => {
  let fx: GatewayFixture;
  const hostile = [
    { provider: 'groq', model: 'groq/openai/gpt-oss-120b', baseUrl: 'http://169.254.169.254/v1' },
    { provider: 'xai', model: 'xai/grok-4.7', baseUrl: 'http://metadata.google.internal/v1' },
    { provider: 'deepseek', model: 'deepseek/deepseek-flash', baseUrl: 'http://[::ffff:169.254.169.254]/v1' },
    // 2852039166 is 169.254.169.254 as one decimal number; the URL parser normalises it.
    { provider: 'together', model: 'together/zai-org/GLM-5.3', baseUrl: 'http://2852039166/v1' },
  ] as const;

  beforeAll(async () => {
    fx = await startGatewayFixture();
    await applyOrgDocument(fx, {
      providerKeys: hostile.map(({ provider, baseUrl }) => ({ provider, key: `${provider}-test-key-000`, baseUrl })),
    });
  });
  afterAll(async () => fx?.stop());

  it.each(hostile)('refuses $baseUrl with 502 upstream_url_refused', async ({ model }) => {
    const id = requestId('ssrf');
    const response = await rawPost(fx, CHAT, { model, messages: ask() }, { headers: { 'x-request-id': id } });
    expect(response.status).toBe(502);
    expect(errorOf(response.json)).toMatchObject({ code: 'upstream_url_refused' });
    expect(errorOf(response.json)?.message).not.toContain('/v1');
    expect(await waitForLog(fx, id)).toMatchObject({ status: 502, attempts: 1 });
  });

  it('a refusal is not a provider failure: it never opens the circuit', async () => {
    for (let i = 0; i < BREAKER_THRESHOLD + 2; i++) {
      const response = await rawPost(fx, CHAT, { model: 'groq/openai/gpt-oss-120b', messages: ask() });
      expect(errorOf(response.json)?.code).toBe('upstream_url_refused');
    }
  });

  it('falls back past a refused candidate', async () => {
    await applySettings(fx, { aliases: { guarded: ['groq/openai/gpt-oss-120b', OPENAI_MODEL] } });
    fx.openai.reset();
    const { response } = await sdk(fx).chat.completions.create({ model: 'guarded', messages: ask() }).withResponse();
    expect(response.headers.get('x-portcullis-provider')).toBe('openai');
    expect(fx.openai.requests).toHaveLength(1);
  });
});

describe('SSRF guard with ALLOW_PRIVATE_PROVIDER_URLS=false', () => {
  let fx: GatewayFixture;
  beforeAll(async () => {
    fx = await startGatewayFixture({ env: { ALLOW_PRIVATE_PROVIDER_URLS: 'false' } });
  });
  afterAll(async () => fx?.stop());

  it('refuses the loopback fakes without contacting them', async () => {
    for (const model of [OPENAI_MODEL, ANTHROPIC_MODEL, 'gemini/gemini-3.5-flash', 'gpt-5.4-mini']) {
      const response = await rawPost(fx, CHAT, { model, messages: ask() });
      expect(response.status, model).toBe(502);
      expect(errorOf(response.json)?.code, model).toBe('upstream_url_refused');
    }
    for (const fake of [fx.openai, fx.azure, fx.anthropic, fx.gemini]) expect(fake.requests, fake.name).toHaveLength(0);
  });

  it('refuses a loopback fake named by `localhost` too', async () => {
    const port = new URL(fx.openai.baseUrl).port;
    await applyOrgDocument(fx, { providerKeys: [{ provider: 'xai', key: fx.openai.apiKey, baseUrl: `http://localhost:${port}/v1` }] });
    const response = await rawPost(fx, CHAT, { model: 'xai/grok-4.7', messages: ask() });
    expect(response.status).toBe(502);
    expect(errorOf(response.json)?.code).toBe('upstream_url_refused');
    expect(fx.openai.requests).toHaveLength(0);
  });
});

// ---------------------------------------------------------------------------------------------

describe('org provider policy', () => {
  let fx: GatewayFixture;
  beforeAll(async () => {
    fx = await startGatewayFixture({ projectSettings: { aliases: ALIAS } });
  });
  afterAll(async () => fx?.stop());
  beforeEach(async () => heal(fx, [OPENAI_MODEL]));

  const bare = async (apiKey = fx.apiKey) => {
    const response = await rawPost(fx, CHAT, { model: 'gpt-5.4-mini', messages: ask() }, { apiKey });
    return { status: response.status, provider: response.headers.get('x-portcullis-provider'), code: errorOf(response.json)?.code };
  };

  it('without a policy, a bare model falls back from OpenAI to Azure (control)', async () => {
    fx.openai.fail(...times(MAX_RETRIES + 1, SERVER_ERROR));
    expect(await bare()).toMatchObject({ status: 200, provider: 'azure-openai' });
    expect(fx.azure.requests).toHaveLength(1);
  });

  it('deniedProviders: a pinned model of that provider is a 403, and an alias never falls back to it', async () => {
    await applySettings(fx, { aliases: ALIAS }, { deniedProviders: ['anthropic'] });
    const pinned = await rawPost(fx, CHAT, { model: ANTHROPIC_MODEL, messages: ask() });
    expect(pinned.status).toBe(403);
    expect(errorOf(pinned.json)?.code).toBe('provider_not_allowed');

    fx.openai.fail(...times(MAX_RETRIES + 1, SERVER_ERROR));
    const alias = await rawPost(fx, CHAT, { model: 'primary', messages: ask() });
    expect(alias.status).toBe(502);
    expect(fx.anthropic.requests).toHaveLength(0);
  });

  it('allowedProviders: bare-name routing stays within the list', async () => {
    await applySettings(fx, { aliases: ALIAS }, { allowedProviders: ['openai'] });
    expect(await bare()).toMatchObject({ status: 200, provider: 'openai' });
    fx.openai.fail(...times(MAX_RETRIES + 1, SERVER_ERROR));
    expect(await bare()).toMatchObject({ status: 502 });
    expect(fx.azure.requests).toHaveLength(0);
    const pinned = await rawPost(fx, CHAT, { model: 'azure-openai/gpt-5.4-mini', messages: ask() });
    expect(pinned.status).toBe(403);
    expect(errorOf(pinned.json)?.code).toBe('provider_not_allowed');
  });

  it('a denied provider stays denied even when also allowed', async () => {
    await applySettings(fx, { aliases: ALIAS }, { allowedProviders: ['openai', 'anthropic'], deniedProviders: ['anthropic'] });
    const pinned = await rawPost(fx, CHAT, { model: ANTHROPIC_MODEL, messages: ask() });
    expect(pinned.status).toBe(403);
    expect(fx.anthropic.requests).toHaveLength(0);
  });
});
