/**
 * Canonical → real HTTP → fake Gemini → canonical, streamed and not. The fake validates requests the way
 * Google does, so these tests fail when the translation produces something Gemini would reject.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { googleError, startFakeGemini, type FakeGemini } from '../../../test/fakes/gemini.js';
import type { ChatRequest, ChatResponse, Message, StreamEvent, ToolCall } from '../../gateway/canonical/types.js';
import { createSseParser } from '../sse.js';
import type { UpstreamErrorInfo, UpstreamRequest, UpstreamTarget } from '../types.js';
import { geminiAdapter } from './index.js';
import { decodeToolCallId } from './tool-call-ids.js';

let fake: FakeGemini;
let target: UpstreamTarget;

beforeAll(async () => {
  fake = await startFakeGemini({ apiKey: 'AIzaSyFakeKeyForTests000000000000000000' });
  target = { baseUrl: fake.url, apiKey: fake.apiKey, model: 'gemini-3-flash-preview', options: {} };
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

class UpstreamFailure extends Error {
  constructor(readonly info: UpstreamErrorInfo) {
    super(info.message);
  }
}

async function send(upstream: UpstreamRequest): Promise<Response> {
  return fetch(upstream.url, { method: upstream.method, headers: upstream.headers, body: upstream.body });
}

async function readJson(upstream: UpstreamRequest): Promise<unknown> {
  const response = await send(upstream);
  if (!response.ok) throw new UpstreamFailure(geminiAdapter.errorInfo(response.status, response.headers, await response.text()));
  return response.json();
}

async function complete(request: ChatRequest, to = target): Promise<ChatResponse> {
  return geminiAdapter.chatResponse(await readJson(geminiAdapter.chatRequest({ ...request, stream: false }, to)));
}

async function stream(request: ChatRequest, to = target): Promise<StreamEvent[]> {
  const response = await send(geminiAdapter.chatRequest({ ...request, stream: true }, to));
  if (!response.ok) throw new UpstreamFailure(geminiAdapter.errorInfo(response.status, response.headers, await response.text()));
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const parser = createSseParser();
  const decoder = geminiAdapter.chatStreamDecoder();
  const events: StreamEvent[] = [];
  const text = new TextDecoder();
  for await (const chunk of response.body!) {
    for (const event of parser.push(text.decode(chunk as Uint8Array, { stream: true }))) events.push(...decoder.push(event));
  }
  for (const event of parser.end()) events.push(...decoder.push(event));
  events.push(...decoder.end());
  return events;
}

/** Rebuilds tool calls from stream events, as an inbound encoder would. */
function toolCallsOf(events: StreamEvent[]): ToolCall[] {
  const calls: ToolCall[] = [];
  for (const event of events) {
    if (event.type === 'tool_call_start') calls[event.index] = { id: event.id, name: event.name, arguments: '' };
    if (event.type === 'tool_call_delta') calls[event.index]!.arguments += event.argumentsDelta;
  }
  return calls;
}

const user = (text: string): Message => ({ role: 'user', content: [{ type: 'text', text }] });
const tools: ChatRequest['tools'] = [
  {
    type: 'function',
    name: 'get_weather',
    description: 'Current weather',
    parameters: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { city: { $ref: '#/$defs/City' } },
      required: ['city'],
      $defs: { City: { type: 'string', description: 'City name' } },
    },
  },
];
const base: ChatRequest = {
  model: 'gemini-3-flash-preview',
  messages: [{ role: 'system', content: [{ type: 'text', text: 'Be brief.' }] }, user('Hi')],
  stream: false,
};

const scriptedToolTurn = {
  reasoning: { text: 'The user wants weather; call the tool.', signature: 'Eqo+Cqc+Ab4+9vtgONaaz6qwy6WXdp7gCd2w0X+Wz2g=' },
  toolCalls: [{ id: 'fc_1', name: 'get_weather', arguments: '{"city":"Paris"}' }],
  finishReason: 'tool_calls' as const,
  usage: { input: 40, output: 30, reasoning: 20 },
};

