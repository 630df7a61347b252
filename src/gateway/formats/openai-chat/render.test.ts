import { describe, expect, it } from 'vitest';
import type { ChatResponse } from '../../canonical/types.js';
import { openaiChatFormat } from './index.js';

const context = { requestedModel: 'my-alias', requestId: 'req_abc' };
const usage = { inputTokens: 100, outputTokens: 40, cachedInputTokens: 64, cacheWriteInputTokens: 10, reasoningTokens: 12 };

describe('openai-chat renderResponse', () => {
  it('renders a chat.completion with the served model, gateway id and detailed usage', () => {
    const response: ChatResponse = {
      id: 'msg_upstream',
      model: 'claude-sonnet-4-5',
      created: 1_700_000_000,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: [
              { type: 'text', text: 'Hello' },
              { type: 'text', text: ' there' },
            ],
          },
          finishReason: 'stop',
        },
      ],
      usage,
      systemFingerprint: 'fp_x',
    };
    expect(openaiChatFormat.renderResponse(response, context)).toEqual({
      id: 'chatcmpl-req_abc',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'claude-sonnet-4-5',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there', refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: {
        prompt_tokens: 100,
        completion_tokens: 40,
        total_tokens: 140,
        prompt_tokens_details: { cached_tokens: 64 },
        completion_tokens_details: { reasoning_tokens: 12 },
      },
      system_fingerprint: 'fp_x',
    });
  });

  it('renders tool calls with content null, reasoning as reasoning_content, refusals and finish reasons', () => {
    const response: ChatResponse = {
      id: 'x',
      model: 'm',
      created: 1,
      choices: [
        {
          index: 0,
          finishReason: 'tool_calls',
          message: {
            role: 'assistant',
            content: [],
            reasoning: [
              { type: 'thinking', text: 'Use the tool.', signature: 'sig' },
              { type: 'redacted_thinking', data: 'opaque' },
            ],
            toolCalls: [
              { id: 'toolu_1', name: 'w', arguments: '{"city":"Paris"}' },
              { id: 'toolu_2', name: 't', arguments: '{}' },
            ],
          },
        },
        { index: 1, finishReason: 'refusal', message: { role: 'assistant', content: [], refusal: 'No.' } },
      ],
      usage,
    };
    const rendered = openaiChatFormat.renderResponse(response, context) as { choices: unknown[] };
    expect(rendered.choices).toEqual([
      {
        index: 0,
        logprobs: null,
        finish_reason: 'tool_calls',
        message: {
          role: 'assistant',
          content: null,
          refusal: null,
          reasoning_content: 'Use the tool.',
          // Signed and redacted blocks come back whole, to be replayed in the next turn.
          thinking_blocks: [
            { type: 'thinking', thinking: 'Use the tool.', signature: 'sig' },
            { type: 'redacted_thinking', data: 'opaque' },
          ],
          tool_calls: [
            { id: 'toolu_1', type: 'function', function: { name: 'w', arguments: '{"city":"Paris"}' } },
            { id: 'toolu_2', type: 'function', function: { name: 't', arguments: '{}' } },
          ],
        },
      },
      { index: 1, logprobs: null, finish_reason: 'content_filter', message: { role: 'assistant', content: null, refusal: 'No.' } },
    ]);
  });

  it('falls back to the requested model when the provider reported none', () => {
    const rendered = openaiChatFormat.renderResponse({ id: '', model: '', created: 0, choices: [], usage }, context) as {
      model: string;
      created: number;
    };
    expect(rendered.model).toBe('my-alias');
    expect(rendered.created).toBeGreaterThan(1_700_000_000);
  });
});
