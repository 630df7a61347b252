/**
 * Canonical stream → Responses API event stream.
 *
 * The Responses stream is a sequence of output items, each opened (`output_item.added`), filled
 * (deltas) and closed (`output_item.done`), with a `sequence_number` on every event. Canonical
 * events only say what kind of content comes next, so this encoder decides item boundaries:
 *
 * - reasoning, text and refusal go to the open item of their kind; content of another kind closes
 *   every open item and starts a new one, so text after a tool call becomes a new message item at a
 *   later output_index rather than being appended to an item the client considers finished;
 * - a reasoning signature ends its reasoning block (Anthropic sends it last), so the next reasoning
 *   text starts a new reasoning item;
 * - function calls stay open alongside each other (providers may interleave the arguments of
 *   parallel calls by index) and close when other content starts or the answer finishes.
 *
 * Anything the Responses stream cannot express (arguments for a call that was already closed or
 * never started, content after the finish) ends the stream as failed rather than producing an
 * answer that differs from what the provider said.
 */
import type { FinishReason, StreamEvent, Usage } from '../../canonical/types.js';
import { formatSse } from '../../../providers/sse.js';
import type { RenderContext, StreamEncoder } from '../types.js';
import { responseIds } from './ids.js';
import { buildResponse, envelope, outcomeOf, outputText, reasoningItem, toSeconds, wireUsage, type Envelope } from './response.js';
import { errorEvent, responseErrorCode } from './stream-errors.js';
import type { ItemStatus, WireContentPart, WireOutputItem, WireStreamEventBody } from './wire.js';

type ReasoningState = {
  kind: 'reasoning';
  index: number;
  id: string;
  text: string;
  summaryOpen: boolean;
  signature?: string;
  redacted?: string;
  done: boolean;
};
type MessageState = {
  kind: 'message';
  index: number;
  id: string;
  /** Finished parts; `current` is the one receiving deltas (content_index = parts.length). */
  parts: WireContentPart[];
  current?: { type: 'output_text' | 'refusal'; text: string };
  status: ItemStatus;
  done: boolean;
};
type CallState = {
  kind: 'function_call';
  index: number;
  id: string;
  callId: string;
  name: string;
  args: string;
  status: ItemStatus;
  done: boolean;
};
type ItemState = ReasoningState | MessageState | CallState;

const PROTOCOL_ERROR = 'upstream_protocol_error';

