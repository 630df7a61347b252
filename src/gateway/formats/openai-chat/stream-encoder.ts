/**
 * Canonical StreamEvents → `chat.completion.chunk` SSE frames, in the order OpenAI sends them:
 * a first delta with the role, content / tool call deltas (a tool call's first delta carries
 * index, id, type and name with empty arguments, later ones argument fragments), a finish chunk
 * per choice, then — only when the client set include_usage — a usage chunk with `choices: []`,
 * then `data: [DONE]`. A failed or cut-off stream ends with an error frame instead, and no
 * [DONE], so the OpenAI SDK raises an APIError rather than returning a truncated answer.
 */
import type { StreamEvent, Usage } from '../../canonical/types.js';
import { formatSse, SSE_DONE } from '../../../providers/sse.js';
import type { RenderContext, StreamEncoder } from '../types.js';
import { completionId, wireFinishReason, wireUsage } from './render.js';

export const STREAM_CUT = { message: 'The upstream stream ended before the answer was complete', code: 'upstream_stream_cut' };

/** `data: {"error": …}`: the OpenAI SDK's Stream turns an `error` member into an APIError. */
export function chatStreamErrorFrames(message: string, code: string): string[] {
  return [formatSse(JSON.stringify({ error: { message, type: 'api_error', code } }))];
}

/** The client set stream_options.include_usage (read from its request body, as the format sees it). */
export function clientWantsUsage(context: RenderContext): boolean {
  const options = context.requestBody?.stream_options;
  return typeof options === 'object' && options !== null && (options as Record<string, unknown>).include_usage === true;
}

export function createChatStreamEncoder(context: RenderContext): StreamEncoder {
  const id = completionId(context);
  const includeUsage = clientWantsUsage(context);
  let created = Math.floor(Date.now() / 1000);
  let model = context.requestedModel;
  let usage: Usage | undefined;
  let error: { message: string; code: string } | undefined;
  let ended = false;
  const opened = new Set<number>();
  const finished = new Set<number>();
  // Reasoning text of each choice's current thinking block, returned whole with its signature.
  const thinking = new Map<number, string>();

  const frame = (choices: unknown[], extra: Record<string, unknown> = {}): string =>
    formatSse(
      JSON.stringify({
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        choices,
        // With include_usage OpenAI puts `usage: null` on every chunk but the last.
        ...(includeUsage ? { usage: null } : {}),
        ...extra,
      }),
    );

  /** A delta for one choice; the choice's first delta also announces the role. */
  const delta = (choice: number, fields: Record<string, unknown>): string => {
    const first = !opened.has(choice);
    opened.add(choice);
    return frame([{ index: choice, delta: first ? { role: 'assistant', ...fields } : fields, logprobs: null, finish_reason: null }]);
  };

  return {
    encode(event: StreamEvent): string[] {
      if (ended || error) return [];
      switch (event.type) {
        case 'start':
          if (event.created > 0) created = event.created;
          if (event.model) model = event.model;
          // OpenAI opens with an empty content delta carrying the role.
          return [delta(0, { content: '' })];
        case 'text_delta':
          return [delta(event.choice, { content: event.text })];
        case 'reasoning_delta':
          thinking.set(event.choice, (thinking.get(event.choice) ?? '') + event.text);
          return [delta(event.choice, { reasoning_content: event.text })];
        case 'refusal_delta':
          return [delta(event.choice, { refusal: event.text })];
        case 'tool_call_start':
          return [
            delta(event.choice, {
              tool_calls: [{ index: event.index, id: event.id, type: 'function', function: { name: event.name, arguments: '' } }],
            }),
          ];
        case 'tool_call_delta':
          return [delta(event.choice, { tool_calls: [{ index: event.index, function: { arguments: event.argumentsDelta } }] })];
        case 'finish':
          if (event.finishReason === 'error') {
            error = STREAM_CUT;
            return [];
          }
          if (finished.has(event.choice)) return [];
          finished.add(event.choice);
          opened.add(event.choice);
          return [frame([{ index: event.choice, delta: {}, logprobs: null, finish_reason: wireFinishReason(event.finishReason) }])];
        case 'usage':
          usage = event.usage;
          return [];
        case 'error':
          error = { message: event.message, code: event.code };
          return [];
        // A signed block ends: the client gets it whole (text and signature) to append to the
        // `thinking_blocks` it replays on the assistant message of the next turn.
        case 'reasoning_signature': {
          const text = thinking.get(event.choice) ?? '';
          thinking.delete(event.choice);
          return [delta(event.choice, { thinking_blocks: [{ type: 'thinking', thinking: text, signature: event.signature }] })];
        }
        case 'redacted_reasoning':
          return [delta(event.choice, { thinking_blocks: [{ type: 'redacted_thinking', data: event.data }] })];
      }
    },
    end(): string[] {
      if (ended) return [];
      ended = true;
      const incomplete = finished.size === 0 || [...opened].some((choice) => !finished.has(choice));
      if (error || incomplete) {
        const failure = error ?? STREAM_CUT;
        return chatStreamErrorFrames(failure.message, failure.code);
      }
      const out: string[] = [];
      if (includeUsage && usage) out.push(frame([], { usage: wireUsage(usage) }));
      out.push(SSE_DONE);
      return out;
    },
  };
}
