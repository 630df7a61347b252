import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../gateway/canonical/types.js';
import { createSseParser, formatSse } from '../sse.js';
import { UpstreamProtocolError } from '../types.js';
import { anthropicAdapter } from './index.js';

const ev = (type: string, payload: Record<string, unknown> = {}) => formatSse(JSON.stringify({ type, ...payload }), type);

const fullStream = [
  ev('message_start', {
    message: {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 20, cache_read_input_tokens: 100, cache_creation_input_tokens: 5, output_tokens: 1 },
    },
  }),
  ev('ping'),
  ev('content_block_start', { index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }),
  ev('content_block_delta', { index: 0, delta: { type: 'thinking_delta', thinking: 'Let me ' } }),
  ev('content_block_delta', { index: 0, delta: { type: 'thinking_delta', thinking: 'think… ✓' } }),
  ev('content_block_delta', { index: 0, delta: { type: 'signature_delta', signature: 'EqQBCgIYAhIM' } }),
  ev('content_block_stop', { index: 0 }),
  ev('content_block_start', { index: 1, content_block: { type: 'redacted_thinking', data: 'opaque' } }),
  ev('content_block_stop', { index: 1 }),
  ev('content_block_start', { index: 2, content_block: { type: 'text', text: '' } }),
  ev('content_block_delta', { index: 2, delta: { type: 'text_delta', text: 'Héllo ' } }),
  ev('content_block_delta', { index: 2, delta: { type: 'citations_delta', citation: { type: 'char_location' } } }),
  ev('content_block_delta', { index: 2, delta: { type: 'text_delta', text: 'wörld 🌍' } }),
  ev('content_block_stop', { index: 2 }),
  ev('content_block_start', { index: 3, content_block: { type: 'tool_use', id: 'toolu_a', name: 'get', input: {} } }),
  ev('content_block_delta', { index: 3, delta: { type: 'input_json_delta', partial_json: '' } }),
  ev('content_block_delta', { index: 3, delta: { type: 'input_json_delta', partial_json: '{"id":' } }),
  ev('content_block_delta', { index: 3, delta: { type: 'input_json_delta', partial_json: '7}' } }),
  ev('content_block_stop', { index: 3 }),
  ev('content_block_start', { index: 4, content_block: { type: 'tool_use', id: 'toolu_b', name: 'put', input: {} } }),
  ev('content_block_delta', { index: 4, delta: { type: 'input_json_delta', partial_json: '{}' } }),
  ev('content_block_stop', { index: 4 }),
  ev('message_delta', {
    delta: { stop_reason: 'tool_use', stop_sequence: null },
    usage: { output_tokens: 42, input_tokens: 20, cache_read_input_tokens: 100, cache_creation_input_tokens: 5 },
  }),
  ev('message_stop'),
].join('');

function decodeText(text: string, chunk = 1): StreamEvent[] {
  const parser = createSseParser();
  const decoder = anthropicAdapter.chatStreamDecoder();
  const out: StreamEvent[] = [];
  for (let i = 0; i < text.length; i += chunk) for (const sse of parser.push(text.slice(i, i + chunk))) out.push(...decoder.push(sse));
  for (const sse of parser.end()) out.push(...decoder.push(sse));
  out.push(...decoder.end());
  return out;
}

const strip = (events: StreamEvent[]) => events.map((e) => (e.type === 'start' ? { ...e, created: 0 } : e));

