import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../canonical/types.js';
import { openaiResponsesFormat } from './index.js';
import { context, encode, readFrames, textAnswer, toolAnswer, truncatedAnswer, usage } from './test-helpers.js';
import type { WireResponse, WireStreamEvent } from './wire.js';

const start: StreamEvent = { type: 'start', id: 'up', model: 'served-model', created: 1_760_000_000 };
const types = (events: WireStreamEvent[]) => events.map((event) => event.type);
const last = (events: WireStreamEvent[]) => events[events.length - 1]!;
const responseOf = (event: WireStreamEvent): WireResponse => {
  if (!('response' in event)) throw new Error(`${event.type} carries no response`);
  return event.response;
};

describe('createStreamEncoder', () => {
  it('numbers every event from 0 and names each frame after its type', () => {
    const events = readFrames(encode(textAnswer.events));
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, i) => i));
  });

  it('writes the documented event sequence for reasoning then text', () => {
    const events = readFrames(encode(textAnswer.events));
    expect(types(events)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(responseOf(events[0]!)).toMatchObject({ status: 'in_progress', output: [], model: 'claude-sonnet-4-5-20250929' });
    expect(responseOf(events[0]!)).not.toHaveProperty('usage');
    expect(events[11]).toEqual({
      type: 'response.output_text.delta',
      item_id: 'msg_aabbccddeeff001122334455_1',
      output_index: 1,
      content_index: 0,
      delta: 'Hello',
      logprobs: [],
      sequence_number: 11,
    });
  });

  it('ends with the same Response the non-streamed rendering produces', () => {
    for (const fixture of [textAnswer, toolAnswer, truncatedAnswer]) {
      const events = readFrames(encode(fixture.events));
      expect(responseOf(last(events))).toEqual(openaiResponsesFormat.renderResponse(fixture.response, context));
    }
  });

  it('keeps function calls open side by side and closes them in output order', () => {
    const events = readFrames(encode(toolAnswer.events));
    const calls = events.filter((event) => event.type === 'response.function_call_arguments.delta');
    expect(calls.map((event) => [event.output_index, event.delta])).toEqual([
      [1, '{"city":'],
      [2, '{"city":"Rome"}'],
      [1, '"Paris"}'],
    ]);
    const done = events.filter((event) => event.type === 'response.output_item.done');
    expect(done.map((event) => event.output_index)).toEqual([0, 1, 2]);
    expect(events.find((event) => event.type === 'response.output_item.added' && event.output_index === 1)).toMatchObject({
      item: { type: 'function_call', status: 'in_progress', call_id: 'toolu_a', name: 'weather', arguments: '' },
    });
  });

  it('puts text that follows a tool call in a new message item at a later index', () => {
    const events = readFrames(
      encode([
        start,
        { type: 'text_delta', choice: 0, text: 'First.' },
        { type: 'tool_call_start', choice: 0, index: 0, id: 'c1', name: 'f' },
        { type: 'tool_call_delta', choice: 0, index: 0, argumentsDelta: '{}' },
        { type: 'text_delta', choice: 0, text: 'Then.' },
        { type: 'finish', choice: 0, finishReason: 'tool_calls' },
      ]),
    );
    const output = responseOf(last(events)).output;
    expect(output.map((item) => [item.type, item.id])).toEqual([
      ['message', 'msg_aabbccddeeff001122334455_0'],
      ['function_call', 'fc_aabbccddeeff001122334455_1'],
      ['message', 'msg_aabbccddeeff001122334455_2'],
    ]);
    // The call was closed before the new message opened.
    const order = events.map((event) => `${event.type}:${'output_index' in event ? event.output_index : ''}`);
    expect(order.indexOf('response.output_item.done:1')).toBeLessThan(order.indexOf('response.output_item.added:2'));
  });

  it('starts a new reasoning item per signed thinking block and renders redacted thinking', () => {
    const events = readFrames(
      encode([
        start,
        { type: 'reasoning_delta', choice: 0, text: 'one' },
        { type: 'reasoning_signature', choice: 0, signature: 's1' },
        { type: 'reasoning_delta', choice: 0, text: 'two' },
        { type: 'reasoning_signature', choice: 0, signature: 's2' },
        { type: 'redacted_reasoning', choice: 0, data: 'opaque' },
        // A signed block with no visible text (thinking display omitted).
        { type: 'reasoning_signature', choice: 0, signature: 's3' },
        { type: 'finish', choice: 0, finishReason: 'stop' },
      ]),
    );
    const output = responseOf(last(events)).output;
    expect(output.map((item) => (item.type === 'reasoning' ? item.summary.map((part) => part.text) : item.type))).toEqual([
      ['one'],
      ['two'],
      [],
      [],
    ]);
    const replayed = openaiResponsesFormat.parseRequest({ model: 'm', input: [...output, { role: 'assistant', content: 'ok' }] });
    expect(replayed.request.messages[0]).toMatchObject({
      reasoning: [
        { type: 'thinking', text: 'one', signature: 's1' },
        { type: 'thinking', text: 'two', signature: 's2' },
        { type: 'redacted_thinking', data: 'opaque' },
        { type: 'thinking', text: '', signature: 's3' },
      ],
    });
  });

  it('streams a refusal as refusal events', () => {
    const events = readFrames(
      encode([start, { type: 'refusal_delta', choice: 0, text: 'No.' }, { type: 'finish', choice: 0, finishReason: 'refusal' }]),
    );
    expect(events.find((event) => event.type === 'response.refusal.done')).toMatchObject({ refusal: 'No.', content_index: 0 });
    expect(responseOf(last(events)).output).toEqual([
      {
        id: 'msg_aabbccddeeff001122334455_0',
        type: 'message',
        role: 'assistant',
        status: 'completed',
        content: [{ type: 'refusal', refusal: 'No.' }],
      },
    ]);
  });

  it('ends a cut-off answer as response.incomplete with the item marked incomplete', () => {
    const events = readFrames(encode(truncatedAnswer.events));
    expect(last(events).type).toBe('response.incomplete');
    expect(responseOf(last(events))).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } });
    expect(events.find((event) => event.type === 'response.output_item.done')).toMatchObject({ item: { status: 'incomplete' } });
  });

  it('uses the requested model and the current time when no start event came', () => {
    const events = readFrames(
      encode([
        { type: 'text_delta', choice: 0, text: 'x' },
        { type: 'finish', choice: 0, finishReason: 'stop' },
      ]),
    );
    expect(responseOf(events[0]!).model).toBe('smart');
    expect(Math.abs(responseOf(events[0]!).created_at - Date.now() / 1000)).toBeLessThan(5);
  });

  it('ignores other choices and empty deltas', () => {
    const events = readFrames(
      encode([
        start,
        { type: 'text_delta', choice: 1, text: 'other choice' },
        { type: 'text_delta', choice: 0, text: '' },
        { type: 'finish', choice: 0, finishReason: 'stop' },
      ]),
    );
    expect(types(events)).toEqual(['response.created', 'response.in_progress', 'response.completed']);
  });
});

