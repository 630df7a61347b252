/**
 * The gateway as an application sees it: the official OpenAI SDK (6.x) pointed at `<gateway>/v1`
 * with a `pc_live_` key and nothing else changed. Every direction of translation is driven end to
 * end over real HTTP — SDK → gateway → fake provider → gateway → SDK — and both sides are checked:
 * what the provider received (native passthrough untouched, translations well-formed) and what the
 * SDK handed back to the application (its own types, helpers and error classes).
 */
import type OpenAI from 'openai';
import type { APIError } from 'openai';
import { AuthenticationError, BadRequestError, InternalServerError, NotFoundError, PermissionDeniedError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { modelsOf } from '../src/providers/catalog/catalog.js';
import { PROVIDER_IDS, type ProviderId } from '../src/providers/ids.js';
import { FAKE_ANTHROPIC_API_KEY } from './fakes/anthropic.js';
import type { FakeUpstream, ScriptedReply } from './fakes/fake-upstream.js';
import { fakeEmbedding, type FakeOpenAI } from './fakes/openai.js';
import { startGatewayFixture, type GatewayFixture } from './support/gateway.js';
import {
  bodyOf,
  collect,
  onlyRequest,
  PNG_BASE64,
  PNG_DATA_URL,
  rawPost,
  resetFakes,
  sdkClient,
  sdkError,
  type JsonObject,
} from './support/sdk.js';

type ChatParams = OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming;
type ChatChunk = OpenAI.Chat.Completions.ChatCompletionChunk;
type ChatMessageParam = OpenAI.Chat.Completions.ChatCompletionMessageParam;
type ChatTool = OpenAI.Chat.Completions.ChatCompletionTool;
type ResponseFunctionCall = OpenAI.Responses.ResponseFunctionToolCall;

const FIXTURE_TIMEOUT = 120_000;
const TEST_TIMEOUT = 30_000;

/** The OpenAI error body the gateway sent (`{ error: { message, type, code } }`). */
function errorBody(error: APIError): { message: string; type: string; code: string } {
  const raw: unknown = error.error;
  expect(raw, 'error body in the OpenAI shape').toMatchObject({
    message: expect.any(String) as unknown,
    type: expect.any(String) as unknown,
  });
  const body = raw as { message: string; type: string; code?: unknown };
  return { message: body.message, type: body.type, code: String(body.code) };
}

function contentOf(chunks: ChatChunk[]): string {
  return chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
}

function withUsage(chunks: ChatChunk[]): ChatChunk[] {
  return chunks.filter((c) => c.usage != null);
}

/** What `stream_options.include_usage` must do to a stream, whatever provider answered it. */
function expectUsageChunkOnlyWhenAsked(chunks: ChatChunk[], asked: boolean, expected: { prompt: number; completion: number }): void {
  const usage = withUsage(chunks);
  if (!asked) {
    expect(usage, 'no usage chunk unless include_usage was asked').toEqual([]);
    return;
  }
  expect(usage).toHaveLength(1);
  // OpenAI sends it last, after the finish chunk, with no choices.
  expect(chunks.at(-1)).toBe(usage[0]);
  expect(usage[0]!.choices).toEqual([]);
  expect(usage[0]!.usage).toMatchObject({
    prompt_tokens: expected.prompt,
    completion_tokens: expected.completion,
    total_tokens: expected.prompt + expected.completion,
  });
}

function finishReasons(chunks: ChatChunk[]): string[] {
  return chunks.flatMap((c) => c.choices.flatMap((choice) => (choice.finish_reason ? [choice.finish_reason] : [])));
}

// ---------------------------------------------------------------------------------------------
// 1 + 9. Chat completions against every provider, and the Portcullis response headers
// ---------------------------------------------------------------------------------------------

/** OpenAI-family providers: the client's Chat Completions body is forwarded, not translated. */
type PassthroughCase = {
  label: string;
  model: string;
  fake: (fx: GatewayFixture) => FakeOpenAI;
  upstreamModel: string;
  path: string;
  /** What must authenticate the upstream call (and nothing else may). */
  auth: (fx: GatewayFixture) => Record<string, string | undefined>;
  query?: Record<string, string>;
  /** The body the provider must receive for `params` (the client's body with only `model` changed, plus documented renames). */
  expectedBody: (params: JsonObject) => JsonObject;
  /** Whether the provider accepts stream_options (else the gateway removes it). */
  streamUsageOption: boolean;
};

const renameMaxTokens = (params: JsonObject): JsonObject => {
  const { max_completion_tokens: max, ...rest } = params;
  return max === undefined ? rest : { ...rest, max_tokens: max };
};

const PASSTHROUGH: PassthroughCase[] = [
  {
    label: 'OpenAI',
    model: 'openai/gpt-5.4-mini',
    fake: (fx) => fx.openai,
    upstreamModel: 'gpt-5.4-mini',
    path: '/v1/chat/completions',
    auth: (fx) => ({ authorization: `Bearer ${fx.openai.apiKey}`, 'api-key': undefined }),
    expectedBody: (params) => ({ ...params, model: 'gpt-5.4-mini' }),
    streamUsageOption: true,
  },
  {
    label: 'Azure OpenAI',
    model: 'azure-openai/gpt-5.4-mini',
    fake: (fx) => fx.azure,
    upstreamModel: 'gpt-5.4-mini',
    path: '/openai/deployments/gpt-5.4-mini/chat/completions',
    query: { 'api-version': '2024-10-21' },
    auth: (fx) => ({ 'api-key': fx.azure.apiKey, authorization: undefined }),
    expectedBody: (params) => ({ ...params, model: 'gpt-5.4-mini' }),
    streamUsageOption: true,
  },
  {
    label: 'Mistral',
    model: 'mistral/mistral-small-2603',
    fake: (fx) => fx.openai,
    upstreamModel: 'mistral-small-2603',
    path: '/v1/chat/completions',
    auth: (fx) => ({ authorization: `Bearer ${fx.openai.apiKey}`, 'api-key': undefined }),
    // Mistral only knows max_tokens: the one documented top-level rename.
    expectedBody: (params) => renameMaxTokens({ ...params, model: 'mistral-small-2603' }),
    streamUsageOption: false,
  },
  {
    label: 'openai-compatible',
    model: 'openai-compatible/llama3',
    fake: (fx) => fx.compatible,
    upstreamModel: 'llama3',
    path: '/v1/chat/completions',
    auth: (fx) => ({ authorization: `Bearer ${fx.compatible.apiKey}`, 'api-key': undefined }),
    expectedBody: (params) => renameMaxTokens({ ...params, model: 'llama3' }),
    streamUsageOption: true,
  },
];

describe('chat completions through the OpenAI SDK, to every provider', () => {
  let fx: GatewayFixture;
  let client: OpenAI;

  beforeAll(async () => {
    fx = await startGatewayFixture();
    client = sdkClient(fx);
  }, FIXTURE_TIMEOUT);
  afterAll(async () => fx?.stop());
  beforeEach(() => resetFakes(fx));

  const expectNoProviderKeyLeak = (fake: FakeUpstream) => {
    for (const request of fake.requests) {
      expect(JSON.stringify(request.headers)).not.toContain(fx.apiKey);
      expect(request.rawBody).not.toContain(fx.apiKey);
    }
  };

  const expectAuth = (c: PassthroughCase, headers: Record<string, string | string[] | undefined>) => {
    for (const [name, value] of Object.entries(c.auth(fx))) expect(headers[name], `upstream header ${name}`).toBe(value);
  };

  describe.each(PASSTHROUGH)('$label (native passthrough)', (c) => {
    const params = {
      model: c.model,
      messages: [
        { role: 'system', content: 'Be terse.' },
        { role: 'user', content: 'Say hello.' },
      ],
      temperature: 0.2,
      max_completion_tokens: 64,
    } satisfies ChatParams;

    it(
      'non-streamed: the provider gets the client body with only the model changed; the SDK gets its answer',
      async () => {
        const fake = c.fake(fx);
        fake.reply({ text: 'Hello there.', usage: { input: 12, output: 3 } });
        const { data, response } = await client.chat.completions.create(params).withResponse();

        const upstream = onlyRequest(fake);
        expect(upstream.method).toBe('POST');
        expect(upstream.path).toBe(c.path);
        for (const [name, value] of Object.entries(c.query ?? {})) expect(upstream.query.get(name)).toBe(value);
        expectAuth(c, upstream.headers);
        expect(upstream.body).toEqual(c.expectedBody(params));
        expectNoProviderKeyLeak(fake);

        expect(data.object).toBe('chat.completion');
        expect(data.model).toBe(c.upstreamModel);
        expect(data.choices).toHaveLength(1);
        expect(data.choices[0]!.message).toMatchObject({ role: 'assistant', content: 'Hello there.' });
        expect(data.choices[0]!.finish_reason).toBe('stop');
        expect(data.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 });
        expect(response.headers.get('x-portcullis-provider')).toBe(c.model.split('/')[0]);
        expect(response.headers.get('x-portcullis-attempts')).toBe('1');
      },
      TEST_TIMEOUT,
    );

    it.each([true, false])(
      'streamed (include_usage: %s): text arrives in deltas, the usage chunk only when asked',
      async (includeUsage) => {
        const fake = c.fake(fx);
        fake.reply({ text: 'Streaming hello from the fake.', usage: { input: 21, output: 6 } });
        const streamParams = { ...params, stream: true as const, ...(includeUsage ? { stream_options: { include_usage: true } } : {}) };
        const { data: stream, response } = await client.chat.completions.create(streamParams).withResponse();
        expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
        expect(response.headers.get('x-portcullis-provider')).toBe(c.model.split('/')[0]);
        expect(response.headers.get('x-portcullis-attempts')).toBe('1');
        const chunks = await collect(stream);

        expect(contentOf(chunks)).toBe('Streaming hello from the fake.');
        expect(finishReasons(chunks)).toEqual(['stop']);
        expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk' || chunk.choices.length === 0)).toBe(true);

        const upstream = onlyRequest(fake);
        expect(upstream.path).toBe(c.path);
        expectAuth(c, upstream.headers);
        const sent: JsonObject = c.expectedBody(streamParams);
        if (c.streamUsageOption) {
          // The gateway always asks for usage (to bill the stream) and hides it from clients that did not.
          expect(upstream.body).toEqual({ ...sent, stream_options: { include_usage: true } });
          expectUsageChunkOnlyWhenAsked(chunks, includeUsage, { prompt: 21, completion: 6 });
        } else {
          // Mistral rejects stream_options (its usage comes unasked on the last chunk, which the fake does not imitate).
          const { stream_options: _dropped, ...rest } = sent;
          expect(upstream.body).toEqual(rest);
          expect(withUsage(chunks)).toEqual([]);
        }
      },
      TEST_TIMEOUT,
    );
  });

  describe('Anthropic (translated to the Messages API)', () => {
    it(
      'non-streamed: a proper Messages request (system hoisted, max_tokens set) and a proper chat.completion back',
      async () => {
        fx.anthropic.reply({ text: 'Bonjour.', usage: { input: 20, output: 4 }, finishReason: 'stop' });
        const { data, response } = await client.chat.completions
          .create({
            model: 'anthropic/claude-haiku-4-5',
            messages: [
              { role: 'user', content: 'Hello' },
              { role: 'system', content: 'Answer in French.' },
              { role: 'assistant', content: 'Salut.' },
              { role: 'user', content: 'Again, please.' },
            ],
            temperature: 0.5,
            stop: ['END'],
          })
          .withResponse();

        const upstream = onlyRequest(fx.anthropic);
        expect(upstream.path).toBe('/v1/messages');
        expect(upstream.headers['x-api-key']).toBe(FAKE_ANTHROPIC_API_KEY);
        expect(upstream.headers['anthropic-version']).toBe('2023-06-01');
        expect(upstream.headers.authorization).toBeUndefined();
        expectNoProviderKeyLeak(fx.anthropic);
        expect(upstream.body).toEqual({
          model: 'claude-haiku-4-5',
          max_tokens: 4096,
          system: [{ type: 'text', text: 'Answer in French.' }],
          messages: [
            { role: 'user', content: [{ type: 'text', text: 'Hello' }] },
            { role: 'assistant', content: [{ type: 'text', text: 'Salut.' }] },
            { role: 'user', content: [{ type: 'text', text: 'Again, please.' }] },
          ],
          temperature: 0.5,
          stop_sequences: ['END'],
        });

        expect(data.id).toMatch(/^chatcmpl-/);
        expect(data.object).toBe('chat.completion');
        expect(data.model).toBe('claude-haiku-4-5');
        expect(data.choices).toEqual([
          { index: 0, message: { role: 'assistant', content: 'Bonjour.', refusal: null }, logprobs: null, finish_reason: 'stop' },
        ]);
        expect(data.usage).toMatchObject({ prompt_tokens: 20, completion_tokens: 4, total_tokens: 24 });
        expect(response.headers.get('x-portcullis-provider')).toBe('anthropic');
        expect(response.headers.get('x-portcullis-attempts')).toBe('1');
      },
      TEST_TIMEOUT,
    );

    it(
      'max_completion_tokens becomes max_tokens, and a length stop comes back as finish_reason length',
      async () => {
        fx.anthropic.reply({ text: 'Cut', usage: { input: 5, output: 10 }, finishReason: 'length' });
        const completion = await client.chat.completions.create({
          model: 'anthropic/claude-haiku-4-5',
          messages: [{ role: 'user', content: 'Write a saga.' }],
          max_completion_tokens: 10,
        });
        expect(bodyOf(onlyRequest(fx.anthropic)).max_tokens).toBe(10);
        expect(completion.choices[0]!.finish_reason).toBe('length');
      },
      TEST_TIMEOUT,
    );

    it.each([true, false])(
      'streamed (include_usage: %s): chunks in OpenAI order, the usage chunk only when asked',
      async (includeUsage) => {
        fx.anthropic.reply({ text: 'Streamed from Claude.', usage: { input: 30, output: 5 } });
        const { data: stream, response } = await client.chat.completions
          .create({
            model: 'anthropic/claude-haiku-4-5',
            messages: [
              { role: 'system', content: 'Be brief.' },
              { role: 'user', content: 'Hi' },
            ],
            stream: true,
            ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
          })
          .withResponse();
        expect(response.headers.get('x-portcullis-provider')).toBe('anthropic');
        const chunks = await collect(stream);

        const upstream = bodyOf(onlyRequest(fx.anthropic));
        expect(upstream).toMatchObject({
          model: 'claude-haiku-4-5',
          stream: true,
          max_tokens: 4096,
          system: [{ type: 'text', text: 'Be brief.' }],
        });
        expect(upstream.stream_options).toBeUndefined();

        expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
        expect(contentOf(chunks)).toBe('Streamed from Claude.');
        expect(finishReasons(chunks)).toEqual(['stop']);
        expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
        expectUsageChunkOnlyWhenAsked(chunks, includeUsage, { prompt: 30, completion: 5 });
      },
      TEST_TIMEOUT,
    );

    it(
      'an image_url data URL reaches Anthropic as a base64 image block',
      async () => {
        await client.chat.completions.create({
          model: 'anthropic/claude-haiku-4-5',
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: 'What is in this picture?' },
                { type: 'image_url', image_url: { url: PNG_DATA_URL, detail: 'low' } },
              ],
            },
          ],
        });
        expect(bodyOf(onlyRequest(fx.anthropic)).messages).toEqual([
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is in this picture?' },
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_BASE64 } },
            ],
          },
        ]);
      },
      TEST_TIMEOUT,
    );
  });

  describe('Gemini (translated to generateContent)', () => {
    it(
      'non-streamed: systemInstruction, contents and generationConfig; key in x-goog-api-key; a proper chat.completion back',
      async () => {
        fx.gemini.reply({ text: 'Hallo.', usage: { input: 14, output: 2 } });
        const { data, response } = await client.chat.completions
          .create({
            model: 'gemini/gemini-3.5-flash',
            messages: [
              { role: 'system', content: 'Answer in German.' },
              { role: 'user', content: 'Hello' },
            ],
            temperature: 0.3,
            max_completion_tokens: 100,
          })
          .withResponse();

        const upstream = onlyRequest(fx.gemini);
        expect(upstream.path).toBe('/v1beta/models/gemini-3.5-flash:generateContent');
        expect(upstream.headers['x-goog-api-key']).toBe(fx.gemini.apiKey);
        expect(upstream.query.get('key')).toBeNull();
        expectNoProviderKeyLeak(fx.gemini);
        expect(upstream.body).toEqual({
          contents: [{ role: 'user', parts: [{ text: 'Hello' }] }],
          systemInstruction: { parts: [{ text: 'Answer in German.' }] },
          generationConfig: { temperature: 0.3, maxOutputTokens: 100 },
        });

        expect(data.object).toBe('chat.completion');
        expect(data.model).toBe('gemini-3.5-flash');
        expect(data.choices[0]!.message).toMatchObject({ role: 'assistant', content: 'Hallo.' });
        expect(data.choices[0]!.finish_reason).toBe('stop');
        expect(data.usage).toMatchObject({ prompt_tokens: 14, completion_tokens: 2, total_tokens: 16 });
        expect(response.headers.get('x-portcullis-provider')).toBe('gemini');
        expect(response.headers.get('x-portcullis-attempts')).toBe('1');
      },
      TEST_TIMEOUT,
    );

    it.each([true, false])(
      'streamed (include_usage: %s): streamGenerateContent?alt=sse, the usage chunk only when asked',
      async (includeUsage) => {
        fx.gemini.reply({ text: 'Streamed from Gemini.', usage: { input: 9, output: 4 } });
        const stream = await client.chat.completions.create({
          model: 'gemini/gemini-3.5-flash',
          messages: [{ role: 'user', content: 'Hi' }],
          stream: true,
          ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
        });
        const chunks = await collect(stream);
        const upstream = onlyRequest(fx.gemini);
        expect(upstream.path).toBe('/v1beta/models/gemini-3.5-flash:streamGenerateContent');
        expect(upstream.query.get('alt')).toBe('sse');
        expect(contentOf(chunks)).toBe('Streamed from Gemini.');
        expect(finishReasons(chunks)).toEqual(['stop']);
        expectUsageChunkOnlyWhenAsked(chunks, includeUsage, { prompt: 9, completion: 4 });
      },
      TEST_TIMEOUT,
    );

    it(
      'an image_url data URL reaches Gemini as inlineData',
      async () => {
        await client.chat.completions.create({
          model: 'gemini/gemini-3.5-flash',
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: 'Describe it.' },
                { type: 'image_url', image_url: { url: PNG_DATA_URL } },
              ],
            },
          ],
        });
        expect(bodyOf(onlyRequest(fx.gemini)).contents).toEqual([
          { role: 'user', parts: [{ text: 'Describe it.' }, { inlineData: { mimeType: 'image/png', data: PNG_BASE64 } }] },
        ]);
      },
      TEST_TIMEOUT,
    );
  });

  describe('x-portcullis-* response headers', () => {
    it(
      'are on streamed answers too, read through .asResponse()',
      async () => {
        const raw = await client.chat.completions
          .create({ model: 'gemini/gemini-3.5-flash', messages: [{ role: 'user', content: 'Hi' }], stream: true })
          .asResponse();
        expect(raw.status).toBe(200);
        expect(raw.headers.get('x-portcullis-provider')).toBe('gemini');
        expect(raw.headers.get('x-portcullis-attempts')).toBe('1');
        expect(await raw.text()).toContain('data: [DONE]');
      },
      TEST_TIMEOUT,
    );

    it(
      'x-portcullis-attempts counts the gateway retry after a provider 500',
      async () => {
        fx.openai.fail({ kind: 'status', status: 500 });
        fx.openai.reply({ text: 'Second time lucky.' });
        const { data, response } = await client.chat.completions
          .create({ model: 'openai/gpt-5.4-mini', messages: [{ role: 'user', content: 'Hi' }] })
          .withResponse();
        expect(data.choices[0]!.message.content).toBe('Second time lucky.');
        expect(fx.openai.requests).toHaveLength(2);
        expect(response.headers.get('x-portcullis-provider')).toBe('openai');
        expect(response.headers.get('x-portcullis-attempts')).toBe('2');
      },
      TEST_TIMEOUT,
    );
  });

  describe('provider failures as the SDK surfaces them', () => {
    it.each([
      { label: 'OpenAI (passthrough)', model: 'openai/gpt-5.4-mini', fake: (f: GatewayFixture): FakeUpstream => f.openai },
      { label: 'Anthropic (translated)', model: 'anthropic/claude-haiku-4-5', fake: (f: GatewayFixture): FakeUpstream => f.anthropic },
      { label: 'Gemini (translated)', model: 'gemini/gemini-3.5-flash', fake: (f: GatewayFixture): FakeUpstream => f.gemini },
    ])(
      '$label: a stream cut mid-answer makes the SDK throw instead of returning a truncated answer',
      async (c) => {
        const fake = c.fake(fx);
        fake.reply({ text: 'This answer is long enough to be cut somewhere in the middle of it.', usage: { input: 5, output: 15 } });
        fake.fail({ kind: 'die-mid-stream', afterEvents: 2 });
        const stream = await client.chat.completions.create({ model: c.model, messages: [{ role: 'user', content: 'Hi' }], stream: true });
        const seen: ChatChunk[] = [];
        const error = await sdkError(
          (async () => {
            for await (const chunk of stream) seen.push(chunk);
          })(),
        );
        expect(error.message).toMatch(/stream|provider|upstream/i);
        expect(contentOf(seen).length).toBeLessThan('This answer is long enough to be cut somewhere in the middle of it.'.length);
        expect(finishReasons(seen)).toEqual([]);
        // Bytes had reached the client: no silent retry behind its back.
        expect(fake.requests).toHaveLength(1);
      },
      TEST_TIMEOUT,
    );

    it(
      'a provider 400 is a BadRequestError naming the provider, not retried',
      async () => {
        fx.anthropic.fail({
          kind: 'status',
          status: 400,
          body: { type: 'error', error: { type: 'invalid_request_error', message: 'messages.0.content: text too long' } },
        });
        const error = await sdkError(
          client.chat.completions.create({ model: 'anthropic/claude-haiku-4-5', messages: [{ role: 'user', content: 'Hi' }] }),
        );
        expect(error).toBeInstanceOf(BadRequestError);
        expect(errorBody(error).message).toMatch(/^anthropic: .*text too long/);
        expect(fx.anthropic.requests).toHaveLength(1);
      },
      TEST_TIMEOUT,
    );

    it(
      "a provider rejecting the configured key is a 502 that never quotes the provider's answer or key",
      async () => {
        fx.openai.fail({
          kind: 'status',
          status: 401,
          body: {
            error: {
              message: `Incorrect API key provided: ${fx.openai.apiKey}. You can find your API key at https://platform.openai.com/account/api-keys.`,
              type: 'invalid_request_error',
              param: null,
              code: 'invalid_api_key',
            },
          },
        });
        const error = await sdkError(
          client.chat.completions.create({ model: 'openai/gpt-5.4-mini', messages: [{ role: 'user', content: 'Hi' }] }),
        );
        expect(error).toBeInstanceOf(InternalServerError);
        expect(error.status).toBe(502);
        const body = errorBody(error);
        expect(body.code).toBe('upstream_auth_failed');
        expect(JSON.stringify(error.error)).not.toContain(fx.openai.apiKey.slice(0, 12));
        expect(fx.openai.requests).toHaveLength(1);
      },
      TEST_TIMEOUT,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Tools: single and parallel calls, streamed and not, and the second turn with the results
// ---------------------------------------------------------------------------------------------

const WEATHER_TOOL: ChatTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};
const TIME_TOOL: ChatTool = {
  type: 'function',
  function: {
    name: 'get_time',
    description: 'Local time in a time zone',
    parameters: { type: 'object', properties: { tz: { type: 'string' } }, required: ['tz'] },
  },
};

const PARALLEL_CALLS: ScriptedReply = {
  text: 'Let me check both.',
  toolCalls: [
    { id: 'call_weather_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
    { id: 'call_time_1', name: 'get_time', arguments: '{"tz":"Europe/Paris"}' },
  ],
  finishReason: 'tool_calls',
  usage: { input: 40, output: 20 },
};

type ToolCase = { label: string; model: string; fake: (fx: GatewayFixture) => FakeUpstream };
const TOOL_PROVIDERS: ToolCase[] = [
  { label: 'Anthropic', model: 'anthropic/claude-haiku-4-5', fake: (fx) => fx.anthropic },
  { label: 'Gemini', model: 'gemini/gemini-3.5-flash', fake: (fx) => fx.gemini },
  { label: 'OpenAI', model: 'openai/gpt-5.4-mini', fake: (fx) => fx.openai },
];

type AssembledCall = { id: string; name: string; args: unknown };

function assembledCalls(message: OpenAI.Chat.Completions.ChatCompletionMessage): AssembledCall[] {
  return (message.tool_calls ?? []).map((call) => {
    expect(call.type).toBe('function');
    if (call.type !== 'function') throw new Error('not a function call');
    return { id: call.id, name: call.function.name, args: JSON.parse(call.function.arguments) as unknown };
  });
}

describe('tool calls through the OpenAI SDK', () => {
  let fx: GatewayFixture;
  let client: OpenAI;

  beforeAll(async () => {
    fx = await startGatewayFixture();
    client = sdkClient(fx);
  }, FIXTURE_TIMEOUT);
  afterAll(async () => fx?.stop());
  beforeEach(() => resetFakes(fx));

  const question: ChatMessageParam[] = [{ role: 'user', content: 'Weather and time in Paris?' }];

  it(
    'a single tool call through Anthropic: tools sent as input_schema, the call back as tool_calls with parseable arguments',
    async () => {
      fx.anthropic.reply({
        toolCalls: [{ id: 'toolu_01', name: 'get_weather', arguments: '{"city":"Paris","unit":"c"}' }],
        finishReason: 'tool_calls',
      });
      const completion = await client.chat.completions.create({
        model: 'anthropic/claude-haiku-4-5',
        messages: question,
        tools: [WEATHER_TOOL],
        tool_choice: 'required',
      });
      const upstream = bodyOf(onlyRequest(fx.anthropic));
      expect(upstream.tools).toEqual([
        {
          name: 'get_weather',
          description: 'Current weather for a city',
          input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      ]);
      expect(upstream.tool_choice).toEqual({ type: 'any' });

      const choice = completion.choices[0]!;
      expect(choice.finish_reason).toBe('tool_calls');
      expect(choice.message.content).toBeNull();
      expect(assembledCalls(choice.message)).toEqual([{ id: 'toolu_01', name: 'get_weather', args: { city: 'Paris', unit: 'c' } }]);
    },
    TEST_TIMEOUT,
  );

  it(
    'a single tool call through Gemini: tools sent as functionDeclarations',
    async () => {
      fx.gemini.reply({ toolCalls: [{ id: 'fc_1', name: 'get_weather', arguments: '{"city":"Rome"}' }], finishReason: 'tool_calls' });
      const completion = await client.chat.completions.create({
        model: 'gemini/gemini-3.5-flash',
        messages: question,
        tools: [WEATHER_TOOL],
      });
      const tools = bodyOf(onlyRequest(fx.gemini)).tools as { functionDeclarations?: { name: string }[] }[];
      expect(tools.flatMap((t) => t.functionDeclarations ?? []).map((d) => d.name)).toEqual(['get_weather']);
      const choice = completion.choices[0]!;
      expect(choice.finish_reason).toBe('tool_calls');
      const calls = assembledCalls(choice.message);
      expect(calls).toMatchObject([{ name: 'get_weather', args: { city: 'Rome' } }]);
      expect(calls[0]!.id).not.toBe('');
    },
    TEST_TIMEOUT,
  );

  for (const stream of [false, true]) {
    it(
      `extended thinking with tools through Anthropic (${stream ? 'streamed' : 'JSON'}): the signed thinking comes back as thinking_blocks, and replayed on the assistant turn it lets Anthropic accept the tool result`,
      async () => {
        const call = { id: 'toolu_think_1', name: 'get_weather', arguments: '{"city":"Oslo"}' };
        fx.anthropic.reply({ reasoning: { text: 'I should look up the weather.', signature: 'sig-EqoBCkgI' }, toolCalls: [call] });
        const first = { model: 'anthropic/claude-haiku-4-5', messages: question, tools: [WEATHER_TOOL], reasoning_effort: 'low' as const };
        let assistant: Record<string, unknown>;
        if (stream) {
          const chunks = await collect(await client.chat.completions.create({ ...first, stream: true }));
          const deltas = chunks.map((c) => c.choices[0]?.delta as Record<string, unknown> | undefined);
          const blocks = deltas.flatMap((d) => (d?.thinking_blocks as unknown[] | undefined) ?? []);
          expect(blocks).toEqual([{ type: 'thinking', thinking: 'I should look up the weather.', signature: 'sig-EqoBCkgI' }]);
          assistant = {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }],
            thinking_blocks: blocks,
          };
        } else {
          const completion = await client.chat.completions.create(first);
          const message = completion.choices[0]!.message as unknown as Record<string, unknown>;
          expect(message.reasoning_content).toBe('I should look up the weather.');
          expect(message.thinking_blocks).toEqual([
            { type: 'thinking', thinking: 'I should look up the weather.', signature: 'sig-EqoBCkgI' },
          ]);
          // What an application does: append the assistant message as received.
          assistant = message;
        }
        expect(bodyOf(onlyRequest(fx.anthropic)).thinking).toMatchObject({ type: 'enabled' });

        const toolTurn = [
          ...question,
          assistant as unknown as ChatMessageParam,
          { role: 'tool' as const, tool_call_id: call.id, content: 'Cold' },
        ];
        resetFakes(fx);
        fx.anthropic.reply({ text: 'It is cold in Oslo.' });
        const answer = await client.chat.completions.create({ ...first, messages: toolTurn });
        expect(answer.choices[0]!.message.content).toBe('It is cold in Oslo.');
        const replayed = (bodyOf(onlyRequest(fx.anthropic)).messages as { role: string; content: unknown[] }[])[1]!;
        expect(replayed.content[0]).toEqual({ type: 'thinking', thinking: 'I should look up the weather.', signature: 'sig-EqoBCkgI' });

        // Without the blocks (a client that keeps only reasoning_content) Anthropic refuses the turn, as the real API does.
        resetFakes(fx);
        const { thinking_blocks: _dropped, ...bare } = assistant;
        const refused = await sdkError(
          client.chat.completions.create({ ...first, messages: [...question, bare as unknown as ChatMessageParam, toolTurn[2]!] }),
        );
        expect(refused.status).toBe(400);
        expect(errorBody(refused).message).toMatch(/must start with a thinking block/);
      },
      TEST_TIMEOUT,
    );
  }

  /** A conversation whose tool call came from another provider (an Anthropic id), as after an alias fallback. */
  const FOREIGN_ID = 'toolu_01A09q90qw90lq917835lq9';
  const foreignConversation: ChatMessageParam[] = [
    ...question,
    {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: FOREIGN_ID, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
    },
    { role: 'tool', tool_call_id: FOREIGN_ID, content: 'Sunny' },
  ];
  const MISTRAL_ID = /^[A-Za-z0-9]{9}$/;

  it(
    "Responses API to Mistral (translated): another provider's call_id is mapped to Mistral's 9-character form, consistently",
    async () => {
      fx.openai.reply({ text: 'Sunny in Paris.' });
      const response = await client.responses.create({
        model: 'mistral/mistral-small-2603',
        tools: [RESPONSES_WEATHER_TOOL],
        input: [
          { role: 'user', content: 'Weather in Paris?' },
          { type: 'function_call', call_id: FOREIGN_ID, name: 'get_weather', arguments: '{"city":"Paris"}' },
          { type: 'function_call_output', call_id: FOREIGN_ID, output: 'Sunny' },
        ],
      });
      expect(response.output_text).toBe('Sunny in Paris.');
      const messages = bodyOf(onlyRequest(fx.openai)).messages as { role: string; tool_calls?: { id: string }[]; tool_call_id?: string }[];
      const callId = messages.find((m) => m.role === 'assistant')?.tool_calls?.[0]?.id ?? '';
      expect(callId).toMatch(MISTRAL_ID);
      expect(messages.find((m) => m.role === 'tool')?.tool_call_id).toBe(callId);
    },
    TEST_TIMEOUT,
  );

  // Mistral needs 9-character alphanumeric tool-call ids; a passed-through Chat Completions body
  // carrying another provider's ids (an alias falling back to Mistral) must be mapped.
  it(
    "Chat Completions to Mistral maps another provider's tool call ids to Mistral's 9-character form",
    async () => {
      fx.openai.reply({ text: 'Sunny in Paris.' });
      await client.chat.completions.create({ model: 'mistral/mistral-small-2603', tools: [WEATHER_TOOL], messages: foreignConversation });
      const messages = bodyOf(onlyRequest(fx.openai)).messages as { role: string; tool_calls?: { id: string }[]; tool_call_id?: string }[];
      const callId = messages.find((m) => m.role === 'assistant')?.tool_calls?.[0]?.id ?? '';
      expect(callId).toMatch(MISTRAL_ID);
      expect(messages.find((m) => m.role === 'tool')?.tool_call_id).toBe(callId);
    },
    TEST_TIMEOUT,
  );

  it(
    'parallel_tool_calls: false becomes disable_parallel_tool_use for Anthropic',
    async () => {
      fx.anthropic.reply({
        toolCalls: [{ id: 'toolu_02', name: 'get_weather', arguments: '{"city":"Lyon"}' }],
        finishReason: 'tool_calls',
      });
      const completion = await client.chat.completions.create({
        model: 'anthropic/claude-haiku-4-5',
        messages: question,
        tools: [WEATHER_TOOL, TIME_TOOL],
        parallel_tool_calls: false,
      });
      expect(bodyOf(onlyRequest(fx.anthropic)).tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true });
      expect(assembledCalls(completion.choices[0]!.message)).toEqual([{ id: 'toolu_02', name: 'get_weather', args: { city: 'Lyon' } }]);
    },
    TEST_TIMEOUT,
  );

  describe.each(TOOL_PROVIDERS)('parallel tool calls via $label', (c) => {
    const expectParallel = (calls: AssembledCall[]) => {
      expect(calls.map(({ name, args }) => ({ name, args }))).toEqual([
        { name: 'get_weather', args: { city: 'Paris' } },
        { name: 'get_time', args: { tz: 'Europe/Paris' } },
      ]);
      expect(new Set(calls.map((call) => call.id)).size).toBe(2);
    };

    it(
      'non-streamed: two tool_calls in one answer',
      async () => {
        c.fake(fx).reply(PARALLEL_CALLS);
        const completion = await client.chat.completions.create({ model: c.model, messages: question, tools: [WEATHER_TOOL, TIME_TOOL] });
        expect(completion.choices[0]!.finish_reason).toBe('tool_calls');
        expect(completion.choices[0]!.message.content).toBe('Let me check both.');
        expectParallel(assembledCalls(completion.choices[0]!.message));
      },
      TEST_TIMEOUT,
    );

    it(
      'streamed: the SDK stream helper assembles both calls (finalChatCompletion)',
      async () => {
        c.fake(fx).reply(PARALLEL_CALLS);
        const stream = client.chat.completions.stream({ model: c.model, messages: question, tools: [WEATHER_TOOL, TIME_TOOL] });
        const argumentsDone: string[] = [];
        stream.on('tool_calls.function.arguments.done', (event) => argumentsDone.push(event.name));
        const final = await stream.finalChatCompletion();
        expect(final.choices[0]!.finish_reason).toBe('tool_calls');
        expect(final.choices[0]!.message.content).toBe('Let me check both.');
        const calls = assembledCalls(final.choices[0]!.message);
        expectParallel(calls);
        expect(argumentsDone).toEqual(['get_weather', 'get_time']);
      },
      TEST_TIMEOUT,
    );

    it(
      'second turn: the assistant message as returned plus one tool message per call reach the provider as tool results',
      async () => {
        const fake = c.fake(fx);
        fake.reply(PARALLEL_CALLS);
        const tools = [WEATHER_TOOL, TIME_TOOL];
        const first = await client.chat.completions.create({ model: c.model, messages: question, tools });
        const assistant = first.choices[0]!.message;
        const calls = assembledCalls(assistant);
        const results: Record<string, string> = { get_weather: 'Sunny, 21°C', get_time: '14:05' };

        fake.reply({ text: 'Sunny and 21°C; it is 14:05.', usage: { input: 60, output: 10 } });
        const second = await client.chat.completions.create({
          model: c.model,
          tools,
          messages: [
            ...question,
            assistant,
            ...calls.map((call): ChatMessageParam => ({ role: 'tool', tool_call_id: call.id, content: results[call.name]! })),
          ],
        });
        expect(second.choices[0]!.message.content).toBe('Sunny and 21°C; it is 14:05.');
        expect(second.choices[0]!.finish_reason).toBe('stop');
        expect(fake.requests).toHaveLength(2);
        const sent = bodyOf(fake.requests[1]!);

        if (c.label === 'Anthropic') {
          expect(sent.messages).toEqual([
            { role: 'user', content: [{ type: 'text', text: 'Weather and time in Paris?' }] },
            {
              role: 'assistant',
              content: [
                { type: 'text', text: 'Let me check both.' },
                { type: 'tool_use', id: 'call_weather_1', name: 'get_weather', input: { city: 'Paris' } },
                { type: 'tool_use', id: 'call_time_1', name: 'get_time', input: { tz: 'Europe/Paris' } },
              ],
            },
            {
              role: 'user',
              content: [
                { type: 'tool_result', tool_use_id: 'call_weather_1', content: [{ type: 'text', text: 'Sunny, 21°C' }] },
                { type: 'tool_result', tool_use_id: 'call_time_1', content: [{ type: 'text', text: '14:05' }] },
              ],
            },
          ]);
        } else if (c.label === 'Gemini') {
          const contents = sent.contents as { role: string; parts: JsonObject[] }[];
          expect(contents.map((content) => content.role)).toEqual(['user', 'model', 'user']);
          expect(contents[1]!.parts).toMatchObject([
            { text: 'Let me check both.' },
            { functionCall: { id: 'call_weather_1', name: 'get_weather', args: { city: 'Paris' } } },
            { functionCall: { id: 'call_time_1', name: 'get_time', args: { tz: 'Europe/Paris' } } },
          ]);
          expect(contents[2]!.parts).toEqual([
            { functionResponse: { id: 'call_weather_1', name: 'get_weather', response: { output: 'Sunny, 21°C' } } },
            { functionResponse: { id: 'call_time_1', name: 'get_time', response: { output: '14:05' } } },
          ]);
        } else {
          // Native: the conversation goes to OpenAI exactly as the application built it.
          const messages = sent.messages as JsonObject[];
          expect(messages.slice(2)).toEqual([
            { role: 'tool', tool_call_id: 'call_weather_1', content: 'Sunny, 21°C' },
            { role: 'tool', tool_call_id: 'call_time_1', content: '14:05' },
          ]);
          expect(messages[1]).toMatchObject({ role: 'assistant', tool_calls: [{ id: 'call_weather_1' }, { id: 'call_time_1' }] });
        }
      },
      TEST_TIMEOUT,
    );

    it(
      'second turn after a streamed, tool-only answer: the message finalChatCompletion() assembled goes back as is',
      async () => {
        const fake = c.fake(fx);
        const tools = [WEATHER_TOOL, TIME_TOOL];
        fake.reply({ ...PARALLEL_CALLS, text: undefined });
        const final = await client.chat.completions.stream({ model: c.model, messages: question, tools }).finalChatCompletion();
        const assistant = final.choices[0]!.message;
        expect(assistant.content ?? '').toBe('');
        const calls = assembledCalls(assistant);
        expect(calls.map((call) => call.name)).toEqual(['get_weather', 'get_time']);

        fake.reply({ text: 'Done.' });
        const second = await client.chat.completions.create({
          model: c.model,
          tools,
          messages: [
            ...question,
            assistant,
            ...calls.map((call): ChatMessageParam => ({ role: 'tool', tool_call_id: call.id, content: `result of ${call.name}` })),
          ],
        });
        expect(second.choices[0]!.message.content).toBe('Done.');
        const sent = JSON.stringify(bodyOf(fake.requests[1]!));
        for (const call of calls) expect(sent).toContain(`result of ${call.name}`);
        if (c.label === 'Anthropic') expect(sent).toContain('"tool_result"');
        if (c.label === 'Gemini') expect(sent).toContain('"functionResponse"');
      },
      TEST_TIMEOUT,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// 3 + 4. response_format and n
// ---------------------------------------------------------------------------------------------

const ANSWER_SCHEMA = {
  type: 'object',
  properties: { answer: { type: 'string' }, confidence: { type: 'number' } },
  required: ['answer', 'confidence'],
  additionalProperties: false,
};
const JSON_SCHEMA_FORMAT = {
  type: 'json_schema' as const,
  json_schema: { name: 'answer', schema: ANSWER_SCHEMA, strict: true },
};

describe('response_format and n through the OpenAI SDK', () => {
  let fx: GatewayFixture;
  let client: OpenAI;

  beforeAll(async () => {
    fx = await startGatewayFixture();
    client = sdkClient(fx);
  }, FIXTURE_TIMEOUT);
  afterAll(async () => fx?.stop());
  beforeEach(() => resetFakes(fx));

  const messages: ChatMessageParam[] = [{ role: 'user', content: 'What is 6 x 7?' }];
  const structured = '{"answer":"42","confidence":0.9}';

  it(
    'json_schema is forwarded to OpenAI untouched',
    async () => {
      fx.openai.reply({ text: structured });
      const completion = await client.chat.completions.create({
        model: 'openai/gpt-5.4-mini',
        messages,
        response_format: JSON_SCHEMA_FORMAT,
      });
      expect(bodyOf(onlyRequest(fx.openai)).response_format).toEqual(JSON_SCHEMA_FORMAT);
      expect(JSON.parse(completion.choices[0]!.message.content ?? '')).toEqual({ answer: '42', confidence: 0.9 });
    },
    TEST_TIMEOUT,
  );

  it(
    'json_schema becomes Anthropic structured output (output_config.format)',
    async () => {
      fx.anthropic.reply({ text: structured });
      const completion = await client.chat.completions.create({
        model: 'anthropic/claude-haiku-4-5',
        messages,
        response_format: JSON_SCHEMA_FORMAT,
      });
      expect(bodyOf(onlyRequest(fx.anthropic)).output_config).toEqual({ format: { type: 'json_schema', schema: ANSWER_SCHEMA } });
      expect(JSON.parse(completion.choices[0]!.message.content ?? '')).toEqual({ answer: '42', confidence: 0.9 });
    },
    TEST_TIMEOUT,
  );

  it(
    'json_schema becomes Gemini structured output (responseMimeType + responseJsonSchema)',
    async () => {
      fx.gemini.reply({ text: structured });
      const completion = await client.chat.completions.create({
        model: 'gemini/gemini-3.5-flash',
        messages,
        response_format: JSON_SCHEMA_FORMAT,
      });
      const config = bodyOf(onlyRequest(fx.gemini)).generationConfig as JsonObject;
      expect(config.responseMimeType).toBe('application/json');
      expect(config.responseJsonSchema).toMatchObject({
        type: 'object',
        properties: { answer: { type: 'string' }, confidence: { type: 'number' } },
        required: ['answer', 'confidence'],
      });
      expect(JSON.parse(completion.choices[0]!.message.content ?? '')).toEqual({ answer: '42', confidence: 0.9 });
    },
    TEST_TIMEOUT,
  );

  it(
    'the SDK parse() helper works on a translated structured answer',
    async () => {
      fx.anthropic.reply({ text: structured });
      const parsed = await client.chat.completions.parse({
        model: 'anthropic/claude-haiku-4-5',
        messages,
        response_format: JSON_SCHEMA_FORMAT,
      });
      expect(parsed.choices[0]!.message.parsed).toEqual({ answer: '42', confidence: 0.9 });
    },
    TEST_TIMEOUT,
  );

  it(
    'json_object to Anthropic is a 400 BadRequestError naming it, and nothing reaches Anthropic',
    async () => {
      const error = await sdkError(
        client.chat.completions.create({ model: 'anthropic/claude-haiku-4-5', messages, response_format: { type: 'json_object' } }),
      );
      expect(error).toBeInstanceOf(BadRequestError);
      expect(error.status).toBe(400);
      const body = errorBody(error);
      expect(body.type).toBe('invalid_request_error');
      expect(body.message).toMatch(/json_object/);
      expect(body.message).toMatch(/anthropic/);
      expect(fx.anthropic.requests).toHaveLength(0);
    },
    TEST_TIMEOUT,
  );

  it(
    'n: 2 to Anthropic is a 400 BadRequestError explaining it returns one choice',
    async () => {
      const error = await sdkError(client.chat.completions.create({ model: 'anthropic/claude-haiku-4-5', messages, n: 2 }));
      expect(error).toBeInstanceOf(BadRequestError);
      expect(errorBody(error).message).toMatch(/\bn must be 1\b|one choice/);
      expect(fx.anthropic.requests).toHaveLength(0);
    },
    TEST_TIMEOUT,
  );

  it(
    'n: 2 to Gemini becomes candidateCount and both choices come back',
    async () => {
      fx.gemini.reply({ text: 'Forty-two.' });
      const completion = await client.chat.completions.create({ model: 'gemini/gemini-3.5-flash', messages, n: 2 });
      expect((bodyOf(onlyRequest(fx.gemini)).generationConfig as JsonObject).candidateCount).toBe(2);
      expect(completion.choices.map((choice) => [choice.index, choice.message.content])).toEqual([
        [0, 'Forty-two.'],
        [1, 'Forty-two.'],
      ]);
    },
    TEST_TIMEOUT,
  );

  it(
    'n: 2 to OpenAI is forwarded and both choices come back',
    async () => {
      fx.openai.reply({ text: 'Forty-two.' });
      const completion = await client.chat.completions.create({ model: 'openai/gpt-5.4-mini', messages, n: 2 });
      expect(bodyOf(onlyRequest(fx.openai)).n).toBe(2);
      expect(completion.choices.map((choice) => choice.index)).toEqual([0, 1]);
      expect(completion.choices.map((choice) => choice.message.content)).toEqual(['Forty-two.', 'Forty-two.']);
    },
    TEST_TIMEOUT,
  );
});

// ---------------------------------------------------------------------------------------------
// 5. The Responses API
// ---------------------------------------------------------------------------------------------

const RESPONSES_WEATHER_TOOL: OpenAI.Responses.FunctionTool = {
  type: 'function',
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  strict: true,
};

function functionCalls(response: OpenAI.Responses.Response): ResponseFunctionCall[] {
  return response.output.filter((item): item is ResponseFunctionCall => item.type === 'function_call');
}

/**
 * The answer's text, read from `output`. (`output_text` is an SDK convenience: `responses.create()`
 * computes it, but `responses.stream().finalResponse()` does not, and the API never sends it.)
 */
function outputText(response: OpenAI.Responses.Response): string {
  return response.output
    .flatMap((item) => (item.type === 'message' ? item.content : []))
    .map((part) => (part.type === 'output_text' ? part.text : ''))
    .join('');
}

describe('the Responses API through the OpenAI SDK', () => {
  let fx: GatewayFixture;
  let client: OpenAI;

  beforeAll(async () => {
    fx = await startGatewayFixture();
    client = sdkClient(fx);
  }, FIXTURE_TIMEOUT);
  afterAll(async () => fx?.stop());
  beforeEach(() => resetFakes(fx));

  it(
    'native to OpenAI: responses.create forwards the body with only the model changed',
    async () => {
      fx.openai.reply({ text: 'Native response.', usage: { input: 8, output: 3 } });
      const params = {
        model: 'openai/gpt-5.4-mini',
        instructions: 'Be brief.',
        input: 'Hello',
        max_output_tokens: 100,
        temperature: 0.4,
      } satisfies OpenAI.Responses.ResponseCreateParamsNonStreaming;
      const { data, response } = await client.responses.create(params).withResponse();
      const upstream = onlyRequest(fx.openai);
      expect(upstream.path).toBe('/v1/responses');
      expect(upstream.headers.authorization).toBe(`Bearer ${fx.openai.apiKey}`);
      expect(upstream.body).toEqual({ ...params, model: 'gpt-5.4-mini' });
      expect(data.output_text).toBe('Native response.');
      expect(data.usage).toMatchObject({ input_tokens: 8, output_tokens: 3 });
      expect(response.headers.get('x-portcullis-provider')).toBe('openai');
      expect(response.headers.get('x-portcullis-attempts')).toBe('1');
    },
    TEST_TIMEOUT,
  );

  it(
    'native to OpenAI: responses.stream().finalResponse()',
    async () => {
      fx.openai.reply({ text: 'Native streamed response.' });
      const stream = client.responses.stream({ model: 'openai/gpt-5.4-mini', input: 'Hello' });
      const deltas: string[] = [];
      stream.on('response.output_text.delta', (event) => deltas.push(event.delta));
      const final = await stream.finalResponse();
      expect(bodyOf(onlyRequest(fx.openai))).toEqual({ model: 'gpt-5.4-mini', input: 'Hello', stream: true });
      expect(outputText(final)).toBe('Native streamed response.');
      expect(deltas.join('')).toBe('Native streamed response.');
      expect(final.status).toBe('completed');
    },
    TEST_TIMEOUT,
  );

  it(
    'translated to Anthropic: instructions become system, the answer a completed Response',
    async () => {
      fx.anthropic.reply({ text: 'Hi from Claude.', usage: { input: 9, output: 4 } });
      const { data, response } = await client.responses
        .create({ model: 'anthropic/claude-haiku-4-5', instructions: 'Be brief.', input: 'Hello', max_output_tokens: 100 })
        .withResponse();
      expect(bodyOf(onlyRequest(fx.anthropic))).toEqual({
        model: 'claude-haiku-4-5',
        max_tokens: 100,
        system: [{ type: 'text', text: 'Be brief.' }],
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }],
      });
      expect(data.object).toBe('response');
      expect(data.status).toBe('completed');
      expect(data.output_text).toBe('Hi from Claude.');
      expect(data.usage).toMatchObject({ input_tokens: 9, output_tokens: 4, total_tokens: 13 });
      expect(response.headers.get('x-portcullis-provider')).toBe('anthropic');
    },
    TEST_TIMEOUT,
  );

  it(
    'translated to Gemini: responses.stream().finalResponse() assembles the text',
    async () => {
      fx.gemini.reply({ text: 'Streamed from Gemini via Responses.', usage: { input: 6, output: 5 } });
      const stream = client.responses.stream({ model: 'gemini/gemini-3.5-flash', instructions: 'Be brief.', input: 'Hello' });
      const final = await stream.finalResponse();
      const upstream = onlyRequest(fx.gemini);
      expect(upstream.path).toBe('/v1beta/models/gemini-3.5-flash:streamGenerateContent');
      expect(upstream.body).toMatchObject({
        systemInstruction: { parts: [{ text: 'Be brief.' }] },
        contents: [{ role: 'user', parts: [{ text: 'Hello' }] }],
      });
      expect(final.status).toBe('completed');
      expect(outputText(final)).toBe('Streamed from Gemini via Responses.');
      expect(final.usage).toMatchObject({ input_tokens: 6, output_tokens: 5 });
    },
    TEST_TIMEOUT,
  );

  describe.each([
    { label: 'Anthropic', model: 'anthropic/claude-haiku-4-5', fake: (f: GatewayFixture): FakeUpstream => f.anthropic },
    { label: 'Gemini', model: 'gemini/gemini-3.5-flash', fake: (f: GatewayFixture): FakeUpstream => f.gemini },
  ])('function calling translated to $label', (c) => {
    it.each([false, true])(
      'a function_call, then a function_call_output round (first turn streamed: %s)',
      async (streamed) => {
        const fake = c.fake(fx);
        fake.reply({ toolCalls: [{ id: 'call_oslo_1', name: 'get_weather', arguments: '{"city":"Oslo"}' }], finishReason: 'tool_calls' });
        const firstParams = { model: c.model, input: 'Weather in Oslo?', tools: [RESPONSES_WEATHER_TOOL] };
        const first = streamed ? await client.responses.stream(firstParams).finalResponse() : await client.responses.create(firstParams);

        const [call, ...more] = functionCalls(first);
        expect(more).toEqual([]);
        expect(call).toMatchObject({ type: 'function_call', name: 'get_weather' });
        expect(call!.call_id).toMatch(/^call_oslo_1/);
        expect(JSON.parse(call!.arguments)).toEqual({ city: 'Oslo' });
        expect(outputText(first)).toBe('');

        const toolsSent = bodyOf(fake.requests[0]!).tools;
        if (c.label === 'Anthropic')
          expect(toolsSent).toMatchObject([{ name: 'get_weather', input_schema: RESPONSES_WEATHER_TOOL.parameters }]);
        else expect(JSON.stringify(toolsSent)).toContain('"get_weather"');

        fake.reply({ text: 'It is -3°C in Oslo.' });
        const second = await client.responses.create({
          model: c.model,
          tools: [RESPONSES_WEATHER_TOOL],
          input: [
            { role: 'user', content: 'Weather in Oslo?' },
            call!,
            { type: 'function_call_output', call_id: call!.call_id, output: '-3°C, snow' },
          ],
        });
        expect(second.output_text).toBe('It is -3°C in Oslo.');
        expect(fake.requests).toHaveLength(2);
        const sent = bodyOf(fake.requests[1]!);
        if (c.label === 'Anthropic') {
          expect(sent.messages).toEqual([
            { role: 'user', content: [{ type: 'text', text: 'Weather in Oslo?' }] },
            { role: 'assistant', content: [{ type: 'tool_use', id: call!.call_id, name: 'get_weather', input: { city: 'Oslo' } }] },
            {
              role: 'user',
              content: [{ type: 'tool_result', tool_use_id: call!.call_id, content: [{ type: 'text', text: '-3°C, snow' }] }],
            },
          ]);
        } else {
          const contents = sent.contents as { role: string; parts: JsonObject[] }[];
          expect(contents.map((content) => content.role)).toEqual(['user', 'model', 'user']);
          expect(contents[1]!.parts).toMatchObject([{ functionCall: { id: 'call_oslo_1', name: 'get_weather', args: { city: 'Oslo' } } }]);
          expect(contents[2]!.parts).toEqual([
            { functionResponse: { id: 'call_oslo_1', name: 'get_weather', response: { output: '-3°C, snow' } } },
          ]);
        }
      },
      TEST_TIMEOUT,
    );
  });

  it(
    'text.format json_schema is translated to Anthropic structured output and echoed on the Response',
    async () => {
      const format = {
        type: 'json_schema' as const,
        name: 'answer',
        schema: { type: 'object', properties: { a: { type: 'number' } }, required: ['a'], additionalProperties: false },
        strict: true,
      };
      fx.anthropic.reply({ text: '{"a":1}' });
      const response = await client.responses.create({ model: 'anthropic/claude-haiku-4-5', input: 'Give me a.', text: { format } });
      expect(bodyOf(onlyRequest(fx.anthropic)).output_config).toEqual({ format: { type: 'json_schema', schema: format.schema } });
      expect(JSON.parse(response.output_text)).toEqual({ a: 1 });
      expect(response.text?.format).toEqual(format);
    },
    TEST_TIMEOUT,
  );

  it(
    'previous_response_id to Anthropic is a 400 BadRequestError naming it',
    async () => {
      const error = await sdkError(
        client.responses.create({ model: 'anthropic/claude-haiku-4-5', input: 'And then?', previous_response_id: 'resp_abc123' }),
      );
      expect(error).toBeInstanceOf(BadRequestError);
      expect(errorBody(error).message).toMatch(/previous_response_id/);
      expect(fx.anthropic.requests).toHaveLength(0);
    },
    TEST_TIMEOUT,
  );
});

// ---------------------------------------------------------------------------------------------
// 6. Embeddings
// ---------------------------------------------------------------------------------------------

describe('embeddings through the OpenAI SDK', () => {
  let fx: GatewayFixture;
  let client: OpenAI;

  beforeAll(async () => {
    fx = await startGatewayFixture();
    client = sdkClient(fx);
  }, FIXTURE_TIMEOUT);
  afterAll(async () => fx?.stop());
  beforeEach(() => resetFakes(fx));

  it(
    "the SDK's default (base64 on the wire) decodes to the provider's vectors",
    async () => {
      const raw = await client.embeddings.create({ model: 'openai/text-embedding-3-small', input: ['alpha', 'beta'] }).asResponse();
      const wire = (await raw.json()) as { data: { embedding: unknown }[] };
      // The SDK asked for base64 (its default) and the gateway answered base64 …
      expect(wire.data.map((d) => typeof d.embedding)).toEqual(['string', 'string']);
      expect(raw.headers.get('x-portcullis-provider')).toBe('openai');
      expect(raw.headers.get('x-portcullis-attempts')).toBe('1');

      // … which the SDK decodes to exactly the provider's floats.
      const { data, response } = await client.embeddings
        .create({ model: 'openai/text-embedding-3-small', input: ['alpha', 'beta'] })
        .withResponse();
      expect(data.object).toBe('list');
      expect(data.data.map((d) => d.index)).toEqual([0, 1]);
      expect(data.data.map((d) => d.embedding)).toEqual([fakeEmbedding(0, 8), fakeEmbedding(1, 8)]);
      expect(data.model).toBe('text-embedding-3-small');
      expect(data.usage).toEqual({ prompt_tokens: 6, total_tokens: 6 });
      expect(response.headers.get('x-portcullis-provider')).toBe('openai');

      const upstream = fx.openai.requests.at(-1)!;
      expect(upstream.path).toBe('/v1/embeddings');
      expect(upstream.body).toMatchObject({ model: 'text-embedding-3-small', input: ['alpha', 'beta'] });
    },
    TEST_TIMEOUT,
  );

  it(
    "encoding_format: 'float' returns plain arrays, and dimensions is forwarded",
    async () => {
      const raw = await client.embeddings
        .create({ model: 'openai/text-embedding-3-small', input: 'gamma', encoding_format: 'float', dimensions: 4 })
        .asResponse();
      const wire = (await raw.json()) as { data: { embedding: unknown }[] };
      expect(wire.data).toHaveLength(1);
      expect(wire.data[0]!.embedding).toEqual(fakeEmbedding(0, 4));
      expect(bodyOf(onlyRequest(fx.openai))).toMatchObject({ model: 'text-embedding-3-small', input: ['gamma'], dimensions: 4 });

      const viaSdk = await client.embeddings.create({ model: 'openai/text-embedding-3-small', input: 'gamma', encoding_format: 'float' });
      expect(viaSdk.data[0]!.embedding).toEqual(fakeEmbedding(0, 8));
    },
    TEST_TIMEOUT,
  );

  it(
    'Gemini embeddings: one batchEmbedContents request, one vector per input',
    async () => {
      const { data, response } = await client.embeddings
        .create({ model: 'gemini/gemini-embedding-001', input: ['one', 'two', 'three'] })
        .withResponse();
      const upstream = onlyRequest(fx.gemini);
      expect(upstream.path).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents');
      expect(upstream.headers['x-goog-api-key']).toBe(fx.gemini.apiKey);
      expect(bodyOf(upstream).requests).toEqual(
        ['one', 'two', 'three'].map((text) => ({ model: 'models/gemini-embedding-001', content: { parts: [{ text }] } })),
      );
      expect(data.data).toHaveLength(3);
      for (const item of data.data) expect(item.embedding).toHaveLength(8);
      expect(new Set(data.data.map((d) => JSON.stringify(d.embedding))).size).toBe(3);
      expect(response.headers.get('x-portcullis-provider')).toBe('gemini');
    },
    TEST_TIMEOUT,
  );

  // Gemini's batchEmbedContents does not name the model: the gateway fills in the one it asked for.
  it(
    'Gemini embeddings name the model that served them',
    async () => {
      const data = await client.embeddings.create({ model: 'gemini/gemini-embedding-001', input: 'one' });
      expect(data.model).toContain('gemini-embedding-001');
    },
    TEST_TIMEOUT,
  );

  it(
    'Mistral embeddings',
    async () => {
      const data = await client.embeddings.create({ model: 'mistral/mistral-embed', input: ['bonjour'] });
      const upstream = onlyRequest(fx.openai);
      expect(upstream.path).toBe('/v1/embeddings');
      expect(upstream.body).toEqual({ model: 'mistral-embed', input: ['bonjour'] });
      expect(data.data).toHaveLength(1);
      expect(data.data[0]!.embedding).toEqual(fakeEmbedding(0, 8));
    },
    TEST_TIMEOUT,
  );

  it(
    'an embeddings request for a chat-only model is a 4xx, and no provider is called',
    async () => {
      const error = await sdkError(client.embeddings.create({ model: 'openai/gpt-5.4-mini', input: 'x' }));
      expect(error.status).toBeGreaterThanOrEqual(400);
      expect(error.status).toBeLessThan(500);
      errorBody(error);
      for (const fake of [fx.openai, fx.azure, fx.compatible, fx.anthropic, fx.gemini]) expect(fake.requests).toHaveLength(0);
    },
    TEST_TIMEOUT,
  );

  it(
    'a chat request for an embedding-only model is a 4xx too, and no provider is called',
    async () => {
      const error = await sdkError(
        client.chat.completions.create({ model: 'openai/text-embedding-3-small', messages: [{ role: 'user', content: 'Hi' }] }),
      );
      expect(error.status).toBeGreaterThanOrEqual(400);
      expect(error.status).toBeLessThan(500);
      for (const fake of [fx.openai, fx.azure, fx.compatible, fx.anthropic, fx.gemini]) expect(fake.requests).toHaveLength(0);
    },
    TEST_TIMEOUT,
  );

  // Regression: candidates dropped by the mode/supports filters once fell through to a false
  // "no provider key" refusal.
  it(
    'an embeddings request for a chat model says the model is not an embedding model, not that a provider key is missing',
    async () => {
      const error = await sdkError(client.embeddings.create({ model: 'openai/gpt-5.4-mini', input: 'x' }));
      const body = errorBody(error);
      expect(body.code).not.toBe('no_provider_key');
      expect(body.message).not.toMatch(/no provider key/i);
      expect(body.message).toMatch(/embedding/i);
    },
    TEST_TIMEOUT,
  );

  it(
    'a chat request for an embedding model says it is not a chat model, not that a provider key is missing',
    async () => {
      const error = await sdkError(
        client.chat.completions.create({ model: 'openai/text-embedding-3-small', messages: [{ role: 'user', content: 'Hi' }] }),
      );
      const body = errorBody(error);
      expect(body.code).not.toBe('no_provider_key');
      expect(body.message).not.toMatch(/no provider key/i);
    },
    TEST_TIMEOUT,
  );
});

// ---------------------------------------------------------------------------------------------
// 7. Models
// ---------------------------------------------------------------------------------------------

type ListedModel = OpenAI.Models.Model & {
  mode?: string;
  pricing?: { input_per_mtok: number; output_per_mtok: number | null; currency: string } | null;
  fallbacks?: string[];
};

const KEYED_PROVIDERS: ProviderId[] = ['openai', 'azure-openai', 'anthropic', 'gemini', 'mistral', 'openai-compatible'];

describe('models through the OpenAI SDK', () => {
  let fx: GatewayFixture;
  let client: OpenAI;

  beforeAll(async () => {
    fx = await startGatewayFixture();
    client = sdkClient(fx);
  }, FIXTURE_TIMEOUT);
  afterAll(async () => fx?.stop());
  beforeEach(() => resetFakes(fx));

  const list = async (c: OpenAI): Promise<ListedModel[]> => {
    const out: ListedModel[] = [];
    for await (const model of c.models.list()) out.push(model);
    return out;
  };

  it(
    'models.list(): exactly the catalog models of providers with keys, as provider/model, with pricing',
    async () => {
      const models = await list(client);
      const expected = KEYED_PROVIDERS.flatMap((p) => modelsOf(p)).map((m) => `${m.provider}/${m.id}`);
      expect(models.map((m) => m.id).sort()).toEqual([...expected].sort());
      const unkeyed = PROVIDER_IDS.filter((p) => !KEYED_PROVIDERS.includes(p));
      for (const model of models) {
        const provider = model.id.slice(0, model.id.indexOf('/'));
        expect(unkeyed).not.toContain(provider);
        expect(model.object).toBe('model');
        expect(model.owned_by).toBe(provider);
        expect(model.pricing?.currency).toBe('USD');
        expect(typeof model.pricing?.input_per_mtok).toBe('number');
      }
      const mini = models.find((m) => m.id === 'openai/gpt-5.4-mini');
      const catalogMini = modelsOf('openai').find((m) => m.id === 'gpt-5.4-mini')!;
      expect(mini?.pricing).toMatchObject({ input_per_mtok: catalogMini.pricing.input, output_per_mtok: catalogMini.pricing.output });
      expect(models.find((m) => m.id === 'openai/text-embedding-3-small')?.mode).toBe('embedding');
      // Nothing is fetched from providers to build the list.
      for (const fake of [fx.openai, fx.azure, fx.compatible, fx.anthropic, fx.gemini]) expect(fake.requests).toHaveLength(0);
    },
    TEST_TIMEOUT,
  );

  it(
    "models.retrieve('openai/gpt-5.4-mini') works; an unknown id is a 404 NotFoundError",
    async () => {
      const model = (await client.models.retrieve('openai/gpt-5.4-mini')) as ListedModel;
      expect(model).toMatchObject({ id: 'openai/gpt-5.4-mini', object: 'model', owned_by: 'openai' });
      expect(model.pricing?.currency).toBe('USD');

      const error = await sdkError(client.models.retrieve('openai/gpt-does-not-exist'));
      expect(error).toBeInstanceOf(NotFoundError);
      expect(errorBody(error).code).toBe('model_not_found');
    },
    TEST_TIMEOUT,
  );

  it(
    'allowedModels: the list shrinks to that model, another model is a 403 PermissionDeniedError',
    async () => {
      const [key] = await fx.bootstrap({ allowedModels: ['openai/gpt-5.4-mini'] });
      const restricted = sdkClient(fx, key);
      expect((await list(restricted)).map((m) => m.id)).toEqual(['openai/gpt-5.4-mini']);

      const ok = await restricted.chat.completions.create({ model: 'openai/gpt-5.4-mini', messages: [{ role: 'user', content: 'Hi' }] });
      expect(ok.choices[0]!.message.content).toBe('Hello from gpt-5.4-mini.');

      const error = await sdkError(
        restricted.chat.completions.create({ model: 'anthropic/claude-haiku-4-5', messages: [{ role: 'user', content: 'Hi' }] }),
      );
      expect(error).toBeInstanceOf(PermissionDeniedError);
      expect(errorBody(error).code).toBe('model_not_allowed');
      expect(fx.anthropic.requests).toHaveLength(0);

      expect(await sdkError(restricted.models.retrieve('anthropic/claude-haiku-4-5'))).toBeInstanceOf(NotFoundError);
    },
    TEST_TIMEOUT,
  );

  it(
    'a project alias is listed and routes, in order, falling back when the first target fails',
    async () => {
      const [key] = await fx.bootstrap({ aliases: { fast: ['anthropic/claude-haiku-4-5', 'openai/gpt-5.4-mini'] }, maxRetries: 0 });
      const aliased = sdkClient(fx, key);
      const models = await list(aliased);
      const fast = models.find((m) => m.id === 'fast');
      expect(fast).toMatchObject({ id: 'fast', object: 'model' });
      expect(fast?.fallbacks).toEqual(['anthropic/claude-haiku-4-5', 'openai/gpt-5.4-mini']);
      // The earlier allowedModels restriction is gone with the new settings.
      expect(models.some((m) => m.id === 'gemini/gemini-3.5-flash')).toBe(true);
      expect(((await aliased.models.retrieve('fast')) as ListedModel).id).toBe('fast');

      const first = await aliased.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'Hi' }] }).withResponse();
      expect(first.response.headers.get('x-portcullis-provider')).toBe('anthropic');
      expect(first.data.choices[0]!.message.content).toBe('Hello from claude-haiku-4-5.');
      expect(bodyOf(onlyRequest(fx.anthropic)).model).toBe('claude-haiku-4-5');

      fx.anthropic.fail({
        kind: 'status',
        status: 529,
        body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
      });
      const second = await aliased.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'Hi' }] }).withResponse();
      expect(second.response.headers.get('x-portcullis-provider')).toBe('openai');
      expect(second.response.headers.get('x-portcullis-attempts')).toBe('2');
      expect(second.data.choices[0]!.message.content).toBe('Hello from gpt-5.4-mini.');
    },
    TEST_TIMEOUT,
  );
});

