/**
 * `streamGenerateContent?alt=sse` → canonical stream events. Each SSE event carries one partial
 * GenerateContentResponse: text and thought parts are deltas, function calls arrive whole (this adapter never
 * asks for streamed arguments), the candidate that ends carries `finishReason`, and `usageMetadata` is
 * cumulative (the last one wins). There is no terminal sentinel: a stream that closes before every candidate
 * has a finish reason was cut off. An `{ error }` event is Google reporting a failure mid-stream.
 */
import { randomUUID } from 'node:crypto';
import type { StreamEvent, Usage } from '../../gateway/canonical/types.js';
import type { SseEvent } from '../sse.js';
import { type StreamDecoder, UpstreamProtocolError } from '../types.js';
import { scrubSecrets } from './errors.js';
import { mapFinishReason } from './finish-reason.js';
import { readPart } from './parts.js';
import { toolCallScope } from './tool-call-ids.js';
import { toUsage } from './usage.js';
import { generateContentResponseSchema, googleErrorSchema, parseWire } from './wire-response.js';

type ChoiceState = { toolCalls: number; finished: boolean };

function parseEventData(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    throw new UpstreamProtocolError('gemini', 'gemini stream event is not JSON');
  }
}

export function chatStreamDecoder(): StreamDecoder {
  let started = false;
  let failed = false;
  let scope = '';
  const choices = new Map<number, ChoiceState>();
  let usage: Usage | undefined;
  let usagePending = false;

  const choiceState = (index: number): ChoiceState => {
    let state = choices.get(index);
    if (state === undefined) {
      state = { toolCalls: 0, finished: false };
      choices.set(index, state);
    }
    return state;
  };

  return {
    push(event: SseEvent): StreamEvent[] {
      if (failed || event.data.trim() === '') return [];
      const raw = parseEventData(event.data);
      const upstreamError = googleErrorSchema.safeParse(raw);
      if (upstreamError.success) {
        failed = true;
        const { message, status } = upstreamError.data.error;
        return [
          {
            type: 'error',
            message: message ? scrubSecrets(message).slice(0, 1000) : 'gemini reported an error mid-stream',
            code: status !== undefined && /^[A-Z_]{1,64}$/.test(status) ? status.toLowerCase() : 'upstream_error',
          },
        ];
      }
      const chunk = parseWire(generateContentResponseSchema, raw, 'stream event');
      const out: StreamEvent[] = [];
      if (!started) {
        started = true;
        scope = toolCallScope(chunk.responseId);
        out.push({
          type: 'start',
          id: chunk.responseId ?? `gemini-${randomUUID()}`,
          model: chunk.modelVersion ?? '',
          created: Math.floor(Date.now() / 1000),
        });
      }

      let finishedNow = false;
      const candidates = chunk.candidates ?? [];
      const blockReason = chunk.promptFeedback?.blockReason;
      if (candidates.length === 0 && blockReason !== undefined) {
        const state = choiceState(0);
        if (!state.finished) {
          state.finished = finishedNow = true;
          out.push({ type: 'finish', choice: 0, finishReason: 'content_filter', providerFinishReason: blockReason });
        }
      }
      candidates.forEach((candidate, position) => {
        const choice = candidate.index ?? position;
        const state = choiceState(choice);
        for (const part of candidate.content?.parts ?? []) {
          const meaning = readPart(part, { scope, choice, index: state.toolCalls });
          if (meaning === undefined) continue;
          if (meaning.kind === 'tool_call') {
            const index = state.toolCalls++;
            out.push({ type: 'tool_call_start', choice, index, id: meaning.id, name: meaning.name });
            out.push({ type: 'tool_call_delta', choice, index, argumentsDelta: meaning.arguments });
            continue;
          }
          if (meaning.text !== '')
            out.push({ type: meaning.kind === 'reasoning' ? 'reasoning_delta' : 'text_delta', choice, text: meaning.text });
          if (meaning.signature) out.push({ type: 'reasoning_signature', choice, signature: meaning.signature });
        }
        if (candidate.finishReason !== undefined && !state.finished) {
          state.finished = finishedNow = true;
          out.push({ type: 'finish', choice, ...mapFinishReason(candidate.finishReason, state.toolCalls > 0) });
        }
      });

      if (chunk.usageMetadata !== undefined) {
        usage = toUsage(chunk.usageMetadata);
        usagePending = true;
      }
      // Usage rides on the final chunk next to the finish reason; send it then rather than on every chunk.
      if (finishedNow && usagePending && usage !== undefined) {
        out.push({ type: 'usage', usage });
        usagePending = false;
      }
      return out;
    },

    end(): StreamEvent[] {
      const out: StreamEvent[] = [];
      if (usagePending && usage !== undefined) {
        out.push({ type: 'usage', usage });
        usagePending = false;
      }
      if (failed) return out;
      const complete = choices.size > 0 && [...choices.values()].every((state) => state.finished);
      if (!complete) {
        failed = true;
        out.push({
          type: 'error',
          code: 'upstream_stream_cut',
          message: started ? 'the gemini stream ended before a finish reason' : 'the gemini stream ended without a response',
        });
      }
      return out;
    },
  };
}
