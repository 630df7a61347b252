/**
 * The official Anthropic SDKs against a real gateway, the way applications and coding agents use
 * them: `baseURL` = the gateway (no /v1), `apiKey` = a pc_live_ key, nothing else changed. Both
 * major versions are exercised — 1.x (Bearer, anthropic-version 2026-10-21) and 0.x (x-api-key,
 * 2023-06-01) — against fake providers on loopback (test/support/gateway.ts):
 *   - native Anthropic: the body and the version/beta headers reach Anthropic unchanged, answers
 *     (JSON and SSE) come back to the SDK unchanged, the provider key replaces the pc_ key;
 *   - an OpenAI and a Gemini model behind /v1/messages: text, streams, tool use and tool results,
 *     stop reasons and usage translated both ways;
 *   - count_tokens (exact where the provider counts, estimated and labelled where it cannot);
 *   - errors in Anthropic's envelope, which the SDKs turn into their typed error classes;
 *   - a provider stream that dies mid-answer, which must reject in the SDK, not end quietly.
 */
import Anthropic from '@anthropic-ai/sdk';
import AnthropicV0 from 'anthropic-sdk-v0';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { anthropicErrorBody, FAKE_ANTHROPIC_API_KEY } from './fakes/anthropic.js';
import type { FakeUpstream, RecordedRequest } from './fakes/fake-upstream.js';
import { startGatewayFixture, type GatewayFixture } from './support/gateway.js';

// ---- What the tests send: a subset of the Messages API both SDK versions type the same way ----

type CacheControl = { type: 'ephemeral'; ttl?: '5m' | '1h' };
type TextBlock = { type: 'text'; text: string; cache_control?: CacheControl };
type ToolUseBlock = { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };
type ToolResultBlock = { type: 'tool_result'; tool_use_id: string; content: string; is_error?: boolean };
type ThinkingBlock = { type: 'thinking'; thinking: string; signature: string };
type MessageParam = { role: 'user' | 'assistant'; content: string | (TextBlock | ToolUseBlock | ToolResultBlock | ThinkingBlock)[] };
type CustomTool = {
  name: string;
  description?: string;
  input_schema: { type: 'object'; properties?: Record<string, unknown>; required?: string[] };
  cache_control?: CacheControl;
};
type WebSearchTool = { type: 'web_search_20250305'; name: 'web_search'; max_uses?: number };
type CountParams = {
  model: string;
  messages: MessageParam[];
  system?: string | TextBlock[];
  tools?: (CustomTool | WebSearchTool)[];
};
type Params = CountParams & {
  max_tokens: number;
  thinking?: { type: 'enabled'; budget_tokens: number };
};
type CallOptions = { headers?: Record<string, string | null> };

// ---- What the tests read back: what both SDK versions return, narrowed to what is asserted ----

type UsageView = {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
};
type MessageView = {
  id: string;
  type: string;
  role: string;
  model: string;
  content: unknown[];
  stop_reason: string | null;
  usage: UsageView;
};
type EventView = { type: string };
type StreamView = { message: MessageView; text: string[]; inputJson: string[]; thinking: string[]; signatures: string[] };
type SentRequest = {
  url: string;
  headers: Headers;
  body: unknown;
  /** For a streamed answer, the SSE text exactly as the gateway sent it (the SDKs drop `ping` events). */
  sse?: Promise<string>;
};

type Client = {
  /** Every request the SDK put on the wire, as the gateway received it. */
  sent: SentRequest[];
  create(params: Params, options?: CallOptions): Promise<{ message: MessageView; headers: Headers }>;
  /** `messages.stream(...)`: the helper's final message plus the deltas its events reported. */
  stream(params: Params, options?: CallOptions): Promise<StreamView>;
  /** `messages.create({stream: true})`, iterated; events are collected into `events` as they arrive. */
  raw(params: Params, events: EventView[], options?: CallOptions): Promise<Headers>;
  countTokens(params: CountParams, options?: CallOptions): Promise<{ inputTokens: number; headers: Headers }>;
  /** The beta surface (`/v1/messages?beta=true`, `betas` sent as anthropic-beta), which Claude Code uses. */
  betaCreate(params: Params, betas: string[]): Promise<{ message: MessageView; headers: Headers }>;
  betaStream(params: Params, betas: string[]): Promise<MessageView>;
  betaCountTokens(params: CountParams, betas: string[]): Promise<{ inputTokens: number; headers: Headers }>;
};

type ApiErrorView = { status: number | undefined; message: string; error: unknown };
type ErrorClass = abstract new (...args: never[]) => ApiErrorView;

type Sdk = {
  label: string;
  /** The anthropic-version the SDK sends. */
  version: string;
  /** Where the SDK puts the API key. */
  credentialHeader: 'authorization' | 'x-api-key';
  /** The query string of the beta surface's URLs (0.x marks them `?beta=true`, 1.x no longer does). */
  betaQuery: string;
  errors: {
    APIError: ErrorClass;
    AuthenticationError: ErrorClass;
    BadRequestError: ErrorClass;
    NotFoundError: ErrorClass;
    RateLimitError: ErrorClass;
    InternalServerError: ErrorClass;
  };
  connect(baseURL: string, apiKey: string, options?: { corruptBody?: boolean }): Client;
};

/** A fetch that records what the SDK sends (and can break the JSON body, as a buggy proxy would). */
function recordingFetch(sent: SentRequest[], corruptBody: boolean) {
  return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const text = typeof init?.body === 'string' ? init.body : undefined;
    const request: SentRequest = {
      url,
      headers: new Headers(init?.headers),
      body: text === undefined ? undefined : (JSON.parse(text) as unknown),
    };
    sent.push(request);
    const response = await fetch(input, corruptBody && text !== undefined ? { ...init, body: text.slice(0, -7) } : init);
    if (response.headers.get('content-type')?.startsWith('text/event-stream')) {
      request.sse = response.clone().text();
      request.sse.catch(() => undefined); // a stream cut on purpose must not become an unhandled rejection
    }
    return response;
  };
}

const emptyDeltas = () => ({ text: [] as string[], inputJson: [] as string[], thinking: [] as string[], signatures: [] as string[] });

