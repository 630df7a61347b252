/**
 * Canonical stream events → the Messages API event sequence:
 *   message_start, ping, (content_block_start, content_block_delta*, content_block_stop)*, message_delta, message_stop
 * Blocks are strictly sequential with indices from 0, as the API emits them: a new block closes
 * the open one. Usage: message_start carries whatever usage is known when the answer starts (often
 * nothing: OpenAI-style upstreams report usage only at the end), so message_delta restates the
 * final input_tokens and cache counters alongside output_tokens — the current API does the same,
 * and the SDKs' accumulators take them from there.
 */
import type { FinishReason, StreamEvent, Usage } from '../../canonical/types.js';
import { formatSse } from '../../../providers/sse.js';
import type { RenderContext, StreamEncoder } from '../types.js';
import { anthropicStreamErrorFrames } from './errors.js';
import { messageId } from './ids.js';
import { refusalDetails } from './render.js';
import { encodeStopReason } from './stop-reason.js';
import { anthropicUsage } from './usage.js';
import { appendAll } from '../../../append-all.js';

type OpenBlock = { kind: 'text' | 'thinking' | 'tool'; index: number; toolIndex?: number };
type Finish = { finishReason: FinishReason; providerFinishReason?: string; stopSequence?: string | null };

const frame = (type: string, payload: Record<string, unknown>): string => formatSse(JSON.stringify({ type, ...payload }), type);

export function createAnthropicStreamEncoder(context: RenderContext): StreamEncoder {
  let started = false;
  let nextIndex = 0;
  let open: OpenBlock | undefined;
  const toolBlocks = new Map<number, number>(); // canonical tool index → block index
  let finish: Finish | undefined;
  let usage: Usage | undefined;
  let over = false;

  function start(out: string[], id: string, model: string): void {
    if (started) return;
    started = true;
    const known = usage ? anthropicUsage(usage) : { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
    out.push(
      frame('message_start', {
        message: {
          id: messageId(id, context.requestId),
          type: 'message',
          role: 'assistant',
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          stop_details: null,
          container: null,
          usage: { ...known, output_tokens: 0 },
        },
      }),
      // The API sends a ping right after message_start; clients written against real streams may
      // wait for (or at least expect) it, so a translated stream sends one too.
      frame('ping', {}),
    );
  }
  const ensureStarted = (out: string[]) => start(out, '', context.requestedModel);

  function close(out: string[]): void {
    if (!open) return;
    out.push(frame('content_block_stop', { index: open.index }));
    open = undefined;
  }

  function openBlock(out: string[], kind: OpenBlock['kind'], block: Record<string, unknown>, toolIndex?: number): OpenBlock {
    ensureStarted(out);
    close(out);
    const opened: OpenBlock = { kind, index: nextIndex++, ...(toolIndex !== undefined ? { toolIndex } : {}) };
    out.push(frame('content_block_start', { index: opened.index, content_block: block }));
    open = opened;
    return opened;
  }

  function fail(out: string[], message: string, code: string): string[] {
    over = true;
    appendAll(out, anthropicStreamErrorFrames(message, code));
    return out;
  }

  function text(out: string[], value: string): string[] {
    if (value === '') return out;
    const block = open?.kind === 'text' ? open : openBlock(out, 'text', { type: 'text', text: '' });
    out.push(frame('content_block_delta', { index: block.index, delta: { type: 'text_delta', text: value } }));
    return out;
  }

  function thinkingBlock(out: string[]): OpenBlock {
    return open?.kind === 'thinking' ? open : openBlock(out, 'thinking', { type: 'thinking', thinking: '', signature: '' });
  }

  function encode(event: StreamEvent): string[] {
    const out: string[] = [];
    if (over) return out;
    if ('choice' in event && event.choice !== 0) return out; // the Messages format has one choice
    switch (event.type) {
      case 'start':
        start(out, event.id, event.model);
        return out;
      case 'text_delta':
      case 'refusal_delta': // Anthropic has no separate refusal channel: a refusal is text
        return text(out, event.text);
      case 'reasoning_delta': {
        if (event.text === '') return out;
        const block = thinkingBlock(out);
        out.push(frame('content_block_delta', { index: block.index, delta: { type: 'thinking_delta', thinking: event.text } }));
        return out;
      }
      case 'reasoning_signature': {
        // The API sends the signature just before the thinking block stops; the block ends here.
        const block = thinkingBlock(out);
        out.push(frame('content_block_delta', { index: block.index, delta: { type: 'signature_delta', signature: event.signature } }));
        close(out);
        return out;
      }
      case 'redacted_reasoning':
        openBlock(out, 'thinking', { type: 'redacted_thinking', data: event.data });
        close(out);
        return out;
      case 'tool_call_start': {
        if (toolBlocks.has(event.index)) return out;
        const block = openBlock(out, 'tool', { type: 'tool_use', id: event.id, name: event.name, input: {} }, event.index);
        toolBlocks.set(event.index, block.index);
        return out;
      }
      case 'tool_call_delta': {
        if (event.argumentsDelta === '') return out;
        if (open?.kind !== 'tool' || open.toolIndex !== event.index) {
          // Arguments for a tool block that already stopped (or never started) cannot be placed in a
          // sequential Messages stream; failing beats handing the client truncated tool input.
          return fail(out, 'tool call arguments arrived out of order', 'stream_order_error');
        }
        out.push(
          frame('content_block_delta', { index: open.index, delta: { type: 'input_json_delta', partial_json: event.argumentsDelta } }),
        );
        return out;
      }
      case 'finish':
        finish = { finishReason: event.finishReason, providerFinishReason: event.providerFinishReason, stopSequence: event.stopSequence };
        return out;
      case 'usage':
        usage = event.usage;
        return out;
      case 'error':
        return fail(out, event.message, event.code);
    }
  }

  function end(): string[] {
    const out: string[] = [];
    if (over) return out;
    if (!finish) return fail(out, 'the upstream stream ended before the answer was complete', 'upstream_stream_cut');
    if (finish.finishReason === 'error') return fail(out, 'the upstream provider ended the answer with an error', 'upstream_error');
    over = true;
    ensureStarted(out);
    close(out);
    const stopReason = encodeStopReason(finish.finishReason, finish.providerFinishReason, finish.stopSequence);
    out.push(
      frame('message_delta', {
        delta: {
          stop_reason: stopReason,
          stop_sequence: finish.stopSequence ?? null,
          stop_details: refusalDetails(stopReason),
          container: null,
        },
        usage: usage ? anthropicUsage(usage) : { output_tokens: 0 },
      }),
    );
    out.push(frame('message_stop', {}));
    return out;
  }

  return { encode, end };
}
