/**
 * The encoder's frames are checked directly, and then read by the real OpenAI SDK (served by a
 * fake upstream), since the SDK is what clients run: its Stream must accept the chunks, assemble
 * tool calls, and raise an APIError on the error frame.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../../../../test/fakes/fake-upstream.js';
import type { StreamEvent } from '../../canonical/types.js';
import type { RenderContext } from '../types.js';
import { openaiChatFormat } from './index.js';

const usage = { inputTokens: 9, outputTokens: 5, cachedInputTokens: 4, cacheWriteInputTokens: 0, reasoningTokens: 2 };

const textEvents: StreamEvent[] = [
  { type: 'start', id: 'up', model: 'served-model', created: 1_700_000_000 },
  { type: 'reasoning_delta', choice: 0, text: 'Hmm' },
  { type: 'text_delta', choice: 0, text: 'Hel' },
  { type: 'text_delta', choice: 0, text: 'lo' },
  { type: 'usage', usage },
  { type: 'finish', choice: 0, finishReason: 'stop' },
];

const toolEvents: StreamEvent[] = [
  { type: 'start', id: 'up', model: 'served-model', created: 1_700_000_000 },
  { type: 'tool_call_start', choice: 0, index: 0, id: 'call_a', name: 'get_weather' },
  { type: 'tool_call_delta', choice: 0, index: 0, argumentsDelta: '{"city":' },
  { type: 'tool_call_start', choice: 0, index: 1, id: 'call_b', name: 'get_time' },
  { type: 'tool_call_delta', choice: 0, index: 0, argumentsDelta: '"Paris"}' },
  { type: 'tool_call_delta', choice: 0, index: 1, argumentsDelta: '{}' },
  { type: 'finish', choice: 0, finishReason: 'tool_calls' },
  { type: 'usage', usage },
];

function encode(events: StreamEvent[], includeUsage: boolean): string[] {
  const context: RenderContext = {
    requestedModel: 'alias',
    requestId: 'req_1',
    requestBody: includeUsage ? { stream_options: { include_usage: true } } : {},
  };
  const encoder = openaiChatFormat.createStreamEncoder(context);
  return [...events.flatMap((e) => encoder.encode(e)), ...encoder.end()];
}

const payloads = (frames: string[]) => frames.map((f) => f.replace(/^data: /, '').trim());

describe('openai-chat stream encoder frames', () => {
  it('emits role first, deltas, finish, usage only when asked, then [DONE]', () => {
    const withUsage = payloads(encode(textEvents, true));
    expect(withUsage.at(-1)).toBe('[DONE]');
    const chunks = withUsage.slice(0, -1).map((p) => JSON.parse(p) as Record<string, unknown>);
    expect(chunks[0]).toEqual({
      id: 'chatcmpl-req_1',
      object: 'chat.completion.chunk',
      created: 1_700_000_000,
      model: 'served-model',
      choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }],
      usage: null,
    });
    expect(chunks.map((c) => (c.choices as { delta?: unknown; finish_reason?: unknown }[]).map((x) => [x.delta, x.finish_reason]))).toEqual(
      [
        [[{ role: 'assistant', content: '' }, null]],
        [[{ reasoning_content: 'Hmm' }, null]],
        [[{ content: 'Hel' }, null]],
        [[{ content: 'lo' }, null]],
        [[{}, 'stop']],
        [],
      ],
    );
    expect(chunks.at(-1)!.usage).toEqual({
      prompt_tokens: 9,
      completion_tokens: 5,
      total_tokens: 14,
      prompt_tokens_details: { cached_tokens: 4 },
      completion_tokens_details: { reasoning_tokens: 2 },
    });

    const withoutUsage = payloads(encode(textEvents, false));
    expect(withoutUsage.at(-1)).toBe('[DONE]');
    expect(withoutUsage.some((p) => p.includes('"usage"'))).toBe(false);
  });

  it('ends a cut stream (no finish) with an error frame and no [DONE]', () => {
    const frames = encode(textEvents.slice(0, 3), true);
    expect(frames.at(-1)).toBe(
      `data: ${JSON.stringify({ error: { message: 'The upstream stream ended before the answer was complete', type: 'api_error', code: 'upstream_stream_cut' } })}\n\n`,
    );
    expect(frames.some((f) => f.includes('[DONE]'))).toBe(false);
  });

  it('ends an errored stream with the error, ignoring what follows', () => {
    const frames = encode(
      [...textEvents.slice(0, 2), { type: 'error', message: 'Upstream overloaded', code: 'overloaded' }, ...textEvents.slice(2)],
      false,
    );
    expect(payloads(frames).at(-1)).toBe(
      JSON.stringify({ error: { message: 'Upstream overloaded', type: 'api_error', code: 'overloaded' } }),
    );
    expect(frames.some((f) => f.includes('Hel'))).toBe(false);
  });

  it('streamErrorFrames is the same error shape', () => {
    expect(openaiChatFormat.streamErrorFrames('boom', 'x')).toEqual([
      `data: ${JSON.stringify({ error: { message: 'boom', type: 'api_error', code: 'x' } })}\n\n`,
    ]);
  });
});

describe('openai-chat stream encoder, read by the OpenAI SDK', () => {
  let upstream: FakeUpstream;
  let frames: string[] = [];
  let client: OpenAI;

  beforeAll(async () => {
    upstream = await startFakeUpstream({
      name: 'gateway-under-test',
      routes: [{ method: 'POST', pattern: '/v1/chat/completions', handle: () => ({ kind: 'sse', frames }) }],
    });
    client = new OpenAI({ baseURL: `${upstream.url}/v1`, apiKey: 'pc-test', maxRetries: 0 });
  });
  afterAll(() => upstream.close());

  it('the SDK assembles text and usage', async () => {
    frames = encode(textEvents, true);
    const stream = await client.chat.completions.create({
      model: 'alias',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finalUsage: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) finalUsage = chunk.usage;
    }
    expect(text).toBe('Hello');
    expect(finalUsage).toMatchObject({ prompt_tokens: 9, completion_tokens: 5, total_tokens: 14 });
  });

  it('the SDK stream helper assembles parallel tool calls into a valid final completion', async () => {
    frames = encode(toolEvents, false);
    const runner = client.chat.completions.stream({ model: 'alias', messages: [{ role: 'user', content: 'Hi' }] });
    const completion = await runner.finalChatCompletion();
    expect(completion.choices[0]!.finish_reason).toBe('tool_calls');
    expect(completion.choices[0]!.message.tool_calls).toEqual([
      { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      { id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{}' } },
    ]);
  });

  it('the SDK raises an APIError on the error frame instead of returning a truncated answer', async () => {
    frames = encode(textEvents.slice(0, 3), false);
    const stream = await client.chat.completions.create({ model: 'alias', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    let caught: unknown;
    try {
      for await (const chunk of stream) void chunk;
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(OpenAI.APIError);
    expect(caught).toMatchObject({
      code: 'upstream_stream_cut',
      type: 'api_error',
      message: 'The upstream stream ended before the answer was complete',
    });
  });
});
