/**
 * Streams cut before the provider's final usage (the client hangs up, the upstream dies, ...) are
 * billed on what was actually delivered: a real gateway in front of the fakes, the official OpenAI
 * SDK or raw fetch as the client. Expected counts are computed here from what the client itself
 * received: with tiktoken for OpenAI models, with the Anthropic fake's documented count rule
 * (fakeAnthropicTokenCount) for Anthropic models, never from the gateway's own code.
 */
import { randomUUID } from 'node:crypto';
import { getEncoding } from 'js-tiktoken';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findModel } from '../src/providers/catalog/catalog.js';
import { computeCostMicroUsd } from '../src/providers/catalog/cost.js';
import { fakeAnthropicTokenCount } from './fakes/anthropic.js';
import { startGatewayFixture, type GatewayFixture } from './support/gateway.js';
import { keyWithLimits } from './support/limits.js';
import { errorOf, eventually, rawPost, waitForLog } from './support/resilience.js';

const CHAT = '/v1/chat/completions';
const MESSAGES = '/v1/messages';
const OPENAI_MODEL = 'gpt-5.4-mini';
const ANTHROPIC_MODEL = 'claude-haiku-4-5';
const PROMPT = 'Tell me a long story about a lighthouse keeper.';
// Words of uneven length and punctuation, so a token count differs from a character or word count.
const ANSWER = 'Once upon a time, the keeper — Ødegård — lit 1,024 lamps; nobody ever asked why. '.repeat(6);
const o200k = getEncoding('o200k_base');
const tokens = (text: string) => o200k.encode(text, [], []).length;

const requestId = (label: string) => `${label}-${randomUUID()}`;

/** The prompt as OpenAI's cookbook counts it: 3 per message + its values, 3 to prime the reply. */
const promptTokens = (content: string) => 3 + tokens('user') + tokens(content) + 3;

function costOf(provider: 'openai' | 'anthropic', model: string, input: number, output: number): number {
  const pricing = findModel(provider, model)!.pricing;
  return computeCostMicroUsd(pricing, {
    inputTokens: input,
    outputTokens: output,
    cachedInputTokens: 0,
    cacheWriteInputTokens: 0,
    reasoningTokens: 0,
  });
}

type Received = { text: string; events: number };

/**
 * Reads an SSE response, collecting the text the client got, to its end — or, with `abort`, until
 * nothing more arrives for `idleMs` (the provider is holding the rest), then hangs up.
 */
async function readSse(
  response: Response,
  pick: (payload: Record<string, unknown>) => string,
  abort?: { idleMs: number; controller: AbortController },
): Promise<Received> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const received: Received = { text: '', events: 0 };
  for (;;) {
    let next: Awaited<ReturnType<typeof reader.read>> | 'idle';
    try {
      const read = reader.read();
      next = abort ? await Promise.race([read, new Promise<'idle'>((r) => setTimeout(() => r('idle'), abort.idleMs))]) : await read;
    } catch {
      return received; // the stream broke: what arrived is what was delivered
    }
    if (next === 'idle') {
      abort!.controller.abort();
      await reader.cancel().catch(() => undefined);
      return received;
    }
    if (next.done) return received;
    buffer += decoder.decode(next.value as Uint8Array, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = frame
        .split('\n')
        .filter((line) => line.startsWith('data: '))
        .map((line) => line.slice(6))
        .join('\n');
      if (!data || data === '[DONE]') continue;
      received.events += 1;
      received.text += pick(JSON.parse(data) as Record<string, unknown>);
    }
  }
}

const chatContent = (payload: Record<string, unknown>): string => {
  const choices = payload.choices as { delta?: { content?: string | null } }[] | undefined;
  return choices?.[0]?.delta?.content ?? '';
};

const anthropicText = (payload: Record<string, unknown>): string => {
  const delta = payload.delta as { type?: string; text?: string } | undefined;
  return payload.type === 'content_block_delta' && delta?.type === 'text_delta' ? (delta.text ?? '') : '';
};