const SDK_V1: Sdk = {
  label: '@anthropic-ai/sdk 1.x',
  version: '2026-10-21',
  credentialHeader: 'authorization',
  betaQuery: '',
  errors: Anthropic,
  connect(baseURL, apiKey, options = {}) {
    const sent: SentRequest[] = [];
    const client = new Anthropic({
      baseURL,
      apiKey,
      maxRetries: 0,
      timeout: 20_000,
      fetch: recordingFetch(sent, options.corruptBody ?? false),
    });
    return {
      sent,
      async create(params, callOptions) {
        const { data, response } = await client.messages.create(params, callOptions).withResponse();
        return { message: data, headers: response.headers };
      },
      async stream(params, callOptions) {
        const deltas = emptyDeltas();
        const stream = client.messages
          .stream(params, callOptions)
          .on('text', (d) => deltas.text.push(d))
          .on('inputJson', (d) => deltas.inputJson.push(d))
          .on('thinking', (d) => deltas.thinking.push(d))
          .on('signature', (s) => deltas.signatures.push(s));
        return { message: await stream.finalMessage(), ...deltas };
      },
      async raw(params, events, callOptions) {
        const { data, response } = await client.messages.create({ ...params, stream: true }, callOptions).withResponse();
        for await (const event of data) events.push(event);
        return response.headers;
      },
      async countTokens(params, callOptions) {
        const { data, response } = await client.messages.countTokens(params, callOptions).withResponse();
        return { inputTokens: data.input_tokens, headers: response.headers };
      },
      async betaCreate(params, betas) {
        const { data, response } = await client.beta.messages.create({ ...params, betas }).withResponse();
        return { message: data, headers: response.headers };
      },
      betaStream: (params, betas) => client.beta.messages.stream({ ...params, betas }).finalMessage(),
      async betaCountTokens(params, betas) {
        const { data, response } = await client.beta.messages.countTokens({ ...params, betas }).withResponse();
        return { inputTokens: data.input_tokens, headers: response.headers };
      },
    };
  },
};

const SDK_V0: Sdk = {
  label: '@anthropic-ai/sdk 0.x',
  version: '2023-06-01',
  credentialHeader: 'x-api-key',
  betaQuery: '?beta=true',
  errors: AnthropicV0,
  connect(baseURL, apiKey, options = {}) {
    const sent: SentRequest[] = [];
    const client = new AnthropicV0({
      baseURL,
      apiKey,
      maxRetries: 0,
      timeout: 20_000,
      fetch: recordingFetch(sent, options.corruptBody ?? false),
    });
    return {
      sent,
      async create(params, callOptions) {
        const { data, response } = await client.messages.create(params, callOptions).withResponse();
        return { message: data, headers: response.headers };
      },
      async stream(params, callOptions) {
        const deltas = emptyDeltas();
        const stream = client.messages
          .stream(params, callOptions)
          .on('text', (d) => deltas.text.push(d))
          .on('inputJson', (d) => deltas.inputJson.push(d))
          .on('thinking', (d) => deltas.thinking.push(d))
          .on('signature', (s) => deltas.signatures.push(s));
        return { message: await stream.finalMessage(), ...deltas };
      },
      async raw(params, events, callOptions) {
        const { data, response } = await client.messages.create({ ...params, stream: true }, callOptions).withResponse();
        for await (const event of data) events.push(event);
        return response.headers;
      },
      async countTokens(params, callOptions) {
        const { data, response } = await client.messages.countTokens(params, callOptions).withResponse();
        return { inputTokens: data.input_tokens, headers: response.headers };
      },
      async betaCreate(params, betas) {
        const { data, response } = await client.beta.messages.create({ ...params, betas }).withResponse();
        return { message: data, headers: response.headers };
      },
      betaStream: (params, betas) => client.beta.messages.stream({ ...params, betas }).finalMessage(),
      async betaCountTokens(params, betas) {
        const { data, response } = await client.beta.messages.countTokens({ ...params, betas }).withResponse();
        return { inputTokens: data.input_tokens, headers: response.headers };
      },
    };
  },
};

const SDKS = [SDK_V1, SDK_V0];

// ---- Shared helpers ----

const HAIKU = 'anthropic/claude-haiku-4-5';

const WEATHER_TOOL: CustomTool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  input_schema: {
    type: 'object',
    properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['c', 'f'] } },
    required: ['city'],
  },
};
const TIME_TOOL: CustomTool = {
  name: 'get_time',
  description: 'Local time in a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

const ask = (model: string, text: string, extra: Partial<Params> = {}): Params => ({
  model,
  max_tokens: 256,
  messages: [{ role: 'user', content: text }],
  ...extra,
});

function allFakes(fixture: GatewayFixture): FakeUpstream[] {
  return [fixture.openai, fixture.azure, fixture.compatible, fixture.anthropic, fixture.gemini];
}

/** The only request a fake received (fails the test when there were none or several). */
function only(fake: FakeUpstream): RecordedRequest {
  expect(fake.requests, `${fake.name} requests`).toHaveLength(1);
  return fake.requests[0]!;
}

/** True when the gateway's own credential (or any pc_ key) reached a provider, in a header or the body. */
function carriesGatewayKey(request: RecordedRequest, gatewayKey: string): boolean {
  const everything = `${JSON.stringify(request.headers)}\n${request.rawBody}\n${request.query.toString()}`;
  return everything.includes(gatewayKey) || /pc_(live|test)_/.test(everything);
}

/** The SDK's error, checked to be of the given class; fails when the promise resolves. */
async function rejection(promise: Promise<unknown>, cls: ErrorClass): Promise<ApiErrorView> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome, 'the call should have failed').toBeInstanceOf(cls);
  return outcome as ApiErrorView;
}

/** `error.message` from the body of the gateway's error answer (Anthropic's envelope). */
function apiMessage(error: ApiErrorView): string {
  const body = error.error as { error?: { message?: unknown } } | undefined;
  return typeof body?.error?.message === 'string' ? body.error.message : '';
}

function header(headers: Headers, name: string): string | null {
  return headers.get(name);
}

// =====================================================================================================

