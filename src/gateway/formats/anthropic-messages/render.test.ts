import { describe, expect, it } from 'vitest';
import type { ChatResponse, Choice } from '../../canonical/types.js';
import { anthropicMessagesFormat } from './index.js';

const context = { requestedModel: 'my-alias', requestId: 'req_abc123' };
const response = (choice: Partial<Choice> = {}, extra: Partial<ChatResponse> = {}): ChatResponse => ({
  id: 'chatcmpl-xyz',
  model: 'gpt-4o-2024-08-06',
  created: 1,
  choices: [{ index: 0, message: { role: 'assistant', content: [{ type: 'text', text: 'Hi' }] }, finishReason: 'stop', ...choice }],
  usage: { inputTokens: 1500, outputTokens: 40, cachedInputTokens: 1000, cacheWriteInputTokens: 200, reasoningTokens: 10 },
  ...extra,
});
const render = (r: ChatResponse) => anthropicMessagesFormat.renderResponse(r, context) as Record<string, unknown>;

describe('anthropic messages renderResponse', () => {
  it('renders a Message with a msg_ id, the served model and usage without cache tokens in input_tokens', () => {
    expect(render(response())).toEqual({
      id: 'msg_req_abc123',
      type: 'message',
      role: 'assistant',
      model: 'gpt-4o-2024-08-06',
      content: [{ type: 'text', text: 'Hi' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      stop_details: null,
      container: null,
      usage: { input_tokens: 300, output_tokens: 40, cache_creation_input_tokens: 200, cache_read_input_tokens: 1000 },
    });
  });

  it('keeps an Anthropic upstream id', () => {
    expect(render(response({}, { id: 'msg_01ABC' })).id).toBe('msg_01ABC');
  });

  it('orders thinking (signature when known), text, then tool_use with parsed input', () => {
    const rendered = render(
      response({
        finishReason: 'tool_calls',
        message: {
          role: 'assistant',
          content: [{ type: 'text', text: 'Calling.' }],
          reasoning: [
            { type: 'thinking', text: 'signed', signature: 'sig' },
            { type: 'thinking', text: 'unsigned' },
            { type: 'redacted_thinking', data: 'enc' },
          ],
          toolCalls: [
            { id: 'call_1', name: 'get', arguments: '{"id":1}' },
            { id: 'call_2', name: 'cut', arguments: '{"path":"/tmp/a' },
            { id: 'call_3', name: 'arr', arguments: '[1]' },
          ],
        },
      }),
    );
    expect(rendered.content).toEqual([
      { type: 'thinking', thinking: 'signed', signature: 'sig' },
      { type: 'thinking', thinking: 'unsigned' },
      { type: 'redacted_thinking', data: 'enc' },
      { type: 'text', text: 'Calling.' },
      { type: 'tool_use', id: 'call_1', name: 'get', input: { id: 1 } },
      // Unparseable arguments (cut off by max_tokens) are never partially parsed.
      { type: 'tool_use', id: 'call_2', name: 'cut', input: {} },
      { type: 'tool_use', id: 'call_3', name: 'arr', input: {} },
    ]);
    expect(rendered.stop_reason).toBe('tool_use');
  });

  it.each([
    [{ finishReason: 'stop' }, 'end_turn', null],
    [{ finishReason: 'stop', stopSequence: 'END' }, 'stop_sequence', 'END'],
    [{ finishReason: 'length' }, 'max_tokens', null],
    [{ finishReason: 'tool_calls' }, 'tool_use', null],
    [{ finishReason: 'content_filter' }, 'refusal', null],
    [{ finishReason: 'refusal' }, 'refusal', null],
    [{ finishReason: 'stop', providerFinishReason: 'pause_turn' }, 'pause_turn', null],
    [{ finishReason: 'length', providerFinishReason: 'model_context_window_exceeded' }, 'model_context_window_exceeded', null],
    [{ finishReason: 'stop', providerFinishReason: 'STOP' }, 'end_turn', null],
  ] as const)('maps %j to stop_reason %s', (choice, stopReason, stopSequence) => {
    const rendered = render(response(choice));
    expect(rendered.stop_reason).toBe(stopReason);
    expect(rendered.stop_sequence).toBe(stopSequence);
  });

  it('renders a refusal as text with refusal stop_details', () => {
    const rendered = render(
      response({ finishReason: 'content_filter', message: { role: 'assistant', content: [], refusal: 'I cannot help with that.' } }),
    );
    expect(rendered.content).toEqual([{ type: 'text', text: 'I cannot help with that.' }]);
    expect(rendered.stop_details).toEqual({ type: 'refusal', category: null, explanation: null });
  });

  it('never reports negative input tokens', () => {
    const rendered = render(
      response({}, { usage: { inputTokens: 5, outputTokens: 1, cachedInputTokens: 10, cacheWriteInputTokens: 0, reasoningTokens: 0 } }),
    );
    expect(rendered.usage).toMatchObject({ input_tokens: 0, cache_read_input_tokens: 10 });
  });
});
