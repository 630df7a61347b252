/**
 * Observers for passed-through OpenAI-family streams: they read usage and the served model for
 * billing and decide whether each event reaches the client, but never change an event. A chunk
 * they cannot read is forwarded untouched (the client talks to this API natively and may know
 * better); only the gateway's own bookkeeping misses it.
 */
import type { Usage } from '../../gateway/canonical/types.js';
import { emptyUsage } from '../../gateway/canonical/types.js';
import type { SseEvent } from '../sse.js';
import type { PassthroughStreamObserver } from '../types.js';
import { chatUsage, chatUsageSchema, responsesUsage, responsesUsageSchema } from './usage.js';
import { isRecord } from './wire.js';

function parse(data: string): Record<string, unknown> | undefined {
  try {
    const json: unknown = JSON.parse(data);
    return isRecord(json) ? json : undefined;
  } catch {
    return undefined;
  }
}

/** An in-band error object as OpenAI-compatible servers (OpenAI, vLLM) send it inside a stream. */
function inBandError(value: unknown): { message: string; code: string } {
  const error = isRecord(value) ? value : {};
  return {
    message: typeof error.message === 'string' ? error.message.slice(0, 500) : 'The provider reported an error in the stream.',
    code: typeof error.code === 'string' ? error.code : 'upstream_stream_error',
  };
}

export function chatPassthroughObserver(options: { clientWantsUsage: boolean }): PassthroughStreamObserver {
  let usage: Usage = emptyUsage();
  let model: string | undefined;
  let completed = false;
  let failure: { message: string; code: string } | undefined;
  return {
    observe(event: SseEvent) {
      if (event.data.trim() === '[DONE]') {
        completed = true;
        return { forward: true };
      }
      const chunk = parse(event.data);
      if (!chunk) return { forward: true };
      if (chunk.error !== undefined) failure ??= inBandError(chunk.error);
      if (model === undefined && typeof chunk.model === 'string' && chunk.model) model = chunk.model;
      const wireUsage = chunk.usage ?? (isRecord(chunk.x_groq) ? chunk.x_groq.usage : undefined);
      const parsed = isRecord(wireUsage) ? chatUsageSchema.safeParse(wireUsage) : undefined;
      if (parsed?.success) usage = chatUsage(parsed.data);
      // The usage-only chunk exists because the gateway forced include_usage; a client that did not
      // ask for it must not see a chunk with `choices: []` its code may not expect.
      const usageOnly = Array.isArray(chunk.choices) && chunk.choices.length === 0 && isRecord(chunk.usage);
      return { forward: !(usageOnly && !options.clientWantsUsage) };
    },
    usage: () => usage,
    completed: () => completed && failure === undefined,
    servedModel: () => model,
    failure: () => failure,
  };
}

const TERMINAL_RESPONSE_EVENTS = new Set(['response.completed', 'response.incomplete']);
const FAILED_RESPONSE_EVENTS = new Set(['response.failed', 'error']);

export function responsesPassthroughObserver(): PassthroughStreamObserver {
  let usage: Usage = emptyUsage();
  let model: string | undefined;
  let completed = false;
  let failure: { message: string; code: string } | undefined;
  return {
    observe(event: SseEvent) {
      if (event.data.trim() === '[DONE]') {
        completed = true;
        return { forward: true };
      }
      const payload = parse(event.data);
      if (!payload) return { forward: true };
      const type = typeof payload.type === 'string' ? payload.type : event.event;
      const response = isRecord(payload.response) ? payload.response : undefined;
      if (response && typeof response.model === 'string' && response.model) model = response.model;
      const terminal = type !== undefined && (TERMINAL_RESPONSE_EVENTS.has(type) || FAILED_RESPONSE_EVENTS.has(type));
      if (terminal) {
        const parsed = isRecord(response?.usage) ? responsesUsageSchema.safeParse(response.usage) : undefined;
        if (parsed?.success) usage = responsesUsage(parsed.data);
      }
      if (type !== undefined && FAILED_RESPONSE_EVENTS.has(type)) failure ??= inBandError(payload.error ?? response?.error ?? payload);
      else if (terminal) completed = true;
      return { forward: true };
    },
    usage: () => usage,
    completed: () => completed && failure === undefined,
    servedModel: () => model,
    failure: () => failure,
  };
}
