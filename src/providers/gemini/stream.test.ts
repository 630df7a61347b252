import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../gateway/canonical/types.js';
import { createSseParser } from '../sse.js';
import { UpstreamProtocolError } from '../types.js';
import { geminiAdapter } from './index.js';
import { decodeToolCallId } from './tool-call-ids.js';

/** Feeds raw SSE text one character at a time, as the worst possible network would. */
function decode(sse: string, options: { end?: boolean } = {}): StreamEvent[] {
  const parser = createSseParser();
  const decoder = geminiAdapter.chatStreamDecoder();
  const events: StreamEvent[] = [];
  for (const ch of sse) for (const event of parser.push(ch)) events.push(...decoder.push(event));
  for (const event of parser.end()) events.push(...decoder.push(event));
  if (options.end !== false) events.push(...decoder.end());
  return events;
}

const sse = (...chunks: unknown[]) => chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\r\n\r\n`).join('');
const meta = { modelVersion: 'gemini-3-pro-preview', responseId: 'M3iLaY-AI7zTxN8P3Piw4Qg' };
const usage = { promptTokenCount: 9, candidatesTokenCount: 23, totalTokenCount: 334, thoughtsTokenCount: 302 };
const withoutCreated = (events: StreamEvent[]) => events.map((event) => (event.type === 'start' ? { ...event, created: 0 } : event));

describe('gemini stream decoder', () => {
  it('decodes thoughts, text, a trailing signature, finish and usage', () => {
    const events = decode(
      sse(
        {
          candidates: [{ content: { role: 'model', parts: [{ text: 'Let me count… ', thought: true }] }, index: 0 }],
          usageMetadata: { promptTokenCount: 9 },
          ...meta,
        },
        { candidates: [{ content: { role: 'model', parts: [{ text: 'Three “r”s ' }] }, index: 0 }], ...meta },
        { candidates: [{ content: { role: 'model', parts: [{ text: 'in strawberry.' }] }, index: 0 }], ...meta },
        {
          candidates: [
            { content: { role: 'model', parts: [{ text: '', thoughtSignature: 'EpAICo0IAb4+' }] }, finishReason: 'STOP', index: 0 },
          ],
          usageMetadata: usage,
          ...meta,
        },
      ),
    );
    expect(withoutCreated(events)).toEqual([
      { type: 'start', id: 'M3iLaY-AI7zTxN8P3Piw4Qg', model: 'gemini-3-pro-preview', created: 0 },
      { type: 'reasoning_delta', choice: 0, text: 'Let me count… ' },
      { type: 'text_delta', choice: 0, text: 'Three “r”s ' },
      { type: 'text_delta', choice: 0, text: 'in strawberry.' },
      { type: 'reasoning_signature', choice: 0, signature: 'gemini:EpAICo0IAb4+' },
      { type: 'finish', choice: 0, finishReason: 'stop' },
      { type: 'usage', usage: { inputTokens: 9, outputTokens: 325, cachedInputTokens: 0, cacheWriteInputTokens: 0, reasoningTokens: 302 } },
    ]);
  });

  it('emits a whole function call as tool_call_start plus one delta, and finishes with tool_calls', () => {
    const events = decode(
      sse({
        candidates: [
          {
            content: {
              role: 'model',
              parts: [
                { functionCall: { name: 'get_weather', args: { city: 'Zürich' } }, thoughtSignature: 'Eqo+Cqc+Ab4=' },
                { functionCall: { id: 'given', name: 'get_time', args: {} } },
              ],
            },
            finishReason: 'STOP',
            index: 0,
          },
        ],
        usageMetadata: { promptTokenCount: 29, candidatesTokenCount: 15, thoughtsTokenCount: 1801 },
        ...meta,
      }),
    );
    const starts = events.filter((event) => event.type === 'tool_call_start');
    expect(starts.map((event) => ({ ...event, id: decodeToolCallId(event.id) }))).toEqual([
      {
        type: 'tool_call_start',
        choice: 0,
        index: 0,
        id: { baseId: 'call_M3iLaY-AI7zTxN8P3Piw4Qg_0_0', signature: 'Eqo+Cqc+Ab4=' },
        name: 'get_weather',
      },
      { type: 'tool_call_start', choice: 0, index: 1, id: { baseId: 'given' }, name: 'get_time' },
    ]);
    expect(events.filter((event) => event.type === 'tool_call_delta')).toEqual([
      { type: 'tool_call_delta', choice: 0, index: 0, argumentsDelta: '{"city":"Zürich"}' },
      { type: 'tool_call_delta', choice: 0, index: 1, argumentsDelta: '{}' },
    ]);
    expect(events.at(-2)).toEqual({ type: 'finish', choice: 0, finishReason: 'tool_calls' });
    expect(events.at(-1)).toMatchObject({ type: 'usage', usage: { inputTokens: 29, outputTokens: 1816, reasoningTokens: 1801 } });
  });

  it('keeps candidates apart and waits for every one to finish', () => {
    const events = decode(
      sse(
        {
          candidates: [
            { content: { parts: [{ text: 'a' }] }, index: 0 },
            { content: { parts: [{ text: 'b' }] }, index: 1 },
          ],
          ...meta,
        },
        { candidates: [{ content: { parts: [{ text: '!' }] }, finishReason: 'STOP', index: 0 }], ...meta },
        { candidates: [{ content: { parts: [{ text: '?' }] }, finishReason: 'MAX_TOKENS', index: 1 }], usageMetadata: usage, ...meta },
      ),
    );
    expect(events.filter((event) => event.type === 'text_delta' || event.type === 'finish').map((event) => JSON.stringify(event))).toEqual([
      '{"type":"text_delta","choice":0,"text":"a"}',
      '{"type":"text_delta","choice":1,"text":"b"}',
      '{"type":"text_delta","choice":0,"text":"!"}',
      '{"type":"finish","choice":0,"finishReason":"stop"}',
      '{"type":"text_delta","choice":1,"text":"?"}',
      '{"type":"finish","choice":1,"finishReason":"length"}',
    ]);
    expect(events.some((event) => event.type === 'error')).toBe(false);

    const cut = decode(
      sse(
        {
          candidates: [
            { content: { parts: [{ text: 'a' }] }, index: 0 },
            { content: { parts: [{ text: 'b' }] }, index: 1 },
          ],
          ...meta,
        },
        { candidates: [{ content: { parts: [{ text: '!' }] }, finishReason: 'STOP', index: 0 }], ...meta },
      ),
    );
    expect(cut.at(-1)).toEqual({ type: 'error', code: 'upstream_stream_cut', message: 'the gemini stream ended before a finish reason' });
  });

  it('reports a stream that ends without a finish reason as cut, after the usage seen so far', () => {
    const events = decode(
      sse({ candidates: [{ content: { parts: [{ text: 'Hel' }] }, index: 0 }], usageMetadata: { promptTokenCount: 5 }, ...meta }),
    );
    expect(events.slice(-2)).toEqual([
      { type: 'usage', usage: { inputTokens: 5, outputTokens: 0, cachedInputTokens: 0, cacheWriteInputTokens: 0, reasoningTokens: 0 } },
      { type: 'error', code: 'upstream_stream_cut', message: 'the gemini stream ended before a finish reason' },
    ]);
    expect(decode('')).toEqual([{ type: 'error', code: 'upstream_stream_cut', message: 'the gemini stream ended without a response' }]);
  });

  it('finishes a blocked prompt with content_filter', () => {
    const events = decode(sse({ promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 7 }, ...meta }));
    expect(withoutCreated(events).slice(1)).toEqual([
      { type: 'finish', choice: 0, finishReason: 'content_filter', providerFinishReason: 'SAFETY' },
      { type: 'usage', usage: { inputTokens: 7, outputTokens: 0, cachedInputTokens: 0, cacheWriteInputTokens: 0, reasoningTokens: 0 } },
    ]);
  });

  it('turns an error event into a canonical error with the key scrubbed, once', () => {
    const events = decode(
      sse(
        { candidates: [{ content: { parts: [{ text: 'Hel' }] }, index: 0 }], ...meta },
        { error: { code: 503, message: 'Overloaded for key AIzaSyA1234567890abcdefghijklmnopqrstu', status: 'UNAVAILABLE' } },
        { candidates: [{ content: { parts: [{ text: 'ignored' }] }, index: 0 }], ...meta },
      ),
    );
    const errors = events.filter((event) => event.type === 'error');
    expect(errors).toEqual([{ type: 'error', code: 'unavailable', message: 'Overloaded for key AIza…[redacted]' }]);
    expect(events.some((event) => event.type === 'text_delta' && event.text === 'ignored')).toBe(false);
  });

  it('throws UpstreamProtocolError on events that are not Gemini responses', () => {
    expect(() => decode('data: {not json\r\n\r\n')).toThrow(UpstreamProtocolError);
    expect(() => decode(sse({ candidates: [{ content: { parts: [{ functionCall: { name: 'f', args: 'x' } }] } }] }))).toThrow(
      UpstreamProtocolError,
    );
    expect(() => decode(sse([1, 2]))).toThrow(UpstreamProtocolError);
  });

  it('ignores comments and empty events', () => {
    const events = decode(
      `: keep-alive\r\n\r\ndata: \r\n\r\n${sse({ candidates: [{ content: { parts: [{ text: 'x' }] }, finishReason: 'STOP' }] })}`,
    );
    expect(events.map((event) => event.type)).toEqual(['start', 'text_delta', 'finish']);
  });
});
