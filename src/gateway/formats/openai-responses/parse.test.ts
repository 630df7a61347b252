import { describe, expect, it } from 'vitest';
import { HttpError } from '../../../http/errors.js';
import { openaiResponsesFormat, refuseUntranslatable } from './index.js';
import { REASONING_TOKEN_PREFIX } from './reasoning-token.js';

const parse = (body: unknown) => openaiResponsesFormat.parseRequest(body);

function parseError(body: unknown): HttpError {
  try {
    parse(body);
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('expected parseRequest to throw');
}

describe('parseRequest: basic mapping', () => {
  it('turns a string input and instructions into a system and a user message', () => {
    const parsed = parse({ model: 'claude-sonnet-4-5', instructions: 'Be terse.', input: 'Hello' });
    expect(parsed.request).toEqual({
      model: 'claude-sonnet-4-5',
      stream: false,
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'Be terse.' }] },
        { role: 'user', content: [{ type: 'text', text: 'Hello' }] },
      ],
    });
    expect(parsed.unknownFields).toEqual([]);
    expect(parsed.untranslatable).toBeUndefined();
  });

  it('maps sampling, limits, format, reasoning, user and metadata', () => {
    const parsed = parse({
      model: 'm',
      input: 'x',
      stream: true,
      max_output_tokens: 500,
      temperature: 0.2,
      top_p: 0.9,
      parallel_tool_calls: false,
      text: {
        format: { type: 'json_schema', name: 'answer', schema: { type: 'object', properties: {} }, strict: true, description: 'd' },
        verbosity: 'low',
      },
      reasoning: { effort: 'medium', summary: 'auto' },
      user: 'old-user',
      safety_identifier: 'hashed-user',
      metadata: { team: 'search' },
    });
    expect(parsed.request).toMatchObject({
      stream: true,
      includeUsage: true,
      maxTokens: 500,
      temperature: 0.2,
      topP: 0.9,
      parallelToolCalls: false,
      responseFormat: { type: 'json_schema', name: 'answer', schema: { type: 'object', properties: {} }, strict: true, description: 'd' },
      reasoning: { effort: 'medium' },
      user: 'hashed-user',
      metadata: { team: 'search' },
    });
  });

  it.each([
    [{ type: 'text' }, { type: 'text' }],
    [{ type: 'json_object' }, { type: 'json_object' }],
  ])('maps text.format %j', (format, expected) => {
    expect(parse({ model: 'm', input: 'x', text: { format } }).request.responseFormat).toEqual(expected);
  });

  it.each([
    ['low', { effort: 'low' }],
    ['minimal', { effort: 'minimal' }],
    ['xhigh', { effort: 'high' }],
    ['none', undefined],
    [null, undefined],
  ])('maps reasoning.effort %s', (effort, expected) => {
    expect(parse({ model: 'm', input: 'x', reasoning: { effort } }).request.reasoning).toEqual(expected);
  });

  it('maps function tools and tool_choice', () => {
    const parsed = parse({
      model: 'm',
      input: 'x',
      tools: [
        { type: 'function', name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: {} }, strict: true },
        { type: 'function', name: 'now', parameters: null, strict: null },
      ],
      tool_choice: { type: 'function', name: 'get_weather' },
    });
    expect(parsed.request.tools).toEqual([
      { type: 'function', name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: {} }, strict: true },
      { type: 'function', name: 'now', parameters: { type: 'object', properties: {} } },
    ]);
    expect(parsed.request.toolChoice).toEqual({ type: 'function', name: 'get_weather' });
    for (const mode of ['auto', 'none', 'required'] as const) {
      expect(parse({ model: 'm', input: 'x', tool_choice: mode }).request.toolChoice).toEqual({ type: mode });
    }
  });

  it('reports unknown top-level fields and keeps the body as sent', () => {
    const body = {
      model: 'm',
      input: [{ role: 'user', content: 'x', phase: 'final_answer', future_field: 1 }],
      brand_new_param: true,
    };
    const parsed = parse(body);
    expect(parsed.unknownFields).toEqual(['brand_new_param']);
    // Nested fields the schema does not list survive for a native passthrough.
    expect(parsed.raw).toBe(body);
  });
});

