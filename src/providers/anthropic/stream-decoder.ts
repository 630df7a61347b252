/**
 * Messages API SSE stream → canonical stream events. Anthropic numbers content blocks; the
 * decoder remembers what each index holds so deltas land on the right canonical channel, and
 * numbers tool calls in the order their tool_use blocks start.
 */
import { z } from 'zod';
import type { StreamEvent } from '../../gateway/canonical/types.js';
import type { SseEvent } from '../sse.js';
import type { StreamDecoder } from '../types.js';
import { UpstreamProtocolError } from '../types.js';
import { safeUpstreamMessage } from './errors.js';
import { parseJsonData, parseUpstream } from './read.js';
import { decodeStopReason } from './stop-reason.js';
import { applyUsage, toCanonicalUsage, wireUsageSchema, zeroCounters } from './usage.js';

const messageStartSchema = z.looseObject({
  message: z.looseObject({ id: z.string(), model: z.string(), usage: wireUsageSchema.nullish() }),
});
const blockStartSchema = z.looseObject({
  index: z.number().int().nonnegative(),
  content_block: z.looseObject({ type: z.string() }),
});
const blockDeltaSchema = z.looseObject({
  index: z.number().int().nonnegative(),
  delta: z.looseObject({ type: z.string() }),
});
const messageDeltaSchema = z.looseObject({
  delta: z.looseObject({ stop_reason: z.string().nullish(), stop_sequence: z.string().nullish() }),
  usage: wireUsageSchema.nullish(),
});
const errorSchema = z.looseObject({ error: z.looseObject({ type: z.string().optional(), message: z.string().optional() }).optional() });

const textStart = z.looseObject({ text: z.string().optional() });
const thinkingStart = z.looseObject({ thinking: z.string().optional(), signature: z.string().nullish() });
const redactedStart = z.looseObject({ data: z.string() });
const toolStart = z.looseObject({ id: z.string(), name: z.string(), input: z.unknown() });
const textDelta = z.looseObject({ text: z.string() });
const thinkingDelta = z.looseObject({ thinking: z.string() });
const signatureDelta = z.looseObject({ signature: z.string() });
const jsonDelta = z.looseObject({ partial_json: z.string() });

type Block = { kind: 'text' } | { kind: 'thinking' } | { kind: 'tool'; toolIndex: number } | { kind: 'other' };