describe('gemini round trip (non-streamed)', () => {
  it('answers a text request, authenticating by header only', async () => {
    fake.reply({ text: 'Bonjour.', usage: { input: 12, output: 3, cached: 4 }, finishReason: 'stop', model: 'gemini-3-flash-preview-001' });
    const response = await complete({ ...base, maxTokens: 50, temperature: 0.3 });
    expect(response.model).toBe('gemini-3-flash-preview-001');
    expect(response.choices).toEqual([
      { index: 0, finishReason: 'stop', message: { role: 'assistant', content: [{ type: 'text', text: 'Bonjour.' }] } },
    ]);
    expect(response.usage).toEqual({
      inputTokens: 12,
      outputTokens: 3,
      cachedInputTokens: 4,
      cacheWriteInputTokens: 0,
      reasoningTokens: 0,
    });

    const [recorded] = fake.requests;
    expect(recorded!.path).toBe('/v1beta/models/gemini-3-flash-preview:generateContent');
    expect(recorded!.headers['x-goog-api-key']).toBe(fake.apiKey);
    expect([...recorded!.query.keys()]).toEqual([]);
    expect(recorded!.body).toMatchObject({
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      generationConfig: { maxOutputTokens: 50, temperature: 0.3 },
    });
  });

  it('runs a tool loop: the call comes back with its signature and the result is named after the function', async () => {
    fake.reply(scriptedToolTurn, { text: 'It is 18C in Paris.', usage: { input: 60, output: 8 }, finishReason: 'stop' });
    const first = await complete({ ...base, tools, toolChoice: { type: 'auto' }, reasoning: { effort: 'low' } });
    const choice = first.choices[0]!;
    expect(choice.finishReason).toBe('tool_calls');
    expect(choice.message.reasoning).toEqual([{ type: 'thinking', text: 'The user wants weather; call the tool.' }]);
    const [call] = choice.message.toolCalls!;
    expect(call).toMatchObject({ name: 'get_weather', arguments: '{"city":"Paris"}' });
    expect(decodeToolCallId(call!.id)).toEqual({ baseId: 'fc_1', signature: scriptedToolTurn.reasoning.signature });
    expect(first.usage).toMatchObject({ inputTokens: 40, outputTokens: 30, reasoningTokens: 20 });

    const second = await complete({
      ...base,
      tools,
      messages: [...base.messages, choice.message, { role: 'tool', toolCallId: call!.id, content: [{ type: 'text', text: '18C' }] }],
    });
    expect(second.choices[0]!.message.content).toEqual([{ type: 'text', text: 'It is 18C in Paris.' }]);

    const sent = fake.requests[1]!.body as { contents: unknown[]; tools: unknown };
    expect(sent.contents.slice(1)).toEqual([
      {
        role: 'model',
        parts: [
          {
            functionCall: { id: 'fc_1', name: 'get_weather', args: { city: 'Paris' } },
            thoughtSignature: scriptedToolTurn.reasoning.signature,
          },
        ],
      },
      { role: 'user', parts: [{ functionResponse: { id: 'fc_1', name: 'get_weather', response: { output: '18C' } } }] },
    ]);
    expect(sent.tools).toEqual([
      {
        functionDeclarations: [
          {
            name: 'get_weather',
            description: 'Current weather',
            parametersJsonSchema: {
              type: 'object',
              properties: { city: { type: 'string', description: 'City name' } },
              required: ['city'],
            },
          },
        ],
      },
    ]);
  });

  it('returns one choice per candidate', async () => {
    fake.reply({ text: 'same', usage: { input: 5, output: 4 }, finishReason: 'stop' });
    const response = await complete({ ...base, n: 2 });
    expect(response.choices.map((choice) => [choice.index, choice.message.content[0]!.text])).toEqual([
      [0, 'same'],
      [1, 'same'],
    ]);
    expect(fake.requests[0]!.body).toMatchObject({ generationConfig: { candidateCount: 2 } });
  });

  it('maps Google errors: wrong key, missing key, quota with retry delay', async () => {
    await expect(complete(base, { ...target, apiKey: 'AIzaSyWrongKey000000000000000000000000' })).rejects.toMatchObject({
      info: { status: 401, code: 'api_key_invalid', retryable: false },
    });
    await expect(complete(base, { ...target, apiKey: '' })).rejects.toMatchObject({
      info: { status: 403, type: 'permission_error', retryable: false },
    });

    fake.fail({
      kind: 'status',
      status: 429,
      body: googleError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded.', [
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '12s' },
      ]),
    });
    await expect(complete(base)).rejects.toMatchObject({
      info: { status: 429, type: 'rate_limit_error', retryable: true, retryAfterSeconds: 12 },
    });
  });

  it('counts tokens and embeds', async () => {
    fake.reply({ usage: { input: 321, output: 0 } });
    expect(geminiAdapter.countTokensResponse!(await readJson(geminiAdapter.countTokensRequest!({ ...base, tools }, target)))).toEqual({
      inputTokens: 321,
    });

    const embedTarget = { ...target, model: 'gemini-embedding-001' };
    const embeddings = geminiAdapter.embeddingsResponse!(
      await readJson(
        geminiAdapter.embeddingsRequest!({ model: 'gemini-embedding-001', input: ['alpha', 'beta'], dimensions: 4 }, embedTarget),
      ),
    );
    expect(embeddings.data).toHaveLength(2);
    expect(embeddings.data.every((vector) => vector.length === 4)).toBe(true);
    expect(embeddings.data[0]).not.toEqual(embeddings.data[1]);
    expect(embeddings.usage).toEqual({ inputTokens: 0 });
  });
});