// ---------------------------------------------------------------------------------------------
// 8. Bad input → 4xx in OpenAI's error shape, as the right SDK error class
// ---------------------------------------------------------------------------------------------

const MAX_BODY_BYTES = 65_536;

describe('bad input through the OpenAI SDK', () => {
  let fx: GatewayFixture;
  let client: OpenAI;

  beforeAll(async () => {
    fx = await startGatewayFixture({ env: { GATEWAY_MAX_BODY_BYTES: String(MAX_BODY_BYTES) } });
    client = sdkClient(fx);
  }, FIXTURE_TIMEOUT);
  afterAll(async () => fx?.stop());
  beforeEach(() => resetFakes(fx));

  const noProviderCalled = () => {
    for (const fake of [fx.openai, fx.azure, fx.compatible, fx.anthropic, fx.gemini]) expect(fake.requests).toHaveLength(0);
  };

  it(
    'malformed JSON is a 400 in the OpenAI error shape',
    async () => {
      const response = await rawPost(fx, '/v1/chat/completions', '{"model": "openai/gpt-5.4-mini", "messages": [', {
        authorization: `Bearer ${fx.apiKey}`,
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.json).toEqual({
        error: { message: expect.stringMatching(/JSON/) as unknown, type: 'invalid_request_error', code: 'invalid_json' },
      });
      noProviderCalled();
    },
    TEST_TIMEOUT,
  );

  it(
    'wrong types (messages: "x") are a BadRequestError naming the field',
    async () => {
      const error = await sdkError(
        client.chat.completions.create({ model: 'openai/gpt-5.4-mini', messages: 'x' as unknown as ChatMessageParam[] }),
      );
      expect(error).toBeInstanceOf(BadRequestError);
      const body = errorBody(error);
      expect(body.type).toBe('invalid_request_error');
      expect(body.message).toMatch(/messages/);
      noProviderCalled();
    },
    TEST_TIMEOUT,
  );

  it(
    'an unknown model is a NotFoundError (the provider said 404; the client learns which model)',
    async () => {
      fx.openai.fail({
        kind: 'status',
        status: 404,
        body: {
          error: {
            message: 'The model `gpt-nope` does not exist or you do not have access to it.',
            type: 'invalid_request_error',
            param: null,
            code: 'model_not_found',
          },
        },
      });
      const error = await sdkError(
        client.chat.completions.create({ model: 'openai/gpt-nope', messages: [{ role: 'user', content: 'Hi' }] }),
      );
      expect(error).toBeInstanceOf(NotFoundError);
      expect(errorBody(error)).toMatchObject({ type: 'not_found_error', code: 'model_not_found' });
      expect(errorBody(error).message).toMatch(/gpt-nope/);
      // A 404 means "not here": no retry against the same provider.
      expect(fx.openai.requests).toHaveLength(1);
    },
    TEST_TIMEOUT,
  );

  it(
    'a missing key is a 401 AuthenticationError, a wrong one too',
    async () => {
      const missing = await rawPost(fx, '/v1/chat/completions', JSON.stringify({ model: 'openai/gpt-5.4-mini', messages: [] }));
      expect(missing.status).toBe(401);
      expect(missing.json).toMatchObject({ error: { type: 'authentication_error', code: 'missing_api_key' } });

      const empty = await sdkError(
        sdkClient(fx, '').chat.completions.create({ model: 'openai/gpt-5.4-mini', messages: [{ role: 'user', content: 'Hi' }] }),
      );
      expect(empty).toBeInstanceOf(AuthenticationError);
      expect(errorBody(empty).code).toBe('missing_api_key');

      const wrong = await sdkError(
        sdkClient(fx, 'pc_live_notarealkeyatall0000000000').chat.completions.create({
          model: 'openai/gpt-5.4-mini',
          messages: [{ role: 'user', content: 'Hi' }],
        }),
      );
      expect(wrong).toBeInstanceOf(AuthenticationError);
      expect(errorBody(wrong)).toMatchObject({ type: 'authentication_error', code: 'invalid_api_key' });
      noProviderCalled();
    },
    TEST_TIMEOUT,
  );

  it(
    `a body over GATEWAY_MAX_BODY_BYTES is a 413 in the OpenAI shape; just under it is served`,
    async () => {
      const body = (size: number) => {
        const base = JSON.stringify({ model: 'openai/gpt-5.4-mini', messages: [{ role: 'user', content: '' }] });
        return JSON.stringify({ model: 'openai/gpt-5.4-mini', messages: [{ role: 'user', content: 'x'.repeat(size - base.length) }] });
      };
      const auth = { authorization: `Bearer ${fx.apiKey}` };

      const over = await rawPost(fx, '/v1/chat/completions', body(MAX_BODY_BYTES + 1), auth);
      expect(over.status).toBe(413);
      expect(over.json).toMatchObject({ error: { code: 'payload_too_large', type: expect.any(String) as unknown } });
      noProviderCalled();

      const error = await sdkError(
        client.chat.completions.create({
          model: 'openai/gpt-5.4-mini',
          messages: [{ role: 'user', content: 'x'.repeat(MAX_BODY_BYTES) }],
        }),
      );
      expect(error.status).toBe(413);
      expect(errorBody(error).code).toBe('payload_too_large');
      noProviderCalled();

      const under = await rawPost(fx, '/v1/chat/completions', body(MAX_BODY_BYTES - 16), auth);
      expect(under.status).toBe(200);
      expect(fx.openai.requests).toHaveLength(1);
    },
    TEST_TIMEOUT,
  );
});