function post(fixture: GatewayFixture, path: string, body: unknown, id: string, options: { apiKey?: string; signal?: AbortSignal } = {}) {
  return fetch(`${fixture.gatewayUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${options.apiKey ?? fixture.apiKey}`, 'x-request-id': id },
    body: JSON.stringify(body),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

describe('cut streams are billed on what was delivered', () => {
  let fx: GatewayFixture;
  beforeAll(async () => {
    fx = await startGatewayFixture();
  });
  afterAll(async () => fx?.stop());
  beforeEach(() => {
    for (const fake of [fx.openai, fx.anthropic, fx.gemini]) fake.reset();
  });

  it('OpenAI, the client aborts after some chunks: output = tiktoken count of what it received, input = the prompt, catalog cost', async () => {
    fx.openai.reply({ text: ANSWER, chunks: 12, usage: { input: 999, output: 5000 } });
    // The provider sends 5 events (role + 4 pieces), then holds the rest until the test is done:
    // nothing more can reach the client after what it read.
    let release = () => {};
    fx.openai.fail({ kind: 'hold', until: new Promise<void>((resolve) => (release = resolve)), afterEvents: 5 });
    const id = requestId('abort');
    const controller = new AbortController();
    const body = { model: `openai/${OPENAI_MODEL}`, messages: [{ role: 'user', content: PROMPT }], stream: true };
    const response = await post(fx, CHAT, body, id, { signal: controller.signal });
    expect(response.status).toBe(200);
    // The client reads all it is sent until the stream stalls, then goes away.
    const received = await readSse(response, chatContent, { idleMs: 1_500, controller });
    const row = await waitForLog(fx, id).finally(release);
    expect(received.text.length).toBeGreaterThan(0);
    expect(ANSWER.startsWith(received.text) && received.text !== ANSWER).toBe(true);

    const expectedOutput = tokens(received.text);
    const expectedInput = promptTokens(PROMPT);
    expect(row).toMatchObject({
      status: 499,
      errorCode: 'client_disconnected',
      inputTokens: expectedInput,
      outputTokens: expectedOutput,
      usageSource: 'gateway',
    });
    expect(row.costMicroUsd).toBe(costOf('openai', OPENAI_MODEL, expectedInput, expectedOutput));
    expect(row.costMicroUsd).toBeGreaterThan(0);
  });

  it('OpenAI, the upstream dies mid-stream: the client gets an error and the row bills exactly what it received (SDK client)', async () => {
    fx.openai.reply({ text: ANSWER, chunks: 10, usage: { input: 999, output: 5000 } });
    fx.openai.fail({ kind: 'die-mid-stream', afterEvents: 6 });
    const id = requestId('cut');
    const client = new OpenAI({ apiKey: fx.apiKey, baseURL: `${fx.gatewayUrl}/v1`, maxRetries: 0 });
    const stream = await client.chat.completions.create(
      { model: `openai/${OPENAI_MODEL}`, messages: [{ role: 'user', content: PROMPT }], stream: true },
      { headers: { 'x-request-id': id } },
    );
    let text = '';
    let failure: unknown;
    try {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect(text.length).toBeGreaterThan(0);
    expect(text).not.toBe(ANSWER);

    const row = await waitForLog(fx, id);
    const expectedInput = promptTokens(PROMPT);
    expect(row).toMatchObject({
      status: 502,
      errorCode: 'upstream_stream_cut',
      inputTokens: expectedInput,
      outputTokens: tokens(text),
      usageSource: 'gateway',
    });
    expect(row.costMicroUsd).toBe(costOf('openai', OPENAI_MODEL, expectedInput, tokens(text)));
  });

  it('a stream that completes is billed on the provider-reported usage, not on a count', async () => {
    fx.openai.reply({ text: ANSWER, usage: { input: 999, output: 5000 } });
    const id = requestId('complete');
    const response = await post(
      fx,
      CHAT,
      { model: `openai/${OPENAI_MODEL}`, messages: [{ role: 'user', content: PROMPT }], stream: true },
      id,
    );
    await readSse(response, chatContent);
    expect(await waitForLog(fx, id)).toMatchObject({ status: 200, inputTokens: 999, outputTokens: 5000, usageSource: 'provider' });
  });

  it('Anthropic cut after message_start: input from message_start, output counted by its count_tokens endpoint', async () => {
    fx.anthropic.reply({ text: ANSWER, usage: { input: 40, output: 5000 } });
    // message_start, ping, content_block_start, then 2 of the 3 text deltas.
    fx.anthropic.fail({ kind: 'die-mid-stream', afterEvents: 5 });
    const id = requestId('anthropic-cut');
    const body = { model: `anthropic/${ANTHROPIC_MODEL}`, max_tokens: 8000, messages: [{ role: 'user', content: PROMPT }], stream: true };
    const response = await post(fx, MESSAGES, body, id);
    const received = await readSse(response, anthropicText);
    expect(received.text.length).toBeGreaterThan(0);
    expect(received.text).not.toBe(ANSWER);

    const row = await waitForLog(fx, id);
    // The assistant turn's framing is part of the difference the gateway takes.
    const expectedOutput = fakeAnthropicTokenCount({ messages: [{ role: 'assistant', content: received.text.trimEnd() }] });
    expect(row).toMatchObject({ status: 502, inputTokens: 40, outputTokens: expectedOutput, usageSource: 'gateway' });
    expect(row.costMicroUsd).toBe(costOf('anthropic', ANTHROPIC_MODEL, 40, expectedOutput));
    const counts = fx.anthropic.requests.filter((r) => r.path === '/v1/messages/count_tokens');
    expect(counts).toHaveLength(2);
    for (const count of counts) expect(count.headers['x-api-key']).toBeDefined();
  });

  it('Anthropic: when count_tokens fails, the reported usage is billed (and the stream still logged once)', async () => {
    fx.anthropic.reply({ text: ANSWER, usage: { input: 40, output: 5000 } });
    fx.anthropic.fail({ kind: 'die-mid-stream', afterEvents: 5 }, { kind: 'status', status: 500 }, { kind: 'status', status: 500 });
    const id = requestId('anthropic-count-fails');
    const body = { model: `anthropic/${ANTHROPIC_MODEL}`, max_tokens: 8000, messages: [{ role: 'user', content: PROMPT }], stream: true };
    await readSse(await post(fx, MESSAGES, body, id), anthropicText);
    // message_start's placeholder output count (1) is all the provider reported.
    // Nothing was counted, so the row says the figures are the provider's.
    expect(await waitForLog(fx, id)).toMatchObject({ status: 502, inputTokens: 40, outputTokens: 1, usageSource: 'provider' });
  });

  it('Gemini (not counted): a cut stream keeps the last cumulative usage it reported', async () => {
    fx.gemini.reply({ text: ANSWER, usage: { input: 33, output: 5000 } });
    fx.gemini.fail({ kind: 'die-mid-stream', afterEvents: 2 });
    const id = requestId('gemini-cut');
    const response = await post(
      fx,
      CHAT,
      { model: 'gemini/gemini-3.5-flash', messages: [{ role: 'user', content: PROMPT }], stream: true },
      id,
    );
    await readSse(response, chatContent);
    expect(await waitForLog(fx, id)).toMatchObject({ status: 502, inputTokens: 33, outputTokens: 0, usageSource: 'provider' });
  });

  it('the usage limit is settled on the counted figure, not on the reserved upper bound', async () => {
    const { token } = await keyWithLimits(fx, { usage: [{ metric: 'tokens', period: 'daily', limit: 100_000 }] });
    fx.openai.reply({ text: ANSWER, chunks: 10, usage: { input: 999, output: 5000 } });
    fx.openai.fail({ kind: 'die-mid-stream', afterEvents: 6 });
    const id = requestId('limit');
    const body = { model: `openai/${OPENAI_MODEL}`, max_tokens: 20_000, messages: [{ role: 'user', content: PROMPT }], stream: true };
    const received = await readSse(await post(fx, CHAT, body, id, { apiKey: token }), chatContent);
    const row = await waitForLog(fx, id);
    const counted = promptTokens(PROMPT) + tokens(received.text);
    expect(row.inputTokens! + row.outputTokens!).toBe(counted);
    // A request too large for what is left shows what the key has used: the counted tokens, not
    // the 20,000+ reserved for the cut stream.
    const used = await eventually('the reservation to be settled', async () => {
      const refused = await rawPost(
        fx,
        CHAT,
        { model: `openai/${OPENAI_MODEL}`, max_tokens: 200_000, messages: [{ role: 'user', content: 'x' }] },
        { apiKey: token },
      );
      expect(refused.status).toBe(429);
      const message = errorOf(refused.json)?.message ?? '';
      return message.includes(`${counted} tokens used`) ? message : undefined;
    });
    expect(used).toContain(`${counted} tokens used`);
  });
});