describe('parseRequest: input items', () => {
  it('maps a multi-turn conversation', () => {
    const parsed = parse({
      model: 'm',
      input: [
        { role: 'developer', content: 'Answer in French.' },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hi' }] },
        {
          type: 'message',
          id: 'msg_1',
          role: 'assistant',
          status: 'completed',
          content: [{ type: 'output_text', text: 'Bonjour', annotations: [], logprobs: [] }],
        },
        { role: 'user', content: 'Again' },
      ],
    });
    expect(parsed.request.messages).toEqual([
      { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
      { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Bonjour' }] },
      { role: 'user', content: [{ type: 'text', text: 'Again' }] },
    ]);
  });

  it('folds one turn of assistant items into one message and maps tool outputs', () => {
    const parsed = parse({
      model: 'm',
      input: [
        { role: 'user', content: 'Weather in Paris and Rome?' },
        // OpenAI's own reasoning: dropped (only OpenAI can read it).
        { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'thinking' }], encrypted_content: 'gAAAA-openai' },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Checking.' }] },
        { type: 'function_call', id: 'fc_1', call_id: 'call_a', name: 'weather', arguments: '{"city":"Paris"}', status: 'completed' },
        { type: 'function_call', call_id: 'call_b', name: 'weather', arguments: '{"city":"Rome"}' },
        { type: 'function_call_output', call_id: 'call_a', output: '18C' },
        {
          type: 'function_call_output',
          call_id: 'call_b',
          output: [
            { type: 'input_text', text: '21C' },
            { type: 'input_image', image_url: 'https://example.com/map.png', detail: 'low' },
          ],
        },
        { type: 'function_call', call_id: 'call_c', name: 'weather', arguments: '{}' },
        { type: 'function_call_output', call_id: 'call_c', output: 'n/a' },
      ],
    });
    expect(parsed.request.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome?' }] },
      {
        role: 'assistant',
        content: [{ type: 'text', text: 'Checking.' }],
        toolCalls: [
          { id: 'call_a', name: 'weather', arguments: '{"city":"Paris"}' },
          { id: 'call_b', name: 'weather', arguments: '{"city":"Rome"}' },
        ],
      },
      { role: 'tool', toolCallId: 'call_a', content: [{ type: 'text', text: '18C' }] },
      {
        role: 'tool',
        toolCallId: 'call_b',
        content: [
          { type: 'text', text: '21C' },
          { type: 'image', source: { kind: 'url', url: 'https://example.com/map.png' }, detail: 'low' },
        ],
      },
      { role: 'assistant', content: [], toolCalls: [{ id: 'call_c', name: 'weather', arguments: '{}' }] },
      { role: 'tool', toolCallId: 'call_c', content: [{ type: 'text', text: 'n/a' }] },
    ]);
    expect(parsed.untranslatable).toBeUndefined();
  });

  it('keeps an assistant refusal', () => {
    const parsed = parse({
      model: 'm',
      input: [
        { role: 'user', content: 'x' },
        { type: 'message', role: 'assistant', content: [{ type: 'refusal', refusal: 'I cannot help with that.' }] },
      ],
    });
    expect(parsed.request.messages[1]).toEqual({ role: 'assistant', content: [], refusal: 'I cannot help with that.' });
  });

  it('maps images and files', () => {
    const parsed = parse({
      model: 'm',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_image', image_url: 'https://example.com/cat.jpg', detail: 'auto' },
            { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'original' },
            { type: 'input_file', file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' },
            { type: 'input_file', file_data: 'JVBERi0=', filename: 'report.PDF' },
            { type: 'input_file', file_url: 'https://example.com/b.pdf' },
          ],
        },
      ],
    });
    expect(parsed.request.messages[0]).toEqual({
      role: 'user',
      content: [
        { type: 'image', source: { kind: 'url', url: 'https://example.com/cat.jpg' }, detail: 'auto' },
        { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' }, detail: 'high' },
        { type: 'file', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBERi0=' }, filename: 'a.pdf' },
        { type: 'file', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBERi0=' }, filename: 'report.PDF' },
        { type: 'file', source: { kind: 'url', url: 'https://example.com/b.pdf' } },
      ],
    });
    expect(parsed.untranslatable).toBeUndefined();
  });

  it('reports OpenAI file ids and content it cannot place', () => {
    const parsed = parse({
      model: 'm',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_image', file_id: 'file-abc', detail: 'auto' },
            { type: 'input_file', file_id: 'file-def' },
            { type: 'input_file', file_data: 'AAAA', filename: 'blob.bin' },
          ],
        },
        { role: 'system', content: [{ type: 'input_image', image_url: 'https://example.com/x.png', detail: 'auto' }] },
      ],
    });
    expect(parsed.untranslatable).toEqual([
      'input[0].content[0] (input_image file_id)',
      'input[0].content[1] (input_file file_id)',
      'input[0].content[2] (input_file data without a media type)',
      'input[1].content[0] (input_image in an instruction message)',
    ]);
    // The rest of the request is still translated (and the pipeline refuses it).
    expect(parsed.request.messages).toHaveLength(2);
  });

  it('reports item references and item kinds only OpenAI runs', () => {
    const parsed = parse({
      model: 'm',
      input: [
        { role: 'user', content: 'x' },
        { id: 'msg_stored' },
        { type: 'item_reference', id: 'fc_stored' },
        { type: 'computer_call_output', call_id: 'c', output: { type: 'computer_screenshot', image_url: 'https://x' } },
        { type: 'web_search_call', id: 'ws_1', status: 'completed', action: { type: 'search', query: 'q' } },
        { type: 'weird type <script>' },
      ],
    });
    expect(parsed.untranslatable).toEqual([
      'input[1] (item_reference)',
      'input[2] (item_reference)',
      'input[3] (computer_call_output)',
      'input[4] (web_search_call)',
      'input[5] (?)',
    ]);
  });

  it('does not let a client-sent `kind` decide how an item or tool is read', () => {
    const parsed = parse({
      model: 'm',
      input: [{ type: 'computer_call_output', kind: 'message', role: 'user', content: 'smuggled' }],
      tools: [{ type: 'web_search', kind: 'function', name: 'x', parameters: {} }],
    });
    expect(parsed.request.messages).toEqual([]);
    expect(parsed.request.tools).toBeUndefined();
    expect(parsed.untranslatable).toEqual(['input[0] (computer_call_output)', 'tools[0] (web_search)']);
  });
});

