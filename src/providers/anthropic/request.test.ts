import { describe, expect, it } from 'vitest';
import type { ChatRequest, Message } from '../../gateway/canonical/types.js';
import { UnsupportedFeatureError, type UpstreamTarget } from '../types.js';
import { anthropicAdapter } from './index.js';
import { buildMessagesBody } from './request.js';

const target: UpstreamTarget = { baseUrl: 'https://api.anthropic.com', apiKey: 'sk-ant-test', model: 'claude-sonnet-4-5', options: {} };
const req = (messages: Message[], extra: Partial<ChatRequest> = {}): ChatRequest => ({ model: 'alias', messages, stream: false, ...extra });
const body = (messages: Message[], extra: Partial<ChatRequest> = {}) => buildMessagesBody(req(messages, extra), 'claude-sonnet-4-5');
const user = (text: string): Message => ({ role: 'user', content: [{ type: 'text', text }] });
const unsupported = (fn: () => unknown, feature: string) => {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(UnsupportedFeatureError);
  expect((caught as UnsupportedFeatureError).feature).toBe(feature);
  expect((caught as UnsupportedFeatureError).provider).toBe('anthropic');
};

describe('anthropic chatRequest', () => {
  it('posts to /v1/messages under the SDK-style base URL with x-api-key and anthropic-version', () => {
    const r = anthropicAdapter.chatRequest(req([user('hi')]), { ...target, baseUrl: 'https://proxy.example/anthropic/' });
    expect(r.url).toBe('https://proxy.example/anthropic/v1/messages');
    expect(r.method).toBe('POST');
    expect(r.headers).toEqual({ 'content-type': 'application/json', 'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01' });
    const sent = JSON.parse(r.body!) as Record<string, unknown>;
    expect(sent.model).toBe('claude-sonnet-4-5');
    expect(sent).not.toHaveProperty('stream');
  });

  it('declares its capabilities and the default base URL without /v1', () => {
    expect(anthropicAdapter.id).toBe('anthropic');
    expect(anthropicAdapter.defaultBaseUrl).toBe('https://api.anthropic.com');
    expect(anthropicAdapter.capabilities).toEqual({ native: ['anthropic-messages'], embeddings: false, countTokens: true, maxChoices: 1 });
  });

  it('sets stream only for streamed requests', () => {
    expect(body([user('hi')], { stream: true }).stream).toBe(true);
  });
});

