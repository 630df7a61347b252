import type { Response as SdkResponse, ResponseStreamEvent as SdkStreamEvent } from 'openai/resources/responses/responses';
import { describe, expect, it } from 'vitest';
import type { AssistantMessage, ChatResponse, FinishReason } from '../../canonical/types.js';
import { openaiResponsesFormat } from './index.js';
import { REASONING_TOKEN_PREFIX } from './reasoning-token.js';
import type { WireResponse, WireStreamEvent } from './wire.js';

// Compile-time checks (tsc --noEmit): what the gateway writes is what the official SDK describes.
// `output_text` is left out because the SDK computes it; the API sends it neither in a response
// nor in the responses carried by stream events.
type WithoutOutputText<E> = E extends { response: SdkResponse } ? Omit<E, 'response'> & { response: Omit<SdkResponse, 'output_text'> } : E;
export const asSdkResponse = (response: WireResponse): Omit<SdkResponse, 'output_text'> => response;
export const asSdkEvent = (event: WireStreamEvent): WithoutOutputText<SdkStreamEvent> => event;

const context = { requestedModel: 'smart', requestId: 'req_00112233445566778899aabb' };
const render = (response: ChatResponse, requestBody?: Record<string, unknown>) =>
  openaiResponsesFormat.renderResponse(response, { ...context, ...(requestBody ? { requestBody } : {}) }) as WireResponse;

function answer(message: Partial<AssistantMessage>, finishReason: FinishReason = 'stop'): ChatResponse {
  return {
    id: 'msg_upstream',
    model: 'claude-sonnet-4-5-20250929',
    created: 1_760_000_000,
    usage: { inputTokens: 120, outputTokens: 40, cachedInputTokens: 100, cacheWriteInputTokens: 0, reasoningTokens: 12 },
    choices: [{ index: 0, finishReason, message: { role: 'assistant', content: [], ...message } }],
  };
}

const defaults = {
  instructions: null,
  tools: [],
  tool_choice: 'auto',
  parallel_tool_calls: true,
  temperature: null,
  top_p: null,
  max_output_tokens: null,
  text: { format: { type: 'text' } },
  reasoning: { effort: null, summary: null },
  metadata: {},
  truncation: 'disabled',
  background: false,
  previous_response_id: null,
};

