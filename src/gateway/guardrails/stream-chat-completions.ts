/**
 * Output guardrails over a streamed Chat Completions answer (see stream-rewriters.ts): each
 * choice's content, each tool call's arguments (as JSON) and each custom tool call's input (free
 * text), through a carry-over guard. What a call's guard still holds is released when the choice
 * moves on to its next call or finishes: added to that call's delta when the same chunk carries
 * one (some servers send a whole call, or its last piece, with the finish), else as one more
 * chunk before it, so every call's arguments arrive in order.
 *
 * Reasoning deltas (`reasoning_content`, or `reasoning` on some servers) go through a guard that
 * judges and never changes (TextSlot.fixed); what it holds joins the choice's next delta that
 * carries anything else (its content, a call, the signed `thinking_blocks`, the finish). A signed
 * block repeats the reasoning streamed before it, which is not judged twice; one that arrives
 * with no reasoning before it is judged whole.
 */
import type { SseEvent } from '../../providers/sse.js';
import { encode, parseJson, streamTable, type AnswerStreamGuard, type StreamTextRewriter } from './stream-common.js';
import { isObject, type JsonObject } from './text-slots.js';

/** A function call's arguments are JSON; a custom tool call's input is free text. */
type CallKind = 'function' | 'custom';
const FIELD = { function: 'arguments', custom: 'input' } as const;
/** A call a choice has finished writing, and what its guard still held. */
type ClosedCall = { index: number; kind: CallKind; rest: string };

const REASONING_FIELDS = ['reasoning_content', 'reasoning'] as const;

/** Adds `rest` to a tool-call delta's arguments (or custom input). */
function appendArguments(call: JsonObject, kind: CallKind, rest: string): void {
  const holder = call[kind];
  if (!isObject(holder)) {
    call[kind] = { [FIELD[kind]]: rest };
    return;
  }
  const before = holder[FIELD[kind]];
  holder[FIELD[kind]] = (typeof before === 'string' ? before : '') + rest;
}