describe('parseRequest: built-in tools and server-side state', () => {
  const builtIns = [
    { type: 'web_search', search_context_size: 'low' },
    { type: 'web_search_preview' },
    { type: 'file_search', vector_store_ids: ['vs_1'] },
    { type: 'code_interpreter', container: { type: 'auto' } },
    { type: 'computer_use_preview', display_width: 1024, display_height: 768, environment: 'browser' },
    { type: 'mcp', server_label: 'deepwiki', server_url: 'https://mcp.deepwiki.com/mcp', require_approval: 'never' },
    { type: 'image_generation' },
    { type: 'custom', name: 'apply_patch', format: { type: 'grammar', syntax: 'lark', definition: 'start: "x"' } },
    { type: 'local_shell' },
  ];

  it('accepts built-in tools (for a native passthrough) and reports each one for translation', () => {
    const parsed = parse({
      model: 'gpt-5',
      input: 'x',
      tools: [{ type: 'function', name: 'f', parameters: {} }, ...builtIns],
      tool_choice: { type: 'web_search_preview' },
    });
    expect(parsed.request.tools).toEqual([{ type: 'function', name: 'f', parameters: {} }]);
    expect(parsed.request.toolChoice).toBeUndefined();
    expect(parsed.untranslatable).toEqual([
      ...builtIns.map((tool, i) => `tools[${i + 1}] (${tool.type})`),
      'tool_choice (web_search_preview)',
    ]);
  });

  it('refuses a translation naming the tool type, and lets a translatable request through', () => {
    const parsed = parse({ model: 'm', input: 'x', tools: [{ type: 'web_search' }] });
    let error: unknown;
    try {
      refuseUntranslatable(parsed, 'anthropic');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 400, code: 'unsupported_feature' });
    expect((error as HttpError).message).toContain('tools[0] (web_search)');
    expect((error as HttpError).message).toContain('anthropic');

    expect(() =>
      refuseUntranslatable(parse({ model: 'm', input: 'x', tools: [{ type: 'function', name: 'f' }] }), 'anthropic'),
    ).not.toThrow();
  });

  it.each([
    [{ previous_response_id: 'resp_1' }, ['previous_response_id']],
    [{ conversation: 'conv_1' }, ['conversation']],
    [{ conversation: { id: 'conv_1' } }, ['conversation']],
    [{ background: true }, ['background']],
    [{ prompt: { id: 'pmpt_1', variables: {} } }, ['prompt']],
    [{ context_management: [{ type: 'compaction', compact_threshold: 1000 }] }, ['context_management']],
    [{ top_logprobs: 3 }, ['top_logprobs']],
    [{ include: ['message.output_text.logprobs'] }, ['include (message.output_text.logprobs)']],
    [{ tool_choice: { type: 'allowed_tools', mode: 'auto', tools: [] } }, ['tool_choice (allowed_tools)']],
    [{ tools: [{ type: 'function', name: 'f', defer_loading: true }] }, ['tools[0] (defer_loading)']],
  ])('reports %j as untranslatable', (extra, expected) => {
    expect(parse({ model: 'm', input: 'x', ...extra }).untranslatable).toEqual(expected);
  });

  it.each([
    { store: true },
    { store: false },
    { background: false },
    { previous_response_id: null, conversation: null },
    { include: ['reasoning.encrypted_content', 'file_search_call.results'] },
    { truncation: 'auto', service_tier: 'flex', prompt_cache_key: 'k', max_tool_calls: 3, stream_options: { include_obfuscation: false } },
    { top_logprobs: 0 },
  ])('does not report %j', (extra) => {
    expect(parse({ model: 'm', input: 'x', ...extra }).untranslatable).toBeUndefined();
  });
});

