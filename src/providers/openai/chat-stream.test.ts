import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../gateway/canonical/types.js';
import { createSseParser } from '../sse.js';
import { UpstreamProtocolError } from '../types.js';
import { createChatStreamDecoder } from './chat-stream.js';
import type { ChatDialect } from './dialect.js';
import { openAiDialect } from './dialect.js';

const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'gpt-4o', choices, ...extra })}\n\n`;
const delta = (d: Record<string, unknown>, finish: string | null = null, index = 0) => chunk([{ index, delta: d, finish_reason: finish }]);

/** Feeds SSE text through the real parser in pieces of `size` characters, then ends the stream. */
function decode(text: string, size = 1, dialect: ChatDialect = openAiDialect): StreamEvent[] {
  const parser = createSseParser();
  const decoder = createChatStreamDecoder(dialect);
  const out: StreamEvent[] = [];
  for (let i = 0; i < text.length; i += size) for (const event of parser.push(text.slice(i, i + size))) out.push(...decoder.push(event));
  for (const event of parser.end()) out.push(...decoder.push(event));
  out.push(...decoder.end());
  return out;
}

const usageChunk = chunk([], {
  usage: {
    prompt_tokens: 20,
    completion_tokens: 10,
    total_tokens: 30,
    prompt_tokens_details: { cached_tokens: 8 },
    completion_tokens_details: { reasoning_tokens: 4 },
  },
});

const toolStream =
  delta({ role: 'assistant', content: null }) +
  delta({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }] }) +
  delta({ tool_calls: [{ index: 0, function: { arguments: '{"ci' } }] }) +
  delta({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '' } }] }) +
  delta({ tool_calls: [{ index: 0, function: { arguments: 'ty":"Paris"}' } }] }) +
  delta({ tool_calls: [{ index: 1, function: { arguments: '{}' } }] }) +
  delta({}, 'tool_calls') +
  usageChunk +
  'data: [DONE]\n\n';

describe('Chat Completions stream decoder', () => {
  it('decodes text, finish and the usage-only chunk, one character at a time', () => {
    const text =
      delta({ role: 'assistant', content: '' }) +
      delta({ content: 'Hel' }) +
      delta({ content: 'lo ✓' }) +
      delta({}, 'stop') +
      usageChunk +
      'data: [DONE]\n\n';
    expect(decode(text)).toEqual([
      { type: 'start', id: 'chatcmpl-1', model: 'gpt-4o', created: 1_700_000_000 },
      { type: 'text_delta', choice: 0, text: 'Hel' },
      { type: 'text_delta', choice: 0, text: 'lo ✓' },
      { type: 'finish', choice: 0, finishReason: 'stop' },
      { type: 'usage', usage: { inputTokens: 20, outputTokens: 10, cachedInputTokens: 8, cacheWriteInputTokens: 0, reasoningTokens: 4 } },
    ]);
  });

  it('decodes interleaved parallel tool calls from fragments, with \\r\\n line endings split across reads', () => {
    const events = decode(toolStream.replace(/\n/g, '\r\n'), 3);
    expect(events.filter((e) => e.type.startsWith('tool_call') || e.type === 'finish')).toEqual([
      { type: 'tool_call_start', choice: 0, index: 0, id: 'call_a', name: 'get_weather' },
      { type: 'tool_call_delta', choice: 0, index: 0, argumentsDelta: '{"ci' },
      { type: 'tool_call_start', choice: 0, index: 1, id: 'call_b', name: 'get_time' },
      { type: 'tool_call_delta', choice: 0, index: 0, argumentsDelta: 'ty":"Paris"}' },
      { type: 'tool_call_delta', choice: 0, index: 1, argumentsDelta: '{}' },
      { type: 'finish', choice: 0, finishReason: 'tool_calls' },
    ]);
  });

  it('decodes a refusal', () => {
    const events = decode(delta({ refusal: "I can't" }) + delta({ refusal: ' help.' }) + delta({}, 'stop') + 'data: [DONE]\n\n', 7);
    expect(events.filter((e) => e.type === 'refusal_delta')).toEqual([
      { type: 'refusal_delta', choice: 0, text: "I can't" },
      { type: 'refusal_delta', choice: 0, text: ' help.' },
    ]);
  });

  it('keeps choices apart when n > 1', () => {
    const text =
      delta({ content: 'a' }, null, 0) +
      delta({ content: 'b' }, null, 1) +
      delta({}, 'stop', 0) +
      delta({}, 'length', 1) +
      'data: [DONE]\n\n';
    expect(decode(text, 50).slice(1)).toEqual([
      { type: 'text_delta', choice: 0, text: 'a' },
      { type: 'text_delta', choice: 1, text: 'b' },
      { type: 'finish', choice: 0, finishReason: 'stop' },
      { type: 'finish', choice: 1, finishReason: 'length' },
    ]);
  });

  it('ends with upstream_stream_cut when neither [DONE] nor a finish came', () => {
    const events = decode(delta({ content: 'Hel' }));
    expect(events.at(-1)).toEqual({ type: 'error', message: expect.any(String), code: 'upstream_stream_cut' });
  });

  it('ends with upstream_stream_cut when one of several choices never finished', () => {
    const events = decode(delta({ content: 'a' }, null, 0) + delta({ content: 'b' }, null, 1) + delta({}, 'stop', 0));
    expect(events.at(-1)).toMatchObject({ type: 'error', code: 'upstream_stream_cut' });
  });

  it('an empty stream is a cut stream', () => {
    expect(decode('')).toEqual([{ type: 'error', message: expect.any(String), code: 'upstream_stream_cut' }]);
  });

  it('accepts a finished stream without [DONE]', () => {
    expect(decode(delta({ content: 'x' }) + delta({}, 'stop')).some((e) => e.type === 'error')).toBe(false);
  });

  it('turns an in-stream error object into an error event, with secrets scrubbed', () => {
    const text =
      delta({ content: 'x' }) +
      `data: ${JSON.stringify({ error: { message: 'overloaded for key sk-abcdefghijklmnop', type: 'server_error', code: 'overloaded' } })}\n\n`;
    const events = decode(text, 10);
    expect(events.at(-1)).toEqual({ type: 'error', message: 'overloaded for key [redacted]', code: 'overloaded' });
    expect(events.filter((e) => e.type === 'error')).toHaveLength(1);
  });

  it('throws UpstreamProtocolError on a chunk that is not JSON, or not a chunk', () => {
    expect(() => decode('data: {"choices": [\n\n')).toThrow(UpstreamProtocolError);
    expect(() => decode('data: {"choices": "nope"}\n\n')).toThrow(UpstreamProtocolError);
  });

  it('skips the Azure prompt-filter chunk before the answer starts', () => {
    const azureFirst = `data: ${JSON.stringify({ id: '', object: '', created: 0, model: '', choices: [], prompt_filter_results: [] })}\n\n`;
    const events = decode(azureFirst + delta({ content: 'x' }) + delta({}, 'stop') + 'data: [DONE]\n\n', 20);
    expect(events[0]).toEqual({ type: 'start', id: 'chatcmpl-1', model: 'gpt-4o', created: 1_700_000_000 });
  });

  it('handles servers that send arguments before the name, or number every call 0', () => {
    const text =
      delta({ tool_calls: [{ index: 0, id: 'a', function: { arguments: '{"x":' } }] }) +
      delta({ tool_calls: [{ index: 0, function: { name: 'first', arguments: '1}' } }] }) +
      delta({ tool_calls: [{ index: 0, id: 'b', function: { name: 'second', arguments: '{}' } }] }) +
      delta({}, 'tool_calls') +
      'data: [DONE]\n\n';
    expect(decode(text, 40).filter((e) => e.type.startsWith('tool_call'))).toEqual([
      { type: 'tool_call_start', choice: 0, index: 0, id: 'a', name: 'first' },
      { type: 'tool_call_delta', choice: 0, index: 0, argumentsDelta: '{"x":' },
      { type: 'tool_call_delta', choice: 0, index: 0, argumentsDelta: '1}' },
      { type: 'tool_call_start', choice: 0, index: 1, id: 'b', name: 'second' },
      { type: 'tool_call_delta', choice: 0, index: 1, argumentsDelta: '{}' },
    ]);
  });

  it('rejects a tool call that never got a name', () => {
    expect(() => decode(delta({ tool_calls: [{ index: 0, id: 'a', function: { arguments: '{}' } }] }) + delta({}, 'tool_calls'))).toThrow(
      UpstreamProtocolError,
    );
  });

  it('decodes reasoning deltas and Groq x_groq usage for compatible dialects', () => {
    const dialect: ChatDialect = { ...openAiDialect, provider: 'groq', reasoningFields: ['reasoning', 'reasoning_content'] };
    const text =
      delta({ reasoning: 'Think' }) +
      delta({ reasoning_content: 'ing' }) +
      delta({ content: 'Done' }) +
      chunk([{ index: 0, delta: {}, finish_reason: 'stop' }], {
        x_groq: { usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } },
      }) +
      'data: [DONE]\n\n';
    expect(decode(text, 5, dialect).slice(1)).toEqual([
      { type: 'reasoning_delta', choice: 0, text: 'Think' },
      { type: 'reasoning_delta', choice: 0, text: 'ing' },
      { type: 'text_delta', choice: 0, text: 'Done' },
      { type: 'finish', choice: 0, finishReason: 'stop' },
      { type: 'usage', usage: { inputTokens: 3, outputTokens: 2, cachedInputTokens: 0, cacheWriteInputTokens: 0, reasoningTokens: 0 } },
    ]);
  });

  it('ignores anything after [DONE]', () => {
    const events = decode(delta({ content: 'x' }) + delta({}, 'stop') + 'data: [DONE]\n\n' + delta({ content: 'late' }));
    expect(events.some((e) => e.type === 'text_delta' && e.text === 'late')).toBe(false);
  });
});