describe('native Anthropic through /v1/messages', { timeout: 60_000 }, () => {
  let fixture: GatewayFixture;
  beforeAll(async () => {
    fixture = await startGatewayFixture();
  }, 120_000);
  afterAll(async () => fixture?.stop());
  beforeEach(() => allFakes(fixture).forEach((f) => f.reset()));

  for (const sdk of SDKS) {
    describe(sdk.label, () => {
      const connect = () => sdk.connect(fixture.gatewayUrl, fixture.apiKey);

      it('answers a plain request with the provider message unchanged, and swaps the pc_ key for the provider key', async () => {
        const client = connect();
        fixture.anthropic.reply({ text: 'Bonjour !', usage: { input: 120, output: 9, cached: 100, cacheWrite: 12 } });
        const { message, headers } = await client.create(ask(HAIKU, 'Say hello in French'));

        expect(message).toMatchObject({
          type: 'message',
          role: 'assistant',
          model: 'claude-haiku-4-5',
          content: [{ type: 'text', text: 'Bonjour !' }],
          stop_reason: 'end_turn',
          // Anthropic's input_tokens excludes cache reads and writes.
          usage: { input_tokens: 8, output_tokens: 9, cache_read_input_tokens: 100, cache_creation_input_tokens: 12 },
        });
        expect(message.id).toMatch(/^msg_/);
        expect(header(headers, 'x-portcullis-provider')).toBe('anthropic');
        expect(header(headers, 'x-portcullis-attempts')).toBe('1');

        // What the SDK sent is what Anthropic got, except the routed model id and the credential.
        expect(client.sent).toHaveLength(1);
        expect(client.sent[0]!.url).toBe(`${fixture.gatewayUrl}/v1/messages`);
        expect(client.sent[0]!.headers.get(sdk.credentialHeader)).toContain(fixture.apiKey);
        const upstream = only(fixture.anthropic);
        expect(upstream.path).toBe('/v1/messages');
        expect(upstream.body).toEqual({ ...(client.sent[0]!.body as object), model: 'claude-haiku-4-5' });
        expect(upstream.headers['x-api-key']).toBe(FAKE_ANTHROPIC_API_KEY);
        expect(upstream.headers.authorization).toBeUndefined();
        expect(upstream.headers['anthropic-version']).toBe(sdk.version);
        expect(carriesGatewayKey(upstream, fixture.apiKey)).toBe(false);
      });

      it('forwards cache_control blocks (system, tools, messages, tool results) byte-for-byte', async () => {
        const client = connect();
        const params: Params = {
          model: HAIKU,
          max_tokens: 512,
          system: [
            { type: 'text', text: 'You are a careful assistant.' },
            { type: 'text', text: 'Long reference manual '.repeat(50), cache_control: { type: 'ephemeral', ttl: '1h' } },
          ],
          tools: [{ ...WEATHER_TOOL, cache_control: { type: 'ephemeral' } }],
          messages: [
            { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?', cache_control: { type: 'ephemeral' } }] },
            { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_01A', name: 'get_weather', input: { city: 'Paris' } }] },
            { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01A', content: '18°C, cloudy' }] },
          ],
        };
        fixture.anthropic.reply({ text: 'It is 18°C and cloudy.', usage: { input: 2000, output: 10, cacheWrite: 1900 } });
        const { message } = await client.create(params);
        expect(message.usage).toMatchObject({ input_tokens: 100, cache_creation_input_tokens: 1900, cache_read_input_tokens: 0 });

        const upstream = only(fixture.anthropic);
        expect(upstream.body).toEqual({ ...params, model: 'claude-haiku-4-5' });
        expect(upstream.body).toMatchObject({
          system: [{}, { cache_control: { type: 'ephemeral', ttl: '1h' } }],
          tools: [{ cache_control: { type: 'ephemeral' } }],
          messages: [{ content: [{ cache_control: { type: 'ephemeral' } }] }, {}, {}],
        });
      });

      it('forwards the SDK’s anthropic-version and a client’s anthropic-beta header unchanged', async () => {
        const client = connect();
        const beta = 'context-1m-2025-08-07,interleaved-thinking-2025-05-14';
        await client.create(ask(HAIKU, 'hi'), { headers: { 'anthropic-beta': beta } });
        const upstream = only(fixture.anthropic);
        expect(upstream.headers['anthropic-version']).toBe(sdk.version);
        expect(upstream.headers['anthropic-beta']).toBe(beta);
        expect(upstream.headers['x-api-key']).toBe(FAKE_ANTHROPIC_API_KEY);
        expect(carriesGatewayKey(upstream, fixture.apiKey)).toBe(false);
      });

      it('serves the beta surface Claude Code calls (client.beta.messages, ?beta=true on 0.x): betas arrive as anthropic-beta', async () => {
        const client = connect();
        const betas = ['interleaved-thinking-2025-05-14', 'context-management-2025-06-27'];
        fixture.anthropic.reply({ text: 'Beta JSON.' }, { text: 'Beta stream.' });
        const { message, headers } = await client.betaCreate(ask(HAIKU, 'hi'), betas);
        expect(message.content).toMatchObject([{ type: 'text', text: 'Beta JSON.' }]);
        expect(header(headers, 'x-portcullis-provider')).toBe('anthropic');
        const streamed = await client.betaStream(ask(HAIKU, 'hi'), betas);
        expect(streamed.content).toMatchObject([{ type: 'text', text: 'Beta stream.' }]);

        expect(client.sent.map((r) => new URL(r.url).pathname + new URL(r.url).search)).toEqual([
          `/v1/messages${sdk.betaQuery}`,
          `/v1/messages${sdk.betaQuery}`,
        ]);
        expect(fixture.anthropic.requests).toHaveLength(2);
        for (const [i, upstream] of fixture.anthropic.requests.entries()) {
          expect(upstream.path).toBe('/v1/messages');
          expect(upstream.headers['anthropic-beta']).toBe(client.sent[i]!.headers.get('anthropic-beta'));
          expect(String(upstream.headers['anthropic-beta']).split(/\s*,\s*/)).toEqual(expect.arrayContaining(betas));
          expect(upstream.body).not.toHaveProperty('betas');
          expect(upstream.headers['x-api-key']).toBe(FAKE_ANTHROPIC_API_KEY);
        }
      });

      it('forwards no other client header to Anthropic (only the version and betas ride along)', async () => {
        const client = connect();
        await client.create(ask(HAIKU, 'hi'), { headers: { 'x-internal-token': 'tenant-secret-123', 'x-forwarded-for': '10.1.2.3' } });
        const upstream = only(fixture.anthropic);
        expect(client.sent[0]!.headers.get('x-internal-token')).toBe('tenant-secret-123');
        expect(upstream.headers['x-internal-token']).toBeUndefined();
        expect(upstream.headers['x-forwarded-for']).toBeUndefined();
        expect(Object.keys(upstream.headers).filter((name) => name.startsWith('x-stainless'))).toEqual([]);
        expect(JSON.stringify(upstream.headers)).not.toContain('tenant-secret-123');
      });

      it('refuses a malformed anthropic-beta header with a BadRequestError instead of forwarding it', async () => {
        const client = connect();
        const error = await rejection(
          client.create(ask(HAIKU, 'hi'), { headers: { 'anthropic-beta': 'good-beta; x-evil=1' } }),
          sdk.errors.BadRequestError,
        );
        expect(error.status).toBe(400);
        expect(apiMessage(error)).toContain('anthropic-beta');
        expect(fixture.anthropic.requests).toHaveLength(0);
      });

      it('returns thinking blocks with their signature, and the next turn sends them back unchanged', async () => {
        const client = connect();
        const thinking = { type: 'enabled' as const, budget_tokens: 1024 };
        fixture.anthropic.reply({
          reasoning: { text: 'The user wants 6*7. That is 42.', signature: 'EqQBCkYIBhgCKkDsig-native-1' },
          text: '42',
          usage: { input: 30, output: 25 },
        });
        const first = await client.create({ ...ask(HAIKU, 'What is 6*7?'), max_tokens: 2048, thinking });
        expect(first.message.content).toEqual([
          { type: 'thinking', thinking: 'The user wants 6*7. That is 42.', signature: 'EqQBCkYIBhgCKkDsig-native-1' },
          { type: 'text', text: '42' },
        ]);

        fixture.anthropic.reply({
          reasoning: { text: 'Doubling 42.', signature: 'EqQBCkYIBhgCKkDsig-native-2' },
          text: '84',
          usage: { input: 60, output: 20 },
        });
        const history: MessageParam[] = [
          { role: 'user', content: 'What is 6*7?' },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'The user wants 6*7. That is 42.', signature: 'EqQBCkYIBhgCKkDsig-native-1' },
              { type: 'text', text: '42' },
            ],
          },
          { role: 'user', content: 'And doubled?' },
        ];
        const streamed = await client.stream({ model: HAIKU, max_tokens: 2048, thinking, messages: history });
        expect(streamed.message.content).toMatchObject([
          { type: 'thinking', thinking: 'Doubling 42.', signature: 'EqQBCkYIBhgCKkDsig-native-2' },
          { type: 'text', text: '84' },
        ]);
        expect(streamed.thinking.join('')).toBe('Doubling 42.');
        expect(streamed.thinking.length).toBeGreaterThan(1);
        expect(streamed.signatures).toEqual(['EqQBCkYIBhgCKkDsig-native-2']);
        expect(fixture.anthropic.requests[1]!.body).toMatchObject({ messages: history, thinking });
      });

      it('streams with messages.stream(): text deltas, final message, stop reason and usage including cache tokens', async () => {
        const client = connect();
        fixture.anthropic.reply({ text: 'Streaming works end to end.', usage: { input: 500, output: 6, cached: 450, cacheWrite: 40 } });
        const { message, text } = await client.stream(ask(HAIKU, 'Test the stream'));
        expect(text.length).toBeGreaterThan(1);
        expect(text.join('')).toBe('Streaming works end to end.');
        expect(message).toMatchObject({
          role: 'assistant',
          model: 'claude-haiku-4-5',
          content: [{ type: 'text', text: 'Streaming works end to end.' }],
          stop_reason: 'end_turn',
          usage: { input_tokens: 10, output_tokens: 6, cache_read_input_tokens: 450, cache_creation_input_tokens: 40 },
        });
        expect(only(fixture.anthropic).body).toMatchObject({ stream: true, model: 'claude-haiku-4-5' });
      });

      it('streams raw events in the Messages order, with stop_reason and cache usage in message_delta', async () => {
        const client = connect();
        fixture.anthropic.reply({ text: 'Raw events arrive in order.', usage: { input: 300, output: 7, cached: 200, cacheWrite: 50 } });
        const events: EventView[] = [];
        const headers = await client.raw(ask(HAIKU, 'Raw please'), events);

        const types = events.map((e) => e.type);
        expect(types[0]).toBe('message_start');
        expect(types.slice(1, 2)).toEqual(['content_block_start']);
        expect(types.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
        expect(types.filter((t) => t === 'content_block_delta').length).toBeGreaterThan(1);
        expect(events[0]).toMatchObject({ message: { role: 'assistant', model: 'claude-haiku-4-5', usage: { input_tokens: 50 } } });
        expect(events.find((e) => e.type === 'message_delta')).toMatchObject({
          delta: { stop_reason: 'end_turn' },
          usage: { output_tokens: 7, input_tokens: 50, cache_read_input_tokens: 200, cache_creation_input_tokens: 50 },
        });
        expect(header(headers, 'x-portcullis-provider')).toBe('anthropic');
        expect(header(headers, 'x-portcullis-attempts')).toBe('1');
        expect(header(headers, 'content-type')).toMatch(/^text\/event-stream/);
      });

      it('assembles streamed tool_use input from input_json_delta fragments', async () => {
        const client = connect();
        const args = '{"city":"Paris","unit":"c"}';
        fixture.anthropic.reply({
          text: 'Let me check.',
          toolCalls: [{ id: 'toolu_01Weather', name: 'get_weather', arguments: args }],
          usage: { input: 80, output: 30 },
        });
        const { message, inputJson } = await client.stream({ ...ask(HAIKU, 'Weather in Paris?'), tools: [WEATHER_TOOL] });
        expect(inputJson.length).toBeGreaterThan(1);
        expect(inputJson.join('')).toBe(args);
        expect(message.stop_reason).toBe('tool_use');
        expect(message.content).toMatchObject([
          { type: 'text', text: 'Let me check.' },
          { type: 'tool_use', id: 'toolu_01Weather', name: 'get_weather', input: { city: 'Paris', unit: 'c' } },
        ]);
      });

      it('gives up after the project’s default retries (2) when Anthropic stays overloaded', async () => {
        const overloaded = { kind: 'status' as const, status: 529, body: anthropicErrorBody('overloaded_error', 'Overloaded') };
        fixture.anthropic.fail(overloaded, overloaded, overloaded);
        const error = await rejection(connect().create(ask(HAIKU, 'hi')), sdk.errors.APIError);
        expect(error.status).toBeGreaterThanOrEqual(500);
        expect(fixture.anthropic.requests).toHaveLength(3);
        // A success closes the circuit again (it opens after 5 consecutive failures).
        await connect().create(ask(HAIKU, 'hi'));
      });

      it('retries an overloaded Anthropic once and says so in x-portcullis-attempts', async () => {
        const client = connect();
        fixture.anthropic.fail({ kind: 'status', status: 529, body: anthropicErrorBody('overloaded_error', 'Overloaded') });
        fixture.anthropic.reply({ text: 'Second time lucky.' });
        const { message, headers } = await client.create(ask(HAIKU, 'hi'));
        expect(message.content).toMatchObject([{ type: 'text', text: 'Second time lucky.' }]);
        expect(fixture.anthropic.requests).toHaveLength(2);
        expect(header(headers, 'x-portcullis-provider')).toBe('anthropic');
        expect(header(headers, 'x-portcullis-attempts')).toBe('2');
      });
    });
  }
});

// =====================================================================================================

type Translated = {
  provider: 'openai' | 'gemini';
  model: string;
  fake: (fixture: GatewayFixture) => FakeUpstream;
  /** The provider's credential as its fake must have received it. */
  credential: (fixture: GatewayFixture, request: RecordedRequest) => void;
  /** The tool_use/tool_result turn as the provider must have received it. */
  toolTurn: (request: RecordedRequest) => void;
  /** max_tokens in the provider's own field. */
  maxTokens: (request: RecordedRequest, value: number) => void;
};

const TRANSLATED: Translated[] = [
  {
    provider: 'openai',
    model: 'openai/gpt-5.4-mini',
    fake: (f) => f.openai,
    credential: (f, request) => expect(request.headers.authorization).toBe(`Bearer ${f.openai.apiKey}`),
    maxTokens: (request, value) => expect(request.body).toMatchObject({ max_completion_tokens: value }),
    toolTurn: (request) => {
      expect(request.path).toBe('/v1/chat/completions');
      expect(request.body).toMatchObject({
        model: 'gpt-5.4-mini',
        tools: [
          { type: 'function', function: { name: 'get_weather', parameters: WEATHER_TOOL.input_schema } },
          { type: 'function', function: { name: 'get_time', parameters: TIME_TOOL.input_schema } },
        ],
        messages: [
          { role: 'user', content: expect.anything() as unknown },
          {
            role: 'assistant',
            tool_calls: [
              { id: 'call_w', type: 'function', function: { name: 'get_weather' } },
              { id: 'call_t', type: 'function', function: { name: 'get_time' } },
            ],
          },
          { role: 'tool', tool_call_id: 'call_w', content: '18°C' },
          { role: 'tool', tool_call_id: 'call_t', content: '14:05' },
        ],
      });
    },
  },
  {
    provider: 'gemini',
    model: 'gemini/gemini-3.5-flash',
    fake: (f) => f.gemini,
    credential: (f, request) => expect(request.headers['x-goog-api-key']).toBe(f.gemini.apiKey),
    maxTokens: (request, value) => expect(request.body).toMatchObject({ generationConfig: { maxOutputTokens: value } }),
    toolTurn: (request) => {
      expect(request.path).toMatch(/^\/v1beta\/models\/gemini-3\.5-flash:/);
      expect(request.body).toMatchObject({
        tools: [
          {
            functionDeclarations: [{ name: 'get_weather' }, { name: 'get_time' }],
          },
        ],
        contents: [
          { role: 'user' },
          {
            role: 'model',
            parts: [
              { functionCall: { name: 'get_weather', args: { city: 'Paris' } } },
              { functionCall: { name: 'get_time', args: { city: 'Paris' } } },
            ],
          },
          {
            role: 'user',
            parts: [{ functionResponse: { name: 'get_weather' } }, { functionResponse: { name: 'get_time' } }],
          },
        ],
      });
    },
  },
];

describe('other providers behind /v1/messages (translated)', { timeout: 60_000 }, () => {
  let fixture: GatewayFixture;
  beforeAll(async () => {
    fixture = await startGatewayFixture();
  }, 120_000);
  afterAll(async () => fixture?.stop());
  beforeEach(() => allFakes(fixture).forEach((f) => f.reset()));

  for (const target of TRANSLATED) {
    for (const sdk of SDKS) {
      describe(`${target.model} with ${sdk.label}`, () => {
        const connect = () => sdk.connect(fixture.gatewayUrl, fixture.apiKey);

        it('answers text in the Messages shape with usage split like Anthropic’s (input excludes cache reads)', async () => {
          const client = connect();
          target.fake(fixture).reply({ text: 'Hello from elsewhere.', usage: { input: 100, output: 20, cached: 30 } });
          const { message, headers } = await client.create(ask(target.model, 'Hello?'));
          expect(message).toMatchObject({
            type: 'message',
            role: 'assistant',
            content: [{ type: 'text', text: 'Hello from elsewhere.' }],
            stop_reason: 'end_turn',
            usage: { input_tokens: 70, output_tokens: 20, cache_read_input_tokens: 30, cache_creation_input_tokens: 0 },
          });
          expect(message.id).toMatch(/^msg_/);
          expect(header(headers, 'x-portcullis-provider')).toBe(target.provider);
          expect(header(headers, 'x-portcullis-attempts')).toBe('1');
          const upstream = only(target.fake(fixture));
          target.credential(fixture, upstream);
          expect(carriesGatewayKey(upstream, fixture.apiKey)).toBe(false);
          expect(fixture.anthropic.requests).toHaveLength(0);
        });

        it('streams text through messages.stream() with the final usage', async () => {
          const client = connect();
          target.fake(fixture).reply({ text: 'A streamed answer from another provider.', usage: { input: 64, output: 12, cached: 16 } });
          const { message, text } = await client.stream(ask(target.model, 'Stream it'));
          expect(text.length).toBeGreaterThan(1);
          expect(text.join('')).toBe('A streamed answer from another provider.');
          expect(message).toMatchObject({
            content: [{ type: 'text', text: 'A streamed answer from another provider.' }],
            stop_reason: 'end_turn',
            usage: { input_tokens: 48, output_tokens: 12, cache_read_input_tokens: 16 },
          });
        });

        it('streams raw events in the Messages order, ending with message_delta and message_stop', async () => {
          const client = connect();
          target.fake(fixture).reply({ text: 'Ordered events.', usage: { input: 40, output: 5 } });
          const events: EventView[] = [];
          const headers = await client.raw(ask(target.model, 'Raw'), events);
          const types = events.map((e) => e.type);
          expect(types[0]).toBe('message_start');
          expect(types[1]).toBe('content_block_start');
          // On the wire, as from Anthropic: a ping right after message_start (the SDKs skip it).
          const wire = await client.sent.at(-1)!.sse!;
          const names = [...wire.matchAll(/^event: ?(.*)$/gm)].map((m) => m[1]);
          expect(names.slice(0, 3)).toEqual(['message_start', 'ping', 'content_block_start']);
          expect(names.filter((n) => n === 'ping')).toHaveLength(1);
          expect(wire).toMatch(/^event: ?ping\r?\ndata: ?\{"type":"ping"\}$/m);
          expect(types.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
          expect(types.filter((t) => t === 'message_start')).toHaveLength(1);
          expect(events.find((e) => e.type === 'message_delta')).toMatchObject({
            delta: { stop_reason: 'end_turn' },
            usage: { input_tokens: 40, output_tokens: 5 },
          });
          expect(header(headers, 'x-portcullis-provider')).toBe(target.provider);
        });

        it('returns a single tool_use with stop_reason tool_use (JSON and stream)', async () => {
          const client = connect();
          const call = { id: 'call_single', name: 'get_weather', arguments: '{"city":"Paris","unit":"c"}' };
          target.fake(fixture).reply({ toolCalls: [call], usage: { input: 50, output: 15 } });
          const { message } = await client.create({ ...ask(target.model, 'Weather in Paris?'), tools: [WEATHER_TOOL] });
          expect(message.stop_reason).toBe('tool_use');
          expect(message.content).toMatchObject([{ type: 'tool_use', name: 'get_weather', input: { city: 'Paris', unit: 'c' } }]);

          target.fake(fixture).reply({ toolCalls: [call], usage: { input: 50, output: 15 } });
          const streamed = await client.stream({ ...ask(target.model, 'Weather in Paris?'), tools: [WEATHER_TOOL] });
          expect(streamed.message.stop_reason).toBe('tool_use');
          expect(streamed.message.content).toMatchObject([{ type: 'tool_use', name: 'get_weather', input: { city: 'Paris', unit: 'c' } }]);
          expect(streamed.inputJson.join('')).not.toBe('');
          expect(JSON.parse(streamed.inputJson.join(''))).toEqual({ city: 'Paris', unit: 'c' });
        });

        it('returns two parallel tool_use blocks in order with distinct ids (stream)', async () => {
          const client = connect();
          target.fake(fixture).reply({
            toolCalls: [
              { id: 'call_w', name: 'get_weather', arguments: '{"city":"Paris"}' },
              { id: 'call_t', name: 'get_time', arguments: '{"city":"Paris"}' },
            ],
            usage: { input: 70, output: 30 },
          });
          const { message } = await client.stream({ ...ask(target.model, 'Weather and time in Paris?'), tools: [WEATHER_TOOL, TIME_TOOL] });
          expect(message.stop_reason).toBe('tool_use');
          expect(message.content).toMatchObject([
            { type: 'tool_use', name: 'get_weather', input: { city: 'Paris' } },
            { type: 'tool_use', name: 'get_time', input: { city: 'Paris' } },
          ]);
          const ids = message.content.map((block) => (block as { id: string }).id);
          expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
          expect(new Set(ids).size).toBe(2);
        });

        it('takes a tool_result turn back and answers it', async () => {
          const client = connect();
          target.fake(fixture).reply({ text: 'It is 18°C in Paris and 14:05.', usage: { input: 120, output: 12 } });
          const { message } = await client.create({
            model: target.model,
            max_tokens: 256,
            tools: [WEATHER_TOOL, TIME_TOOL],
            messages: [
              { role: 'user', content: 'Weather and time in Paris?' },
              {
                role: 'assistant',
                content: [
                  { type: 'tool_use', id: 'call_w', name: 'get_weather', input: { city: 'Paris' } },
                  { type: 'tool_use', id: 'call_t', name: 'get_time', input: { city: 'Paris' } },
                ],
              },
              {
                role: 'user',
                content: [
                  { type: 'tool_result', tool_use_id: 'call_w', content: '18°C' },
                  { type: 'tool_result', tool_use_id: 'call_t', content: '14:05' },
                ],
              },
            ],
          });
          expect(message).toMatchObject({ stop_reason: 'end_turn', content: [{ type: 'text', text: 'It is 18°C in Paris and 14:05.' }] });
          target.toolTurn(only(target.fake(fixture)));
        });

        it('maps a length cut-off to stop_reason max_tokens (JSON and stream)', async () => {
          const client = connect();
          target.fake(fixture).reply({ text: 'This answer was cut', finishReason: 'length', usage: { input: 10, output: 16 } });
          const { message } = await client.create({ ...ask(target.model, 'Write a long essay'), max_tokens: 16 });
          expect(message).toMatchObject({ stop_reason: 'max_tokens', usage: { output_tokens: 16 } });
          target.maxTokens(only(target.fake(fixture)), 16);

          target.fake(fixture).reply({ text: 'This answer was cut', finishReason: 'length', usage: { input: 10, output: 16 } });
          const events: EventView[] = [];
          await client.raw({ ...ask(target.model, 'Write a long essay'), max_tokens: 16 }, events);
          expect(events.find((e) => e.type === 'message_delta')).toMatchObject({
            delta: { stop_reason: 'max_tokens' },
            usage: { output_tokens: 16 },
          });
          expect(events.at(-1)?.type).toBe('message_stop');
        });
      });
    }
  }
  for (const sdk of SDKS) {
    describe(`Gemini thought signatures with ${sdk.label}`, () => {
      it('a streamed tool call keeps its thought signature through the next turn (Gemini 3 rejects a call without it)', async () => {
        const client = sdk.connect(fixture.gatewayUrl, fixture.apiKey);
        fixture.gemini.reply({
          reasoning: { text: 'I should look the weather up.', signature: 'CiQBGeminiOpaqueSig==' },
          toolCalls: [{ id: 'fc_1', name: 'get_weather', arguments: '{"city":"Oslo"}' }],
          usage: { input: 40, output: 25, reasoning: 10 },
        });
        const first = await client.stream({ ...ask('gemini/gemini-3.5-flash', 'Weather in Oslo?'), tools: [WEATHER_TOOL] });
        expect(first.message.stop_reason).toBe('tool_use');
        // Gemini signs the function call, not the thought: the gateway carries that signature in the tool_use id.
        expect(first.message.content).toMatchObject([
          { type: 'thinking', thinking: 'I should look the weather up.' },
          { type: 'tool_use', name: 'get_weather', input: { city: 'Oslo' } },
        ]);

        // The agent loop: the assistant turn goes back exactly as received, plus the tool result.
        const [thinking, toolUse] = first.message.content as [ThinkingBlock, ToolUseBlock];
        fixture.gemini.reply({ text: 'Oslo: 3°C.', usage: { input: 90, output: 5 } });
        const second = await client.create({
          model: 'gemini/gemini-3.5-flash',
          max_tokens: 256,
          tools: [WEATHER_TOOL],
          messages: [
            { role: 'user', content: 'Weather in Oslo?' },
            {
              role: 'assistant',
              content: [
                { type: 'thinking', thinking: thinking.thinking, signature: thinking.signature },
                { type: 'tool_use', id: toolUse.id, name: toolUse.name, input: toolUse.input },
              ],
            },
            { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse.id, content: '3°C' }] },
          ],
        });
        expect(second.message.content).toMatchObject([{ type: 'text', text: 'Oslo: 3°C.' }]);
        expect(fixture.gemini.requests[1]!.body).toMatchObject({
          contents: [
            { role: 'user' },
            {
              role: 'model',
              parts: expect.arrayContaining([
                { functionCall: expect.objectContaining({ name: 'get_weather' }) as unknown, thoughtSignature: 'CiQBGeminiOpaqueSig==' },
              ]) as unknown,
            },
            { role: 'user', parts: [{ functionResponse: expect.objectContaining({ name: 'get_weather' }) as unknown }] },
          ],
        });
      });
    });
  }
});

