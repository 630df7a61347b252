import { describe, expect, it } from 'vitest';
import type { SseEvent } from '../sse.js';
import { UpstreamProtocolError } from '../types.js';
import { openaiAdapter } from './index.js';

const target = { baseUrl: 'https://api.openai.com/v1', apiKey: 'sk-test', model: 'gpt-4o-2024-08-06', options: {} };
const clientBody = {
  model: 'my-alias',
  messages: [{ role: 'user', content: 'Hi' }],
  temperature: 0.3,
  some_new_openai_param: { nested: [1, 2] },
};

describe('OpenAI passthrough requests', () => {
  it('chat: replaces only the model (non-streamed)', () => {
    const req = openaiAdapter.passthroughRequest!({ format: 'openai-chat', body: clientBody, target, stream: false });
    expect(req.url).toBe('https://api.openai.com/v1/chat/completions');
    expect(req.headers.authorization).toBe('Bearer sk-test');
    expect(JSON.parse(req.body!)).toEqual({ ...clientBody, model: 'gpt-4o-2024-08-06' });
  });

  it('chat: forces include_usage when streaming, keeping the client’s other stream options', () => {
    const body = { ...clientBody, stream: true, stream_options: { include_obfuscation: false } };
    const req = openaiAdapter.passthroughRequest!({ format: 'openai-chat', body, target, stream: true });
    expect(JSON.parse(req.body!)).toEqual({
      ...body,
      model: 'gpt-4o-2024-08-06',
      stream_options: { include_obfuscation: false, include_usage: true },
    });
  });

  it('does not mutate the client body', () => {
    const body = { ...clientBody, stream: true };
    openaiAdapter.passthroughRequest!({ format: 'openai-chat', body, target, stream: true });
    expect(body).toEqual({ ...clientBody, stream: true });
  });

  it('responses: replaces the model and targets /responses', () => {
    const body = { model: 'alias', input: 'Hi', stream: true, reasoning: { effort: 'low' } };
    const req = openaiAdapter.passthroughRequest!({ format: 'openai-responses', body, target, stream: true });
    expect(req.url).toBe('https://api.openai.com/v1/responses');
    expect(JSON.parse(req.body!)).toEqual({ ...body, model: 'gpt-4o-2024-08-06' });
  });

  it('refuses formats it does not speak', () => {
    expect(() => openaiAdapter.passthroughRequest!({ format: 'anthropic-messages', body: {}, target, stream: false })).toThrow();
  });
});

describe('OpenAI passthrough usage', () => {
  it('reads chat and responses usage from non-streamed bodies', () => {
    expect(
      openaiAdapter.passthroughResponseUsage!('openai-chat', {
        model: 'gpt-4o-2024-08-06',
        usage: {
          prompt_tokens: 10,
          completion_tokens: 4,
          prompt_tokens_details: { cached_tokens: 6 },
          completion_tokens_details: { reasoning_tokens: 2 },
        },
      }),
    ).toEqual({
      model: 'gpt-4o-2024-08-06',
      usage: { inputTokens: 10, outputTokens: 4, cachedInputTokens: 6, cacheWriteInputTokens: 0, reasoningTokens: 2 },
    });
    expect(
      openaiAdapter.passthroughResponseUsage!('openai-responses', {
        model: 'o3',
        usage: {
          input_tokens: 9,
          output_tokens: 5,
          input_tokens_details: { cached_tokens: 3 },
          output_tokens_details: { reasoning_tokens: 1 },
        },
      }),
    ).toEqual({
      model: 'o3',
      usage: { inputTokens: 9, outputTokens: 5, cachedInputTokens: 3, cacheWriteInputTokens: 0, reasoningTokens: 1 },
    });
  });

  it('throws UpstreamProtocolError on garbage', () => {
    expect(() => openaiAdapter.passthroughResponseUsage!('openai-chat', 'nope')).toThrow(UpstreamProtocolError);
    expect(() => openaiAdapter.passthroughResponseUsage!('openai-chat', { usage: { prompt_tokens: 'x' } })).toThrow(UpstreamProtocolError);
  });
});

const data = (value: unknown, event?: string): SseEvent => ({
  data: typeof value === 'string' ? value : JSON.stringify(value),
  ...(event ? { event } : {}),
});
const chatChunks: SseEvent[] = [
  data({ id: 'c', model: 'gpt-4o-2024-08-06', choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: null }], usage: null }),
  data({ id: 'c', model: 'gpt-4o-2024-08-06', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: null }),
  data({ id: 'c', model: 'gpt-4o-2024-08-06', choices: [], usage: { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 } }),
  data('[DONE]'),
];

describe('OpenAI passthrough stream observers', () => {
  it('chat: hides the usage chunk from a client that did not ask for it, and still bills', () => {
    const observer = openaiAdapter.passthroughStreamObserver!('openai-chat', { clientWantsUsage: false });
    expect(chatChunks.map((e) => observer.observe(e).forward)).toEqual([true, true, false, true]);
    expect(observer.usage()).toMatchObject({ inputTokens: 7, outputTokens: 2 });
    expect(observer.completed()).toBe(true);
    expect(observer.servedModel()).toBe('gpt-4o-2024-08-06');
  });

  it('chat: forwards the usage chunk to a client that asked for it', () => {
    const observer = openaiAdapter.passthroughStreamObserver!('openai-chat', { clientWantsUsage: true });
    expect(chatChunks.map((e) => observer.observe(e).forward)).toEqual([true, true, true, true]);
  });

  it('chat: not completed without [DONE]; unreadable chunks are forwarded untouched', () => {
    const observer = openaiAdapter.passthroughStreamObserver!('openai-chat', { clientWantsUsage: false });
    expect(observer.observe(data('{oops')).forward).toBe(true);
    observer.observe(chatChunks[0]!);
    expect(observer.completed()).toBe(false);
  });

  it('responses: usage and model from the terminal event', () => {
    for (const terminal of ['response.completed', 'response.incomplete', 'response.failed']) {
      const observer = openaiAdapter.passthroughStreamObserver!('openai-responses', { clientWantsUsage: false });
      observer.observe(
        data({ type: 'response.created', sequence_number: 0, response: { model: 'o3-2025', usage: null } }, 'response.created'),
      );
      observer.observe(data({ type: 'response.output_text.delta', sequence_number: 1, delta: 'x' }, 'response.output_text.delta'));
      expect(observer.completed()).toBe(false);
      const final = {
        type: terminal,
        sequence_number: 2,
        response: {
          model: 'o3-2025',
          usage: {
            input_tokens: 30,
            output_tokens: 12,
            input_tokens_details: { cached_tokens: 20 },
            output_tokens_details: { reasoning_tokens: 8 },
          },
        },
      };
      expect(observer.observe(data(final, terminal)).forward).toBe(true);
      // A failed response is the end of the stream but not a complete answer: not billed or cached as one.
      expect(observer.completed()).toBe(terminal !== 'response.failed');
      expect(observer.failure?.() !== undefined).toBe(terminal === 'response.failed');
      expect(observer.usage()).toEqual({
        inputTokens: 30,
        outputTokens: 12,
        cachedInputTokens: 20,
        cacheWriteInputTokens: 0,
        reasoningTokens: 8,
      });
      expect(observer.servedModel()).toBe('o3-2025');
    }
  });

  it('responses: an error event does not complete the stream', () => {
    const observer = openaiAdapter.passthroughStreamObserver!('openai-responses', { clientWantsUsage: false });
    observer.observe(data({ type: 'error', code: 'server_error', message: 'boom', sequence_number: 0 }, 'error'));
    expect(observer.completed()).toBe(false);
  });
});