describe('gemini round trip (streamed)', () => {
  it('streams reasoning, text and the trailing signature', async () => {
    fake.reply({
      reasoning: { text: 'Thinking it over.', signature: 'U0lHTkFUVVJF' },
      text: 'The answer is 42.',
      usage: { input: 10, output: 25, reasoning: 15 },
      finishReason: 'stop',
    });
    const events = await stream({ ...base, reasoning: { budgetTokens: 512 } });
    expect(fake.requests[0]!.path).toBe('/v1beta/models/gemini-3-flash-preview:streamGenerateContent');
    expect(fake.requests[0]!.query.get('alt')).toBe('sse');
    expect(events[0]).toMatchObject({ type: 'start', model: 'gemini-3-flash-preview' });
    const text = (type: 'text_delta' | 'reasoning_delta') =>
      events
        .filter((event) => event.type === type)
        .map((event) => (event as { text: string }).text)
        .join('');
    expect(text('reasoning_delta')).toBe('Thinking it over.');
    expect(text('text_delta')).toBe('The answer is 42.');
    expect(events.slice(-3)).toEqual([
      { type: 'reasoning_signature', choice: 0, signature: 'gemini:U0lHTkFUVVJF' },
      { type: 'finish', choice: 0, finishReason: 'stop' },
      { type: 'usage', usage: { inputTokens: 10, outputTokens: 25, cachedInputTokens: 0, cacheWriteInputTokens: 0, reasoningTokens: 15 } },
    ]);
  });

  it('streams a tool call whose replay the fake accepts', async () => {
    fake.reply(scriptedToolTurn, { text: 'Done.', usage: { input: 1, output: 1 }, finishReason: 'stop' });
    const events = await stream({ ...base, tools, toolChoice: { type: 'function', name: 'get_weather' } });
    expect(fake.requests[0]!.body).toMatchObject({
      toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } },
    });
    const calls = toolCallsOf(events);
    expect(calls).toHaveLength(1);
    expect(JSON.parse(calls[0]!.arguments)).toEqual({ city: 'Paris' });
    expect(events.find((event) => event.type === 'finish')).toEqual({ type: 'finish', choice: 0, finishReason: 'tool_calls' });

    const replay = await stream({
      ...base,
      tools,
      messages: [
        ...base.messages,
        { role: 'assistant', content: [], toolCalls: calls },
        { role: 'tool', toolCallId: calls[0]!.id, content: [{ type: 'text', text: '18C' }] },
      ],
    });
    expect(replay.filter((event) => event.type === 'error')).toEqual([]);
    expect(fake.requests[1]!.body).toMatchObject({
      contents: [
        { role: 'user' },
        {
          role: 'model',
          parts: [{ functionCall: { id: 'fc_1', name: 'get_weather' }, thoughtSignature: scriptedToolTurn.reasoning.signature }],
        },
        { role: 'user', parts: [{ functionResponse: { name: 'get_weather' } }] },
      ],
    });
  });

  it('reports a stream that dies midway as cut', async () => {
    // fake-upstream's die-mid-stream fault destroys the socket before its corked writes leave, so nothing at
    // all arrives; instead the connection is dropped from this side once the first delta is in.
    fake.reply({ text: 'A long answer that will not finish', usage: { input: 3, output: 9 }, finishReason: 'stop' });
    fake.fail({ kind: 'slow-stream', eventDelayMs: 200 });
    const abort = new AbortController();
    const upstream = geminiAdapter.chatRequest({ ...base, stream: true }, target);
    const response = await fetch(upstream.url, { method: 'POST', headers: upstream.headers, body: upstream.body, signal: abort.signal });
    const parser = createSseParser();
    const decoder = geminiAdapter.chatStreamDecoder();
    const events: StreamEvent[] = [];
    await expect(
      (async () => {
        for await (const chunk of response.body!) {
          for (const event of parser.push(new TextDecoder().decode(chunk as Uint8Array))) events.push(...decoder.push(event));
          if (events.some((event) => event.type === 'text_delta')) abort.abort();
        }
      })(),
    ).rejects.toThrow();
    events.push(...decoder.end());
    expect(events.some((event) => event.type === 'finish')).toBe(false);
    expect(events.at(-1)).toEqual({
      type: 'error',
      code: 'upstream_stream_cut',
      message: 'the gemini stream ended before a finish reason',
    });
  });
});