// =====================================================================================================

describe('count_tokens', { timeout: 60_000 }, () => {
  let fixture: GatewayFixture;
  beforeAll(async () => {
    fixture = await startGatewayFixture();
  }, 120_000);
  afterAll(async () => fixture?.stop());
  beforeEach(() => allFakes(fixture).forEach((f) => f.reset()));

  const conversation: CountParams = {
    model: HAIKU,
    system: 'You are terse.',
    tools: [WEATHER_TOOL],
    messages: [{ role: 'user', content: 'How warm is it in Lisbon today? '.repeat(20) }],
  };

  for (const sdk of SDKS) {
    describe(sdk.label, () => {
      const connect = () => sdk.connect(fixture.gatewayUrl, fixture.apiKey);

      it('is exact for Anthropic: the provider counts the body the SDK sent', async () => {
        const client = connect();
        fixture.anthropic.reply({ usage: { input: 1234, output: 0 } });
        const { inputTokens, headers } = await client.countTokens(conversation);
        expect(inputTokens).toBe(1234);
        expect(header(headers, 'x-portcullis-token-count')).toBeNull();
        expect(header(headers, 'x-portcullis-provider')).toBe('anthropic');
        const upstream = only(fixture.anthropic);
        expect(upstream.path).toBe('/v1/messages/count_tokens');
        expect(upstream.body).toEqual({ ...conversation, model: 'claude-haiku-4-5' });
        expect(upstream.headers['x-api-key']).toBe(FAKE_ANTHROPIC_API_KEY);
        expect(upstream.headers['anthropic-version']).toBe(sdk.version);
        expect(carriesGatewayKey(upstream, fixture.apiKey)).toBe(false);
      });

      it('is exact through the beta surface too (client.beta.messages.countTokens)', async () => {
        const client = connect();
        fixture.anthropic.reply({ usage: { input: 987, output: 0 } });
        const { inputTokens } = await client.betaCountTokens(conversation, ['token-efficient-tools-2025-02-19']);
        expect(inputTokens).toBe(987);
        expect(new URL(client.sent[0]!.url).search).toBe(sdk.betaQuery);
        const upstream = only(fixture.anthropic);
        expect(upstream.path).toBe('/v1/messages/count_tokens');
        // 0.x adds its own token-counting beta; whatever the SDK sent is forwarded as sent.
        expect(upstream.headers['anthropic-beta']).toBe(client.sent[0]!.headers.get('anthropic-beta'));
        expect(upstream.headers['anthropic-beta']).toContain('token-efficient-tools-2025-02-19');
        expect(upstream.body).toEqual({ ...conversation, model: 'claude-haiku-4-5' });
      });

      it('is exact for Gemini (its countTokens endpoint answers)', async () => {
        const client = connect();
        fixture.gemini.reply({ usage: { input: 321, output: 0 } });
        const { inputTokens, headers } = await client.countTokens({ ...conversation, model: 'gemini/gemini-3.5-flash' });
        expect(inputTokens).toBe(321);
        expect(header(headers, 'x-portcullis-token-count')).toBeNull();
        expect(header(headers, 'x-portcullis-provider')).toBe('gemini');
        expect(only(fixture.gemini).path).toBe('/v1beta/models/gemini-3.5-flash:countTokens');
      });

      it('is an estimate for an OpenAI model, labelled x-portcullis-token-count: estimated, without calling OpenAI', async () => {
        const client = connect();
        const short = await client.countTokens({ model: 'openai/gpt-5.4-mini', messages: [{ role: 'user', content: 'hi' }] });
        const long = await client.countTokens({ ...conversation, model: 'openai/gpt-5.4-mini' });
        expect(header(long.headers, 'x-portcullis-token-count')).toBe('estimated');
        expect(header(long.headers, 'x-portcullis-provider')).toBe('openai');
        expect(header(short.headers, 'x-portcullis-token-count')).toBe('estimated');
        // ~660 characters of user text plus the tool definition: about 4 characters a token.
        expect(long.inputTokens).toBeGreaterThan(150);
        expect(long.inputTokens).toBeLessThan(400);
        expect(short.inputTokens).toBeGreaterThan(0);
        expect(short.inputTokens).toBeLessThan(long.inputTokens);
        expect(fixture.openai.requests).toHaveLength(0);
      });
    });
  }
});

