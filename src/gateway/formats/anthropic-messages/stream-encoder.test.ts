import Anthropic from '@anthropic-ai/sdk';
import AnthropicV0 from 'anthropic-sdk-v0';
import { describe, expect, it } from 'vitest';
import { anthropicAdapter } from '../../../providers/anthropic/index.js';
import { createSseParser, type SseEvent } from '../../../providers/sse.js';
import type { StreamEvent } from '../../canonical/types.js';
import { anthropicMessagesFormat } from './index.js';

const context = { requestedModel: 'my-alias', requestId: 'req_42' };

function encode(events: StreamEvent[]): string[] {
  const encoder = anthropicMessagesFormat.createStreamEncoder(context);
  return [...events.flatMap((e) => encoder.encode(e)), ...encoder.end()];
}

function sse(frames: string[]): SseEvent[] {
  const parser = createSseParser();
  return [...parser.push(frames.join('')), ...parser.end()];
}

const payloads = (frames: string[]) =>
  sse(frames).map((e) => {
    const data = JSON.parse(e.data) as { type: string };
    expect(e.event).toBe(data.type); // the SDKs skip events without an `event:` name
    return data;
  });

const usage = { inputTokens: 1200, outputTokens: 70, cachedInputTokens: 1000, cacheWriteInputTokens: 100, reasoningTokens: 5 };

const canonical: StreamEvent[] = [
  { type: 'start', id: 'chatcmpl-1', model: 'gpt-4o', created: 1 },
  { type: 'reasoning_delta', choice: 0, text: 'Thinking ' },
  { type: 'reasoning_delta', choice: 0, text: 'hard.' },
  { type: 'reasoning_signature', choice: 0, signature: 'sig-9' },
  { type: 'text_delta', choice: 0, text: 'Héllo ' },
  { type: 'text_delta', choice: 0, text: '' },
  { type: 'text_delta', choice: 0, text: 'wörld' },
  { type: 'tool_call_start', choice: 0, index: 0, id: 'call_a', name: 'get' },
  { type: 'tool_call_delta', choice: 0, index: 0, argumentsDelta: '{"id":' },
  { type: 'tool_call_delta', choice: 0, index: 0, argumentsDelta: '1}' },
  { type: 'tool_call_start', choice: 0, index: 1, id: 'call_b', name: 'put' },
  { type: 'tool_call_delta', choice: 0, index: 1, argumentsDelta: '{}' },
  { type: 'finish', choice: 0, finishReason: 'tool_calls' },
  { type: 'usage', usage },
];

