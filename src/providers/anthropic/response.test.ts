import { describe, expect, it } from 'vitest';
import { UpstreamProtocolError } from '../types.js';
import { anthropicAdapter } from './index.js';

const message = (extra: Record<string, unknown> = {}) => ({
  id: 'msg_01',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-5-20250929',
  content: [{ type: 'text', text: 'Hello' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 10, output_tokens: 5 },
  ...extra,
});

describe('anthropic chatResponse', () => {
  it('reads text, thinking, redacted thinking and tool_use blocks', () => {
    const r = anthropicAdapter.chatResponse(
      message({
        content: [
          { type: 'thinking', thinking: 'hmm', signature: 'sig' },
          { type: 'redacted_thinking', data: 'xyz' },
          { type: 'text', text: 'Calling.', citations: null },
          { type: 'tool_use', id: 'toolu_1', name: 'get', input: { id: 7, tags: ['a'] }, caller: { type: 'direct' } },
          { type: 'server_tool_use', id: 'srv', name: 'web_search', input: {} },
        ],
        stop_reason: 'tool_use',
      }),
    );
    expect(r.id).toBe('msg_01');
    expect(r.model).toBe('claude-sonnet-4-5-20250929');
    expect(typeof r.created).toBe('number');
    expect(r.choices).toEqual([
      {
        index: 0,
        message: {
          role: 'assistant',
          content: [{ type: 'text', text: 'Calling.' }],
          toolCalls: [{ id: 'toolu_1', name: 'get', arguments: '{"id":7,"tags":["a"]}' }],
          reasoning: [
            { type: 'thinking', text: 'hmm', signature: 'sig' },
            { type: 'redacted_thinking', data: 'xyz' },
          ],
        },
        finishReason: 'tool_calls',
        stopSequence: null,
      },
    ]);
  });

  it.each([
    ['end_turn', 'stop', undefined],
    ['stop_sequence', 'stop', undefined],
    ['max_tokens', 'length', undefined],
    ['tool_use', 'tool_calls', undefined],
    ['refusal', 'refusal', 'refusal'],
    ['pause_turn', 'stop', 'pause_turn'],
    ['model_context_window_exceeded', 'length', 'model_context_window_exceeded'],
    ['some_future_reason', 'stop', 'some_future_reason'],
  ])('maps stop_reason %s to %s', (stopReason, finishReason, provider) => {
    const choice = anthropicAdapter.chatResponse(message({ stop_reason: stopReason })).choices[0]!;
    expect(choice.finishReason).toBe(finishReason);
    expect(choice.providerFinishReason).toBe(provider);
  });

  it('keeps the matched stop sequence', () => {
    const choice = anthropicAdapter.chatResponse(message({ stop_reason: 'stop_sequence', stop_sequence: 'END' })).choices[0]!;
    expect(choice.stopSequence).toBe('END');
  });

  it('adds cache reads and writes to the input tokens', () => {
    const r = anthropicAdapter.chatResponse(
      message({
        usage: {
          input_tokens: 10,
          cache_read_input_tokens: 1000,
          cache_creation_input_tokens: 200,
          output_tokens: 50,
          output_tokens_details: { thinking_tokens: 30 },
          service_tier: 'standard',
        },
      }),
    );
    expect(r.usage).toEqual({
      inputTokens: 1210,
      outputTokens: 50,
      cachedInputTokens: 1000,
      cacheWriteInputTokens: 200,
      reasoningTokens: 30,
    });
  });

  it('treats null cache counters as zero', () => {
    const r = anthropicAdapter.chatResponse(message({ usage: { input_tokens: 3, output_tokens: 4, cache_read_input_tokens: null } }));
    expect(r.usage).toEqual({ inputTokens: 3, outputTokens: 4, cachedInputTokens: 0, cacheWriteInputTokens: 0, reasoningTokens: 0 });
  });

  it.each([
    ['not an object', 'oops'],
    ['no content', message({ content: undefined })],
    ['no usage', message({ usage: undefined })],
    ['negative usage', message({ usage: { input_tokens: -1, output_tokens: 1 } })],
    ['text block without text', message({ content: [{ type: 'text' }] })],
    ['tool_use without id', message({ content: [{ type: 'tool_use', name: 'x', input: {} }] })],
  ])('throws UpstreamProtocolError on garbage: %s', (_name, body) => {
    expect(() => anthropicAdapter.chatResponse(body)).toThrow(UpstreamProtocolError);
  });

  it('does not quote upstream values in protocol errors', () => {
    expect(() => anthropicAdapter.chatResponse(message({ id: 42, model: 'secret-value' }))).toThrow(/id: expected string, got number/);
    const error = (() => {
      try {
        anthropicAdapter.chatResponse(message({ content: [{ type: 'text', text: 12345 }] }));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UpstreamProtocolError);
    expect(String(error)).toContain('message content[0]');
    expect(String(error)).not.toContain('12345');
  });
});
