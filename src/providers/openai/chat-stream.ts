/**
 * Chat Completions stream (`chat.completion.chunk` events) → canonical StreamEvents.
 */
import { z } from 'zod';
import type { StreamEvent } from '../../gateway/canonical/types.js';
import type { SseEvent } from '../sse.js';
import type { StreamDecoder } from '../types.js';
import { UpstreamProtocolError } from '../types.js';
import { argumentsText } from './chat-response.js';
import type { ChatDialect } from './dialect.js';
import { streamErrorEvent } from './errors.js';
import { mapFinishReason } from './finish-reason.js';
import { reasoningField, splitContent } from './reasoning-text.js';
import { chatUsage, chatUsageSchema } from './usage.js';
import { isRecord, parseJsonData, parseUpstream } from './wire.js';

const deltaToolCallSchema = z.object({
  index: z.number().int().min(0).nullish(),
  id: z.string().nullish(),
  type: z.string().nullish(),
  function: z
    .object({ name: z.string().nullish(), arguments: z.union([z.string(), z.record(z.string(), z.unknown())]).nullish() })
    .nullish(),
});

const deltaSchema = z.looseObject({
  content: z.unknown().optional(),
  refusal: z.string().nullish(),
  tool_calls: z.array(deltaToolCallSchema).nullish(),
});

const chunkSchema = z.object({
  id: z.string().nullish(),
  model: z.string().nullish(),
  created: z.number().nullish(),
  choices: z
    .array(z.object({ index: z.number().int().min(0).nullish(), delta: deltaSchema.nullish(), finish_reason: z.string().nullish() }))
    .nullish(),
  usage: chatUsageSchema.nullish(),
  /** Groq puts streamed usage here. */
  x_groq: z.object({ usage: chatUsageSchema.nullish() }).nullish(),
});

/** One tool call being assembled: providers may send the name after the id, or arguments early. */
type ToolSlot = { canonical: number; id: string | undefined; name: string | undefined; started: boolean; pendingArguments: string };
type ChoiceState = { slots: Map<number, ToolSlot>; nextIndex: number; finished: boolean };

export const STREAM_CUT_MESSAGE = 'The upstream stream ended before the answer was complete';

export function createChatStreamDecoder(dialect: ChatDialect): StreamDecoder {
  let started = false;
  let done = false;
  let failed = false;
  const choices = new Map<number, ChoiceState>();

  const choiceState = (index: number): ChoiceState => {
    let state = choices.get(index);
    if (!state) {
      state = { slots: new Map(), nextIndex: 0, finished: false };
      choices.set(index, state);
    }
    return state;
  };

  const toolCallDeltas = (choice: number, state: ChoiceState, calls: z.infer<typeof deltaToolCallSchema>[], out: StreamEvent[]) => {
    calls.forEach((call, position) => {
      const wireIndex = call.index ?? position;
      let slot = state.slots.get(wireIndex);
      // Some servers number every call 0; a new id at a used index is a new call.
      if (slot && call.id && slot.id && call.id !== slot.id) slot = undefined;
      if (!slot) {
        slot = { canonical: state.nextIndex++, id: undefined, name: undefined, started: false, pendingArguments: '' };
        state.slots.set(wireIndex, slot);
      }
      if (call.id && !slot.id) slot.id = call.id;
      if (call.function?.name && !slot.started) slot.name = call.function.name;
      const args = argumentsText(call.function?.arguments);
      if (!slot.started && slot.name) {
        slot.started = true;
        out.push({
          type: 'tool_call_start',
          choice,
          index: slot.canonical,
          id: slot.id ?? `call_${choice}_${slot.canonical}`,
          name: slot.name,
        });
        if (slot.pendingArguments)
          out.push({ type: 'tool_call_delta', choice, index: slot.canonical, argumentsDelta: slot.pendingArguments });
        slot.pendingArguments = '';
      }
      if (args) {
        if (slot.started) out.push({ type: 'tool_call_delta', choice, index: slot.canonical, argumentsDelta: args });
        else slot.pendingArguments += args;
      }
    });
  };

  return {
    push(event: SseEvent): StreamEvent[] {
      if (done || failed) return [];
      if (event.data.trim() === '[DONE]') {
        done = true;
        return [];
      }
      const json = parseJsonData(dialect.provider, event.data, 'stream chunk');
      if (isRecord(json) && json.error !== undefined) {
        failed = true;
        return [streamErrorEvent(json.error)];
      }
      const chunk = parseUpstream(dialect.provider, chunkSchema, json, 'stream chunk');
      const out: StreamEvent[] = [];
      // Azure opens with a prompt-filter chunk (no choices, empty id and model); the answer starts
      // with the first chunk that carries choices or usage.
      const usage = chunk.usage ?? chunk.x_groq?.usage;
      if (!started && ((chunk.choices?.length ?? 0) > 0 || usage)) {
        started = true;
        out.push({ type: 'start', id: chunk.id ?? '', model: chunk.model ?? '', created: chunk.created || Math.floor(Date.now() / 1000) });
      }
      (chunk.choices ?? []).forEach((wireChoice, position) => {
        const choice = wireChoice.index ?? position;
        const state = choiceState(choice);
        const delta = wireChoice.delta;
        if (delta) {
          const { text, reasoning: inlineReasoning } = splitContent(delta.content);
          const reasoning = reasoningField(delta, dialect) ?? inlineReasoning;
          if (reasoning) out.push({ type: 'reasoning_delta', choice, text: reasoning });
          if (text) out.push({ type: 'text_delta', choice, text });
          if (delta.refusal) out.push({ type: 'refusal_delta', choice, text: delta.refusal });
          if (delta.tool_calls) toolCallDeltas(choice, state, delta.tool_calls, out);
        }
        if (wireChoice.finish_reason != null && !state.finished) {
          for (const slot of state.slots.values()) {
            if (!slot.started) throw new UpstreamProtocolError(dialect.provider, `${dialect.provider} streamed a tool call without a name`);
          }
          state.finished = true;
          out.push({ type: 'finish', choice, ...mapFinishReason(wireChoice.finish_reason) });
        }
      });
      if (usage) out.push({ type: 'usage', usage: chatUsage(usage) });
      return out;
    },
    end(): StreamEvent[] {
      if (done || failed) return [];
      // Without [DONE], the stream still counts as complete when every choice it opened finished.
      const allFinished = choices.size > 0 && [...choices.values()].every((c) => c.finished);
      if (allFinished) return [];
      return [{ type: 'error', message: STREAM_CUT_MESSAGE, code: 'upstream_stream_cut' }];
    },
  };
}
