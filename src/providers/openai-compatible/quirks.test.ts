import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../gateway/canonical/types.js';
import { deepseekAdapter } from '../deepseek/index.js';
import { groqAdapter } from '../groq/index.js';
import { mistralAdapter } from '../mistral/index.js';
import { togetherAdapter } from '../together/index.js';
import type { ProviderAdapter } from '../types.js';
import { UnsupportedFeatureError } from '../types.js';
import { xaiAdapter } from '../xai/index.js';
import { createOpenAiCompatibleAdapter, openaiCompatibleAdapter } from './index.js';

const base: ChatRequest = { model: 'x', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }], stream: false };
const target = (baseUrl: string) => ({ baseUrl, apiKey: 'key-123', model: 'served-model', options: {} });

function body(adapter: ProviderAdapter, request: Partial<ChatRequest>, baseUrl = 'https://example.test/v1'): Record<string, unknown> {
  const req = adapter.chatRequest({ ...base, ...request }, target(baseUrl));
  return JSON.parse(req.body!) as Record<string, unknown>;
}

describe('OpenAI-compatible providers', () => {
  it.each([
    [mistralAdapter, 'mistral', 'https://api.mistral.ai/v1', true, 128],
    [groqAdapter, 'groq', 'https://api.groq.com/openai/v1', false, 1],
    [deepseekAdapter, 'deepseek', 'https://api.deepseek.com/v1', false, 1],
    [xaiAdapter, 'xai', 'https://api.x.ai/v1', false, 128],
    [togetherAdapter, 'together', 'https://api.together.xyz/v1', true, 128],
    [openaiCompatibleAdapter, 'openai-compatible', undefined, true, 128],
  ] as const)('%s: id, default base URL, capabilities', (adapter, id, defaultBaseUrl, embeddings, maxChoices) => {
    expect(adapter.id).toBe(id);
    expect(adapter.defaultBaseUrl).toBe(defaultBaseUrl);
    expect(adapter.capabilities).toEqual({ native: ['openai-chat'], embeddings, countTokens: false, maxChoices });
    expect(adapter.embeddingsRequest !== undefined).toBe(embeddings);
  });

  it('all use bearer auth and /chat/completions under the base URL', () => {
    const req = groqAdapter.chatRequest(base, target('https://api.groq.com/openai/v1/'));
    expect(req.url).toBe('https://api.groq.com/openai/v1/chat/completions');
    expect(req.headers).toEqual({ 'content-type': 'application/json', authorization: 'Bearer key-123' });
  });

  it('send max_tokens, not max_completion_tokens (Groq documents the new name)', () => {
    for (const adapter of [mistralAdapter, deepseekAdapter, xaiAdapter, togetherAdapter, openaiCompatibleAdapter]) {
      expect(body(adapter, { maxTokens: 50 })).toMatchObject({ max_tokens: 50 });
      expect(body(adapter, { maxTokens: 50 })).not.toHaveProperty('max_completion_tokens');
    }
    expect(body(groqAdapter, { maxTokens: 50 })).toMatchObject({ max_completion_tokens: 50 });
  });

  it('ask for streamed usage only where stream_options is accepted', () => {
    expect(body(deepseekAdapter, { stream: true }).stream_options).toEqual({ include_usage: true });
    expect(body(groqAdapter, { stream: true }).stream_options).toEqual({ include_usage: true });
    expect(body(mistralAdapter, { stream: true })).not.toHaveProperty('stream_options');
    expect(body(togetherAdapter, { stream: true })).not.toHaveProperty('stream_options');
  });

  it('refuse n > 1 where unsupported', () => {
    expect(() => body(groqAdapter, { n: 2 })).toThrow(UnsupportedFeatureError);
    expect(() => body(deepseekAdapter, { n: 2 })).toThrow(UnsupportedFeatureError);
    expect(body(mistralAdapter, { n: 2 }).n).toBe(2);
  });

  it('DeepSeek refuses json_schema (json_object only) and replays reasoning_content', () => {
    const schema = { type: 'json_schema' as const, name: 'a', schema: { type: 'object' } };
    expect(() => body(deepseekAdapter, { responseFormat: schema })).toThrow(UnsupportedFeatureError);
    expect(body(deepseekAdapter, { responseFormat: { type: 'json_object' } }).response_format).toEqual({ type: 'json_object' });
    expect(body(groqAdapter, { responseFormat: schema }).response_format).toMatchObject({ type: 'json_schema' });
    const messages: ChatRequest['messages'] = [
      { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
      {
        role: 'assistant',
        content: [],
        reasoning: [{ type: 'thinking', text: 'Need the tool.' }],
        toolCalls: [{ id: 'call_1', name: 'weather', arguments: '{}' }],
      },
      { role: 'tool', toolCallId: 'call_1', content: [{ type: 'text', text: 'sunny' }] },
    ];
    const withReasoning = body(deepseekAdapter, { messages });
    expect((withReasoning.messages as Record<string, unknown>[])[1]).toEqual({
      role: 'assistant',
      content: null,
      reasoning_content: 'Need the tool.',
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{}' } }],
    });
    // Nobody else gets reasoning replayed.
    expect(JSON.stringify(body(groqAdapter, { messages }))).not.toContain('reasoning');
  });

  it('DeepSeek reads reasoning_content from responses and stream deltas', () => {
    const res = deepseekAdapter.chatResponse({
      id: 'x',
      model: 'deepseek-reasoner',
      created: 1,
      choices: [{ index: 0, message: { role: 'assistant', content: '42', reasoning_content: 'Think.' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8, prompt_cache_hit_tokens: 4 },
    });
    expect(res.choices[0]!.message).toEqual({
      role: 'assistant',
      content: [{ type: 'text', text: '42' }],
      reasoning: [{ type: 'thinking', text: 'Think.' }],
    });
    expect(res.usage.cachedInputTokens).toBe(4);
    const decoder = deepseekAdapter.chatStreamDecoder();
    const events = decoder.push({
      data: JSON.stringify({ id: 'x', model: 'm', created: 1, choices: [{ index: 0, delta: { reasoning_content: 'Hm' } }] }),
    });
    expect(events).toContainEqual({ type: 'reasoning_delta', choice: 0, text: 'Hm' });
  });

  it('Mistral: random_seed, 9-character tool call ids, no user/effort, developer as system', () => {
    const b = body(mistralAdapter, {
      seed: 7,
      user: 'u',
      reasoning: { effort: 'high' },
      messages: [
        { role: 'developer', content: [{ type: 'text', text: 'Rules' }] },
        { role: 'assistant', content: [], toolCalls: [{ id: 'toolu_01A09q90qw90lq917835lq9', name: 'f', arguments: '{}' }] },
        { role: 'tool', toolCallId: 'toolu_01A09q90qw90lq917835lq9', content: [{ type: 'text', text: 'ok' }] },
        { role: 'assistant', content: [], toolCalls: [{ id: 'D681PevKs', name: 'f', arguments: '{}' }] },
      ],
    });
    expect(b).toMatchObject({ random_seed: 7 });
    expect(b).not.toHaveProperty('seed');
    expect(b).not.toHaveProperty('user');
    expect(b).not.toHaveProperty('reasoning_effort');
    const messages = b.messages as Record<string, unknown>[];
    expect(messages[0]).toEqual({ role: 'system', content: 'Rules' });
    const mapped = (messages[1]!.tool_calls as { id: string }[])[0]!.id;
    expect(mapped).toMatch(/^[A-Za-z0-9]{9}$/);
    expect(messages[2]!.tool_call_id).toBe(mapped);
    // An id Mistral issued itself is kept.
    expect((messages[3]!.tool_calls as { id: string }[])[0]!.id).toBe('D681PevKs');
  });

  it('Groq: drops messages[].name, refuses logprobs, sends reasoning effort (minimal → low)', () => {
    const b = body(groqAdapter, {
      messages: [{ role: 'user', name: 'alice', content: [{ type: 'text', text: 'Hi' }] }],
      reasoning: { effort: 'minimal' },
    });
    expect((b.messages as Record<string, unknown>[])[0]).toEqual({ role: 'user', content: 'Hi' });
    expect(b.reasoning_effort).toBe('low');
    expect(() => body(groqAdapter, { logprobs: true })).toThrow(UnsupportedFeatureError);
  });

  it('Together: top_k is sent; logprobs refused (Together’s is an integer, not a flag)', () => {
    expect(body(togetherAdapter, { topK: 40 }).top_k).toBe(40);
    expect(() => body(togetherAdapter, { logprobs: true })).toThrow(UnsupportedFeatureError);
    expect(() => body(groqAdapter, { topK: 40 })).toThrow(UnsupportedFeatureError);
  });

  it('compatible providers refuse audio and file input; the generic one forwards them', () => {
    const audio: Partial<ChatRequest> = { messages: [{ role: 'user', content: [{ type: 'audio', format: 'wav', data: 'UklGRg==' }] }] };
    expect(() => body(groqAdapter, audio)).toThrow(UnsupportedFeatureError);
    expect(JSON.stringify(body(openaiCompatibleAdapter, audio))).toContain('input_audio');
  });

  it('a refusal in history is replayed as text where there is no refusal field', () => {
    const b = body(xaiAdapter, { messages: [{ role: 'assistant', content: [], refusal: 'No.' }] });
    expect((b.messages as Record<string, unknown>[])[0]).toEqual({ role: 'assistant', content: 'No.' });
  });

  it('passthrough renames top-level parameters and removes stream_options where unsupported', () => {
    const clientBody = {
      model: 'alias',
      messages: [],
      max_completion_tokens: 10,
      seed: 3,
      stream: true,
      stream_options: { include_usage: false },
    };
    const mistral = JSON.parse(
      mistralAdapter.passthroughRequest!({
        format: 'openai-chat',
        body: clientBody,
        target: target('https://api.mistral.ai/v1'),
        stream: true,
      }).body!,
    ) as Record<string, unknown>;
    expect(mistral).toEqual({ model: 'served-model', messages: [], max_tokens: 10, random_seed: 3, stream: true });
    const deepseek = JSON.parse(
      deepseekAdapter.passthroughRequest!({
        format: 'openai-chat',
        body: clientBody,
        target: target('https://api.deepseek.com/v1'),
        stream: true,
      }).body!,
    ) as Record<string, unknown>;
    expect(deepseek).toEqual({
      model: 'served-model',
      messages: [],
      max_tokens: 10,
      seed: 3,
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('the factory builds a provider from overrides alone', () => {
    const adapter = createOpenAiCompatibleAdapter({
      id: 'openai-compatible',
      defaultBaseUrl: undefined,
      dialect: { maxChoices: 4, jsonSchema: false },
    });
    expect(adapter.capabilities.maxChoices).toBe(4);
    expect(adapter.capabilities.embeddings).toBe(false);
    expect(() => body(adapter, { responseFormat: { type: 'json_schema', name: 'a', schema: {} } })).toThrow(UnsupportedFeatureError);
  });

  it('embeddings: Mistral maps dimensions to output_dimension; Together cannot change them', () => {
    const mistral = JSON.parse(
      mistralAdapter.embeddingsRequest!({ model: 'm', input: ['a'], dimensions: 256 }, target('https://api.mistral.ai/v1')).body!,
    ) as Record<string, unknown>;
    expect(mistral).toEqual({ model: 'served-model', input: ['a'], output_dimension: 256 });
    expect(() =>
      togetherAdapter.embeddingsRequest!({ model: 'm', input: ['a'], dimensions: 256 }, target('https://api.together.xyz/v1')),
    ).toThrow(UnsupportedFeatureError);
  });
});
