/**
 * Groq, DeepSeek, xAI and Together through the gateway with the official openai SDK, each against
 * a fake that refuses what its real API refuses (test/fakes/openai-family.ts): chat, streaming with
 * usage and the catalog cost in the request log, a tool call round trip, reasoning_content where the
 * provider returns it, and the gateway's 400 for what the provider cannot do.
 */
import { randomUUID } from 'node:crypto';
import type OpenAI from 'openai';
import { BadRequestError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findModel } from '../src/providers/catalog/catalog.js';
import { computeCostMicroUsd } from '../src/providers/catalog/cost.js';
import { startFakeOpenAiFamily, type FakeOpenAiFamily, type OpenAiFamilyDialect } from './fakes/openai-family.js';
import { startGatewayFixture, type GatewayFixture } from './support/gateway.js';
import { waitForLog } from './support/resilience.js';
import { bodyOf, collect, onlyRequest, sdkClient, sdkError, type JsonObject } from './support/sdk.js';

type ChatChunk = OpenAI.Chat.Completions.ChatCompletionChunk;
type MessageParam = OpenAI.Chat.Completions.ChatCompletionMessageParam;
type Tool = OpenAI.Chat.Completions.ChatCompletionTool;

const FIXTURE_TIMEOUT = 120_000;
const TEST_TIMEOUT = 30_000;

type Case = { provider: OpenAiFamilyDialect; upstreamModel: string; path: string };
const CASES: Case[] = [
  { provider: 'groq', upstreamModel: 'openai/gpt-oss-120b', path: '/openai/v1/chat/completions' },
  { provider: 'deepseek', upstreamModel: 'deepseek-v4-pro', path: '/v1/chat/completions' },
  { provider: 'xai', upstreamModel: 'grok-4.3', path: '/v1/chat/completions' },
  { provider: 'together', upstreamModel: 'meta-llama/Llama-3.3-70B-Instruct-Turbo', path: '/v1/chat/completions' },
];
const modelOf = (c: Case) => `${c.provider}/${c.upstreamModel}`;

const WEATHER: Tool = {
  type: 'function',
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};
const ask = (content: string): MessageParam[] => [{ role: 'user', content }];
const idHeader = (id: string) => ({ headers: { 'x-request-id': id } });
/** The SDK types do not know the reasoning fields compatible providers add. */
const reasoningOf = (value: object | undefined): string | undefined => {
  const reasoning = (value as { reasoning_content?: unknown } | undefined)?.reasoning_content;
  return typeof reasoning === 'string' ? reasoning : undefined;
};

let fx: GatewayFixture;
let client: OpenAI;
const fakes = {} as Record<OpenAiFamilyDialect, FakeOpenAiFamily>;

beforeAll(async () => {
  const started = await Promise.all(CASES.map((c) => startFakeOpenAiFamily(c.provider)));
  for (const fake of started) fakes[fake.dialect] = fake;
  fx = await startGatewayFixture({
    extraProviderKeys: started.map((fake) => ({ provider: fake.dialect, key: fake.apiKey, baseUrl: fake.baseUrl })),
  });
  client = sdkClient(fx);
}, FIXTURE_TIMEOUT);

afterAll(async () => {
  await fx?.stop();
  await Promise.all(Object.values(fakes).map((f) => f.close()));
});

beforeEach(() => {
  for (const fake of Object.values(fakes)) fake.reset();
});