describe('anthropic messages stream encoder', () => {
  it('produces the Messages event sequence with sequential block indices', () => {
    expect(payloads(encode(canonical))).toEqual([
      {
        type: 'message_start',
        message: {
          id: 'msg_req_42',
          type: 'message',
          role: 'assistant',
          model: 'gpt-4o',
          content: [],
          stop_reason: null,
          stop_sequence: null,
          stop_details: null,
          container: null,
          usage: { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 },
        },
      },
      { type: 'ping' },
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Thinking ' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'hard.' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'sig-9' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Héllo ' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'wörld' } },
      { type: 'content_block_stop', index: 1 },
      { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'call_a', name: 'get', input: {} } },
      { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"id":' } },
      { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '1}' } },
      { type: 'content_block_stop', index: 2 },
      { type: 'content_block_start', index: 3, content_block: { type: 'tool_use', id: 'call_b', name: 'put', input: {} } },
      { type: 'content_block_delta', index: 3, delta: { type: 'input_json_delta', partial_json: '{}' } },
      { type: 'content_block_stop', index: 3 },
      {
        type: 'message_delta',
        delta: { stop_reason: 'tool_use', stop_sequence: null, stop_details: null, container: null },
        usage: { input_tokens: 100, output_tokens: 70, cache_creation_input_tokens: 100, cache_read_input_tokens: 1000 },
      },
      { type: 'message_stop' },
    ]);
  });

  it('puts usage known at the start into message_start', () => {
    const frames = encode([
      { type: 'usage', usage },
      { type: 'start', id: 'msg_up', model: 'claude-x', created: 1 },
      { type: 'text_delta', choice: 0, text: 'x' },
      { type: 'finish', choice: 0, finishReason: 'stop', stopSequence: 'END' },
    ]);
    const [start, ...rest] = payloads(frames) as unknown as Record<string, Record<string, unknown>>[];
    expect(start!.message).toMatchObject({ id: 'msg_up', usage: { input_tokens: 100, cache_read_input_tokens: 1000, output_tokens: 0 } });
    expect(rest.at(-2)).toMatchObject({ delta: { stop_reason: 'stop_sequence', stop_sequence: 'END' } });
  });

  it('starts the message on the first content when no start event came', () => {
    const [start] = payloads(
      encode([
        { type: 'text_delta', choice: 0, text: 'x' },
        { type: 'finish', choice: 0, finishReason: 'length' },
      ]),
    );
    expect(start).toMatchObject({ type: 'message_start', message: { id: 'msg_req_42', model: 'my-alias' } });
  });

  it('renders a redacted block and a refusal as text, and ignores choices other than 0', () => {
    const events = payloads(
      encode([
        { type: 'start', id: 'x', model: 'm', created: 1 },
        { type: 'redacted_reasoning', choice: 0, data: 'enc' },
        { type: 'text_delta', choice: 1, text: 'other choice' },
        { type: 'refusal_delta', choice: 0, text: 'No.' },
        { type: 'finish', choice: 0, finishReason: 'content_filter' },
      ]),
    );
    expect(events[1]).toEqual({ type: 'ping' }); // right after message_start, as the API sends it
    expect(events.slice(2, -2)).toEqual([
      { type: 'content_block_start', index: 0, content_block: { type: 'redacted_thinking', data: 'enc' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'No.' } },
      { type: 'content_block_stop', index: 1 },
    ]);
    expect(events.at(-2)).toMatchObject({
      delta: { stop_reason: 'refusal', stop_details: { type: 'refusal' } },
      usage: { output_tokens: 0 },
    });
  });

  it('ends with an error frame when the canonical stream errors, and emits nothing after it', () => {
    const encoder = anthropicMessagesFormat.createStreamEncoder(context);
    encoder.encode({ type: 'text_delta', choice: 0, text: 'partial' });
    const frames = encoder.encode({ type: 'error', code: 'upstream_overloaded', message: 'The provider is overloaded.' });
    expect(frames).toEqual([
      'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"The provider is overloaded."}}\n\n',
    ]);
    expect(encoder.encode({ type: 'finish', choice: 0, finishReason: 'stop' })).toEqual([]);
    expect(encoder.end()).toEqual([]);
  });

  it('ends with an error frame when no finish came (cut off) or the finish was an error', () => {
    const cut = payloads(
      encode([
        { type: 'start', id: 'x', model: 'm', created: 1 },
        { type: 'text_delta', choice: 0, text: 'par' },
      ]),
    );
    expect(cut.at(-1)).toEqual({
      type: 'error',
      error: { type: 'api_error', message: 'the upstream stream ended before the answer was complete' },
    });
    expect(cut.some((e) => e.type === 'message_stop')).toBe(false);
    const errored = payloads(encode([{ type: 'finish', choice: 0, finishReason: 'error' }]));
    expect(errored).toEqual([
      { type: 'error', error: { type: 'api_error', message: 'the upstream provider ended the answer with an error' } },
    ]);
  });

  it('fails loudly instead of misplacing tool arguments that arrive out of order', () => {
    const events = payloads(
      encode([
        { type: 'tool_call_start', choice: 0, index: 0, id: 'a', name: 'f' },
        { type: 'tool_call_start', choice: 0, index: 1, id: 'b', name: 'g' },
        { type: 'tool_call_delta', choice: 0, index: 0, argumentsDelta: '{"late":true}' },
        { type: 'finish', choice: 0, finishReason: 'tool_calls' },
      ]),
    );
    expect(events.at(-1)).toEqual({ type: 'error', error: { type: 'api_error', message: 'tool call arguments arrived out of order' } });
  });

  it.each([
    ['overloaded_error', 'overloaded_error'],
    ['rate_limit_error', 'rate_limit_error'],
    ['upstream_rate_limited', 'rate_limit_error'],
    ['internal_error', 'api_error'],
    ['upstream_stream_cut', 'api_error'],
  ])('streamErrorFrames maps code %s to %s', (code, type) => {
    const [frame] = anthropicMessagesFormat.streamErrorFrames('boom', code);
    expect(payloads([frame!])).toEqual([{ type: 'error', error: { type, message: 'boom' } }]);
  });

  it('re-decodes through the Anthropic decoder to the same canonical events', () => {
    const decoder = anthropicAdapter.chatStreamDecoder();
    const decoded = sse(encode(canonical)).flatMap((e) => decoder.push(e));
    decoded.push(...decoder.end());
    const content = (events: StreamEvent[]) =>
      events.filter((e) => !['start', 'usage', 'finish'].includes(e.type) && !(e.type === 'text_delta' && e.text === ''));
    expect(content(decoded)).toEqual(content(canonical));
    expect(decoded.find((e) => e.type === 'finish')).toEqual({ type: 'finish', choice: 0, finishReason: 'tool_calls', stopSequence: null });
    expect(decoded.at(-1)).toEqual({ type: 'usage', usage: { ...usage, reasoningTokens: 0 } });
  });
});

type Sent = { url: string; headers: Headers; body: unknown };
type FinalMessage = { content: unknown; stop_reason: unknown; usage: unknown };
/** The part of both SDK majors' clients these tests use (their full types differ between majors). */
type MinimalClient = {
  messages: {
    stream(body: Record<string, unknown>): { finalMessage(): Promise<FinalMessage> };
    create(body: Record<string, unknown>): Promise<Record<string, unknown>>;
  };
};

