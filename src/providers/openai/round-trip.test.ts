/**
 * One round trip per feature: canonical request → adapter → fake OpenAI (validating like the real
 * API) → adapter → canonical, over real HTTP.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeUpstream } from '../../../test/fakes/fake-upstream.js';
import { fakeEmbedding, startFakeOpenAI, type FakeOpenAI } from '../../../test/fakes/openai.js';
import { decodeStream, readSse, send } from '../../../test/fakes/openai-client.js';
import type { ChatRequest, StreamEvent } from '../../gateway/canonical/types.js';
import type { UpstreamTarget } from '../types.js';
import { openaiAdapter } from './index.js';

let fake: FakeOpenAI;
let target: UpstreamTarget;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  target = { baseUrl: fake.baseUrl, apiKey: fake.apiKey, model: 'gpt-4o-mini', options: {} };
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const user = (text: string): ChatRequest['messages'][number] => ({ role: 'user', content: [{ type: 'text', text }] });
const request = (patch: Partial<ChatRequest> = {}): ChatRequest => ({ model: 'alias', messages: [user('Hi')], stream: false, ...patch });

async function complete(req: ChatRequest) {
  const res = await send(openaiAdapter.chatRequest(req, target));
  const body: unknown = await res.json();
  if (!res.ok) throw new Error(`fake answered ${res.status}: ${JSON.stringify(body)}`);
  return openaiAdapter.chatResponse(body);
}

async function stream(req: ChatRequest): Promise<StreamEvent[]> {
  const res = await send(openaiAdapter.chatRequest({ ...req, stream: true }, target));
  expect(res.status).toBe(200);
  return decodeStream(res, openaiAdapter.chatStreamDecoder());
}

const lastBody = () => fake.requests.at(-1)!.body as Record<string, unknown>;

describe('OpenAI round trips through the fake', () => {
  it('text', async () => {
    fake.reply({ text: 'Hello there', usage: { input: 12, output: 3 } });
    const res = await complete(request());
    expect(res.choices[0]!.message.content).toEqual([{ type: 'text', text: 'Hello there' }]);
    expect(res.model).toBe('gpt-4o-mini');
    expect(res.usage).toMatchObject({ inputTokens: 12, outputTokens: 3 });
    expect(fake.requests[0]!.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
    expect(fake.requests[0]!.headers['content-type']).toBe('application/json');
  });

  it('multimodal input', async () => {
    await complete(
      request({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Describe' },
              { type: 'image', source: { kind: 'base64', mediaType: 'image/jpeg', data: '/9j/4AAQ' } },
              { type: 'audio', format: 'mp3', data: 'SUQz' },
              { type: 'file', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBERi0=' }, filename: 'a.pdf' },
            ],
          },
        ],
      }),
    );
    expect((lastBody().messages as { content: unknown }[])[0]!.content).toEqual([
      { type: 'text', text: 'Describe' },
      { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ' } },
      { type: 'input_audio', input_audio: { data: 'SUQz', format: 'mp3' } },
      { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' } },
    ]);
  });

  it('parallel tool calls, then the tool results turn (the fake checks they answer the calls)', async () => {
    const calls = [
      { id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { id: 'call_2', name: 'get_time', arguments: '{"tz":"CET"}' },
    ];
    fake.reply({ toolCalls: calls });
    const tools: ChatRequest['tools'] = [
      { type: 'function', name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
      { type: 'function', name: 'get_time', parameters: { type: 'object' } },
    ];
    const first = await complete(request({ tools, toolChoice: { type: 'required' }, parallelToolCalls: true }));
    expect(first.choices[0]).toMatchObject({ finishReason: 'tool_calls', message: { toolCalls: calls } });
    expect(lastBody()).toMatchObject({ tool_choice: 'required', parallel_tool_calls: true });

    fake.reply({ text: 'Sunny at noon.' });
    const second = await complete(
      request({
        tools,
        messages: [
          user('Weather and time?'),
          first.choices[0]!.message,
          { role: 'tool', toolCallId: 'call_1', content: [{ type: 'text', text: 'sunny' }] },
          { role: 'tool', toolCallId: 'call_2', content: [{ type: 'text', text: 'noon' }] },
        ],
      }),
    );
    expect(second.choices[0]!.message.content).toEqual([{ type: 'text', text: 'Sunny at noon.' }]);
  });

  it('json_schema structured output', async () => {
    fake.reply({ text: '{"answer":42}' });
    const res = await complete(
      request({ responseFormat: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true } }),
    );
    expect(lastBody().response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'answer', schema: { type: 'object' }, strict: true },
    });
    expect(res.choices[0]!.message.content[0]!.text).toBe('{"answer":42}');
  });

  it('reasoning and cached tokens in usage; effort and max_completion_tokens sent', async () => {
    fake.reply({ text: 'ok', usage: { input: 1000, output: 300, cached: 768, reasoning: 256 } });
    const res = await complete(request({ reasoning: { effort: 'high' }, maxTokens: 2000 }));
    expect(lastBody()).toMatchObject({ reasoning_effort: 'high', max_completion_tokens: 2000 });
    expect(res.usage).toEqual({
      inputTokens: 1000,
      outputTokens: 300,
      cachedInputTokens: 768,
      cacheWriteInputTokens: 0,
      reasoningTokens: 256,
    });
  });

  it('metadata is not sent (OpenAI would answer 400 without store)', async () => {
    const res = await complete(request({ metadata: { team: 'a' }, user: 'u1' }));
    expect(res.choices).toHaveLength(1);
    expect(lastBody()).not.toHaveProperty('metadata');
    expect(lastBody().user).toBe('u1');
  });

  it('n choices', async () => {
    fake.reply({ text: 'same' });
    expect((await complete(request({ n: 3 }))).choices.map((c) => c.index)).toEqual([0, 1, 2]);
  });

  it('streamed text with usage', async () => {
    fake.reply({ text: 'Streaming works fine', usage: { input: 8, output: 4, cached: 2, reasoning: 1 } });
    const events = await stream(request());
    expect(events[0]).toEqual({ type: 'start', id: 'chatcmpl-fake0001', model: 'gpt-4o-mini', created: 1_700_000_000 });
    expect(events.flatMap((e) => (e.type === 'text_delta' ? [e.text] : [])).join('')).toBe('Streaming works fine');
    expect(events).toContainEqual({ type: 'finish', choice: 0, finishReason: 'stop' });
    expect(events.at(-1)).toEqual({
      type: 'usage',
      usage: { inputTokens: 8, outputTokens: 4, cachedInputTokens: 2, cacheWriteInputTokens: 0, reasoningTokens: 1 },
    });
    expect(lastBody().stream_options).toEqual({ include_usage: true });
  });

  it('streamed parallel tool calls', async () => {
    fake.reply({
      toolCalls: [
        { id: 'call_a', name: 'a', arguments: '{"x":"a long argument"}' },
        { id: 'call_b', name: 'b', arguments: '{}' },
      ],
    });
    const events = await stream(
      request({
        tools: [
          { type: 'function', name: 'a', parameters: {} },
          { type: 'function', name: 'b', parameters: {} },
        ],
      }),
    );
    const args = (index: number) =>
      events.flatMap((e) => (e.type === 'tool_call_delta' && e.index === index ? [e.argumentsDelta] : [])).join('');
    expect(events.filter((e) => e.type === 'tool_call_start')).toEqual([
      { type: 'tool_call_start', choice: 0, index: 0, id: 'call_a', name: 'a' },
      { type: 'tool_call_start', choice: 0, index: 1, id: 'call_b', name: 'b' },
    ]);
    expect([args(0), args(1)]).toEqual(['{"x":"a long argument"}', '{}']);
    expect(events).toContainEqual({ type: 'finish', choice: 0, finishReason: 'tool_calls' });
  });

  it('a connection dropped mid-stream ends in upstream_stream_cut', async () => {
    fake.reply({ text: 'This will not finish' });
    fake.fail({ kind: 'die-mid-stream', afterEvents: 2 });
    const events = await stream(request());
    expect(events.some((e) => e.type === 'text_delta')).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'error', code: 'upstream_stream_cut' });
  });

  it('a stream that closes cleanly before its finish and [DONE] ends in upstream_stream_cut', async () => {
    const chunk = (delta: Record<string, unknown>) =>
      `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`;
    const cut = await startFakeUpstream({
      name: 'cut',
      routes: [
        {
          method: 'POST',
          pattern: '/v1/chat/completions',
          handle: () => ({ kind: 'sse', frames: [chunk({ role: 'assistant' }), chunk({ content: 'Half' })] }),
        },
      ],
    });
    try {
      const res = await send(openaiAdapter.chatRequest({ ...request(), stream: true }, { ...target, baseUrl: `${cut.url}/v1` }));
      const events = await decodeStream(res, openaiAdapter.chatStreamDecoder());
      expect(events).toContainEqual({ type: 'text_delta', choice: 0, text: 'Half' });
      expect(events.at(-1)).toMatchObject({ type: 'error', code: 'upstream_stream_cut' });
    } finally {
      await cut.close();
    }
  });

  it('embeddings, float and base64', async () => {
    for (const encodingFormat of ['float', 'base64'] as const) {
      const res = await send(openaiAdapter.embeddingsRequest!({ model: 'x', input: ['a', 'b'], dimensions: 4, encodingFormat }, target));
      const out = openaiAdapter.embeddingsResponse!(await res.json());
      expect(out.data).toEqual([fakeEmbedding(0, 4), fakeEmbedding(1, 4)]);
      expect(out.usage.inputTokens).toBe(6);
      expect(lastBody().encoding_format).toBe(encodingFormat);
    }
  });

  it('a wrong key: 401, not retryable, and the quoted key is scrubbed', async () => {
    const res = await send(openaiAdapter.chatRequest(request(), { ...target, apiKey: 'sk-wrong-key-abcdefghijkl1234' }));
    expect(res.status).toBe(401);
    const info = openaiAdapter.errorInfo(res.status, res.headers, await res.text());
    expect(info).toMatchObject({ status: 401, retryable: false, code: 'invalid_api_key' });
    expect(info.message).toContain('Incorrect API key provided');
    expect(info.message).not.toMatch(/sk-|1234/);
  });

  it('429 with retry-after is retryable', async () => {
    fake.fail({
      kind: 'status',
      status: 429,
      headers: { 'retry-after': '7' },
      body: { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded', param: null } },
    });
    const res = await send(openaiAdapter.chatRequest(request(), target));
    expect(openaiAdapter.errorInfo(res.status, res.headers, await res.text())).toMatchObject({
      retryable: true,
      retryAfterSeconds: 7,
      code: 'rate_limit_exceeded',
    });
  });

  it('passthrough chat stream: include_usage forced upstream, usage chunk hidden from the client, usage billed', async () => {
    fake.reply({ text: 'pass', usage: { input: 5, output: 1 } });
    const clientBody = { model: 'alias', messages: [{ role: 'user', content: 'Hi' }], stream: true };
    const res = await send(openaiAdapter.passthroughRequest!({ format: 'openai-chat', body: clientBody, target, stream: true }));
    expect(lastBody()).toEqual({ ...clientBody, model: 'gpt-4o-mini', stream_options: { include_usage: true } });
    const observer = openaiAdapter.passthroughStreamObserver!('openai-chat', { clientWantsUsage: false });
    const { events } = await readSse(res);
    const forwarded = events.filter((e) => observer.observe(e).forward);
    expect(events.length - forwarded.length).toBe(1);
    expect(forwarded.some((e) => e.data.includes('"choices":[]'))).toBe(false);
    expect(observer.usage()).toMatchObject({ inputTokens: 5, outputTokens: 1 });
    expect(observer.completed()).toBe(true);
  });

  it('passthrough responses: JSON usage, and the full typed stream with usage from response.completed', async () => {
    fake.reply({
      text: 'resp',
      usage: { input: 20, output: 6, cached: 10, reasoning: 2 },
      toolCalls: [{ id: 'call_z', name: 'z', arguments: '{"q":1}' }],
    });
    const json = await send(
      openaiAdapter.passthroughRequest!({ format: 'openai-responses', body: { model: 'alias', input: 'Hi' }, target, stream: false }),
    );
    expect(openaiAdapter.passthroughResponseUsage!('openai-responses', await json.json())).toEqual({
      model: 'gpt-4o-mini',
      usage: { inputTokens: 20, outputTokens: 6, cachedInputTokens: 10, cacheWriteInputTokens: 0, reasoningTokens: 2 },
    });

    fake.reply({
      text: 'resp',
      usage: { input: 20, output: 6, cached: 10, reasoning: 2 },
      toolCalls: [{ id: 'call_z', name: 'z', arguments: '{"q":1}' }],
    });
    const res = await send(
      openaiAdapter.passthroughRequest!({
        format: 'openai-responses',
        body: { model: 'alias', input: 'Hi', stream: true },
        target,
        stream: true,
      }),
    );
    const { events } = await readSse(res);
    const observer = openaiAdapter.passthroughStreamObserver!('openai-responses', { clientWantsUsage: false });
    for (const e of events) expect(observer.observe(e).forward).toBe(true);
    const types = events.map((e) => e.event);
    expect(types[0]).toBe('response.created');
    expect(types).toContain('response.function_call_arguments.done');
    expect(types.at(-1)).toBe('response.completed');
    expect(events.map((e) => (JSON.parse(e.data) as { sequence_number: number }).sequence_number)).toEqual(events.map((_, i) => i));
    expect(observer.completed()).toBe(true);
    expect(observer.usage()).toMatchObject({ inputTokens: 20, cachedInputTokens: 10, reasoningTokens: 2 });
    expect(observer.servedModel()).toBe('gpt-4o-mini');
  });
});