describe('messages translation', () => {
  it('hoists system and developer messages, wherever they are, into system text blocks with cache_control', () => {
    const b = body([
      { role: 'system', content: [{ type: 'text', text: 'Be brief.', cacheControl: { type: 'ephemeral', ttl: '1h' } }] },
      user('hi'),
      { role: 'developer', content: [{ type: 'text', text: 'Use metric units.' }] },
      user('weather?'),
    ]);
    expect(b.system).toEqual([
      { type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral', ttl: '1h' } },
      { type: 'text', text: 'Use metric units.' },
    ]);
    // The two user turns, no longer separated by the developer message, become one.
    expect(b.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'hi' },
          { type: 'text', text: 'weather?' },
        ],
      },
    ]);
  });

  it('omits system when there is none', () => {
    expect(body([user('hi')])).not.toHaveProperty('system');
  });

  it('merges consecutive same-role turns and turns tool messages into user tool_result blocks', () => {
    const b = body([
      user('What is the weather in Paris and Rome?'),
      {
        role: 'assistant',
        content: [{ type: 'text', text: 'Checking.' }],
        toolCalls: [
          { id: 'toolu_1', name: 'weather', arguments: '{"city":"Paris"}' },
          { id: 'toolu_2', name: 'weather', arguments: '' },
        ],
      },
      { role: 'tool', toolCallId: 'toolu_1', content: [{ type: 'text', text: '21C' }] },
      {
        role: 'tool',
        toolCallId: 'toolu_2',
        content: [
          { type: 'text', text: 'radar:' },
          { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBOR' } },
        ],
        isError: true,
        cacheControl: { type: 'ephemeral' },
      },
      user('Thanks'),
    ]);
    expect(b.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'What is the weather in Paris and Rome?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'toolu_2', name: 'weather', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: '21C' }] },
          {
            type: 'tool_result',
            tool_use_id: 'toolu_2',
            content: [
              { type: 'text', text: 'radar:' },
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBOR' } },
            ],
            is_error: true,
            cache_control: { type: 'ephemeral' },
          },
          { type: 'text', text: 'Thanks' },
        ],
      },
    ]);
  });

  it('puts tool_result blocks first in a merged user turn', () => {
    const b = body([
      { role: 'assistant', content: [], toolCalls: [{ id: 't1', name: 'f', arguments: '{}' }] },
      user('interjection'),
      { role: 'tool', toolCallId: 't1', content: [] },
    ]);
    expect(b.messages[1]).toEqual({
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 't1' },
        { type: 'text', text: 'interjection' },
      ],
    });
  });

  it('refuses tool call arguments that are not a JSON object', () => {
    const call = (args: string) => () =>
      body([user('x'), { role: 'assistant', content: [], toolCalls: [{ id: 't', name: 'f', arguments: args }] }]);
    unsupported(call('{"a":'), 'tool_call_arguments');
    unsupported(call('[1,2]'), 'tool_call_arguments');
    unsupported(call('"text"'), 'tool_call_arguments');
  });

  it('replays signed thinking and redacted thinking before the text, and drops unsigned reasoning', () => {
    const b = body([
      user('q'),
      {
        role: 'assistant',
        content: [{ type: 'text', text: 'answer' }],
        reasoning: [
          { type: 'thinking', text: 'let me think', signature: 'sig-1' },
          { type: 'redacted_thinking', data: 'opaque==' },
          { type: 'thinking', text: 'from another provider' },
        ],
      },
      user('more'),
    ]);
    expect(b.messages[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'let me think', signature: 'sig-1' },
        { type: 'redacted_thinking', data: 'opaque==' },
        { type: 'text', text: 'answer' },
      ],
    });
  });

  it('sends an assistant refusal as text and skips empty text and empty turns', () => {
    const b = body([user('q'), { role: 'assistant', content: [{ type: 'text', text: '' }], refusal: 'I cannot help.' }, user('')]);
    expect(b.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'q' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'I cannot help.' }] },
    ]);
  });

  it('maps images: base64, http(s) URL, data: URL; preserves cache_control', () => {
    const b = body([
      {
        role: 'user',
        content: [
          { type: 'image', source: { kind: 'base64', mediaType: 'image/jpeg', data: 'AAA' }, cacheControl: { type: 'ephemeral' } },
          { type: 'image', source: { kind: 'url', url: 'https://example.com/cat.png' }, detail: 'high' },
          { type: 'image', source: { kind: 'url', url: 'data:image/webp;base64,UklG Rg==' } },
        ],
      },
    ]);
    expect(b.messages[0]!.content).toEqual([
      { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: 'AAA' }, cache_control: { type: 'ephemeral' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } },
      { type: 'image', source: { type: 'base64', media_type: 'image/webp', data: 'UklGRg==' } },
    ]);
  });

  it('refuses images Anthropic cannot take', () => {
    const image = (source: { kind: 'url'; url: string } | { kind: 'base64'; mediaType: string; data: string }) => () =>
      body([{ role: 'user', content: [{ type: 'image', source }] }]);
    unsupported(image({ kind: 'base64', mediaType: 'image/tiff', data: 'AA' }), 'image_media_type');
    unsupported(image({ kind: 'url', url: 'data:image/bmp;base64,AA' }), 'image_media_type');
    unsupported(image({ kind: 'url', url: 'file:///etc/passwd' }), 'image_url');
  });

  it('maps files to document blocks: PDF base64, plain text, URL; refuses file ids and other types', () => {
    const b = body([
      {
        role: 'user',
        content: [
          {
            type: 'file',
            source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBER' },
            filename: 'report.pdf',
            cacheControl: { type: 'ephemeral' },
          },
          { type: 'file', source: { kind: 'base64', mediaType: 'text/plain', data: Buffer.from('héllo').toString('base64') } },
          { type: 'file', source: { kind: 'url', url: 'https://example.com/a.pdf' } },
        ],
      },
    ]);
    expect(b.messages[0]!.content).toEqual([
      {
        type: 'document',
        source: { type: 'base64', media_type: 'application/pdf', data: 'JVBER' },
        title: 'report.pdf',
        cache_control: { type: 'ephemeral' },
      },
      { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'héllo' } },
      { type: 'document', source: { type: 'url', url: 'https://example.com/a.pdf' } },
    ]);
    unsupported(() => body([{ role: 'user', content: [{ type: 'file', source: { kind: 'file_id', fileId: 'file-abc' } }] }]), 'file_id');
    unsupported(
      () => body([{ role: 'user', content: [{ type: 'file', source: { kind: 'base64', mediaType: 'application/zip', data: 'UEs' } }] }]),
      'file_media_type',
    );
    unsupported(() => body([{ role: 'user', content: [{ type: 'audio', format: 'wav', data: 'UklG' }] }]), 'input_audio');
  });
});

