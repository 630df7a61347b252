/**
 * What the output rewriters of streamed answers share (stream-rewriters.ts): reading and writing
 * an SSE event's JSON, and a table of guarded streams keyed by part of the answer (a text part,
 * or a tool call's arguments, read as JSON: json-text.ts). Each holds back only its window.
 */
import type { SseEvent } from '../../providers/sse.js';
import type { GuardedTextStream, RequestGuard } from './request-guard.js';
import { isObject, type JsonObject } from './text-slots.js';

export type StreamTextRewriter = {
  /** One client SSE event → the events to send instead (itself, rewritten, or preceded by a release). */
  rewrite(event: SseEvent): SseEvent[];
  /** Releases everything still held (the stream ended without closing its parts). */
  flush(): SseEvent[];
};

/** The request's guard, as a streamed answer uses it. */
export type AnswerStreamGuard = Pick<RequestGuard, 'textStream' | 'argumentsStream' | 'reasoningStream' | 'judgeStreamedWhole'>;

export function parseJson(data: string): JsonObject | undefined {
  try {
    const value: unknown = JSON.parse(data);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export const encode = (json: JsonObject, event: string | undefined): SseEvent =>
  event === undefined ? { data: JSON.stringify(json) } : { event, data: JSON.stringify(json) };

/** Guarded streams by key, opened with `open` on first use; `close` ends one and returns what it held. */
export function streamTable(open: (location: string) => GuardedTextStream) {
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
