import { describe, expect, it } from 'vitest';
import { UpstreamProtocolError } from '../types.js';
import { anthropicAdapter } from './index.js';

const target = { baseUrl: 'https://api.anthropic.com', apiKey: 'sk-ant-k', model: 'claude-haiku-4-5', options: {} };

describe('anthropic count tokens', () => {
  it('sends only the fields the endpoint accepts', () => {
    const r = anthropicAdapter.countTokensRequest!(
      {
        model: 'alias',
        stream: true,
        maxTokens: 100,
        temperature: 0.5,
        stop: ['x'],
        user: 'u',
        reasoning: { budgetTokens: 2000 },
        messages: [
          { role: 'system', content: [{ type: 'text', text: 'sys' }] },
          { role: 'user', content: [{ type: 'text', text: 'hello' }] },
        ],
        tools: [{ type: 'function', name: 'f', parameters: { type: 'object' } }],
        toolChoice: { type: 'auto' },
      },
      target,
    );
    expect(r.url).toBe('https://api.anthropic.com/v1/messages/count_tokens');
    expect(r.headers['anthropic-version']).toBe('2023-06-01');
    expect(JSON.parse(r.body!)).toEqual({
      model: 'claude-haiku-4-5',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hello' }] }],
      system: [{ type: 'text', text: 'sys' }],
      tools: [{ name: 'f', input_schema: { type: 'object' } }],
      tool_choice: { type: 'auto' },
      thinking: { type: 'enabled', budget_tokens: 2000 },
    });
  });

  it('reads input_tokens and refuses garbage', () => {
    expect(anthropicAdapter.countTokensResponse!({ input_tokens: 42 })).toEqual({ inputTokens: 42 });
    expect(() => anthropicAdapter.countTokensResponse!({ input_tokens: '42' })).toThrow(UpstreamProtocolError);
    expect(() => anthropicAdapter.countTokensResponse!(null)).toThrow(UpstreamProtocolError);
  });
});