export function chatCompletionsRewriter(guard: AnswerStreamGuard): StreamTextRewriter {
  const texts = streamTable((location) => guard.textStream(location));
  const refusals = streamTable((location) => guard.textStream(location));
  const calls = {
    function: streamTable((location) => guard.argumentsStream(location)),
    custom: streamTable((location) => guard.textStream(location)),
  };
  const thoughts = streamTable((location) => guard.reasoningStream(location));
  /** Reasoning streamed since the choice's last signed block, as sent (a guard never changes it). */
  const streamedReasoning = new Map<string, string>();
  /** The call each choice is writing, by choice index. */
  const currentCall = new Map<string, { index: number; kind: CallKind }>();
  let envelope: JsonObject = { object: 'chat.completion.chunk' };
  const chunk = (choice: JsonObject): SseEvent => ({ data: JSON.stringify({ ...envelope, choices: [choice] }) });
  const callChunk = (choice: string, closed: ClosedCall) =>
    chunk({
      index: Number(choice),
      delta: { tool_calls: [{ index: closed.index, [closed.kind]: { [FIELD[closed.kind]]: closed.rest } }] },
      finish_reason: null,
    });

  /** Ends the call a choice is writing: what its guard held, or '' (and the call's index and kind). */
  const closeCall = (choice: string): ClosedCall | undefined => {
    const call = currentCall.get(choice);
    if (call === undefined) return undefined;
    currentCall.delete(choice);
    return { ...call, rest: calls[call.kind].close(`${choice}:${call.index}`) };
  };
  const releaseCall = (choice: string): SseEvent[] => {
    const closed = closeCall(choice);
    return closed && closed.rest !== '' ? [callChunk(choice, closed)] : [];
  };
  /** What a choice's content (or refusal) guard holds, as one more chunk. */
  const releaseField =
    (table: typeof texts, field: 'content' | 'refusal') =>
    (choice: string): SseEvent[] => {
      const rest = table.close(choice);
      return rest === '' ? [] : [chunk({ index: Number(choice), delta: { [field]: rest }, finish_reason: null })];
    };
  /** What the choice's reasoning guards hold, added to `delta`. */
  const closeReasoning = (choice: string, delta: JsonObject): void => {
    for (const field of REASONING_FIELDS) {
      const rest = thoughts.close(`${choice}:${field}`);
      if (rest !== '') delta[field] = (typeof delta[field] === 'string' ? delta[field] : '') + rest;
    }
  };
  const releaseReasoning = (): SseEvent[] =>
    [...new Set(thoughts.open().map((key) => key.slice(0, key.indexOf(':'))))].flatMap((choice) => {
      const delta: JsonObject = {};
      closeReasoning(choice, delta);
      return Object.keys(delta).length === 0 ? [] : [chunk({ index: Number(choice), delta, finish_reason: null })];
    });
  /** Signed thinking blocks: those that only repeat the reasoning streamed before are judged already. */
  const judgeThinkingBlocks = (choice: string, blocks: unknown): void => {
    if (!Array.isArray(blocks)) return;
    blocks.forEach((block, k) => {
      if (!isObject(block) || typeof block.thinking !== 'string' || block.thinking === '') return;
      if (block.thinking !== streamedReasoning.get(choice))
        guard.judgeStreamedWhole(`choices[${choice}].delta.thinking_blocks[${k}].thinking`, block.thinking, 'reasoning');
      streamedReasoning.delete(choice);
    });
  };
  const release = () => [
    ...releaseReasoning(),
    ...texts.open().flatMap(releaseField(texts, 'content')),
    ...refusals.open().flatMap(releaseField(refusals, 'refusal')),
    ...[...currentCall.keys()].flatMap(releaseCall),
  ];

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
        for (const field of REASONING_FIELDS) {
          const piece = delta[field];
          if (typeof piece !== 'string') continue;
          if (field === 'reasoning_content') streamedReasoning.set(key, (streamedReasoning.get(key) ?? '') + piece);
          delta[field] = thoughts.push(`${key}:${field}`, `choices[${choice.index}].delta.${field}`, piece);
        }
        const finishing = choice.finish_reason !== null && choice.finish_reason !== undefined;
        const movesOn =
          (typeof delta.content === 'string' && delta.content !== '') ||
          delta.tool_calls !== undefined ||
          delta.thinking_blocks !== undefined;
        if (movesOn || finishing) closeReasoning(key, delta);
        judgeThinkingBlocks(key, delta.thinking_blocks);
        /** This chunk's latest delta of the call being written, where what its guard held goes to keep order. */
        let latest: JsonObject | undefined;
        const endCall = () => {
          const closed = closeCall(key);
          if (!closed || closed.rest === '') return;
          if (latest && latest.index === closed.index) appendArguments(latest, closed.kind, closed.rest);
          else before.push(callChunk(key, closed));
        };
        for (const call of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) {
          if (!isObject(call) || typeof call.index !== 'number') continue;
          // Calls stream one after another: a new index means the one before is complete.
          let current = currentCall.get(key);
          if (current?.index !== call.index) {
            endCall();
            current = { index: call.index, kind: call.type === 'custom' || isObject(call.custom) ? 'custom' : 'function' };
            currentCall.set(key, current);
          }
          latest = call;
          const holder = call[current.kind];
          const field = FIELD[current.kind];
          if (!isObject(holder) || typeof holder[field] !== 'string') continue;
          const location = `choices[${choice.index}].delta.tool_calls[${call.index}].${current.kind}.${field}`;
          holder[field] = calls[current.kind].push(`${key}:${call.index}`, location, holder[field]);
        }
        let text = typeof delta.content === 'string' ? texts.push(key, `choices[${choice.index}].delta.content`, delta.content) : '';
        if (finishing) {
          text += texts.close(key);
          endCall();
        }
        if (typeof delta.content === 'string' || text !== '') delta.content = text;
        // A refusal is the model's own words too.
        let refusal = typeof delta.refusal === 'string' ? refusals.push(key, `choices[${choice.index}].delta.refusal`, delta.refusal) : '';
        if (finishing) refusal += refusals.close(key);
        if (typeof delta.refusal === 'string' || refusal !== '') delta.refusal = refusal;
      }
      return [...before, encode(json, event.event)];
    },
    flush: release,
  };
}