describe.each(CASES)('$provider through the openai SDK', (c) => {
  const fake = () => fakes[c.provider];

  it('chat completion: the provider endpoint, its key, the served model', { timeout: TEST_TIMEOUT }, async () => {
    fake().reply({ text: `Hello from ${c.provider}.`, usage: { input: 12, output: 5 } });
    const { data, response } = await client.chat.completions
      .create({ model: modelOf(c), messages: ask('Say hello.'), temperature: 0.2 })
      .withResponse();
    expect(data.choices[0]!.message.content).toBe(`Hello from ${c.provider}.`);
    expect(data.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 5 });
    expect(response.headers.get('x-portcullis-provider')).toBe(c.provider);
    const upstream = onlyRequest(fake());
    expect(upstream.path).toBe(c.path);
    expect(upstream.headers.authorization).toBe(`Bearer ${fake().apiKey}`);
    expect(bodyOf(upstream)).toMatchObject({ model: c.upstreamModel, temperature: 0.2 });
  });

  it(
    'streamed with include_usage: text in deltas, usage reaches the client, the log has the catalog cost',
    { timeout: TEST_TIMEOUT },
    async () => {
      fake().reply({ text: 'A streamed answer.', usage: { input: 1000, output: 500 } });
      const id = `family-stream-${randomUUID()}`;
      const stream = await client.chat.completions.create(
        { model: modelOf(c), messages: ask('Stream please.'), stream: true, stream_options: { include_usage: true } },
        idHeader(id),
      );
      const chunks: ChatChunk[] = await collect(stream);
      expect(chunks.map((k) => k.choices[0]?.delta.content ?? '').join('')).toBe('A streamed answer.');
      const withUsage = chunks.filter((k) => k.usage != null);
      expect(withUsage.at(-1)!.usage).toMatchObject({ prompt_tokens: 1000, completion_tokens: 500 });
      const sent = bodyOf(onlyRequest(fake()));
      if (c.provider === 'together') {
        // Together is not sent stream_options; it puts usage on its final chunk unasked.
        expect(sent.stream_options).toBeUndefined();
      } else {
        expect(sent.stream_options).toEqual({ include_usage: true });
        // The usage chunk comes last, with no choices, as OpenAI sends it.
        expect(chunks.at(-1)!.choices).toEqual([]);
      }

      const row = await waitForLog(fx, id);
      expect(row).toMatchObject({ status: 200, provider: c.provider, stream: true, inputTokens: 1000, outputTokens: 500 });
      const pricing = findModel(c.provider, c.upstreamModel)!.pricing;
      const expected = computeCostMicroUsd(pricing, {
        inputTokens: 1000,
        outputTokens: 500,
        cachedInputTokens: 0,
        cacheWriteInputTokens: 0,
        reasoningTokens: 0,
      });
      expect(expected).toBeGreaterThan(0);
      expect(row.costMicroUsd).toBe(expected);
    },
  );

  it('tool call round trip: the call reaches the client, the result reaches the provider', { timeout: TEST_TIMEOUT }, async () => {
    fake().reply(
      {
        toolCalls: [{ id: 'call_weather_1', name: 'get_weather', arguments: '{"city":"Paris"}' }],
        // DeepSeek's thinking mode answers tool calls with reasoning, which must travel back.
        ...(c.provider === 'deepseek' ? { reasoning: { text: 'I should look up the weather.' } } : {}),
      },
      { text: 'It is sunny in Paris.' },
    );
    const messages = ask('Weather in Paris?');
    const first = await client.chat.completions.create({ model: modelOf(c), messages, tools: [WEATHER] });
    const assistant = first.choices[0]!.message;
    expect(first.choices[0]!.finish_reason).toBe('tool_calls');
    expect(assistant.tool_calls).toEqual([
      { id: 'call_weather_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
    ]);
    // What applications do: append the assistant message as received, then the tool result.
    messages.push(assistant, { role: 'tool', tool_call_id: 'call_weather_1', content: '{"sky":"sunny"}' });
    const second = await client.chat.completions.create({ model: modelOf(c), messages, tools: [WEATHER] });
    expect(second.choices[0]!.message.content).toBe('It is sunny in Paris.');
    const upstreamMessages = bodyOf(fake().requests[1]!).messages as JsonObject[];
    expect(upstreamMessages.at(-1)).toEqual({ role: 'tool', tool_call_id: 'call_weather_1', content: '{"sky":"sunny"}' });
    expect(upstreamMessages.at(-2)).toMatchObject({ role: 'assistant', tool_calls: assistant.tool_calls });
  });
});

describe('what each provider cannot do is a clear 400', () => {
  it('Groq: n: 2 and logprobs are refused by the gateway, naming them, before any call', { timeout: TEST_TIMEOUT }, async () => {
    const model = 'groq/openai/gpt-oss-120b';
    const n = await sdkError(client.chat.completions.create({ model, messages: ask('Two please.'), n: 2 }));
    expect(n).toBeInstanceOf(BadRequestError);
    expect(n.message).toMatch(/"n".*groq/);
    const logprobs = await sdkError(client.chat.completions.create({ model, messages: ask('Probabilities?'), logprobs: true }));
    expect(logprobs.status).toBe(400);
    expect(logprobs.message).toMatch(/"logprobs".*groq/);
    const bias = await sdkError(client.chat.completions.create({ model, messages: ask('Bias?'), logit_bias: { '50256': -100 } }));
    expect(bias.message).toMatch(/"logit_bias".*groq/);
    expect(fakes.groq.requests).toEqual([]);
  });

  it('Groq: messages[].name and no-op logprobs: false are removed, so the request succeeds', { timeout: TEST_TIMEOUT }, async () => {
    const completion = await client.chat.completions.create({
      model: 'groq/openai/gpt-oss-120b',
      messages: [{ role: 'user', name: 'alice', content: 'Hello.' }],
      logprobs: false,
      n: 1,
    });
    expect(completion.choices).toHaveLength(1);
    const sent = bodyOf(onlyRequest(fakes.groq));
    expect(sent.messages).toEqual([{ role: 'user', content: 'Hello.' }]);
    expect(sent).not.toHaveProperty('logprobs');
  });

  it('DeepSeek: n: 2 and json_schema are refused before any call', { timeout: TEST_TIMEOUT }, async () => {
    const model = 'deepseek/deepseek-v4-pro';
    const n = await sdkError(client.chat.completions.create({ model, messages: ask('Two.'), n: 2 }));
    expect(n.status).toBe(400);
    expect(n.message).toMatch(/"n".*deepseek/);
    const schema = await sdkError(
      client.chat.completions.create({
        model,
        messages: ask('JSON.'),
        response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } },
      }),
    );
    expect(schema.status).toBe(400);
    expect(schema.message).toMatch(/"response_format".*deepseek/);
    expect(fakes.deepseek.requests).toEqual([]);
  });

  it(
    "xAI: a reasoning model's refusal of `stop` comes back as an OpenAI-shaped 400 with xAI's reason",
    { timeout: TEST_TIMEOUT },
    async () => {
      const error = await sdkError(client.chat.completions.create({ model: 'xai/grok-4.3', messages: ask('Stop early.'), stop: ['END'] }));
      expect(error).toBeInstanceOf(BadRequestError);
      expect(error.message).toContain('xai: Argument not supported on this model: stop');
      // xAI's `code` is a sentence; clients branching on error.code get a code.
      expect(error.code).toBe('invalid_request_error');
      expect(onlyRequest(fakes.xai).path).toBe('/v1/chat/completions');
    },
  );
});