describe('parseRequest: validation', () => {
  it.each([
    [null, 'body must be a JSON object'],
    [[], 'body must be a JSON object'],
    [{ input: 'x' }, 'model: is required'],
    [{ model: 'm', input: [{ type: 'function_call', name: 'f', arguments: '{}' }] }, 'input[0].call_id: is required'],
    [{ model: 'm', input: [{ role: 'robot', content: 'x' }] }, 'input[0].role: must be one of'],
    [
      { model: 'm', input: [{ role: 'user', content: [{ type: 'input_image', detail: 'auto' }] }] },
      'input[0].content[0]: must have image_url or file_id',
    ],
    [{ model: 'm', input: [{ role: 'user', content: [{ type: 'input_text' }] }] }, 'input[0].content[0].text: is required'],
    [{ model: 'm', input: 'x', tools: [{ type: 'function' }] }, 'tools[0].name: is required'],
    [{ model: 'm', input: 'x', temperature: 3 }, 'temperature: must be <= 2'],
    [{ model: 'm', input: 'x', tool_choice: 'sometimes' }, 'tool_choice: must be one of'],
    [{ model: 'm', input: 'x', text: { format: { type: 'json_schema', schema: {} } } }, 'text.format.name: is required'],
    [{ model: 'm', input: 'x', reasoning: { effort: 'extreme' } }, 'reasoning.effort: must be one of'],
    [
      { model: 'm', input: 'x', metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) },
      'metadata: must have at most 16',
    ],
  ])('rejects %j', (body, message) => {
    const error = parseError(body);
    expect(error.status).toBe(400);
    expect(error.message).toContain(message);
  });

  it('never echoes submitted values in the error', () => {
    const secret = 'sk-live-SECRET-VALUE';
    const error = parseError({ model: 'm', input: [{ role: secret, content: secret }], temperature: secret });
    expect(error.message).not.toContain(secret);
  });
});

describe('parseRequest: replaying reasoning the gateway rendered', () => {
  const context = { requestedModel: 'claude', requestId: 'req_0123456789abcdef01234567' };

  it('turns our reasoning items back into signed and redacted thinking blocks', () => {
    const rendered = openaiResponsesFormat.renderResponse(
      {
        id: 'msg_up',
        model: 'claude-sonnet-4-5',
        created: 1_700_000_000,
        usage: { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0, cacheWriteInputTokens: 0, reasoningTokens: 0 },
        choices: [
          {
            index: 0,
            finishReason: 'tool_calls',
            message: {
              role: 'assistant',
              content: [],
              reasoning: [
                { type: 'thinking', text: 'Let me look it up.', signature: 'sig-123' },
                { type: 'redacted_thinking', data: 'opaque' },
              ],
              toolCalls: [{ id: 'toolu_1', name: 'search', arguments: '{"q":"x"}' }],
            },
          },
        ],
      },
      context,
    ) as { output: unknown[] };

    const parsed = parse({
      model: 'claude',
      input: [{ role: 'user', content: 'x' }, ...rendered.output, { type: 'function_call_output', call_id: 'toolu_1', output: 'found' }],
    });
    expect(parsed.request.messages[1]).toEqual({
      role: 'assistant',
      content: [],
      reasoning: [
        { type: 'thinking', text: 'Let me look it up.', signature: 'sig-123' },
        { type: 'redacted_thinking', data: 'opaque' },
      ],
      toolCalls: [{ id: 'toolu_1', name: 'search', arguments: '{"q":"x"}' }],
    });
  });

  it('drops a turn that holds nothing but reasoning', () => {
    const parsed = parse({
      model: 'm',
      input: [
        { role: 'user', content: 'x' },
        { type: 'reasoning', summary: [{ type: 'summary_text', text: 'hm' }], encrypted_content: 'gAAAA-openai' },
        { role: 'user', content: 'y' },
      ],
    });
    expect(parsed.request.messages.map((m) => m.role)).toEqual(['user', 'user']);
  });

  it('rejects a token with our prefix that cannot be read', () => {
    const error = parseError({
      model: 'm',
      input: [{ type: 'reasoning', summary: [], encrypted_content: `${REASONING_TOKEN_PREFIX}not-json` }],
    });
    expect(error.status).toBe(400);
    expect(error.message).toBe('Invalid request: input[0].encrypted_content: is not a valid reasoning token');
  });
});
