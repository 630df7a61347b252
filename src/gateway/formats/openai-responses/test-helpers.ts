/** Shared by this folder's tests: canonical fixtures and a reader for the frames the encoder writes. */
import type { ChatResponse, StreamEvent, Usage } from '../../canonical/types.js';
import { createSseParser } from '../../../providers/sse.js';
import type { RenderContext } from '../types.js';
import { openaiResponsesFormat } from './index.js';
import type { WireStreamEvent } from './wire.js';

export const usage: Usage = { inputTokens: 50, outputTokens: 20, cachedInputTokens: 10, cacheWriteInputTokens: 5, reasoningTokens: 8 };

export const context: RenderContext = {
  requestedModel: 'smart',
  requestId: 'req_aabbccddeeff001122334455',
  requestBody: { model: 'smart', input: 'x', instructions: 'Be brief.', temperature: 0.5, metadata: { app: 'test' } },
};

/** Runs canonical events through a fresh encoder and returns the SSE text it wrote. */
export function encode(events: StreamEvent[], renderContext: RenderContext = context): string[] {
  const encoder = openaiResponsesFormat.createStreamEncoder(renderContext);
  return [...events.flatMap((event) => encoder.encode(event)), ...encoder.end()];
}

/** Frames → events, checking that each frame's `event:` name matches its data's `type`. */
export function readFrames(frames: string[]): WireStreamEvent[] {
  const parser = createSseParser();
  const sse = [...parser.push(frames.join('')), ...parser.end()];
  return sse.map((event) => {
    const data = JSON.parse(event.data) as WireStreamEvent;
    if (event.event !== data.type) throw new Error(`frame named ${event.event} carries ${data.type}`);
    return data;
  });
}

/** A canonical answer both as a stream and as the non-streamed response it adds up to. */
export type Fixture = { events: StreamEvent[]; response: ChatResponse };

const start: StreamEvent = { type: 'start', id: 'up_1', model: 'claude-sonnet-4-5-20250929', created: 1_760_000_000 };

export const textAnswer: Fixture = {
  events: [
    start,
    { type: 'reasoning_delta', choice: 0, text: 'The user ' },
    { type: 'reasoning_delta', choice: 0, text: 'greets me.' },
    { type: 'reasoning_signature', choice: 0, signature: 'sig-abc' },
    { type: 'text_delta', choice: 0, text: 'Hello' },
    { type: 'text_delta', choice: 0, text: ', world.' },
    { type: 'finish', choice: 0, finishReason: 'stop' },
    { type: 'usage', usage },
  ],
  response: {
    id: 'up_1',
    model: 'claude-sonnet-4-5-20250929',
    created: 1_760_000_000,
    usage,
    choices: [
      {
        index: 0,
        finishReason: 'stop',
        message: {
          role: 'assistant',
          content: [{ type: 'text', text: 'Hello, world.' }],
          reasoning: [{ type: 'thinking', text: 'The user greets me.', signature: 'sig-abc' }],
        },
      },
    ],
  },
};

export const toolAnswer: Fixture = {
  events: [
    start,
    { type: 'text_delta', choice: 0, text: 'Let me check.' },
    { type: 'tool_call_start', choice: 0, index: 0, id: 'toolu_a', name: 'weather' },
    { type: 'tool_call_delta', choice: 0, index: 0, argumentsDelta: '{"city":' },
    { type: 'tool_call_start', choice: 0, index: 1, id: 'toolu_b', name: 'weather' },
    // Parallel calls may interleave their arguments.
    { type: 'tool_call_delta', choice: 0, index: 1, argumentsDelta: '{"city":"Rome"}' },
    { type: 'tool_call_delta', choice: 0, index: 0, argumentsDelta: '"Paris"}' },
    { type: 'usage', usage },
    { type: 'finish', choice: 0, finishReason: 'tool_calls' },
  ],
  response: {
    id: 'up_1',
    model: 'claude-sonnet-4-5-20250929',
    created: 1_760_000_000,
    usage,
    choices: [
      {
        index: 0,
        finishReason: 'tool_calls',
        message: {
          role: 'assistant',
          content: [{ type: 'text', text: 'Let me check.' }],
          toolCalls: [
            { id: 'toolu_a', name: 'weather', arguments: '{"city":"Paris"}' },
            { id: 'toolu_b', name: 'weather', arguments: '{"city":"Rome"}' },
          ],
        },
      },
    ],
  },
};

export const truncatedAnswer: Fixture = {
  events: [
    start,
    { type: 'text_delta', choice: 0, text: 'Once upon a' },
    { type: 'finish', choice: 0, finishReason: 'length' },
    { type: 'usage', usage },
  ],
  response: {
    id: 'up_1',
    model: 'claude-sonnet-4-5-20250929',
    created: 1_760_000_000,
    usage,
    choices: [{ index: 0, finishReason: 'length', message: { role: 'assistant', content: [{ type: 'text', text: 'Once upon a' }] } }],
  },
};