describe('reasoning_content', () => {
  it.each(['deepseek', 'xai'] as const)('%s: returned in the answer and in stream deltas', { timeout: TEST_TIMEOUT }, async (provider) => {
    const model = provider === 'deepseek' ? 'deepseek/deepseek-v4-pro' : 'xai/grok-4.3';
    const reply = { text: 'Forty-two.', reasoning: { text: 'Six times seven is forty-two.' } };
    fakes[provider].reply(reply, reply);
    const completion = await client.chat.completions.create({ model, messages: ask('6 × 7?') });
    expect(completion.choices[0]!.message.content).toBe('Forty-two.');
    expect(reasoningOf(completion.choices[0]!.message)).toBe('Six times seven is forty-two.');

    const chunks = await collect(await client.chat.completions.create({ model, messages: ask('6 × 7?'), stream: true }));
    const reasoning = chunks.map((k) => reasoningOf(k.choices[0]?.delta) ?? '').join('');
    expect(reasoning).toBe('Six times seven is forty-two.');
    expect(chunks.map((k) => k.choices[0]?.delta.content ?? '').join('')).toBe('Forty-two.');
  });

  it(
    'DeepSeek: a tool-call turn sent back without its reasoning_content is DeepSeek’s 400, passed on clearly',
    { timeout: TEST_TIMEOUT },
    async () => {
      const messages: MessageParam[] = [
        ...ask('Weather?'),
        {
          role: 'assistant',
          content: '',
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
      ];
      const error = await sdkError(client.chat.completions.create({ model: 'deepseek/deepseek-v4-pro', messages, tools: [WEATHER] }));
      expect(error.status).toBe(400);
      expect(error.message).toMatch(/deepseek: Missing `reasoning_content` field in the assistant message at message index 1/);
      // A 400 caused by the request is not retried.
      expect(fakes.deepseek.requests).toHaveLength(1);
    },
  );

  it('xAI: reasoning tokens counted beside completion_tokens are billed as output', { timeout: TEST_TIMEOUT }, async () => {
    fakes.xai.reply({ text: 'Done.', reasoning: { text: 'Thinking.' }, usage: { input: 1000, output: 100, reasoning: 400 } });
    const id = `family-xai-reasoning-${randomUUID()}`;
    await client.chat.completions.create({ model: 'xai/grok-4.3', messages: ask('Think.') }, idHeader(id));
    const row = await waitForLog(fx, id);
    expect(row).toMatchObject({ provider: 'xai', inputTokens: 1000, outputTokens: 500 });
    const pricing = findModel('xai', 'grok-4.3')!.pricing;
    const usage = { inputTokens: 1000, outputTokens: 500, cachedInputTokens: 0, cacheWriteInputTokens: 0, reasoningTokens: 400 };
    expect(row.costMicroUsd).toBe(computeCostMicroUsd(pricing, usage));
  });
});

describe('the family fakes refuse what the real APIs refuse', () => {
  const post = (fake: FakeOpenAiFamily, body: JsonObject) =>
    fetch(`${fake.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${fake.apiKey}` },
      body: JSON.stringify(body),
    });

  it('Groq n: 2, xAI stop on a reasoning model, DeepSeek a tool turn without reasoning_content', async () => {
    const groq = await post(fakes.groq, { model: 'openai/gpt-oss-120b', messages: ask('x'), n: 2 });
    expect(groq.status).toBe(400);
    expect(await groq.json()).toMatchObject({ error: { param: 'n', type: 'invalid_request_error' } });
    const xai = await post(fakes.xai, { model: 'grok-4.3', messages: ask('x'), stop: ['y'] });
    expect(xai.status).toBe(400);
    expect(await xai.json()).toEqual({ code: 'Client specified an invalid argument', error: 'Argument not supported on this model: stop' });
    const toolTurn = [
      ...ask('x'),
      { role: 'assistant', content: '', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'c', content: 'ok' },
    ];
    expect((await post(fakes.deepseek, { model: 'deepseek-v4-pro', messages: toolTurn })).status).toBe(400);
    expect((await post(fakes.deepseek, { model: 'deepseek-v4-pro', messages: toolTurn, thinking: { type: 'disabled' } })).status).toBe(200);
    const wrongKey = await fetch(`${fakes.together.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer nope' },
      body: JSON.stringify({ model: 'm', messages: ask('x') }),
    });
    expect(wrongKey.status).toBe(401);
  });
});