export function createAnthropicStreamDecoder(): StreamDecoder {
  const blocks = new Map<number, Block>();
  let toolCount = 0;
  let counters = zeroCounters();
  let started = false;
  let finished = false;
  let stopped = false;
  let failed = false;

  const read = <T>(schema: z.ZodType<T>, data: string, what: string): T => parseUpstream(schema, parseJsonData(data, what), what);
  const usage = (): StreamEvent => ({ type: 'usage', usage: toCanonicalUsage(counters) });

  function blockStart(data: string): StreamEvent[] {
    const { index, content_block: block } = read(blockStartSchema, data, 'content_block_start');
    const what = 'content_block_start';
    switch (block.type) {
      case 'text': {
        blocks.set(index, { kind: 'text' });
        const text = parseUpstream(textStart, block, what).text;
        return text ? [{ type: 'text_delta', choice: 0, text }] : [];
      }
      case 'thinking': {
        blocks.set(index, { kind: 'thinking' });
        const t = parseUpstream(thinkingStart, block, what);
        const out: StreamEvent[] = [];
        if (t.thinking) out.push({ type: 'reasoning_delta', choice: 0, text: t.thinking });
        if (t.signature) out.push({ type: 'reasoning_signature', choice: 0, signature: t.signature });
        return out;
      }
      case 'redacted_thinking':
        blocks.set(index, { kind: 'other' });
        return [{ type: 'redacted_reasoning', choice: 0, data: parseUpstream(redactedStart, block, what).data }];
      case 'tool_use': {
        const t = parseUpstream(toolStart, block, what);
        const toolIndex = toolCount++;
        blocks.set(index, { kind: 'tool', toolIndex });
        const out: StreamEvent[] = [{ type: 'tool_call_start', choice: 0, index: toolIndex, id: t.id, name: t.name }];
        // The API starts tool_use with `input: {}` and streams the JSON as deltas; an input given
        // up front (never seen, but allowed by the type) is passed on as the first fragment.
        const initial = t.input !== undefined && t.input !== null ? JSON.stringify(t.input) : '{}';
        if (initial !== '{}') out.push({ type: 'tool_call_delta', choice: 0, index: toolIndex, argumentsDelta: initial });
        return out;
      }
      default:
        // Server tool blocks and newer block types: nothing canonical clients could use.
        blocks.set(index, { kind: 'other' });
        return [];
    }
  }

  function blockDelta(data: string): StreamEvent[] {
    const { index, delta } = read(blockDeltaSchema, data, 'content_block_delta');
    const block = blocks.get(index);
    if (!block)
      throw new UpstreamProtocolError('anthropic', 'unreadable content_block_delta from anthropic: delta for a block that never started');
    const what = 'content_block_delta';
    switch (delta.type) {
      case 'text_delta':
        return block.kind === 'text' ? [{ type: 'text_delta', choice: 0, text: parseUpstream(textDelta, delta, what).text }] : [];
      case 'thinking_delta':
        return block.kind === 'thinking'
          ? [{ type: 'reasoning_delta', choice: 0, text: parseUpstream(thinkingDelta, delta, what).thinking }]
          : [];
      case 'signature_delta':
        return block.kind === 'thinking'
          ? [{ type: 'reasoning_signature', choice: 0, signature: parseUpstream(signatureDelta, delta, what).signature }]
          : [];
      case 'input_json_delta': {
        if (block.kind !== 'tool') return []; // server_tool_use input: not a client tool call
        const fragment = parseUpstream(jsonDelta, delta, what).partial_json;
        return fragment === '' ? [] : [{ type: 'tool_call_delta', choice: 0, index: block.toolIndex, argumentsDelta: fragment }];
      }
      default:
        return []; // citations_delta and newer delta types
    }
  }

  function messageDelta(data: string): StreamEvent[] {
    const event = read(messageDeltaSchema, data, 'message_delta');
    if (event.usage) counters = applyUsage(counters, event.usage);
    const out: StreamEvent[] = [];
    if (!finished && event.delta.stop_reason) {
      finished = true;
      out.push({
        type: 'finish',
        choice: 0,
        ...decodeStopReason(event.delta.stop_reason),
        stopSequence: event.delta.stop_sequence ?? null,
      });
    }
    out.push(usage());
    return out;
  }

  return {
    push(event: SseEvent): StreamEvent[] {
      if (stopped || failed) return [];
      // Anthropic names every event; the name and the payload's `type` agree, the name is read.
      switch (event.event) {
        case 'message_start': {
          const { message } = read(messageStartSchema, event.data, 'message_start');
          if (started) throw new UpstreamProtocolError('anthropic', 'unreadable stream from anthropic: a second message_start');
          started = true;
          if (message.usage) counters = applyUsage(counters, message.usage);
          return [{ type: 'start', id: message.id, model: message.model, created: Math.floor(Date.now() / 1000) }, usage()];
        }
        case 'content_block_start':
          return blockStart(event.data);
        case 'content_block_delta':
          return blockDelta(event.data);
        case 'message_delta':
          return messageDelta(event.data);
        case 'message_stop':
          stopped = true;
          return [];
        case 'error': {
          failed = true;
          const body = errorSchema.safeParse(safeJson(event.data));
          const error = body.success ? body.data.error : undefined;
          const message = error?.message ? safeUpstreamMessage(error.message) : '';
          return [{ type: 'error', code: error?.type ?? 'api_error', message: message || 'anthropic reported a stream error' }];
        }
        default:
          return []; // ping, content_block_stop, and event types added later
      }
    },
    end(): StreamEvent[] {
      if (stopped || failed) return [];
      failed = true;
      return [{ type: 'error', code: 'upstream_stream_cut', message: 'the anthropic stream ended before message_stop' }];
    },
  };
}

function safeJson(data: string): unknown {
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return undefined;
  }
}
