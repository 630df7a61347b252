/**
 * The encoder's output as the official OpenAI SDK sees it: frames are served over real HTTP from a
 * loopback server, and the SDK's own stream helpers read them.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../canonical/types.js';
import { openaiResponsesFormat } from './index.js';
import { context, encode, textAnswer, toolAnswer, truncatedAnswer, type Fixture } from './test-helpers.js';

type Reply = { kind: 'sse'; frames: string[] } | { kind: 'json'; body: unknown };

let reply: Reply = { kind: 'json', body: {} };
let lastBody: unknown;
let server: http.Server;
let client: OpenAI;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      lastBody = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      if (reply.kind === 'json') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(reply.body));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      // One write per frame, as the gateway streams them.
      for (const frame of reply.frames) res.write(frame);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  client = new OpenAI({ apiKey: 'sk-test', baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const params = { model: 'smart', input: 'x', instructions: 'Be brief.', temperature: 0.5, metadata: { app: 'test' } };

/** What the SDK adds on its side (parsed output helpers), removed to compare with what was sent. */
function withoutSdkAdditions(value: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(value)) as Record<string, unknown> & { output: Record<string, unknown>[] };
  delete copy.output_parsed;
  delete copy.output_text;
  for (const item of copy.output) {
    delete item.parsed_arguments;
    if (Array.isArray(item.content)) for (const part of item.content as Record<string, unknown>[]) delete part.parsed;
  }
  return copy;
}

const rendered = (fixture: Fixture) =>
  JSON.parse(JSON.stringify(openaiResponsesFormat.renderResponse(fixture.response, context))) as unknown;

describe('the OpenAI SDK reading a translated answer', () => {
  it('reads a non-streamed Response and computes output_text itself', async () => {
    reply = { kind: 'json', body: rendered(textAnswer) };
    const response = await client.responses.create(params);
    expect(response.output_text).toBe('Hello, world.');
    expect(withoutSdkAdditions(response)).toEqual(rendered(textAnswer));
  });

  it.each([
    ['a reasoning and text answer', textAnswer],
    ['a function-call answer', toolAnswer],
  ])('responses.stream(): finalResponse() of %s equals the non-streamed rendering', async (_, fixture) => {
    reply = { kind: 'sse', frames: encode(fixture.events) };
    const stream = client.responses.stream(params);
    const snapshots: string[] = [];
    stream.on('response.output_text.delta', (event) => snapshots.push(event.snapshot));
    const final = await stream.finalResponse();
    expect(withoutSdkAdditions(final)).toEqual(rendered(fixture));
    expect(snapshots.at(-1)).toBe(fixture === textAnswer ? 'Hello, world.' : 'Let me check.');
    expect(lastBody).toMatchObject({ stream: true });
  });

  it('responses.stream(): the function-call arguments accumulate per call', async () => {
    reply = { kind: 'sse', frames: encode(toolAnswer.events) };
    const stream = client.responses.stream(params);
    const final = await stream.finalResponse();
    const calls = final.output.filter((item) => item.type === 'function_call');
    expect(calls.map((call): unknown[] => [call.call_id, JSON.parse(call.arguments)])).toEqual([
      ['toolu_a', { city: 'Paris' }],
      ['toolu_b', { city: 'Rome' }],
    ]);
  });

  it('responses.create({ stream: true }): every event arrives in order and the last carries the rendering', async () => {
    for (const [fixture, terminal] of [
      [toolAnswer, 'response.completed'],
      [truncatedAnswer, 'response.incomplete'],
    ] as const) {
      reply = { kind: 'sse', frames: encode(fixture.events) };
      const stream = await client.responses.create({ ...params, stream: true });
      const events = [];
      for await (const event of stream) events.push(event);
      expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, i) => i));
      const last = events.at(-1)!;
      expect(last.type).toBe(terminal);
      expect('response' in last ? last.response : undefined).toEqual(rendered(fixture));
    }
  });

  describe('a stream that fails makes the SDK throw', () => {
    const cutOff: StreamEvent[] = [
      { type: 'start', id: 'up', model: 'served', created: 1_760_000_000 },
      { type: 'text_delta', choice: 0, text: 'Half an ans' },
    ];
    const upstreamError: StreamEvent[] = [
      ...cutOff,
      { type: 'error', code: 'upstream_overloaded', message: 'The provider is overloaded.' },
    ];

    it.each([
      ['cut off before its finish', cutOff, 'stream_incomplete', 'The provider stream ended before the response was complete.'],
      ['failed upstream', upstreamError, 'upstream_overloaded', 'The provider is overloaded.'],
    ])('responses.stream() %s: finalResponse() rejects with an APIError', async (_, events, code, message) => {
      reply = { kind: 'sse', frames: encode(events) };
      const stream = client.responses.stream(params);
      const seen: string[] = [];
      stream.on('event', (event) => seen.push(event.type));
      const error: unknown = await stream.finalResponse().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect(error).toMatchObject({ message, code });
      // response.failed reached listeners before the error ended the stream.
      expect(seen.at(-1)).toBe('response.failed');
    });

    it.each([
      ['cut off before its finish', cutOff, 'stream_incomplete'],
      ['failed upstream', upstreamError, 'upstream_overloaded'],
    ])('responses.create({ stream: true }) %s: iteration throws an APIError', async (_, events, code) => {
      reply = { kind: 'sse', frames: encode(events) };
      const stream = await client.responses.create({ ...params, stream: true });
      const seen: string[] = [];
      const error: unknown = await (async () => {
        for await (const event of stream) seen.push(event.type);
      })().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect(error).toMatchObject({ code });
      expect(seen).toContain('response.failed');
      expect(seen).not.toContain('response.completed');
    });

    it('streamErrorFrames alone also makes iteration throw', async () => {
      reply = { kind: 'sse', frames: openaiResponsesFormat.streamErrorFrames('Upstream connection lost.', 'upstream_error') };
      const stream = await client.responses.create({ ...params, stream: true });
      const iterate = async () => {
        for await (const event of stream) void event;
      };
      await expect(iterate()).rejects.toMatchObject({ message: 'Upstream connection lost.', code: 'upstream_error' });
    });
  });
});
