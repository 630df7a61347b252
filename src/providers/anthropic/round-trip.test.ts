/**
 * canonical → real HTTP → fake Anthropic → canonical, streamed and not: the adapter's requests
 * must pass the fake's real-API checks, and its readers must understand the fake's answers.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_ANTHROPIC_API_KEY, anthropicErrorBody, startFakeAnthropic } from '../../../test/fakes/anthropic.js';
import type { FakeUpstream } from '../../../test/fakes/fake-upstream.js';
import type { ChatRequest, StreamEvent } from '../../gateway/canonical/types.js';
import { createSseParser } from '../sse.js';
import type { UpstreamRequest, UpstreamTarget } from '../types.js';
import { anthropicAdapter } from './index.js';

let fake: FakeUpstream;
let target: UpstreamTarget;

beforeAll(async () => {
  fake = await startFakeAnthropic();
  target = { baseUrl: fake.url, apiKey: FAKE_ANTHROPIC_API_KEY, model: 'claude-sonnet-4-5', options: {} };
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const send = (r: UpstreamRequest) => fetch(r.url, { method: r.method, headers: r.headers, body: r.body });

async function decodeStream(response: Response): Promise<StreamEvent[]> {
  const parser = createSseParser();
  const decoder = anthropicAdapter.chatStreamDecoder();
  const out: StreamEvent[] = [];
  const text = new TextDecoder();
  for await (const chunk of response.body!)
    for (const e of parser.push(text.decode(chunk as Uint8Array, { stream: true }))) out.push(...decoder.push(e));
  for (const e of parser.end()) out.push(...decoder.push(e));
  out.push(...decoder.end());
  return out;
}

const request = (extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'my-alias',
  stream: false,
  messages: [
    { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
    { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
  ],
  tools: [{ type: 'function', name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
  ...extra,
});

const reply = {
  text: 'Let me check that for you.',
  reasoning: { text: 'The user wants the weather.', signature: 'sig-123' },
  toolCalls: [{ id: 'toolu_01', name: 'weather', arguments: '{"city":"Paris","unit":"celsius"}' }],
  usage: { input: 1200, output: 80, cached: 1000, cacheWrite: 150, reasoning: 20 },
  model: 'claude-sonnet-4-5-20250929',
};
const expectedUsage = { inputTokens: 1200, outputTokens: 80, cachedInputTokens: 1000, cacheWriteInputTokens: 150, reasoningTokens: 20 };

describe('anthropic adapter against the fake API', () => {
  it('round-trips a non-streamed answer', async () => {
    fake.reply(reply);
    const response = await send(anthropicAdapter.chatRequest(request(), target));
    expect(response.status).toBe(200);
    const chat = anthropicAdapter.chatResponse(await response.json());
    expect(chat.model).toBe('claude-sonnet-4-5-20250929');
    expect(chat.choices[0]).toMatchObject({
      finishReason: 'tool_calls',
      message: {
        content: [{ type: 'text', text: 'Let me check that for you.' }],
        reasoning: [{ type: 'thinking', text: 'The user wants the weather.', signature: 'sig-123' }],
        toolCalls: [{ id: 'toolu_01', name: 'weather', arguments: '{"city":"Paris","unit":"celsius"}' }],
      },
    });
    expect(chat.usage).toEqual(expectedUsage);

    const sent = fake.requests[0]!;
    expect(sent.path).toBe('/v1/messages');
    expect(sent.headers['x-api-key']).toBe(FAKE_ANTHROPIC_API_KEY);
    expect(sent.headers['anthropic-version']).toBe('2023-06-01');
    expect(sent.body).toMatchObject({ model: 'claude-sonnet-4-5', max_tokens: 4096, system: [{ type: 'text', text: 'Be brief.' }] });
  });

  it('round-trips a streamed answer', async () => {
    fake.reply(reply);
    const response = await send(anthropicAdapter.chatRequest(request({ stream: true }), target));
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const events = await decodeStream(response);
    expect(events[0]).toMatchObject({ type: 'start', model: 'claude-sonnet-4-5-20250929' });
    const joined = (type: 'text_delta' | 'reasoning_delta') =>
      events
        .filter((e) => e.type === type)
        .map((e) => (e as { text: string }).text)
        .join('');
    expect(joined('text_delta')).toBe('Let me check that for you.');
    expect(joined('reasoning_delta')).toBe('The user wants the weather.');
    expect(events.filter((e) => e.type === 'reasoning_signature')).toEqual([
      { type: 'reasoning_signature', choice: 0, signature: 'sig-123' },
    ]);
    expect(events.filter((e) => e.type === 'tool_call_start')).toEqual([
      { type: 'tool_call_start', choice: 0, index: 0, id: 'toolu_01', name: 'weather' },
    ]);
    const args = events.flatMap((e) => (e.type === 'tool_call_delta' ? [e.argumentsDelta] : []));
    expect(args.length).toBeGreaterThan(1);
    expect(args.join('')).toBe('{"city":"Paris","unit":"celsius"}');
    expect(events.find((e) => e.type === 'finish')).toMatchObject({ finishReason: 'tool_calls' });
    expect(events.filter((e) => e.type === 'usage').at(-1)).toEqual({ type: 'usage', usage: expectedUsage });
    expect(events.some((e) => e.type === 'error')).toBe(false);
  });

  it('counts tokens', async () => {
    fake.reply({ usage: { input: 321, output: 0 } });
    const response = await send(anthropicAdapter.countTokensRequest!(request({ maxTokens: 10, temperature: 0.3 }), target));
    expect(response.status).toBe(200);
    expect(anthropicAdapter.countTokensResponse!(await response.json())).toEqual({ inputTokens: 321 });
    expect(fake.requests[0]!.path).toBe('/v1/messages/count_tokens');
  });

  it('passes a native body through, and reads usage from it', async () => {
    fake.reply(reply);
    const r = anthropicAdapter.passthroughRequest!({
      format: 'anthropic-messages',
      body: { model: 'alias', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] },
      target,
      stream: false,
      clientHeaders: { 'anthropic-version': '2026-10-21' },
    });
    const response = await send(r);
    expect(response.status).toBe(200);
    expect(anthropicAdapter.passthroughResponseUsage!('anthropic-messages', await response.json())).toEqual({
      model: 'claude-sonnet-4-5-20250929',
      usage: expectedUsage,
    });
    expect(fake.requests[0]!.headers['anthropic-version']).toBe('2026-10-21');
  });

  it('maps the fake API errors', async () => {
    const wrongKey = await send(anthropicAdapter.chatRequest(request(), { ...target, apiKey: 'sk-ant-wrong' }));
    expect(wrongKey.status).toBe(401);
    expect(anthropicAdapter.errorInfo(401, wrongKey.headers, await wrongKey.text())).toMatchObject({
      type: 'authentication_error',
      retryable: false,
    });

    fake.fail({ kind: 'status', status: 529, body: anthropicErrorBody('overloaded_error', 'Overloaded'), headers: { 'retry-after': '3' } });
    const overloaded = await send(anthropicAdapter.chatRequest(request(), target));
    expect(anthropicAdapter.errorInfo(overloaded.status, overloaded.headers, await overloaded.text())).toEqual({
      status: 529,
      type: 'overloaded_error',
      code: 'overloaded_error',
      message: 'Overloaded',
      retryable: true,
      retryAfterSeconds: 3,
    });
  });
});

describe('fake anthropic validates like the real API', () => {
  const post = (path: string, headers: Record<string, string>, body: unknown) =>
    fetch(`${fake.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const auth = { 'x-api-key': FAKE_ANTHROPIC_API_KEY, 'anthropic-version': '2023-06-01' };
  const valid = { model: 'claude-x', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };

  it.each([
    ['no credential', { 'anthropic-version': '2023-06-01' }, valid, 401, 'authentication_error'],
    ['no anthropic-version', { 'x-api-key': FAKE_ANTHROPIC_API_KEY }, valid, 400, 'invalid_request_error'],
    ['no max_tokens', auth, { ...valid, max_tokens: undefined }, 400, 'invalid_request_error'],
    ['empty messages', auth, { ...valid, messages: [] }, 400, 'invalid_request_error'],
    [
      'temperature under 2026-10-21',
      { ...auth, 'anthropic-version': '2026-10-21' },
      { ...valid, temperature: 0.5 },
      400,
      'invalid_request_error',
    ],
  ])('refuses %s', async (_name, headers, body, status, type) => {
    const response = await post('/v1/messages', headers, body);
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ type: 'error', error: { type } });
  });

  it('accepts the 1.x SDK Bearer credential', async () => {
    const response = await post(
      '/v1/messages',
      { authorization: `Bearer ${FAKE_ANTHROPIC_API_KEY}`, 'anthropic-version': '2026-10-21' },
      valid,
    );
    expect(response.status).toBe(200);
  });
});