/** SDK clients whose HTTP layer answers every request with `body`, recording what was sent. */
function clients(body: string, sent: Sent[] = []): { v1: MinimalClient; v0: MinimalClient } {
  const fetchImpl = (url: string | URL | Request, init?: RequestInit) => {
    const text = typeof init?.body === 'string' ? init.body : '';
    sent.push({ url: url instanceof Request ? url.url : url.toString(), headers: new Headers(init?.headers), body: JSON.parse(text) });
    const stream = body.startsWith('event:');
    return Promise.resolve(new Response(body, { headers: { 'content-type': stream ? 'text/event-stream' : 'application/json' } }));
  };
  const options = { apiKey: 'pcl_test_key', baseURL: 'http://gateway.test', fetch: fetchImpl, maxRetries: 0 };
  return { v1: new Anthropic(options) as unknown as MinimalClient, v0: new AnthropicV0(options) as unknown as MinimalClient };
}

const params = { model: 'my-alias', max_tokens: 1024, messages: [{ role: 'user' as const, content: 'Hi' }] };

describe('official SDKs accept what the gateway produces', () => {
  it.each(['v1', 'v0'] as const)('%s MessageStream accumulates the encoded stream into the right final message', async (version) => {
    const client = clients(encode(canonical).join(''))[version];
    const message = await client.messages.stream(params).finalMessage();
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'Thinking hard.', signature: 'sig-9' },
      { type: 'text', text: 'Héllo wörld' },
      { type: 'tool_use', id: 'call_a', name: 'get', input: { id: 1 } },
      { type: 'tool_use', id: 'call_b', name: 'put', input: {} },
    ]);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage).toMatchObject({
      input_tokens: 100,
      output_tokens: 70,
      cache_creation_input_tokens: 100,
      cache_read_input_tokens: 1000,
    });
  });

  it.each(['v1', 'v0'] as const)('%s surfaces the error frame as an APIError of the right type', async (version) => {
    const frames = encode([
      { type: 'start', id: 'x', model: 'm', created: 1 },
      { type: 'text_delta', choice: 0, text: 'par' },
      { type: 'error', code: 'overloaded_error', message: 'Overloaded, retry later.' },
    ]);
    const client = clients(frames.join(''))[version];
    const error: unknown = await client.messages
      .stream(params)
      .finalMessage()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(version === 'v1' ? Anthropic.APIError : AnthropicV0.APIError);
    // The SDKs keep the frame's body as `error`; its error.type is what clients branch on.
    expect((error as { error?: unknown }).error).toEqual({
      type: 'error',
      error: { type: 'overloaded_error', message: 'Overloaded, retry later.' },
    });
    expect(String(error)).toContain('Overloaded, retry later.');
  });

  it.each(['v1', 'v0'] as const)('%s reads a rendered non-streamed Message', async (version) => {
    const rendered = anthropicMessagesFormat.renderResponse(
      {
        id: 'chatcmpl-1',
        model: 'gpt-4o',
        created: 1,
        choices: [{ index: 0, message: { role: 'assistant', content: [{ type: 'text', text: 'Hello' }] }, finishReason: 'stop' }],
        usage: { inputTokens: 10, outputTokens: 2, cachedInputTokens: 0, cacheWriteInputTokens: 0, reasoningTokens: 0 },
      },
      context,
    );
    const message = await clients(JSON.stringify(rendered))[version].messages.create(params);
    expect(message).toMatchObject({
      id: 'msg_req_42',
      content: [{ type: 'text', text: 'Hello' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 10 },
    });
  });

  it.each(['v1', 'v0'] as const)('parses the body the %s SDK sends, content blocks and all', async (version) => {
    const sent: Sent[] = [];
    const { [version]: client } = clients(
      JSON.stringify({
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model: 'm',
        content: [],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 1, output_tokens: 1 },
      }),
      sent,
    );
    await client.messages.create({
      model: 'my-alias',
      max_tokens: 4096,
      system: [{ type: 'text', text: 'sys', cache_control: { type: 'ephemeral' } }],
      thinking: { type: 'enabled', budget_tokens: 2048 },
      tools: [{ name: 'get', description: 'Get', input_schema: { type: 'object', properties: { id: { type: 'string' } } } }],
      tool_choice: { type: 'auto', disable_parallel_tool_use: true },
      metadata: { user_id: 'u' },
      stop_sequences: ['END'],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'look' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBOR' } },
            { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBER' }, title: 'doc' },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 't', signature: 's' },
            { type: 'tool_use', id: 'toolu_1', name: 'get', input: { id: 'a' } },
          ],
        },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'ok' }], is_error: false }],
        },
      ],
    });
    const { body, headers, url } = sent[0]!;
    expect(url).toBe('http://gateway.test/v1/messages');
    expect(headers.get('anthropic-version')).toBe(version === 'v1' ? '2026-10-21' : '2023-06-01');
    const parsed = anthropicMessagesFormat.parseRequest(body);
    expect(parsed.raw).toEqual(body);
    expect(parsed.unknownFields).toEqual([]);
    expect(parsed.untranslatable).toEqual([]);
    expect(parsed.request).toMatchObject({
      maxTokens: 4096,
      reasoning: { budgetTokens: 2048 },
      parallelToolCalls: false,
      user: 'u',
      stop: ['END'],
    });
    expect(parsed.request.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool']);
  });
});
