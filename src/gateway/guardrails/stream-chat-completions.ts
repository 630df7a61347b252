/**
 * Output guardrails over a streamed Chat Completions answer (see stream-rewriters.ts): each
 * choice's content, and each tool call's arguments (as JSON), through a carry-over guard. What a
 * call's guard still holds is released when the choice moves on to its next call or finishes:
 * added to that call's delta when the same chunk carries one (some servers send a whole call,
 * or its last piece, with the finish), else as one more chunk before it, so every call's
 * arguments arrive in order.
 */
import type { SseEvent } from '../../providers/sse.js';
import { encode, parseJson, streamTable, type AnswerStreamGuard, type StreamTextRewriter } from './stream-common.js';
import { isObject, type JsonObject } from './text-slots.js';

/** Adds `rest` to a tool-call delta's arguments. */
function appendArguments(call: JsonObject, rest: string): void {
  if (!isObject(call.function)) call.function = { arguments: rest };
  else call.function.arguments = (typeof call.function.arguments === 'string' ? call.function.arguments : '') + rest;
}

export function chatCompletionsRewriter(guard: AnswerStreamGuard): StreamTextRewriter {
  const texts = streamTable((location) => guard.textStream(location));
  const calls = streamTable((location) => guard.argumentsStream(location));
  /** The call each choice is writing, by choice index. */
  const currentCall = new Map<string, number>();
  let envelope: JsonObject = { object: 'chat.completion.chunk' };
  const chunk = (choice: JsonObject): SseEvent => ({ data: JSON.stringify({ ...envelope, choices: [choice] }) });
  const callChunk = (choice: string, call: number, rest: string) =>
    chunk({ index: Number(choice), delta: { tool_calls: [{ index: call, function: { arguments: rest } }] }, finish_reason: null });

  /** Ends the call a choice is writing: what its guard held, or '' (and the call's index). */
  const closeCall = (choice: string): { call: number; rest: string } | undefined => {
    const call = currentCall.get(choice);
    if (call === undefined) return undefined;
    currentCall.delete(choice);
    return { call, rest: calls.close(`${choice}:${call}`) };
  };
  const releaseCall = (choice: string): SseEvent[] => {
    const closed = closeCall(choice);
    return closed && closed.rest !== '' ? [callChunk(choice, closed.call, closed.rest)] : [];
  };
  const releaseText = (choice: string): SseEvent[] => {
    const rest = texts.close(choice);
    return rest === '' ? [] : [chunk({ index: Number(choice), delta: { content: rest }, finish_reason: null })];
  };
  const release = () => [...texts.open().flatMap(releaseText), ...[...currentCall.keys()].flatMap(releaseCall)];

  return {
    rewrite(event) {
      if (event.data === '[DONE]') return [...release(), event];
      const json = parseJson(event.data);
      if (!json) return [event];
      if (json.error !== undefined) return [...release(), event];
      if (!Array.isArray(json.choices)) return [event];
      envelope = { id: json.id, object: json.object, created: json.created, model: json.model };
      const before: SseEvent[] = [];
      for (const choice of json.choices) {
        if (!isObject(choice) || !isObject(choice.delta) || typeof choice.index !== 'number') continue;
        const key = String(choice.index);
        const delta = choice.delta;
        /** This chunk's latest delta of the call being written, where what its guard held goes to keep order. */
        let latest: JsonObject | undefined;
        const endCall = () => {
          const closed = closeCall(key);
          if (!closed || closed.rest === '') return;
          if (latest && latest.index === closed.call) appendArguments(latest, closed.rest);
          else before.push(callChunk(key, closed.call, closed.rest));
        };
        for (const call of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) {
          if (!isObject(call) || typeof call.index !== 'number') continue;
          // Calls stream one after another: a new index means the one before is complete.
          if (currentCall.get(key) !== call.index) endCall();
          currentCall.set(key, call.index);
          latest = call;
          if (!isObject(call.function) || typeof call.function.arguments !== 'string') continue;
          const location = `choices[${choice.index}].delta.tool_calls[${call.index}].function.arguments`;
          call.function.arguments = calls.push(`${key}:${call.index}`, location, call.function.arguments);
        }
        let text = typeof delta.content === 'string' ? texts.push(key, `choices[${choice.index}].delta.content`, delta.content) : '';
        if (choice.finish_reason !== null && choice.finish_reason !== undefined) {
          text += texts.close(key);
          endCall();
        }
        if (typeof delta.content === 'string' || text !== '') delta.content = text;
      }
      return [...before, encode(json, event.event)];
    },
    flush: release,
  };
}