describe('renderResponse', () => {
  it('renders a text answer with usage and default echoes', () => {
    const rendered = render(
      answer({
        content: [
          { type: 'text', text: 'Hello ' },
          { type: 'text', text: 'there.' },
        ],
      }),
    );
    expect(rendered).toEqual({
      id: 'resp_00112233445566778899aabb',
      object: 'response',
      created_at: 1_760_000_000,
      status: 'completed',
      error: null,
      incomplete_details: null,
      model: 'claude-sonnet-4-5-20250929',
      output: [
        {
          id: 'msg_00112233445566778899aabb_0',
          type: 'message',
          role: 'assistant',
          status: 'completed',
          content: [{ type: 'output_text', text: 'Hello there.', annotations: [], logprobs: [] }],
        },
      ],
      usage: {
        input_tokens: 120,
        input_tokens_details: { cached_tokens: 100 },
        output_tokens: 40,
        output_tokens_details: { reasoning_tokens: 12 },
        total_tokens: 160,
      },
      ...defaults,
    });
    expect(rendered).not.toHaveProperty('output_text');
  });

  it('echoes the request parameters the client sent', () => {
    const body = {
      model: 'smart',
      input: 'x',
      instructions: 'Be brief.',
      tools: [
        { type: 'function', name: 'lookup', description: 'Find', parameters: { type: 'object' }, strict: true },
        { type: 'function', name: 'bare' },
      ],
      tool_choice: { type: 'function', name: 'lookup' },
      parallel_tool_calls: false,
      temperature: 0.3,
      top_p: 0.8,
      max_output_tokens: 256,
      text: { format: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true }, verbosity: 'low' },
      reasoning: { effort: 'high', summary: 'auto' },
      metadata: { k: 'v' },
      user: 'u',
      safety_identifier: 's',
      prompt_cache_key: 'p',
    };
    const rendered = render(answer({ content: [{ type: 'text', text: '{}' }] }), body);
    expect(rendered).toMatchObject({
      instructions: 'Be brief.',
      tools: [
        { type: 'function', name: 'lookup', description: 'Find', parameters: { type: 'object' }, strict: true },
        { type: 'function', name: 'bare', description: null, parameters: null, strict: null },
      ],
      tool_choice: { type: 'function', name: 'lookup' },
      parallel_tool_calls: false,
      temperature: 0.3,
      top_p: 0.8,
      max_output_tokens: 256,
      text: { format: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true }, verbosity: 'low' },
      reasoning: { effort: 'high', summary: 'auto' },
      metadata: { k: 'v' },
      user: 'u',
      safety_identifier: 's',
      prompt_cache_key: 'p',
    });
  });

  it('renders reasoning, text, refusal and function calls in order', () => {
    const rendered = render(
      answer(
        {
          reasoning: [{ type: 'thinking', text: 'Need the weather.', signature: 'sig' }],
          content: [{ type: 'text', text: 'Checking.' }],
          toolCalls: [
            { id: 'toolu_1', name: 'weather', arguments: '{"city":"Paris"}' },
            { id: '', name: 'weather', arguments: '{"city":"Rome"}' },
          ],
        },
        'tool_calls',
      ),
    );
    expect(rendered.status).toBe('completed');
    expect(rendered.output).toEqual([
      {
        id: 'rs_00112233445566778899aabb_0',
        type: 'reasoning',
        summary: [{ type: 'summary_text', text: 'Need the weather.' }],
        encrypted_content: expect.stringMatching(new RegExp(`^${REASONING_TOKEN_PREFIX.replace(/\./g, '\\.')}`)) as string,
      },
      {
        id: 'msg_00112233445566778899aabb_1',
        type: 'message',
        role: 'assistant',
        status: 'completed',
        content: [{ type: 'output_text', text: 'Checking.', annotations: [], logprobs: [] }],
      },
      {
        id: 'fc_00112233445566778899aabb_2',
        type: 'function_call',
        status: 'completed',
        call_id: 'toolu_1',
        name: 'weather',
        arguments: '{"city":"Paris"}',
      },
      {
        id: 'fc_00112233445566778899aabb_3',
        type: 'function_call',
        status: 'completed',
        // The provider gave no id: the client still needs one to send the result back.
        call_id: 'call_00112233445566778899aabb_3',
        name: 'weather',
        arguments: '{"city":"Rome"}',
      },
    ]);
  });

  it('renders a refusal as a refusal part', () => {
    const rendered = render(answer({ refusal: 'I can’t help with that.' }, 'refusal'));
    expect(rendered.status).toBe('completed');
    expect(rendered.output).toEqual([
      {
        id: 'msg_00112233445566778899aabb_0',
        type: 'message',
        role: 'assistant',
        status: 'completed',
        content: [{ type: 'refusal', refusal: 'I can’t help with that.' }],
      },
    ]);
  });

  it.each([
    ['length', 'max_output_tokens'],
    ['content_filter', 'content_filter'],
  ] as const)('marks a %s finish as incomplete', (finish, reason) => {
    const rendered = render(answer({ content: [{ type: 'text', text: 'Once upon a' }] }, finish));
    expect(rendered.status).toBe('incomplete');
    expect(rendered.incomplete_details).toEqual({ reason });
    expect(rendered.output[0]).toMatchObject({ type: 'message', status: 'incomplete' });
  });

  it('marks a provider error finish as failed', () => {
    const rendered = render(answer({ content: [] }, 'error'));
    expect(rendered.status).toBe('failed');
    expect(rendered.error).toEqual({ code: 'server_error', message: 'The provider ended the response with an error.' });
    expect(rendered.output).toEqual([]);
  });

  it('never derives the response id from a caller-chosen request id', () => {
    const a = openaiResponsesFormat.renderResponse(answer({}), { requestedModel: 'm', requestId: 'my-own-id' }) as WireResponse;
    const b = openaiResponsesFormat.renderResponse(answer({}), { requestedModel: 'm', requestId: 'my-own-id' }) as WireResponse;
    expect(a.id).toMatch(/^resp_[0-9a-f]{24}$/);
    expect(a.id).not.toBe(b.id);
  });

  it('tolerates a creation time in milliseconds', () => {
    expect(render({ ...answer({}), created: 1_760_000_000_123 }).created_at).toBe(1_760_000_000);
  });
});
