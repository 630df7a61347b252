import { describe, expect, it } from 'vitest';
import type { SseEvent } from '../sse.js';
import { UnsupportedFeatureError, UpstreamProtocolError, type PassthroughRequestInput, type UpstreamTarget } from '../types.js';
import { anthropicAdapter } from './index.js';

const target: UpstreamTarget = { baseUrl: 'https://api.anthropic.com', apiKey: 'sk-ant-upstream', model: 'claude-opus-4-5', options: {} };
const clientBody = {
  model: 'my-alias',
  max_tokens: 512,
  messages: [{ role: 'user', content: [{ type: 'text', text: 'hi', cache_control: { type: 'ephemeral' } }] }],
  tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 3 }],
  some_future_field: { x: 1 },
};

const adapter = anthropicAdapter;
const passthrough = (input: PassthroughRequestInput) => adapter.passthroughRequest!(input);

describe('anthropic passthrough request', () => {
  it('forwards the client body with only the model replaced', () => {
    const r = passthrough({ format: 'anthropic-messages', body: clientBody, target, stream: false });
    expect(r.url).toBe('https://api.anthropic.com/v1/messages');
    expect(JSON.parse(r.body!)).toEqual({ ...clientBody, model: 'claude-opus-4-5' });
    expect(r.headers).toEqual({ 'content-type': 'application/json', 'x-api-key': 'sk-ant-upstream', 'anthropic-version': '2023-06-01' });
    expect(clientBody.model).toBe('my-alias'); // the client's object is not mutated
  });

  it('marks streamed requests as streamed', () => {
    const r = passthrough({ format: 'anthropic-messages', body: { ...clientBody, stream: true }, target, stream: true });
    expect(JSON.parse(r.body!)).toMatchObject({ stream: true, model: 'claude-opus-4-5' });
  });

  it('forwards the client anthropic-version and anthropic-beta, and nothing else', () => {
    const r = passthrough({
      format: 'anthropic-messages',
      body: clientBody,
      target,
      stream: false,
      clientHeaders: {
        'anthropic-version': '2026-10-21',
        'anthropic-beta': 'context-1m-2025-08-07, interleaved-thinking-2025-05-14',
        'x-api-key': 'pcl_client_key',
        authorization: 'Bearer pcl_client_key',
        'x-forwarded-for': '10.0.0.1',
      },
    });
    expect(r.headers).toEqual({
      'content-type': 'application/json',
      'x-api-key': 'sk-ant-upstream',
      'anthropic-version': '2026-10-21',
      'anthropic-beta': 'context-1m-2025-08-07, interleaved-thinking-2025-05-14',
    });
  });

  it.each([
    ['anthropic-version', '2023-06-01\r\nx-evil: 1'],
    ['anthropic-version', 'latest'],
    ['anthropic-beta', 'a b'],
    ['anthropic-beta', 'beta;\nx'],
    ['anthropic-beta', 'x'.repeat(2000)],
  ])('refuses a malformed %s header', (name, value) => {
    expect(() =>
      passthrough({ format: 'anthropic-messages', body: clientBody, target, stream: false, clientHeaders: { [name]: value } }),
    ).toThrow(UnsupportedFeatureError);
  });

  it('sends count_tokens to its endpoint without stream', () => {
    const r = passthrough({
      format: 'anthropic-messages',
      operation: 'count_tokens',
      body: { model: 'alias', messages: clientBody.messages },
      target,
      stream: true,
    });
    expect(r.url).toBe('https://api.anthropic.com/v1/messages/count_tokens');
    expect(JSON.parse(r.body!)).toEqual({ model: 'claude-opus-4-5', messages: clientBody.messages });
  });

  it('refuses formats it does not speak natively', () => {
    expect(() => passthrough({ format: 'openai-chat', body: {}, target, stream: false })).toThrow(UnsupportedFeatureError);
    expect(() => adapter.passthroughStreamObserver!('openai-responses', { clientWantsUsage: true })).toThrow(UnsupportedFeatureError);
  });
});

describe('anthropic passthrough usage', () => {
  it('reads usage and the served model from a Message', () => {
    const result = adapter.passthroughResponseUsage!('anthropic-messages', {
      id: 'msg_1',
      type: 'message',
      model: 'claude-opus-4-5-20251101',
      content: [{ type: 'web_search_tool_result', content: [] }],
      usage: { input_tokens: 5, cache_read_input_tokens: 50, cache_creation_input_tokens: 7, output_tokens: 9 },
    });
    expect(result).toEqual({
      model: 'claude-opus-4-5-20251101',
      usage: { inputTokens: 62, outputTokens: 9, cachedInputTokens: 50, cacheWriteInputTokens: 7, reasoningTokens: 0 },
    });
  });

  it('throws UpstreamProtocolError when a Message has no usage', () => {
    expect(() => adapter.passthroughResponseUsage!('anthropic-messages', { id: 'm' })).toThrow(UpstreamProtocolError);
  });

  it('observes a stream: forwards everything, sums usage from message_start and message_delta, completes on message_stop', () => {
    const observer = adapter.passthroughStreamObserver!('anthropic-messages', { clientWantsUsage: false });
    const events: SseEvent[] = [
      {
        event: 'message_start',
        data: JSON.stringify({
          type: 'message_start',
          message: { id: 'm', model: 'claude-x', usage: { input_tokens: 4, cache_read_input_tokens: 10, output_tokens: 1 } },
        }),
      },
      { event: 'ping', data: '{"type":"ping"}' },
      { event: 'content_block_start', data: '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}' },
      {
        event: 'message_delta',
        data: JSON.stringify({
          type: 'message_delta',
          delta: { stop_reason: 'end_turn' },
          usage: { output_tokens: 30, cache_creation_input_tokens: 2 },
        }),
      },
    ];
    for (const e of events) expect(observer.observe(e)).toEqual({ forward: true });
    expect(observer.completed()).toBe(false);
    expect(observer.servedModel()).toBe('claude-x');
    expect(observer.usage()).toEqual({
      inputTokens: 16,
      outputTokens: 30,
      cachedInputTokens: 10,
      cacheWriteInputTokens: 2,
      reasoningTokens: 0,
    });
    expect(observer.observe({ event: 'message_stop', data: '{"type":"message_stop"}' })).toEqual({ forward: true });
    expect(observer.completed()).toBe(true);
  });

  it('forwards error events without completing', () => {
    const observer = adapter.passthroughStreamObserver!('anthropic-messages', { clientWantsUsage: true });
    expect(observer.observe({ event: 'error', data: '{"type":"error","error":{"type":"overloaded_error","message":"x"}}' })).toEqual({
      forward: true,
    });
    expect(observer.completed()).toBe(false);
  });

  it('throws UpstreamProtocolError on an unreadable usage event', () => {
    const observer = adapter.passthroughStreamObserver!('anthropic-messages', { clientWantsUsage: true });
    expect(() => observer.observe({ event: 'message_delta', data: 'garbage' })).toThrow(UpstreamProtocolError);
    expect(() => observer.observe({ event: 'message_start', data: '{"message":{"usage":{"input_tokens":"many"}}}' })).toThrow(
      UpstreamProtocolError,
    );
  });
});