describe('parameters', () => {
  it('defaults max_tokens to 4096 and passes the client value through', () => {
    expect(body([user('x')]).max_tokens).toBe(4096);
    expect(body([user('x')], { maxTokens: 0 }).max_tokens).toBe(0);
    expect(body([user('x')], { maxTokens: 100 }).max_tokens).toBe(100);
  });

  it('maps stop, sampling and user', () => {
    const b = body([user('x')], { stop: ['END'], temperature: 0.2, topP: 0.9, topK: 40, user: 'user-123', metadata: { tag: 'a' } });
    expect(b).toMatchObject({ stop_sequences: ['END'], temperature: 0.2, top_p: 0.9, top_k: 40, metadata: { user_id: 'user-123' } });
    expect(body([user('x')], { stop: [] })).not.toHaveProperty('stop_sequences');
  });

  it('refuses what Anthropic cannot express, only when the client set it', () => {
    unsupported(() => body([user('x')], { n: 2 }), 'n');
    unsupported(() => body([user('x')], { seed: 1 }), 'seed');
    unsupported(() => body([user('x')], { presencePenalty: 0.5 }), 'presence_penalty');
    unsupported(() => body([user('x')], { frequencyPenalty: 0 }), 'frequency_penalty');
    unsupported(() => body([user('x')], { logprobs: true }), 'logprobs');
    unsupported(() => body([user('x')], { topLogprobs: 2 }), 'logprobs');
    unsupported(() => body([user('x')], { temperature: 1.5 }), 'temperature');
    unsupported(() => body([user('x')], { responseFormat: { type: 'json_object' } }), 'response_format');
    expect(() => body([user('x')], { n: 1, logprobs: false, responseFormat: { type: 'text' } })).not.toThrow();
  });

  it('maps json_schema response formats to structured outputs', () => {
    const schema = { type: 'object', properties: { a: { type: 'number' } }, required: ['a'], additionalProperties: false };
    const b = body([user('x')], { responseFormat: { type: 'json_schema', name: 'answer', schema, strict: true } });
    expect(b.output_config).toEqual({ format: { type: 'json_schema', schema } });
  });

  it('maps tools with their schema, strictness and cache_control', () => {
    const b = body([user('x')], {
      tools: [
        {
          type: 'function',
          name: 'get',
          description: 'Get it',
          parameters: { type: 'object', properties: { id: { type: 'string' } } },
          strict: true,
        },
        { type: 'function', name: 'now', parameters: {}, cacheControl: { type: 'ephemeral' } },
      ],
    });
    expect(b.tools).toEqual([
      { name: 'get', description: 'Get it', input_schema: { type: 'object', properties: { id: { type: 'string' } } }, strict: true },
      { name: 'now', input_schema: { type: 'object', properties: {} }, cache_control: { type: 'ephemeral' } },
    ]);
    unsupported(() => body([user('x')], { tools: [{ type: 'function', name: 'bad', parameters: { type: 'string' } }] }), 'tools');
  });

  it.each([
    [{ type: 'auto' } as const, undefined, { type: 'auto' }],
    [{ type: 'required' } as const, undefined, { type: 'any' }],
    [{ type: 'function', name: 'get' } as const, undefined, { type: 'tool', name: 'get' }],
    [{ type: 'none' } as const, false, { type: 'none' }],
    [{ type: 'auto' } as const, false, { type: 'auto', disable_parallel_tool_use: true }],
    [{ type: 'required' } as const, false, { type: 'any', disable_parallel_tool_use: true }],
    [undefined, false, { type: 'auto', disable_parallel_tool_use: true }],
    [undefined, true, undefined],
  ])('maps tool_choice %j with parallelToolCalls %s', (toolChoice, parallelToolCalls, expected) => {
    const tools = [{ type: 'function' as const, name: 'get', parameters: { type: 'object' } }];
    const b = body([user('x')], {
      tools,
      ...(toolChoice ? { toolChoice } : {}),
      ...(parallelToolCalls !== undefined ? { parallelToolCalls } : {}),
    });
    expect(b.tool_choice).toEqual(expected);
  });

  it('omits tool_choice when there are no tools', () => {
    expect(body([user('x')], { toolChoice: { type: 'auto' } })).not.toHaveProperty('tool_choice');
  });

  it.each([
    ['minimal', 1024],
    ['low', 2048],
    ['medium', 8192],
    ['high', 24576],
  ] as const)('maps reasoning effort %s to a %d-token thinking budget, adding it to the default max_tokens', (effort, budget) => {
    const b = body([user('x')], { reasoning: { effort } });
    expect(b.thinking).toEqual({ type: 'enabled', budget_tokens: budget });
    expect(b.max_tokens).toBe(4096 + budget);
  });

  it('shrinks an effort budget to fit a client max_tokens, and refuses when no budget fits', () => {
    expect(body([user('x')], { reasoning: { effort: 'high' }, maxTokens: 10000 }).thinking).toEqual({
      type: 'enabled',
      budget_tokens: 9999,
    });
    expect(body([user('x')], { reasoning: { effort: 'low' }, maxTokens: 10000 }).thinking).toEqual({
      type: 'enabled',
      budget_tokens: 2048,
    });
    unsupported(() => body([user('x')], { reasoning: { effort: 'low' }, maxTokens: 1024 }), 'reasoning');
  });

  it('passes an explicit budget as given and refuses one that does not fit max_tokens', () => {
    expect(body([user('x')], { reasoning: { budgetTokens: 5000 }, maxTokens: 8000 })).toMatchObject({
      max_tokens: 8000,
      thinking: { type: 'enabled', budget_tokens: 5000 },
    });
    unsupported(() => body([user('x')], { reasoning: { budgetTokens: 5000 }, maxTokens: 5000 }), 'reasoning');
    expect(body([user('x')], { reasoning: {} })).not.toHaveProperty('thinking');
  });
});
