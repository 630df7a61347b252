import { describe, expect, it } from 'vitest';
import { UpstreamProtocolError } from '../types.js';
import { parseChatCompletion } from './chat-response.js';
import { openAiDialect } from './dialect.js';
import { mapFinishReason } from './finish-reason.js';

const completion = (overrides: Record<string, unknown> = {}, message: Record<string, unknown> = {}) => ({
  id: 'chatcmpl-123',
  object: 'chat.completion',
  created: 1_700_000_000,
  model: 'gpt-4o-2024-08-06',
  system_fingerprint: 'fp_1',
  choices: [
    { index: 0, message: { role: 'assistant', content: 'Hello!', refusal: null, ...message }, logprobs: null, finish_reason: 'stop' },
  ],
  usage: {
    prompt_tokens: 120,
    completion_tokens: 30,
    total_tokens: 150,
    prompt_tokens_details: { cached_tokens: 100, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 12, audio_tokens: 0 },
  },
  ...overrides,
});

describe('Chat Completions response → canonical', () => {
  it('reads text, ids, model, fingerprint and usage with cached and reasoning tokens', () => {
    expect(parseChatCompletion(completion(), openAiDialect)).toEqual({
      id: 'chatcmpl-123',
      model: 'gpt-4o-2024-08-06',
      created: 1_700_000_000,
      systemFingerprint: 'fp_1',
      choices: [{ index: 0, message: { role: 'assistant', content: [{ type: 'text', text: 'Hello!' }] }, finishReason: 'stop' }],
      usage: { inputTokens: 120, outputTokens: 30, cachedInputTokens: 100, cacheWriteInputTokens: 0, reasoningTokens: 12 },
    });
  });

  it('reads parallel tool calls with content null', () => {
    const res = parseChatCompletion(
      completion({
        choices: [
          {
            index: 0,
            finish_reason: 'tool_calls',
            message: {
              role: 'assistant',
              content: null,
              tool_calls: [
                { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
                { id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{}' } },
              ],
            },
          },
        ],
      }),
      openAiDialect,
    );
    expect(res.choices[0]).toEqual({
      index: 0,
      finishReason: 'tool_calls',
      message: {
        role: 'assistant',
        content: [],
        toolCalls: [
          { id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
          { id: 'call_b', name: 'get_time', arguments: '{}' },
        ],
      },
    });
  });

  it('reads a refusal', () => {
    const res = parseChatCompletion(completion({}, { content: null, refusal: "I can't help with that." }), openAiDialect);
    expect(res.choices[0]!.message).toEqual({ role: 'assistant', content: [], refusal: "I can't help with that." });
  });

  it('reads several choices', () => {
    const choice = (index: number, text: string) => ({ index, message: { role: 'assistant', content: text }, finish_reason: 'stop' });
    const res = parseChatCompletion(completion({ choices: [choice(0, 'a'), choice(1, 'b')] }), openAiDialect);
    expect(res.choices.map((c) => [c.index, c.message.content])).toEqual([
      [0, [{ type: 'text', text: 'a' }]],
      [1, [{ type: 'text', text: 'b' }]],
    ]);
  });

  it('ignores reasoning fields for OpenAI (it never sends them)', () => {
    const res = parseChatCompletion(completion({}, { reasoning_content: 'x' }), openAiDialect);
    expect(res.choices[0]!.message.reasoning).toBeUndefined();
  });

  it('reads reasoning_content where the dialect knows it', () => {
    const res = parseChatCompletion(completion({}, { reasoning_content: 'Let me think.' }), {
      ...openAiDialect,
      reasoningFields: ['reasoning_content'],
    });
    expect(res.choices[0]!.message.reasoning).toEqual([{ type: 'thinking', text: 'Let me think.' }]);
  });

  it('reads Mistral content arrays with thinking chunks', () => {
    const content = [
      { type: 'thinking', thinking: [{ type: 'text', text: 'Hmm.' }] },
      { type: 'text', text: 'Answer' },
    ];
    const res = parseChatCompletion(completion({}, { content }), openAiDialect);
    expect(res.choices[0]!.message).toEqual({
      role: 'assistant',
      content: [{ type: 'text', text: 'Answer' }],
      reasoning: [{ type: 'thinking', text: 'Hmm.' }],
    });
  });

  it('counts reasoning reported beside completion tokens (xAI) inside output tokens', () => {
    const usage = { prompt_tokens: 32, completion_tokens: 9, total_tokens: 135, completion_tokens_details: { reasoning_tokens: 94 } };
    expect(parseChatCompletion(completion({ usage }), openAiDialect).usage).toEqual({
      inputTokens: 32,
      outputTokens: 103,
      cachedInputTokens: 0,
      cacheWriteInputTokens: 0,
      reasoningTokens: 94,
    });
  });

  it('reads DeepSeek cache hits', () => {
    const usage = { prompt_tokens: 50, completion_tokens: 5, total_tokens: 55, prompt_cache_hit_tokens: 40, prompt_cache_miss_tokens: 10 };
    expect(parseChatCompletion(completion({ usage }), openAiDialect).usage.cachedInputTokens).toBe(40);
  });

  it('defaults missing usage to zeros', () => {
    expect(parseChatCompletion(completion({ usage: undefined }), openAiDialect).usage.inputTokens).toBe(0);
  });

  it.each([
    ['not an object', 'garbage'],
    ['no choices', { id: 'x', model: 'm' }],
    ['a choice without message', { choices: [{ index: 0, finish_reason: 'stop' }] }],
    ['negative token counts', completion({ usage: { prompt_tokens: -1, completion_tokens: 1 } })],
    ['an error envelope with status 200', { error: { message: 'boom' } }],
    ['a custom tool call', completion({}, { tool_calls: [{ id: 'c', type: 'custom', function: { name: 'x' } }] })],
  ])('throws UpstreamProtocolError on %s', (_name, body) => {
    expect(() => parseChatCompletion(body, openAiDialect)).toThrow(UpstreamProtocolError);
  });

  it.each([
    ['stop', { finishReason: 'stop' }],
    ['length', { finishReason: 'length' }],
    ['tool_calls', { finishReason: 'tool_calls' }],
    ['content_filter', { finishReason: 'content_filter' }],
    ['function_call', { finishReason: 'tool_calls', providerFinishReason: 'function_call' }],
    ['model_length', { finishReason: 'length', providerFinishReason: 'model_length' }],
    ['something_new', { finishReason: 'stop', providerFinishReason: 'something_new' }],
    ['constructor', { finishReason: 'stop', providerFinishReason: 'constructor' }],
  ])('finish_reason %s', (wire, expected) => {
    expect(mapFinishReason(wire)).toEqual(expected);
  });
});
