/**
 * The compatible providers against the fake OpenAI (mounted under /v1 like their base URLs).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../../../test/fakes/openai.js';
import { decodeStream, send } from '../../../test/fakes/openai-client.js';
import type { ChatRequest } from '../../gateway/canonical/types.js';
import { deepseekAdapter } from '../deepseek/index.js';
import { groqAdapter } from '../groq/index.js';
import { mistralAdapter } from '../mistral/index.js';
import { togetherAdapter } from '../together/index.js';
import type { ProviderAdapter } from '../types.js';
import { xaiAdapter } from '../xai/index.js';
import { openaiCompatibleAdapter } from './index.js';

let fake: FakeOpenAI;

beforeAll(async () => {
  fake = await startFakeOpenAI({ apiKey: 'gsk_compatible_test_key' });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const request: ChatRequest = { model: 'alias', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }], stream: false };
const adapters: [string, ProviderAdapter][] = [
  ['mistral', mistralAdapter],
  ['groq', groqAdapter],
  ['deepseek', deepseekAdapter],
  ['xai', xaiAdapter],
  ['together', togetherAdapter],
  ['openai-compatible', openaiCompatibleAdapter],
];

describe('compatible providers round trip through the fake', () => {
  it.each(adapters)('%s: JSON and streamed tool calls', async (_id, adapter) => {
    const target = { baseUrl: fake.baseUrl, apiKey: fake.apiKey, model: 'served', options: {} };
    fake.reply({ text: 'ok', usage: { input: 3, output: 1 } });
    const res = await send(adapter.chatRequest({ ...request, maxTokens: 10 }, target));
    expect(res.status).toBe(200);
    expect(adapter.chatResponse(await res.json()).choices[0]!.message.content).toEqual([{ type: 'text', text: 'ok' }]);

    fake.reply({ toolCalls: [{ id: 'abcDEF123', name: 'f', arguments: '{"a":1}' }] });
    const streamed = await send(
      adapter.chatRequest({ ...request, stream: true, tools: [{ type: 'function', name: 'f', parameters: { type: 'object' } }] }, target),
    );
    const events = await decodeStream(streamed, adapter.chatStreamDecoder());
    expect(events).toContainEqual({ type: 'tool_call_start', choice: 0, index: 0, id: 'abcDEF123', name: 'f' });
    expect(events).toContainEqual({ type: 'finish', choice: 0, finishReason: 'tool_calls' });
    expect(events.some((e) => e.type === 'error')).toBe(false);
  });
});
