import { describe, expect, it } from 'vitest';
import { HttpError } from '../../../http/errors.js';
import { anthropicMessagesFormat, parseCountTokensRequest } from './index.js';

const parse = (body: unknown) => anthropicMessagesFormat.parseRequest(body);
const base = { model: 'claude-sonnet-4-5', max_tokens: 1024, messages: [{ role: 'user', content: 'Hello' }] };

function parseError(body: unknown): string {
  try {
    parse(body);
  } catch (e) {
    expect(e).toBeInstanceOf(HttpError);
    expect((e as HttpError).status).toBe(400);
    return (e as HttpError).message;
  }
  throw new Error('expected a 400');
}

describe('anthropic messages parseRequest', () => {
  it('parses a minimal request', () => {
    const parsed = parse(base);
    expect(parsed.request).toEqual({
      model: 'claude-sonnet-4-5',
      stream: false,
      maxTokens: 1024,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }],
    });
    expect(parsed.raw).toBe(base);
    expect(parsed.unknownFields).toEqual([]);
    expect(parsed.untranslatable).toEqual([]);
  });

  it('maps system (string or blocks with cache_control) and mid-conversation system turns', () => {
    const parsed = parse({
      ...base,
      system: [{ type: 'text', text: 'You are terse.', cache_control: { type: 'ephemeral', ttl: '1h' } }],
      messages: [
        { role: 'user', content: 'a' },
        { role: 'system', content: 'From now on, answer in French.' },
        { role: 'user', content: 'b' },
      ],
    });
    expect(parsed.request.messages).toEqual([
      { role: 'system', content: [{ type: 'text', text: 'You are terse.', cacheControl: { type: 'ephemeral', ttl: '1h' } }] },
      { role: 'user', content: [{ type: 'text', text: 'a' }] },
      { role: 'system', content: [{ type: 'text', text: 'From now on, answer in French.' }] },
      { role: 'user', content: [{ type: 'text', text: 'b' }] },
    ]);
    expect(parse({ ...base, system: 'Be kind.' }).request.messages[0]).toEqual({
      role: 'system',
      content: [{ type: 'text', text: 'Be kind.' }],
    });
  });

  it('maps a tool conversation: tool_use with signed thinking, then tool_result blocks with images and is_error', () => {
    const parsed = parse({
      ...base,
      messages: [
        { role: 'user', content: 'Weather?' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Need the tool.', signature: 'sig-1' },
            { type: 'redacted_thinking', data: 'enc' },
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } },
            { type: 'tool_use', id: 'toolu_2', name: 'radar', input: {} },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: '21C', cache_control: { type: 'ephemeral' } },
            {
              type: 'tool_result',
              tool_use_id: 'toolu_2',
              is_error: true,
              content: [
                { type: 'text', text: 'radar offline' },
                { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBOR' } },
              ],
            },
            { type: 'text', text: 'And tomorrow?' },
          ],
        },
      ],
    });
    expect(parsed.request.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
      {
        role: 'assistant',
        content: [{ type: 'text', text: 'Checking.' }],
        reasoning: [
          { type: 'thinking', text: 'Need the tool.', signature: 'sig-1' },
          { type: 'redacted_thinking', data: 'enc' },
        ],
        toolCalls: [
          { id: 'toolu_1', name: 'weather', arguments: '{"city":"Paris"}' },
          { id: 'toolu_2', name: 'radar', arguments: '{}' },
        ],
      },
      { role: 'tool', toolCallId: 'toolu_1', content: [{ type: 'text', text: '21C' }], cacheControl: { type: 'ephemeral' } },
      {
        role: 'tool',
        toolCallId: 'toolu_2',
        isError: true,
        content: [
          { type: 'text', text: 'radar offline' },
          { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBOR' } },
        ],
      },
      { role: 'user', content: [{ type: 'text', text: 'And tomorrow?' }] },
    ]);
    expect(parsed.untranslatable).toEqual([]);
  });

  it('maps images and documents', () => {
    const parsed = parse({
      ...base,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' }, cache_control: { type: 'ephemeral' } },
            { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBER' }, title: 'Report' },
            { type: 'document', source: { type: 'url', url: 'https://example.com/a.pdf' } },
            { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'plain words' } },
          ],
        },
      ],
    });
    expect(parsed.request.messages[0]).toEqual({
      role: 'user',
      content: [
        { type: 'image', source: { kind: 'url', url: 'https://example.com/a.png' }, cacheControl: { type: 'ephemeral' } },
        { type: 'file', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBER' }, filename: 'Report' },
        { type: 'file', source: { kind: 'url', url: 'https://example.com/a.pdf' } },
        { type: 'text', text: 'plain words' },
      ],
    });
  });

  it('maps parameters: tools, tool_choice, sampling, stop, metadata, structured output', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } }, required: ['a'], additionalProperties: false };
    const parsed = parse({
      ...base,
      stream: true,
      temperature: 0.3,
      top_p: 0.9,
      top_k: 5,
      stop_sequences: ['END'],
      metadata: { user_id: 'u-1' },
      tools: [
        {
          name: 'get',
          description: 'Get',
          input_schema: { type: 'object', properties: {} },
          strict: true,
          cache_control: { type: 'ephemeral' },
        },
        { type: 'custom', name: 'put', input_schema: { type: 'object' }, eager_input_streaming: true },
      ],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      output_config: { format: { type: 'json_schema', schema } },
      service_tier: 'auto',
    });
    expect(parsed.request).toMatchObject({
      stream: true,
      temperature: 0.3,
      topP: 0.9,
      topK: 5,
      stop: ['END'],
      user: 'u-1',
      tools: [
        {
          type: 'function',
          name: 'get',
          description: 'Get',
          parameters: { type: 'object', properties: {} },
          strict: true,
          cacheControl: { type: 'ephemeral' },
        },
        { type: 'function', name: 'put', parameters: { type: 'object' } },
      ],
      toolChoice: { type: 'required' },
      parallelToolCalls: false,
      responseFormat: { type: 'json_schema', name: 'response', schema, strict: true },
    });
    expect(parsed.untranslatable).toEqual([]);
  });

  it.each([
    [{ type: 'auto' }, { type: 'auto' }],
    [{ type: 'any' }, { type: 'required' }],
    [
      { type: 'tool', name: 'get' },
      { type: 'function', name: 'get' },
    ],
    [{ type: 'none' }, { type: 'none' }],
  ])('maps tool_choice %j', (choice, expected) => {
    const parsed = parse({ ...base, tools: [{ name: 'get', input_schema: { type: 'object' } }], tool_choice: choice });
    expect(parsed.request.toolChoice).toEqual(expected);
    expect(parsed.request.parallelToolCalls).toBeUndefined();
  });

  it.each([
    [{ thinking: { type: 'enabled', budget_tokens: 2048 } }, { budgetTokens: 2048 }],
    [{ thinking: { type: 'adaptive' } }, { effort: 'medium' }],
    [{ thinking: { type: 'adaptive' }, output_config: { effort: 'max' } }, { effort: 'high' }],
    [{ output_config: { effort: 'low' } }, { effort: 'low' }],
    [{ thinking: { type: 'disabled' }, output_config: { effort: 'high' } }, undefined],
  ])('maps thinking %j', (fields, reasoning) => {
    expect(parse({ ...base, ...fields }).request.reasoning).toEqual(reasoning);
  });

  it('lists what only a native passthrough can carry', () => {
    const parsed = parse({
      ...base,
      tools: [
        { type: 'web_search_20250305', name: 'web_search', max_uses: 2 },
        { name: 'lazy', input_schema: { type: 'object' }, defer_loading: true },
      ],
      mcp_servers: [{ type: 'url', url: 'https://mcp.example.com', name: 'x' }],
      container: 'container_1',
      inference_geo: 'eu',
      thinking: { type: 'between_tools' },
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'file', file_id: 'file_1' } },
            { type: 'document', source: { type: 'file', file_id: 'file_2' } },
            { type: 'search_result', source: 'https://x', title: 't', content: [{ type: 'text', text: 'r' }] },
            { type: 'tool_result', tool_use_id: 't', content: [{ type: 'tool_reference', tool_name: 'x' }] },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'server_tool_use', id: 's', name: 'web_search', input: {} },
            { type: 'web_search_tool_result', tool_use_id: 's', content: [] },
          ],
        },
        { role: 'user', content: [{ type: 'tool_use', id: 'x', name: 'y', input: {} }] },
      ],
    });
    expect(parsed.untranslatable).toEqual([
      'messages[0].content[0].source (file)',
      'messages[0].content[1].source (file)',
      'messages[0].content[2] (search_result)',
      'messages[0].content[3].content[0] (tool_reference)',
      'messages[1].content[0] (server_tool_use)',
      'messages[1].content[1] (web_search_tool_result)',
      'messages[2].content[0] (tool_use)',
      'tools[0] (web_search_20250305)',
      'tools[1].defer_loading',
      'container',
      'mcp_servers',
      'inference_geo',
      'thinking (between_tools)',
    ]);
    expect(parsed.unknownFields).toEqual([]);
  });

  it('never echoes a client-chosen block type that is not a plain identifier', () => {
    const parsed = parse({ ...base, messages: [{ role: 'user', content: [{ type: '<script>sk-ant-x</script>' }] }] });
    expect(parsed.untranslatable).toEqual(['messages[0].content[0] (?)']);
  });

  it('reports unknown top-level fields', () => {
    expect(parse({ ...base, brand_new_param: 1, another: true }).unknownFields).toEqual(['brand_new_param', 'another']);
  });

  it.each([
    [{ ...base, model: undefined }, 'model: is required'],
    [{ ...base, max_tokens: undefined }, 'max_tokens: is required'],
    [{ ...base, max_tokens: 1.5 }, 'max_tokens: expected int'],
    [{ ...base, messages: [] }, 'messages: must have at least 1 item(s)'],
    [{ ...base, messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].role: must be one of "user", "assistant", "system"'],
    [{ ...base, messages: [{ role: 'user', content: [{ type: 'text' }] }] }, 'messages[0].content[0].text: is required'],
    [
      { ...base, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png' } }] }] },
      'messages[0].content[0].source.data: is required',
    ],
    [
      { ...base, messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: 5 }] }] }] },
      'messages[0].content[0].content[0].text: expected string, got number',
    ],
    [
      { ...base, messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 'a', name: 'b', input: 'x' }] }] },
      'messages[0].content[0].input: expected record, got string',
    ],
    [{ ...base, tools: [{ name: 'f' }] }, 'tools[0].input_schema: is required'],
    [{ ...base, tool_choice: { type: 'sometimes' } }, 'tool_choice.type: must be one of'],
    [{ ...base, temperature: 2 }, 'temperature: must be <= 1'],
    [{ ...base, thinking: { type: 'enabled' } }, 'thinking.budget_tokens: is required'],
  ])('names the offending field: %#', (body, message) => {
    expect(parseError(body)).toContain(message);
  });

  it('does not echo values in errors', () => {
    const message = parseError({ ...base, model: 'sk-ant-secret', max_tokens: 'sk-ant-secret-too' });
    expect(message).not.toContain('sk-ant');
  });

  it('refuses a body that is not an object', () => {
    expect(parseError('hello')).toContain('(root)');
    expect(parseError(null)).toContain('(root)');
  });
});

describe('parseCountTokensRequest', () => {
  it('parses the body without max_tokens, as non-streamed', () => {
    const parsed = parseCountTokensRequest({ model: 'claude-x', messages: [{ role: 'user', content: 'count me' }], system: 'sys' });
    expect(parsed.request).toEqual({
      model: 'claude-x',
      stream: false,
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'sys' }] },
        { role: 'user', content: [{ type: 'text', text: 'count me' }] },
      ],
    });
    expect(parsed.unknownFields).toEqual([]);
  });

  it('reports generation fields as unknown and keeps them out of the canonical request', () => {
    const parsed = parseCountTokensRequest({
      model: 'c',
      messages: [{ role: 'user', content: 'x' }],
      max_tokens: 5,
      stream: 'yes',
      temperature: 9,
    });
    expect(parsed.unknownFields).toEqual(['max_tokens', 'stream', 'temperature']);
    expect(parsed.request.stream).toBe(false);
    expect(parsed.request).not.toHaveProperty('maxTokens');
    expect(parsed.request).not.toHaveProperty('temperature');
  });

  it('still requires model and messages', () => {
    expect(() => parseCountTokensRequest({ messages: [] })).toThrow(/model: is required; messages: must have at least 1 item/);
  });
});
