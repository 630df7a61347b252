import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../gateway/canonical/types.js';
import { UnsupportedFeatureError } from '../types.js';
import { buildChatBody } from './chat-request.js';
import { openAiDialect } from './dialect.js';
import { openaiAdapter } from './index.js';

const base: ChatRequest = { model: 'ignored', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }], stream: false };
const target = { baseUrl: 'https://api.openai.com/v1', apiKey: 'sk-test-123', model: 'gpt-4o-2024-08-06', options: {} };

describe('canonical → Chat Completions request', () => {
  it('builds the request: URL, bearer auth, JSON content type, target model', () => {
    const req = openaiAdapter.chatRequest(base, target);
    expect(req.url).toBe('https://api.openai.com/v1/chat/completions');
    expect(req.method).toBe('POST');
    expect(req.headers).toEqual({ 'content-type': 'application/json', authorization: 'Bearer sk-test-123' });
    expect(JSON.parse(req.body!)).toEqual({
      model: 'gpt-4o-2024-08-06',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: false,
    });
  });

  it('translates every role, multimodal parts, tool calls and tool results', () => {
    const body = buildChatBody(
      {
        ...base,
        messages: [
          {
            role: 'system',
            content: [
              { type: 'text', text: 'Be brief.' },
              { type: 'text', text: 'Be kind.' },
            ],
          },
          { role: 'developer', content: [{ type: 'text', text: 'Answer in JSON.' }] },
          {
            role: 'user',
            name: 'alice',
            content: [
              { type: 'text', text: 'What is in these?' },
              { type: 'image', source: { kind: 'url', url: 'https://example.com/cat.png' }, detail: 'low' },
              { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' } },
              { type: 'audio', format: 'wav', data: 'UklGRg==' },
              { type: 'file', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBERi0=' } },
              { type: 'file', source: { kind: 'file_id', fileId: 'file-abc' }, filename: 'report.pdf' },
            ],
          },
          {
            role: 'assistant',
            content: [],
            toolCalls: [
              { id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
              { id: 'call_2', name: 'get_time', arguments: '{}' },
            ],
            reasoning: [{ type: 'thinking', text: 'hidden' }],
          },
          { role: 'tool', toolCallId: 'call_1', content: [{ type: 'text', text: '18C' }] },
          { role: 'tool', toolCallId: 'call_2', content: [{ type: 'text', text: '12:00' }], isError: true },
          { role: 'assistant', content: [{ type: 'text', text: 'Done.' }], refusal: 'no more' },
        ],
      },
      'gpt-4o',
      openAiDialect,
    );
    expect(body.messages).toEqual([
      { role: 'system', content: 'Be brief.\n\nBe kind.' },
      { role: 'developer', content: 'Answer in JSON.' },
      {
        role: 'user',
        name: 'alice',
        content: [
          { type: 'text', text: 'What is in these?' },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'low' } },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
          { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'file.pdf' } },
          { type: 'file', file: { file_id: 'file-abc', filename: 'report.pdf' } },
        ],
      },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '18C' },
      { role: 'tool', tool_call_id: 'call_2', content: '12:00' },
      { role: 'assistant', content: 'Done.', refusal: 'no more' },
    ]);
  });

  it('maps tools, tool choice, parallel tool calls, json_schema and sampling parameters', () => {
    const body = buildChatBody(
      {
        ...base,
        tools: [
          { type: 'function', name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: {} }, strict: true },
          { type: 'function', name: 'noop', parameters: { type: 'object' } },
        ],
        toolChoice: { type: 'function', name: 'get_weather' },
        parallelToolCalls: false,
        responseFormat: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true, description: 'An answer' },
        maxTokens: 256,
        temperature: 0.2,
        topP: 0.9,
        stop: ['END'],
        n: 3,
        seed: 42,
        presencePenalty: 0.5,
        frequencyPenalty: -0.5,
        logprobs: true,
        topLogprobs: 2,
        user: 'user-7',
        metadata: { team: 'search' },
        reasoning: { effort: 'minimal' },
      },
      'gpt-5-mini',
      openAiDialect,
    );
    expect(body).toMatchObject({
      tools: [
        {
          type: 'function',
          function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: {} }, strict: true },
        },
        { type: 'function', function: { name: 'noop', parameters: { type: 'object' } } },
      ],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      parallel_tool_calls: false,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'answer', schema: { type: 'object' }, strict: true, description: 'An answer' },
      },
      max_completion_tokens: 256,
      temperature: 0.2,
      top_p: 0.9,
      stop: ['END'],
      n: 3,
      seed: 42,
      presence_penalty: 0.5,
      frequency_penalty: -0.5,
      logprobs: true,
      top_logprobs: 2,
      user: 'user-7',
      reasoning_effort: 'minimal',
    });
    expect(body).not.toHaveProperty('max_tokens');
    // metadata needs store:true at OpenAI; the gateway never turns storage on.
    expect(body).not.toHaveProperty('metadata');
    expect(body).not.toHaveProperty('store');
  });

  it.each([
    [{ type: 'auto' } as const, 'auto'],
    [{ type: 'none' } as const, 'none'],
    [{ type: 'required' } as const, 'required'],
  ])('tool_choice %j → %j', (choice, wire) => {
    const tools: ChatRequest['tools'] = [{ type: 'function', name: 'f', parameters: {} }];
    expect(buildChatBody({ ...base, tools, toolChoice: choice }, 'm', openAiDialect).tool_choice).toBe(wire);
  });

  it('sends no tool_choice or parallel_tool_calls without tools (OpenAI answers 400)', () => {
    const body = buildChatBody({ ...base, toolChoice: { type: 'none' }, parallelToolCalls: false }, 'm', openAiDialect);
    expect(body).not.toHaveProperty('tool_choice');
    expect(body).not.toHaveProperty('parallel_tool_calls');
  });

  it.each([
    [1024, 'low'],
    [4096, 'low'],
    [10000, 'medium'],
    [31999, 'high'],
  ])('maps a bare thinking budget of %i tokens to effort %s', (budgetTokens, effort) => {
    expect(buildChatBody({ ...base, reasoning: { budgetTokens } }, 'm', openAiDialect).reasoning_effort).toBe(effort);
  });

  it('asks for usage when streaming, and only then', () => {
    expect(buildChatBody({ ...base, stream: true }, 'm', openAiDialect)).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(buildChatBody(base, 'm', openAiDialect)).not.toHaveProperty('stream_options');
  });

  it('json_object passes through', () => {
    expect(buildChatBody({ ...base, responseFormat: { type: 'json_object' } }, 'm', openAiDialect).response_format).toEqual({
      type: 'json_object',
    });
  });

  it.each([
    ['top_k', { topK: 5 }],
    ['n above 128', { n: 129 }],
    ['audio other than wav/mp3', { messages: [{ role: 'user', content: [{ type: 'audio', format: 'flac', data: 'x' }] }] }],
    ['a file by URL', { messages: [{ role: 'user', content: [{ type: 'file', source: { kind: 'url', url: 'https://x/y.pdf' } }] }] }],
    [
      'an image in a tool result',
      {
        messages: [
          { role: 'assistant', content: [], toolCalls: [{ id: 'c', name: 'shot', arguments: '{}' }] },
          { role: 'tool', toolCallId: 'c', content: [{ type: 'image', source: { kind: 'url', url: 'https://x/y.png' } }] },
        ],
      },
    ],
  ] as [string, Partial<ChatRequest>][])('refuses %s with UnsupportedFeatureError', (_name, patch) => {
    expect(() => buildChatBody({ ...base, ...patch }, 'm', openAiDialect)).toThrow(UnsupportedFeatureError);
  });
});
