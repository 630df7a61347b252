/**
 * Output guardrails over a streamed answer, one rewriter per client format. Each reads the
 * client's own SSE events (whether the provider spoke that format natively or the gateway
 * translated), feeds every text delta through a carry-over guard per text part (a choice, a
 * content block, an output part), and sends on only what the guard has judged: a delta may go
 * out shorter (or empty) while the window is held, and what is held is released — as one more
 * delta in the format's own shape — when that part ends. Events that repeat the full text
 * (the Responses API's `*.done` and `response.completed`) are rewritten to the judged text, so
 * the client never sees the original there either.
 */
import type { SseEvent } from '../../providers/sse.js';
import type { ApiFormat } from '../../providers/types.js';
import type { GuardedTextStream } from './request-guard.js';
import { isObject, type JsonObject } from './text-slots.js';

export type StreamTextRewriter = {
  /** One client SSE event → the events to send instead (itself, rewritten, or preceded by a release). */
  rewrite(event: SseEvent): SseEvent[];
  /** Releases everything still held (the stream ended without closing its parts). */
  flush(): SseEvent[];
};

export type OpenTextStream = (location: string) => GuardedTextStream;

function parseJson(data: string): JsonObject | undefined {
  try {
    const value: unknown = JSON.parse(data);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

const encode = (json: JsonObject, event: string | undefined): SseEvent =>
  event === undefined ? { data: JSON.stringify(json) } : { event, data: JSON.stringify(json) };

/** Text streams by key, opened on first use; `close` ends one and returns what it held. */
function streamTable(open: OpenTextStream) {
  const streams = new Map<string, GuardedTextStream>();
  return {
    push(key: string, location: string, text: string): string {
      let stream = streams.get(key);
      if (!stream) streams.set(key, (stream = open(location)));
      return stream.push(text);
    },
    close(key: string): string {
      const stream = streams.get(key);
      if (!stream) return '';
      streams.delete(key);
      return stream.end();
    },
    open: () => [...streams.keys()],
  };
}

function chatCompletionsRewriter(open: OpenTextStream): StreamTextRewriter {
  const table = streamTable(open);
  let envelope: JsonObject = { object: 'chat.completion.chunk' };
  const release = (): SseEvent[] =>
    table.open().flatMap((key) => {
      const rest = table.close(key);
      const choice = { index: Number(key), delta: { content: rest }, finish_reason: null };
      return rest === '' ? [] : [{ data: JSON.stringify({ ...envelope, choices: [choice] }) }];
    });
  return {
    rewrite(event) {
      if (event.data === '[DONE]') return [...release(), event];
      const json = parseJson(event.data);
      if (!json) return [event];
      if (json.error !== undefined) return [...release(), event];
      if (!Array.isArray(json.choices)) return [event];
      envelope = { id: json.id, object: json.object, created: json.created, model: json.model };
      for (const choice of json.choices) {
        if (!isObject(choice) || !isObject(choice.delta) || typeof choice.index !== 'number') continue;
        const key = String(choice.index);
        const location = `choices[${choice.index}].delta.content`;
        const delta = choice.delta;
        let text = typeof delta.content === 'string' ? table.push(key, location, delta.content) : '';
        if (choice.finish_reason !== null && choice.finish_reason !== undefined) text += table.close(key);
        if (typeof delta.content === 'string' || text !== '') delta.content = text;
      }
      return [encode(json, event.event)];
    },
    flush: release,
  };
}

function anthropicMessagesRewriter(open: OpenTextStream): StreamTextRewriter {
  const table = streamTable(open);
  const releaseOne = (key: string): SseEvent[] => {
    const rest = table.close(key);
    const data = { type: 'content_block_delta', index: Number(key), delta: { type: 'text_delta', text: rest } };
    return rest === '' ? [] : [{ event: 'content_block_delta', data: JSON.stringify(data) }];
  };
  const release = () => table.open().flatMap(releaseOne);
  return {
    rewrite(event) {
      const json = parseJson(event.data);
      if (!json) return [event];
      const index = typeof json.index === 'number' ? String(json.index) : undefined;
      if (json.type === 'content_block_delta' && index !== undefined && isObject(json.delta) && json.delta.type === 'text_delta') {
        if (typeof json.delta.text !== 'string') return [event];
        json.delta.text = table.push(index, `content[${index}].text`, json.delta.text);
        return [encode(json, event.event)];
      }
      if (json.type === 'content_block_stop' && index !== undefined) return [...releaseOne(index), event];
      if (json.type === 'message_delta' || json.type === 'message_stop' || json.type === 'error') return [...release(), event];
      return [event];
    },
    flush: release,
  };
}

type ResponsesPart = { itemId: string; outputIndex: unknown; contentIndex: number; sent: string };

function responsesRewriter(open: OpenTextStream): StreamTextRewriter {
  const table = streamTable(open);
  const parts = new Map<string, ResponsesPart>();
  /** Events added before the current one: later sequence numbers move up by as many. */
  let shift = 0;
  const keyOf = (itemId: unknown, contentIndex: unknown) => `${String(itemId)}:${String(contentIndex)}`;

  const releaseDelta = (key: string, sequence: number | undefined): SseEvent[] => {
    const part = parts.get(key);
    const rest = table.close(key);
    if (!part || rest === '') return [];
    part.sent += rest;
    const data: JsonObject = {
      type: 'response.output_text.delta',
      item_id: part.itemId,
      output_index: part.outputIndex,
      content_index: part.contentIndex,
      delta: rest,
      logprobs: [],
    };
    if (sequence !== undefined) {
      data.sequence_number = sequence + shift;
      shift += 1;
    }
    return [{ event: 'response.output_text.delta', data: JSON.stringify(data) }];
  };

  /** An output item (from `.done` or the final response) with each text part as the client got it. */
  const rewriteItem = (item: unknown) => {
    if (!isObject(item) || !Array.isArray(item.content)) return;
    item.content.forEach((part, m) => {
      const sent = parts.get(keyOf(item.id, m));
      if (isObject(part) && part.type === 'output_text' && sent) part.text = sent.sent;
    });
  };

  return {
    rewrite(event) {
      const json = parseJson(event.data);
      if (!json) return [event];
      const sequence = typeof json.sequence_number === 'number' ? json.sequence_number : undefined;
      const before: SseEvent[] = [];
      switch (json.type) {
        case 'response.output_text.delta': {
          if (typeof json.delta !== 'string' || typeof json.content_index !== 'number') break;
          const key = keyOf(json.item_id, json.content_index);
          let part = parts.get(key);
          if (!part) {
            part = { itemId: String(json.item_id), outputIndex: json.output_index, contentIndex: json.content_index, sent: '' };
            parts.set(key, part);
          }
          const judged = table.push(key, `output[${String(json.output_index)}].content[${json.content_index}].text`, json.delta);
          json.delta = judged;
          part.sent += judged;
          break;
        }
        case 'response.output_text.done': {
          const key = keyOf(json.item_id, json.content_index);
          before.push(...releaseDelta(key, sequence));
          const part = parts.get(key);
          if (part) json.text = part.sent;
          break;
        }
        case 'response.content_part.done': {
          const part = parts.get(keyOf(json.item_id, json.content_index));
          if (part && isObject(json.part) && json.part.type === 'output_text') json.part.text = part.sent;
          break;
        }
        case 'response.output_item.done':
          rewriteItem(json.item);
          break;
        case 'response.completed':
        case 'response.incomplete':
        case 'response.failed':
        case 'error':
          for (const key of table.open()) before.push(...releaseDelta(key, sequence));
          if (isObject(json.response) && Array.isArray(json.response.output)) json.response.output.forEach(rewriteItem);
          break;
      }
      if (sequence !== undefined) json.sequence_number = sequence + shift;
      return [...before, encode(json, event.event)];
    },
    flush: () => table.open().flatMap((key) => releaseDelta(key, undefined)),
  };
}

export function streamTextRewriter(format: ApiFormat, open: OpenTextStream): StreamTextRewriter {
  switch (format) {
    case 'openai-chat':
      return chatCompletionsRewriter(open);
    case 'anthropic-messages':
      return anthropicMessagesRewriter(open);
    case 'openai-responses':
      return responsesRewriter(open);
  }
}