describe('fake gemini', () => {
  const post = (path: string, body: unknown, headers: Record<string, string> = { 'x-goog-api-key': fake.apiKey }) =>
    fetch(fake.url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const contents = [{ role: 'user', parts: [{ text: 'hi' }] }];

  it('answers streamGenerateContent without alt=sse as one JSON array, like Google', async () => {
    const response = await post('/v1beta/models/gemini-2.5-flash:streamGenerateContent', { contents });
    expect(response.headers.get('content-type')).toContain('application/json');
    const chunks = (await response.json()) as { candidates: unknown[] }[];
    expect(Array.isArray(chunks)).toBe(true);
    expect(chunks.at(-1)).toMatchObject({ candidates: [{ finishReason: 'STOP' }] });
  });

  it('rejects what Google rejects, in Google’s error shape', async () => {
    const cases: [unknown, RegExp][] = [
      [{}, /contents is not specified/],
      [{ contents: [] }, /contents is not specified/],
      [{ contents: [{ role: 'assistant', parts: [{ text: 'x' }] }] }, /valid role: user, model/],
      [{ contents: [{ role: 'user', parts: [] }] }, /parts must not be empty/],
      [{ contents, temperature: 1 }, /Unknown name "temperature"/],
      [{ contents, generationConfig: { max_tokens: 5 } }, /Unknown name "max_tokens"/],
      [{ contents, generationConfig: { thinkingConfig: { thinkingBudget: 1, thinkingLevel: 'low' } } }, /only one of thinking budget/],
    ];
    for (const [body, message] of cases) {
      const response = await post('/v1beta/models/gemini-2.5-flash:generateContent', body);
      expect(response.status).toBe(400);
      const error = ((await response.json()) as { error: { status: string; message: string } }).error;
      expect(error.status).toBe('INVALID_ARGUMENT');
      expect(error.message).toMatch(message);
    }
  });

  it('ignores a key in the query string, so query-string auth fails loudly', async () => {
    const response = await post(`/v1beta/models/gemini-2.5-flash:generateContent?key=${fake.apiKey}`, { contents }, {});
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { status: 'PERMISSION_DENIED' } });
  });

  it('answers unknown methods with 404 NOT_FOUND', async () => {
    const response = await post('/v1beta/models/gemini-2.5-flash:predict', { contents });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { status: 'NOT_FOUND' } });
  });
});
