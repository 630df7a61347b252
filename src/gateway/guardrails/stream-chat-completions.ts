/**
 * Output guardrails over a streamed Chat Completions answer (see stream-rewriters.ts): each
 * choice's content, each tool call's arguments (as JSON) and each custom tool call's input (free
 * text), through a carry-over guard. What a call's guard still holds is released when the choice
 * moves on to its next call or finishes: added to that call's delta when the same chunk carries
 * one (some servers send a whole call, or its last piece, with the finish), else as one more
 * chunk before it, so every call's arguments arrive in order.
 *
 * Some servers interleave the arguments of parallel calls (a piece of call 0, one of call 1, the
 * next of call 0…). A call whose arguments are not yet whole JSON when another call's delta
 * arrives is therefore not ended: its guard stays open and keeps reading it, so a secret split
 * over its pieces is still seen whole, and what it holds goes out with its next piece or at the
 * finish. A custom call's free-text input has no such end to read; it is ended as before.
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
/** A call a choice is writing: its kind, and its arguments so far as received (function calls only). */
type OpenCall = { kind: CallKind; received: string };

/** Whether a function call's arguments so far are one whole JSON value (no more can follow). */
function isWholeJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

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
  /** The calls each choice has open, by choice index then call index. */
  const openCalls = new Map<string, Map<number, OpenCall>>();
  /** The index of the call each choice wrote last. */
  const currentCall = new Map<string, number>();
  let envelope: JsonObject = { object: 'chat.completion.chunk' };
  const chunk = (choice: JsonObject): SseEvent => ({ data: JSON.stringify({ ...envelope, choices: [choice] }) });
  const callChunk = (choice: string, closed: ClosedCall) =>
    chunk({
      index: Number(choice),
      delta: { tool_calls: [{ index: closed.index, [closed.kind]: { [FIELD[closed.kind]]: closed.rest } }] },
      finish_reason: null,
    });

  /** Ends one of a choice's calls: what its guard held, or '' (and the call's index and kind). */
  const closeCall = (choice: string, index: number): ClosedCall | undefined => {
    const open = openCalls.get(choice);
    const call = open?.get(index);
    if (!open || !call) return undefined;
    open.delete(index);
    if (open.size === 0) openCalls.delete(choice);
    if (currentCall.get(choice) === index) currentCall.delete(choice);
    return { index, kind: call.kind, rest: calls[call.kind].close(`${choice}:${index}`) };
  };
  /** Ends every call a choice has open, in index order: what their guards held, as chunks. */
  const releaseCalls = (choice: string): SseEvent[] =>
    [...(openCalls.get(choice)?.keys() ?? [])]
      .sort((a, b) => a - b)
      .flatMap((index) => {
        const closed = closeCall(choice, index);
        return closed && closed.rest !== '' ? [callChunk(choice, closed)] : [];
      });
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
    ...[...openCalls.keys()].flatMap(releaseCalls),
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
        /** This chunk's latest delta of each call, where what its guard held goes to keep order. */
        const latest = new Map<number, JsonObject>();
        const endCall = (index: number) => {
          const closed = closeCall(key, index);
          if (!closed || closed.rest === '') return;
          const last = latest.get(closed.index);
          if (last) appendArguments(last, closed.kind, closed.rest);
          else before.push(callChunk(key, closed));
        };
        for (const call of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) {
          if (!isObject(call) || typeof call.index !== 'number') continue;
          const previous = currentCall.get(key);
          if (previous !== undefined && previous !== call.index) {
            // Calls usually stream one after another, so a new index means the one before is
            // complete; unless its arguments are not whole JSON yet (interleaved calls).
            const before = openCalls.get(key)?.get(previous);
            if (before && (before.kind === 'custom' || isWholeJson(before.received))) endCall(previous);
          }
          currentCall.set(key, call.index);
          let open = openCalls.get(key);
          if (!open) openCalls.set(key, (open = new Map<number, OpenCall>()));
          let current = open.get(call.index);
          if (!current) {
            current = { kind: call.type === 'custom' || isObject(call.custom) ? 'custom' : 'function', received: '' };
            open.set(call.index, current);
          }
          latest.set(call.index, call);
          const holder = call[current.kind];
          const field = FIELD[current.kind];
          if (!isObject(holder) || typeof holder[field] !== 'string') continue;
          if (current.kind === 'function') current.received += holder[field];
          const location = `choices[${choice.index}].delta.tool_calls[${call.index}].${current.kind}.${field}`;
          holder[field] = calls[current.kind].push(`${key}:${call.index}`, location, holder[field]);
        }
        let text = typeof delta.content === 'string' ? texts.push(key, `choices[${choice.index}].delta.content`, delta.content) : '';
        if (finishing) {
          text += texts.close(key);
          for (const index of [...(openCalls.get(key)?.keys() ?? [])].sort((a, b) => a - b)) endCall(index);
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