describe('anthropic stream decoder', () => {
  it('decodes the full event sequence fed one character at a time', () => {
    const events = strip(decodeText(fullStream, 1));
    const usage0 = { inputTokens: 125, outputTokens: 1, cachedInputTokens: 100, cacheWriteInputTokens: 5, reasoningTokens: 0 };
    expect(events).toEqual([
      { type: 'start', id: 'msg_1', model: 'claude-sonnet-4-5', created: 0 },
      { type: 'usage', usage: usage0 },
      { type: 'reasoning_delta', choice: 0, text: 'Let me ' },
      { type: 'reasoning_delta', choice: 0, text: 'think… ✓' },
      { type: 'reasoning_signature', choice: 0, signature: 'EqQBCgIYAhIM' },
      { type: 'redacted_reasoning', choice: 0, data: 'opaque' },
      { type: 'text_delta', choice: 0, text: 'Héllo ' },
      { type: 'text_delta', choice: 0, text: 'wörld 🌍' },
      { type: 'tool_call_start', choice: 0, index: 0, id: 'toolu_a', name: 'get' },
      { type: 'tool_call_delta', choice: 0, index: 0, argumentsDelta: '{"id":' },
      { type: 'tool_call_delta', choice: 0, index: 0, argumentsDelta: '7}' },
      { type: 'tool_call_start', choice: 0, index: 1, id: 'toolu_b', name: 'put' },
      { type: 'tool_call_delta', choice: 0, index: 1, argumentsDelta: '{}' },
      { type: 'finish', choice: 0, finishReason: 'tool_calls', stopSequence: null },
      { type: 'usage', usage: { ...usage0, outputTokens: 42 } },
    ]);
  });

  it('gives the same events whatever the chunking', () => {
    const reference = strip(decodeText(fullStream, fullStream.length));
    for (const size of [2, 7, 64]) expect(strip(decodeText(fullStream, size))).toEqual(reference);
  });

  it('numbers tool calls by the order of tool_use blocks, not by block index', () => {
    const events = decodeText(
      [
        ev('message_start', { message: { id: 'm', model: 'c', usage: { input_tokens: 1, output_tokens: 0 } } }),
        ev('content_block_start', { index: 0, content_block: { type: 'server_tool_use', id: 's', name: 'web_search', input: {} } }),
        ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: '{"q":1}' } }),
        ev('content_block_start', { index: 1, content_block: { type: 'web_search_tool_result', tool_use_id: 's', content: [] } }),
        ev('content_block_start', { index: 2, content_block: { type: 'tool_use', id: 't', name: 'f', input: { preset: true } } }),
        ev('message_delta', { delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 3 } }),
        ev('message_stop'),
      ].join(''),
      50,
    );
    expect(events.filter((e) => e.type.startsWith('tool_call'))).toEqual([
      { type: 'tool_call_start', choice: 0, index: 0, id: 't', name: 'f' },
      { type: 'tool_call_delta', choice: 0, index: 0, argumentsDelta: '{"preset":true}' },
    ]);
  });

  it('reads the stop sequence and keeps earlier counters when message_delta omits them', () => {
    const events = decodeText(
      [
        ev('message_start', { message: { id: 'm', model: 'c', usage: { input_tokens: 7, cache_read_input_tokens: 3, output_tokens: 1 } } }),
        ev('message_delta', { delta: { stop_reason: 'stop_sequence', stop_sequence: '###' }, usage: { output_tokens: 9 } }),
        ev('message_stop'),
      ].join(''),
    );
    expect(events.find((e) => e.type === 'finish')).toEqual({ type: 'finish', choice: 0, finishReason: 'stop', stopSequence: '###' });
    expect(events.at(-1)).toEqual({
      type: 'usage',
      usage: { inputTokens: 10, outputTokens: 9, cachedInputTokens: 3, cacheWriteInputTokens: 0, reasoningTokens: 0 },
    });
  });

  it('turns an error event into a canonical error, with credentials removed, and nothing after it', () => {
    const decoder = anthropicAdapter.chatStreamDecoder();
    decoder.push({ event: 'message_start', data: JSON.stringify({ message: { id: 'm', model: 'c' } }) });
    const out = decoder.push({
      event: 'error',
      data: JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded (key sk-ant-api03-abcdef)' } }),
    });
    expect(out).toEqual([{ type: 'error', code: 'overloaded_error', message: 'Overloaded (key [redacted])' }]);
    expect(decoder.push({ event: 'message_stop', data: '{}' })).toEqual([]);
    expect(decoder.end()).toEqual([]);
  });

  it('still reports an error event whose body is unreadable', () => {
    const decoder = anthropicAdapter.chatStreamDecoder();
    expect(decoder.push({ event: 'error', data: 'not json' })).toEqual([
      { type: 'error', code: 'api_error', message: 'anthropic reported a stream error' },
    ]);
  });

  it('reports a stream cut off before message_stop', () => {
    const cut = fullStream.slice(0, fullStream.indexOf('event: message_delta'));
    expect(decodeText(cut, 100).at(-1)).toEqual({
      type: 'error',
      code: 'upstream_stream_cut',
      message: 'the anthropic stream ended before message_stop',
    });
    expect(anthropicAdapter.chatStreamDecoder().end()).toEqual([
      { type: 'error', code: 'upstream_stream_cut', message: 'the anthropic stream ended before message_stop' },
    ]);
  });

  it('ignores unknown event types', () => {
    const decoder = anthropicAdapter.chatStreamDecoder();
    expect(decoder.push({ event: 'something_new', data: '{"type":"something_new"}' })).toEqual([]);
  });

  it.each([
    ['non-JSON data', { event: 'message_start', data: '{oops' }],
    ['message_start without id', { event: 'message_start', data: '{"message":{"model":"c"}}' }],
    [
      'delta for a block that never started',
      { event: 'content_block_delta', data: '{"index":5,"delta":{"type":"text_delta","text":"x"}}' },
    ],
    ['text_delta without text', { event: 'content_block_delta', data: '{"index":0,"delta":{"type":"text_delta"}}' }],
  ])('throws UpstreamProtocolError on %s', (_name, event) => {
    const decoder = anthropicAdapter.chatStreamDecoder();
    decoder.push({ event: 'content_block_start', data: '{"index":0,"content_block":{"type":"text","text":""}}' });
    expect(() => decoder.push(event)).toThrow(UpstreamProtocolError);
  });

  it('refuses a second message_start', () => {
    const decoder = anthropicAdapter.chatStreamDecoder();
    const start = { event: 'message_start', data: '{"message":{"id":"m","model":"c"}}' };
    decoder.push(start);
    expect(() => decoder.push(start)).toThrow(UpstreamProtocolError);
  });
});