describe('createStreamEncoder: failures', () => {
  const failure = (events: WireStreamEvent[]) => events.slice(-2);

  it('turns a canonical error into response.failed and an error event, then stays silent', () => {
    const encoder = openaiResponsesFormat.createStreamEncoder(context);
    const frames = [
      ...encoder.encode(start),
      ...encoder.encode({ type: 'text_delta', choice: 0, text: 'Partial' }),
      ...encoder.encode({ type: 'usage', usage }),
      ...encoder.encode({ type: 'error', code: 'upstream_overloaded', message: 'The provider is overloaded.' }),
    ];
    expect(encoder.encode({ type: 'text_delta', choice: 0, text: 'more' })).toEqual([]);
    expect(encoder.end()).toEqual([]);
    const events = readFrames(frames);
    const [failed, error] = failure(events);
    expect(responseOf(failed!)).toMatchObject({
      status: 'failed',
      error: { code: 'server_error', message: 'The provider is overloaded.' },
      output: [{ type: 'message', status: 'incomplete', content: [{ type: 'output_text', text: 'Partial' }] }],
      usage: { input_tokens: 50 },
    });
    expect(error).toEqual({
      type: 'error',
      code: 'upstream_overloaded',
      message: 'The provider is overloaded.',
      param: null,
      error: { type: 'server_error', code: 'upstream_overloaded', message: 'The provider is overloaded.', param: null },
      sequence_number: failed!.sequence_number + 1,
    });
  });

  it('maps a rate-limit code to the closed ResponseError list', () => {
    const events = readFrames(encode([start, { type: 'error', code: 'rate_limit_exceeded', message: 'Slow down.' }]));
    expect(responseOf(failure(events)[0]!).error).toEqual({ code: 'rate_limit_exceeded', message: 'Slow down.' });
  });

  it('fails a stream that ends without a finish', () => {
    const events = readFrames(encode([start, { type: 'text_delta', choice: 0, text: 'Half' }]));
    expect(types(failure(events))).toEqual(['response.failed', 'error']);
    expect(failure(events)[1]).toMatchObject({ code: 'stream_incomplete' });
  });

  it('fails an empty stream, after the events the SDK needs first', () => {
    expect(types(readFrames(encode([])))).toEqual(['response.created', 'response.in_progress', 'response.failed', 'error']);
  });

  it('fails on a provider finish reason of error', () => {
    const events = readFrames(encode([start, { type: 'finish', choice: 0, finishReason: 'error' }]));
    expect(types(failure(events))).toEqual(['response.failed', 'error']);
  });

  it.each<[string, StreamEvent[]]>([
    ['arguments for an unknown call', [{ type: 'tool_call_delta', choice: 0, index: 3, argumentsDelta: '{}' }]],
    [
      'arguments for a closed call',
      [
        { type: 'tool_call_start', choice: 0, index: 0, id: 'c', name: 'f' },
        { type: 'text_delta', choice: 0, text: 'x' },
        { type: 'tool_call_delta', choice: 0, index: 0, argumentsDelta: '{}' },
      ],
    ],
    [
      'the same call started twice',
      [
        { type: 'tool_call_start', choice: 0, index: 0, id: 'c', name: 'f' },
        { type: 'tool_call_start', choice: 0, index: 0, id: 'c', name: 'f' },
      ],
    ],
    [
      'content after the finish',
      [
        { type: 'finish', choice: 0, finishReason: 'stop' },
        { type: 'text_delta', choice: 0, text: 'late' },
      ],
    ],
  ])('fails on %s rather than misreport the answer', (_, events) => {
    const written = readFrames(encode([start, ...events]));
    expect(types(failure(written))).toEqual(['response.failed', 'error']);
    expect(failure(written)[1]).toMatchObject({ code: 'upstream_protocol_error' });
  });

  it('streamErrorFrames writes a standalone error event', () => {
    const [event] = readFrames(openaiResponsesFormat.streamErrorFrames('Upstream connection lost.', 'upstream_error'));
    expect(event).toEqual({
      type: 'error',
      code: 'upstream_error',
      message: 'Upstream connection lost.',
      param: null,
      error: { type: 'server_error', code: 'upstream_error', message: 'Upstream connection lost.', param: null },
      sequence_number: 0,
    });
  });
});