export function createStreamEncoder(context: RenderContext): StreamEncoder {
  const ids = responseIds(context.requestId);
  const items: ItemState[] = [];
  /** Canonical tool-call index → its item. */
  const calls = new Map<number, CallState>();
  let sequence = 0;
  let env: Envelope | undefined;
  let finish: FinishReason | undefined;
  let usage: Usage | undefined;
  let terminated = false;

  const emit = (out: string[], body: WireStreamEventBody) => {
    out.push(formatSse(JSON.stringify({ ...body, sequence_number: sequence++ }), body.type));
  };

  /** response.created + response.in_progress, once, before anything else. */
  const begin = (out: string[], start?: Extract<StreamEvent, { type: 'start' }>): Envelope => {
    if (env) return env;
    const created = start ? toSeconds(start.created) : Math.floor(Date.now() / 1000);
    env = envelope(context, ids.response, created, start?.model || context.requestedModel);
    const response = buildResponse(env, { status: 'in_progress' }, []);
    emit(out, { type: 'response.created', response });
    emit(out, { type: 'response.in_progress', response });
    return env;
  };

  const wireItem = (item: ItemState): WireOutputItem => {
    switch (item.kind) {
      case 'reasoning':
        return reasoningItem(
          item.id,
          item.redacted !== undefined
            ? { type: 'redacted_thinking', data: item.redacted }
            : { type: 'thinking', text: item.text, ...(item.signature !== undefined ? { signature: item.signature } : {}) },
        );
      case 'message': {
        const content = item.current ? [...item.parts, part(item.current)] : item.parts;
        return { id: item.id, type: 'message', role: 'assistant', status: item.status, content };
      }
      case 'function_call':
        return { id: item.id, type: 'function_call', status: item.status, call_id: item.callId, name: item.name, arguments: item.args };
    }
  };

  const closePart = (out: string[], message: MessageState) => {
    const current = message.current;
    if (!current) return;
    const ref = { item_id: message.id, output_index: message.index, content_index: message.parts.length };
    if (current.type === 'output_text') emit(out, { type: 'response.output_text.done', ...ref, text: current.text, logprobs: [] });
    else emit(out, { type: 'response.refusal.done', ...ref, refusal: current.text });
    emit(out, { type: 'response.content_part.done', ...ref, part: part(current) });
    message.parts.push(part(current));
    message.current = undefined;
  };

  const closeItem = (out: string[], item: ItemState, status: ItemStatus) => {
    const ref = { item_id: item.id, output_index: item.index };
    if (item.kind === 'reasoning' && item.summaryOpen) {
      const summaryPart = { type: 'summary_text' as const, text: item.text };
      emit(out, { type: 'response.reasoning_summary_text.done', ...ref, summary_index: 0, text: item.text });
      emit(out, { type: 'response.reasoning_summary_part.done', ...ref, summary_index: 0, part: summaryPart });
    } else if (item.kind === 'message') {
      closePart(out, item);
      item.status = status;
    } else if (item.kind === 'function_call') {
      emit(out, { type: 'response.function_call_arguments.done', ...ref, name: item.name, arguments: item.args });
      item.status = status;
    }
    item.done = true;
    emit(out, { type: 'response.output_item.done', output_index: item.index, item: wireItem(item) });
  };

  const closeOpen = (out: string[], options: { keepCalls: boolean; status: ItemStatus }) => {
    for (const item of items) {
      if (item.done || (options.keepCalls && item.kind === 'function_call')) continue;
      closeItem(out, item, options.status);
    }
  };

  /** The open reasoning or message item, if any (opening one closes the other, so there is at most one). */
  const openContent = (): ReasoningState | MessageState | undefined =>
    items.findLast((item): item is ReasoningState | MessageState => !item.done && item.kind !== 'function_call');

  const openReasoning = (out: string[]): ReasoningState => {
    const open = openContent();
    if (open?.kind === 'reasoning') return open;
    closeOpen(out, { keepCalls: false, status: 'completed' });
    const index = items.length;
    const item: ReasoningState = { kind: 'reasoning', index, id: ids.item('rs', index), text: '', summaryOpen: false, done: false };
    items.push(item);
    emit(out, { type: 'response.output_item.added', output_index: index, item: { id: item.id, type: 'reasoning', summary: [] } });
    return item;
  };

  const openMessagePart = (
    out: string[],
    type: 'output_text' | 'refusal',
  ): MessageState & { current: { type: typeof type; text: string } } => {
    let message = openContent();
    if (message?.kind !== 'message') {
      closeOpen(out, { keepCalls: false, status: 'completed' });
      const index = items.length;
      message = { kind: 'message', index, id: ids.item('msg', index), parts: [], status: 'in_progress', done: false };
      items.push(message);
      emit(out, { type: 'response.output_item.added', output_index: index, item: wireItem(message) });
    }
    if (message.current?.type !== type) {
      closePart(out, message);
      message.current = { type, text: '' };
      const ref = { item_id: message.id, output_index: message.index, content_index: message.parts.length };
      emit(out, { type: 'response.content_part.added', ...ref, part: part(message.current) });
    }
    return message as MessageState & { current: { type: typeof type; text: string } };
  };

  /** Ends the stream as failed: response.failed, then the error event (see stream-errors.ts). */
  const fail = (out: string[], code: string, message: string) => {
    const current = begin(out);
    for (const item of items) if (!item.done && item.kind !== 'reasoning') item.status = 'incomplete';
    const response = buildResponse(
      current,
      { status: 'failed', code: responseErrorCode(code), message },
      items.map(wireItem),
      usage && wireUsage(usage),
    );
    emit(out, { type: 'response.failed', response });
    emit(out, errorEvent(code, message));
    terminated = true;
  };

  const contentAfterFinish = (out: string[]): boolean => {
    if (finish === undefined) return false;
    fail(out, PROTOCOL_ERROR, 'The provider sent content after the end of its answer.');
    return true;
  };

  const handle = (out: string[], event: StreamEvent) => {
    switch (event.type) {
      case 'start':
        begin(out, event);
        return;
      case 'usage':
        usage = event.usage;
        return;
      case 'error':
        fail(out, event.code, event.message);
        return;
    }
    begin(out);
    // The Responses API has no `n`; only the first choice exists.
    if (event.choice !== 0) return;
    switch (event.type) {
      case 'text_delta':
      case 'refusal_delta': {
        if (event.text === '' || contentAfterFinish(out)) return;
        const message = openMessagePart(out, event.type === 'text_delta' ? 'output_text' : 'refusal');
        message.current.text += event.text;
        const ref = { item_id: message.id, output_index: message.index, content_index: message.parts.length, delta: event.text };
        if (event.type === 'text_delta') emit(out, { type: 'response.output_text.delta', ...ref, logprobs: [] });
        else emit(out, { type: 'response.refusal.delta', ...ref });
        return;
      }
      case 'reasoning_delta': {
        if (event.text === '' || contentAfterFinish(out)) return;
        const item = openReasoning(out);
        const ref = { item_id: item.id, output_index: item.index, summary_index: 0 };
        if (!item.summaryOpen) {
          item.summaryOpen = true;
          emit(out, { type: 'response.reasoning_summary_part.added', ...ref, part: { type: 'summary_text', text: '' } });
        }
        item.text += event.text;
        emit(out, { type: 'response.reasoning_summary_text.delta', ...ref, delta: event.text });
        return;
      }
      case 'reasoning_signature': {
        if (contentAfterFinish(out)) return;
        // The signature closes its thinking block; a block may have no visible text at all.
        const item = openReasoning(out);
        item.signature = event.signature;
        closeItem(out, item, 'completed');
        return;
      }
      case 'redacted_reasoning': {
        if (contentAfterFinish(out)) return;
        closeOpen(out, { keepCalls: false, status: 'completed' });
        const item = openReasoning(out);
        item.redacted = event.data;
        closeItem(out, item, 'completed');
        return;
      }
      case 'tool_call_start': {
        if (contentAfterFinish(out)) return;
        if (calls.has(event.index)) return fail(out, PROTOCOL_ERROR, 'The provider started the same tool call twice.');
        closeOpen(out, { keepCalls: true, status: 'completed' });
        const index = items.length;
        const call: CallState = {
          kind: 'function_call',
          index,
          id: ids.item('fc', index),
          callId: event.id || ids.fallbackCallId(index),
          name: event.name,
          args: '',
          status: 'in_progress',
          done: false,
        };
        items.push(call);
        calls.set(event.index, call);
        emit(out, { type: 'response.output_item.added', output_index: index, item: wireItem(call) });
        return;
      }
      case 'tool_call_delta': {
        if (event.argumentsDelta === '' || contentAfterFinish(out)) return;
        const call = calls.get(event.index);
        if (!call || call.done) return fail(out, PROTOCOL_ERROR, 'The provider sent tool call arguments out of order.');
        call.args += event.argumentsDelta;
        emit(out, {
          type: 'response.function_call_arguments.delta',
          item_id: call.id,
          output_index: call.index,
          delta: event.argumentsDelta,
        });
        return;
      }
      case 'finish': {
        if (finish !== undefined) return;
        finish = event.finishReason;
        const status = outcomeOf(finish).status === 'incomplete' ? 'incomplete' : 'completed';
        closeOpen(out, { keepCalls: false, status });
        return;
      }
    }
  };

  return {
    encode(event) {
      if (terminated) return [];
      const out: string[] = [];
      handle(out, event);
      return out;
    },
    end() {
      if (terminated) return [];
      const out: string[] = [];
      const current = begin(out);
      if (finish === undefined) {
        fail(out, 'stream_incomplete', 'The provider stream ended before the response was complete.');
        return out;
      }
      const outcome = outcomeOf(finish);
      const response = buildResponse(current, outcome, items.map(wireItem), usage && wireUsage(usage));
      if (outcome.status === 'failed') {
        emit(out, { type: 'response.failed', response });
        emit(out, errorEvent('server_error', outcome.message));
      } else {
        emit(out, { type: outcome.status === 'completed' ? 'response.completed' : 'response.incomplete', response });
      }
      terminated = true;
      return out;
    },
  };
}

function part(current: { type: 'output_text' | 'refusal'; text: string }): WireContentPart {
  return current.type === 'output_text' ? outputText(current.text) : { type: 'refusal', refusal: current.text };
}