// =====================================================================================================

describe('errors the SDKs turn into their typed classes', { timeout: 60_000 }, () => {
  let fixture: GatewayFixture;
  /** A key of the same project after `maxRetries: 0`: one upstream attempt per request. */
  let noRetryKey: string;
  beforeAll(async () => {
    fixture = await startGatewayFixture();
    [noRetryKey] = (await fixture.bootstrap({ maxRetries: 0 })) as [string];
  }, 120_000);
  afterAll(async () => fixture?.stop());
  beforeEach(() => allFakes(fixture).forEach((f) => f.reset()));

  for (const sdk of SDKS) {
    describe(sdk.label, () => {
      const connect = (key = noRetryKey) => sdk.connect(fixture.gatewayUrl, key);

      it('a missing key is an AuthenticationError in Anthropic’s envelope, and no provider is called', async () => {
        const client = connect();
        const error = await rejection(
          client.create(ask(HAIKU, 'hi'), { headers: { 'x-api-key': null, authorization: null } }),
          sdk.errors.AuthenticationError,
        );
        expect(client.sent[0]!.headers.get('x-api-key')).toBeNull();
        expect(client.sent[0]!.headers.get('authorization')).toBeNull();
        expect(error.status).toBe(401);
        expect(error.error).toMatchObject({
          type: 'error',
          error: { type: 'authentication_error', message: expect.stringContaining('Missing') as unknown },
        });
        expect(fixture.anthropic.requests).toHaveLength(0);
      });

      it('an invalid pc_ key is an AuthenticationError, and no provider is called', async () => {
        const wrongSecret = noRetryKey.slice(0, -4) + (noRetryKey.endsWith('AAAA') ? 'BBBB' : 'AAAA');
        for (const key of [wrongSecret, 'pc_live_not-a-real-key', FAKE_ANTHROPIC_API_KEY]) {
          const error = await rejection(connect(key).create(ask(HAIKU, 'hi')), sdk.errors.AuthenticationError);
          expect(error.status, key).toBe(401);
          expect(error.error).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
        }
        expect(fixture.anthropic.requests).toHaveLength(0);
      });

      it('a model Anthropic does not know is a NotFoundError', async () => {
        fixture.anthropic.fail({ kind: 'status', status: 404, body: anthropicErrorBody('not_found_error', 'model: claude-nope-9') });
        const error = await rejection(connect().create(ask('anthropic/claude-nope-9', 'hi')), sdk.errors.NotFoundError);
        expect(error.status).toBe(404);
        expect(error.error).toMatchObject({
          type: 'error',
          error: { type: 'not_found_error', message: expect.stringContaining('claude-nope-9') as unknown },
        });
        expect(only(fixture.anthropic).body).toMatchObject({ model: 'claude-nope-9' });
      });

      it('a body that is not JSON is a BadRequestError', async () => {
        const client = sdk.connect(fixture.gatewayUrl, noRetryKey, { corruptBody: true });
        const error = await rejection(client.create(ask(HAIKU, 'hi')), sdk.errors.BadRequestError);
        expect(error.status).toBe(400);
        expect(error.error).toMatchObject({
          type: 'error',
          error: { type: 'invalid_request_error', message: 'Request body is not valid JSON' },
        });
        expect(fixture.anthropic.requests).toHaveLength(0);
      });

      it('a body that breaks the Messages schema is a BadRequestError that names the field', async () => {
        const error = await rejection(connect().create({ ...ask(HAIKU, 'hi'), max_tokens: -5 }), sdk.errors.BadRequestError);
        expect(error.status).toBe(400);
        expect(error.error).toMatchObject({
          type: 'error',
          error: { type: 'invalid_request_error', message: expect.stringContaining('max_tokens') as unknown },
        });
        expect(fixture.anthropic.requests).toHaveLength(0);
      });

      it('a server tool (web_search) sent to an OpenAI model is a 400 that names it; Anthropic gets it as sent', async () => {
        const webSearch: WebSearchTool = { type: 'web_search_20250305', name: 'web_search', max_uses: 3 };
        const params = { ...ask('openai/gpt-5.4-mini', 'Latest news?'), tools: [WEATHER_TOOL, webSearch] };
        const error = await rejection(connect().create(params), sdk.errors.BadRequestError);
        expect(error.status).toBe(400);
        expect(error.error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
        expect(apiMessage(error)).toContain('web_search_20250305');
        expect(fixture.openai.requests).toHaveLength(0);

        await connect().create({ ...params, model: HAIKU });
        expect(only(fixture.anthropic).body).toMatchObject({ tools: [WEATHER_TOOL, webSearch] });
      });

      it('a parameter only some APIs have (n) sent to an OpenAI model is a 400 that names it', async () => {
        const params: Params & { n: number } = { ...ask('openai/gpt-5.4-mini', 'Two answers please'), n: 2 };
        const error = await rejection(connect().create(params), sdk.errors.BadRequestError);
        expect(error.status).toBe(400);
        expect(apiMessage(error)).toContain('parameter "n"');
        expect(fixture.openai.requests).toHaveLength(0);
      });

      it('an Anthropic 400 (prompt too long) reaches the SDK as a BadRequestError with the provider’s message, not retried', async () => {
        const tooLong = 'prompt is too long: 250000 tokens > 200000 maximum';
        fixture.anthropic.fail({ kind: 'status', status: 400, body: anthropicErrorBody('invalid_request_error', tooLong) });
        const error = await rejection(connect().create(ask(HAIKU, 'a very long prompt')), sdk.errors.BadRequestError);
        expect(error.status).toBe(400);
        expect(error.error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
        expect(apiMessage(error)).toContain(tooLong);
        expect(fixture.anthropic.requests).toHaveLength(1);
      });

      it('an Anthropic 429 reaches the SDK as a RateLimitError carrying retry-after', async () => {
        fixture.anthropic.fail({
          kind: 'status',
          status: 429,
          body: anthropicErrorBody('rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit'),
          headers: { 'retry-after': '7' },
        });
        const error = await rejection(connect().create(ask(HAIKU, 'hi')), sdk.errors.RateLimitError);
        expect(error.status).toBe(429);
        expect(error.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
        expect((error as ApiErrorView & { headers: Headers }).headers.get('retry-after')).toBe('7');
        await connect().create(ask(HAIKU, 'hi')); // keeps the circuit closed
      });

      it('Anthropic refusing the provider key is a gateway-side 5xx, not an AuthenticationError, and the key is not echoed', async () => {
        fixture.anthropic.fail({
          kind: 'status',
          status: 401,
          body: anthropicErrorBody('authentication_error', `invalid x-api-key ${FAKE_ANTHROPIC_API_KEY}`),
        });
        const error = await rejection(connect().create(ask(HAIKU, 'hi')), sdk.errors.InternalServerError);
        expect(error.status).toBe(502);
        expect(error).not.toBeInstanceOf(sdk.errors.AuthenticationError);
        expect(JSON.stringify(error.error)).not.toContain('sk-ant');
        expect(error.message).not.toContain('sk-ant');
        await connect().create(ask(HAIKU, 'hi')); // keeps the circuit closed
      });

      it('an upstream 529 overloaded reaches the SDK as a server error once retries are exhausted (JSON and stream)', async () => {
        const overloaded = { kind: 'status' as const, status: 529, body: anthropicErrorBody('overloaded_error', 'Overloaded') };
        fixture.anthropic.fail(overloaded);
        const error = await rejection(connect().create(ask(HAIKU, 'hi')), sdk.errors.InternalServerError);
        expect(error.status).toBe(503);
        expect(apiMessage(error)).toContain('Overloaded');
        expect(fixture.anthropic.requests).toHaveLength(1);

        fixture.anthropic.fail(overloaded);
        const events: EventView[] = [];
        const streamed = await rejection(connect().raw(ask(HAIKU, 'hi'), events), sdk.errors.InternalServerError);
        expect(streamed.status).toBe(error.status);
        expect(events).toHaveLength(0);

        // Two failures, then a success: the circuit breaker (5 consecutive failures) stays closed for the other tests.
        await connect().create(ask(HAIKU, 'hi'));
      });

      // Before the answer starts, an exhausted overload keeps Anthropic's overloaded_error type, as it
      // does mid-stream (formats/anthropic-messages/errors.ts): Anthropic clients branch on it.
      it('an exhausted upstream overload is reported as overloaded_error, as it is mid-stream', async () => {
        fixture.anthropic.fail({ kind: 'status', status: 529, body: anthropicErrorBody('overloaded_error', 'Overloaded') });
        const error = await rejection(connect().create(ask(HAIKU, 'hi')), sdk.errors.APIError);
        await connect().create(ask(HAIKU, 'hi')); // keeps the circuit closed
        expect(error.error).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
      });
    });
  }

  it('raw HTTP: malformed JSON gets Anthropic’s error envelope with the request id', async () => {
    const response = await fetch(`${fixture.gatewayUrl}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': noRetryKey, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: '{"model": "anthropic/claude-haiku-4-5", "max_tokens": 10, "messages": [',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-request-id')).toMatch(/\S/);
    expect(await response.json()).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'Request body is not valid JSON' },
    });
  });
});

// =====================================================================================================

describe('a provider stream that dies mid-answer', { timeout: 60_000 }, () => {
  let fixture: GatewayFixture;
  beforeAll(async () => {
    fixture = await startGatewayFixture();
  }, 120_000);
  afterAll(async () => fixture?.stop());
  beforeEach(() => allFakes(fixture).forEach((f) => f.reset()));

  const LONG = 'This answer is long enough to be cut somewhere in the middle of its sentences. '.repeat(4);
  // afterEvents counts upstream SSE frames: Anthropic's 3 are message_start, ping and the text block's start; OpenAI's the
  // role chunk and two text chunks; Gemini sends the text in 3 chunks (the last with finishReason), so it is cut after 2.
  const targets: { label: string; model: string; fake: (f: GatewayFixture) => FakeUpstream; afterEvents: number }[] = [
    { label: 'native Anthropic', model: HAIKU, fake: (f) => f.anthropic, afterEvents: 3 },
    { label: 'OpenAI via translation', model: 'openai/gpt-5.4-mini', fake: (f) => f.openai, afterEvents: 3 },
    { label: 'Gemini via translation', model: 'gemini/gemini-3.5-flash', fake: (f) => f.gemini, afterEvents: 2 },
  ];

  for (const target of targets) {
    for (const sdk of SDKS) {
      describe(`${target.label} with ${sdk.label}`, () => {
        const connect = () => sdk.connect(fixture.gatewayUrl, fixture.apiKey);

        it('messages.stream().finalMessage() rejects with an APIError instead of returning a short answer', async () => {
          target.fake(fixture).fail({ kind: 'die-mid-stream', afterEvents: target.afterEvents });
          target.fake(fixture).reply({ text: LONG, usage: { input: 20, output: 80 } });
          const error = await rejection(connect().stream(ask(target.model, 'Tell me a long story')), sdk.errors.APIError);
          expect(error.error).toMatchObject({ type: 'error', error: { type: 'api_error', message: expect.any(String) as unknown } });
          expect(target.fake(fixture).requests).toHaveLength(1);
        });

        it('raw iteration delivers the events sent so far, then throws; no message_stop', async () => {
          target.fake(fixture).fail({ kind: 'die-mid-stream', afterEvents: target.afterEvents });
          target.fake(fixture).reply({ text: LONG, usage: { input: 20, output: 80 } });
          const events: EventView[] = [];
          const error = await rejection(connect().raw(ask(target.model, 'Tell me a long story'), events), sdk.errors.APIError);
          // An `event: error` inside the 200 stream (not a dropped connection, which the SDK would also throw on).
          expect(error.status).toBeUndefined();
          expect(error.error).toMatchObject({ type: 'error', error: { type: 'api_error' } });
          expect(events[0]?.type).toBe('message_start');
          expect(events.map((e) => e.type)).not.toContain('message_stop');
          expect(events.map((e) => e.type)).not.toContain('message_delta');
        });
      });
    }
  }
});
