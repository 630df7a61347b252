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

export function chatPassthroughObserver(options: { clientWantsUsage: boolean }): PassthroughStreamObserver {
  let usage: Usage = emptyUsage();
  let model: string | undefined;
  let completed = false;
  return {
    observe(event: SseEvent) {
      if (event.data.trim() === '[DONE]') {
        completed = true;
        return { forward: true };
      }
      const chunk = parse(event.data);
      if (!chunk) return { forward: true };
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
    completed: () => completed,
    servedModel: () => model,
  };
}

const TERMINAL_RESPONSE_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed']);

export function responsesPassthroughObserver(): PassthroughStreamObserver {
  let usage: Usage = emptyUsage();
  let model: string | undefined;
  let completed = false;
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
      if (type !== undefined && TERMINAL_RESPONSE_EVENTS.has(type)) {
        completed = true;
        const parsed = isRecord(response?.usage) ? responsesUsageSchema.safeParse(response.usage) : undefined;
        if (parsed?.success) usage = responsesUsage(parsed.data);
      }
      return { forward: true };
    },
    usage: () => usage,
    completed: () => completed,
    servedModel: () => model,
  };
}
