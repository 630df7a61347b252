import { describe, expect, it } from 'vitest';
import { HttpError } from '../../../http/errors.js';
import { openaiChatFormat } from './index.js';

const minimal = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] };

function parseError(body: unknown): HttpError {
  try {
    openaiChatFormat.parseRequest(body);
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('expected a validation error');
}

describe('openai-chat parseRequest', () => {
  it('parses a minimal request, keeping the requested model and the client body', () => {
    const parsed = openaiChatFormat.parseRequest(minimal);
    expect(parsed.request).toEqual({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      stream: false,
    });
    expect(parsed.raw).toBe(minimal);
    expect(parsed.unknownFields).toEqual([]);
    expect(parsed.untranslatable).toBeUndefined();
  });

  it('translates every role, multimodal parts, tool calls and results', () => {
    const parsed = openaiChatFormat.parseRequest({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'developer', content: [{ type: 'text', text: 'dev' }] },
        {
          role: 'user',
          name: 'alice',
          content: [
            { type: 'text', text: 'look' },
            { type: 'image_url', image_url: { url: 'https://x/cat.png', detail: 'high' } },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0K' } },
            { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'mp3' } },
            { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' } },
            { type: 'file', file: { file_id: 'file-1' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          reasoning_content: 'thought',
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'w', arguments: '{"a":1}' } },
            { id: 'call_2', type: 'function', function: { name: 't', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
        { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: 'noon' }] },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'ok' },
            { type: 'refusal', refusal: 'not that' },
          ],
        },
      ],
    });
    expect(parsed.request.messages).toEqual([
      { role: 'system', content: [{ type: 'text', text: 'sys' }] },
      { role: 'developer', content: [{ type: 'text', text: 'dev' }] },
      {
        role: 'user',
        name: 'alice',
        content: [
          { type: 'text', text: 'look' },
          { type: 'image', source: { kind: 'url', url: 'https://x/cat.png' }, detail: 'high' },
          { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBORw0K' } },
          { type: 'audio', format: 'mp3', data: 'UklGRg==' },
          { type: 'file', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBERi0=' }, filename: 'a.pdf' },
          { type: 'file', source: { kind: 'file_id', fileId: 'file-1' } },
        ],
      },
      {
        role: 'assistant',
        content: [],
        reasoning: [{ type: 'thinking', text: 'thought' }],
        toolCalls: [
          { id: 'call_1', name: 'w', arguments: '{"a":1}' },
          { id: 'call_2', name: 't', arguments: '{}' },
        ],
      },
      { role: 'tool', toolCallId: 'call_1', content: [{ type: 'text', text: 'sunny' }] },
      { role: 'tool', toolCallId: 'call_2', content: [{ type: 'text', text: 'noon' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'ok' }], refusal: 'not that' },
    ]);
  });

  it('maps parameters', () => {
    const { request } = openaiChatFormat.parseRequest({
      ...minimal,
      tools: [
        { type: 'function', function: { name: 'w', description: 'd', parameters: { type: 'object' }, strict: true } },
        { type: 'function', function: { name: 'n' } },
      ],
      tool_choice: { type: 'function', function: { name: 'w' } },
      parallel_tool_calls: false,
      max_tokens: 10,
      max_completion_tokens: 20,
      temperature: 0.5,
      top_p: 0.5,
      stop: 'END',
      n: 2,
      seed: 1,
      presence_penalty: 1,
      frequency_penalty: -1,
      logprobs: true,
      top_logprobs: 3,
      response_format: { type: 'json_schema', json_schema: { name: 'r', schema: { type: 'object' }, strict: true } },
      reasoning_effort: 'xhigh',
      stream: true,
      stream_options: { include_usage: true },
      safety_identifier: 'sid',
      metadata: { a: 'b' },
      store: true,
      prompt_cache_key: 'k',
      service_tier: 'flex',
    });
    expect(request).toEqual({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      stream: true,
      includeUsage: true,
      tools: [
        { type: 'function', name: 'w', description: 'd', parameters: { type: 'object' }, strict: true },
        { type: 'function', name: 'n', parameters: { type: 'object', properties: {} } },
      ],
      toolChoice: { type: 'function', name: 'w' },
      parallelToolCalls: false,
      maxTokens: 20,
      temperature: 0.5,
      topP: 0.5,
      stop: ['END'],
      n: 2,
      seed: 1,
      presencePenalty: 1,
      frequencyPenalty: -1,
      logprobs: true,
      topLogprobs: 3,
      responseFormat: { type: 'json_schema', name: 'r', schema: { type: 'object' }, strict: true },
      reasoning: { effort: 'high' },
      user: 'sid',
      metadata: { a: 'b' },
    });
  });

  it('reasoning_effort none means no reasoning config', () => {
    expect(openaiChatFormat.parseRequest({ ...minimal, reasoning_effort: 'none' }).request.reasoning).toBeUndefined();
  });

  it('maps legacy function calling to tools with paired ids', () => {
    const { request } = openaiChatFormat.parseRequest({
      model: 'gpt-4o',
      functions: [{ name: 'lookup', parameters: { type: 'object' } }],
      function_call: { name: 'lookup' },
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: null, function_call: { name: 'lookup', arguments: '{}' } },
        { role: 'function', name: 'lookup', content: 'result' },
      ],
    });
    expect(request.tools).toEqual([{ type: 'function', name: 'lookup', parameters: { type: 'object' } }]);
    expect(request.toolChoice).toEqual({ type: 'function', name: 'lookup' });
    const call = request.messages[1];
    const result = request.messages[2];
    expect(call?.role === 'assistant' && call.toolCalls?.[0]?.id).toBe('call_legacy_0');
    expect(result).toEqual({ role: 'tool', toolCallId: 'call_legacy_0', content: [{ type: 'text', text: 'result' }] });
  });

  it('reports unknown top-level fields, without echoing odd key names', () => {
    const parsed = openaiChatFormat.parseRequest({ ...minimal, top_k: 5, 'evil key<script>': 1 });
    expect(parsed.unknownFields).toEqual(['top_k', '[?]']);
    expect(parsed.raw).toHaveProperty('top_k', 5);
  });

  it('lists what the canonical request cannot carry as untranslatable', () => {
    const parsed = openaiChatFormat.parseRequest({
      model: 'gpt-4o',
      messages: [
        { role: 'user', content: 'q' },
        {
          role: 'assistant',
          content: null,
          audio: { id: 'audio_1' },
          tool_calls: [{ id: 'c', type: 'custom', custom: { name: 'x', input: 'y' } }],
        },
      ],
      tools: [
        { type: 'function', function: { name: 'f' } },
        { type: 'custom', custom: { name: 'grammar' } },
      ],
      tool_choice: { type: 'allowed_tools', allowed_tools: { mode: 'auto', tools: [] } },
      audio: { format: 'wav', voice: 'alloy' },
      modalities: ['text', 'audio'],
      logit_bias: { '50256': -100 },
      verbosity: 'low',
      web_search_options: {},
    });
    expect(parsed.untranslatable?.sort()).toEqual(
      [
        'audio',
        'logit_bias',
        'messages[1].audio',
        'messages[1].tool_calls[0] (custom)',
        'modalities (audio)',
        'tool_choice (allowed_tools)',
        'tools[1] (custom)',
        'verbosity',
        'web_search_options',
      ].sort(),
    );
    expect(parsed.unknownFields).toEqual([]);
  });

  it.each([
    [{ messages: [{ role: 'user', content: 'Hi' }] }, 'model: is required'],
    [{ model: 'gpt-4o' }, 'messages: is required'],
    [{ model: 'gpt-4o', messages: [] }, 'messages: must have at least 1 item(s)'],
    [{ model: 'gpt-4o', messages: [{ role: 'wizard', content: 'x' }] }, 'messages[0].role'],
    [{ model: 'gpt-4o', messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].tool_call_id: is required'],
    [{ ...minimal, temperature: 7 }, 'temperature: must be <= 2'],
    [{ ...minimal, n: 0 }, 'n: must be >= 1'],
    [{ ...minimal, tools: [{ type: 'function', function: { name: 'bad name!' } }] }, 'tools[0].function.name'],
    [{ ...minimal, messages: [{ role: 'user', content: [{ type: 'file', file: {} }] }] }, 'messages[0].content'],
    [{ ...minimal, reasoning_effort: 'extreme' }, 'reasoning_effort'],
  ])('rejects %j naming the field', (body, expected) => {
    const error = parseError(body);
    expect(error.status).toBe(400);
    expect(error.message).toContain(expected);
  });

  it('never echoes submitted values in the error', () => {
    const secret = 'sk-live-SECRET-in-a-prompt';
    const error = parseError({ model: 'gpt-4o', messages: [{ role: secret, content: secret }], temperature: secret });
    expect(error.message).not.toContain('SECRET');
    expect(error.message).toContain('messages[0].role');
  });

  it('rejects a body that is not an object', () => {
    expect(parseError([minimal]).status).toBe(400);
    expect(parseError('hi').status).toBe(400);
  });
});
