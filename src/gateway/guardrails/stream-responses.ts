/**
 * Output guardrails over a streamed Responses API answer (see stream-rewriters.ts). Each output
 * text part, each function call's and provider-run MCP call's arguments (as JSON), each custom
 * tool call's input and the code interpreter's code (free text) go through a carry-over guard;
 * what it holds is released as one more delta before the part's or call's `*.done`, and a delta
 * left empty while its guard holds the text is not sent. Events that repeat a whole text or call
 * (`*.done`, `response.output_item.done`, `response.completed`) are rewritten to what the client
 * was sent, and sequence numbers are renumbered around the events added and dropped.
 *
 * Reasoning (`response.reasoning_summary_text.delta`, `response.reasoning_text.delta`) goes
 * through a guard that judges and never changes it (TextSlot.fixed): what it holds is released
 * before the part's `*.done`, and the events that repeat it need no rewriting. A reasoning item
 * that arrives whole, with no deltas before, is judged once where it first appears.
 */
import type { SseEvent } from '../../providers/sse.js';
import { encode, parseJson, streamTable, type AnswerStreamGuard, type StreamTextRewriter } from './stream-common.js';
import { approvalRequestSlots, clientToolCallSlots, isObject, providerToolOutputSlots, type JsonObject } from './text-slots.js';
import { mcpListedToolSlots } from './tool-definition-slots.js';
import { appendAll } from '../../append-all.js';

/** A message's parts: its text, or its refusal (the model's own words too). */
type PartKind = 'output_text' | 'refusal';
const PART = {
  output_text: { delta: 'response.output_text.delta', field: 'text' },
  refusal: { delta: 'response.refusal.delta', field: 'refusal' },
} as const;
// Maps, not object literals: an event type is the provider's string, and `toString` must not match.
const PART_OF_DELTA = new Map<unknown, PartKind>([
  ['response.output_text.delta', 'output_text'],
  ['response.refusal.delta', 'refusal'],
]);
const PART_OF_DONE = new Map<unknown, PartKind>([
  ['response.output_text.done', 'output_text'],
  ['response.refusal.done', 'refusal'],
]);
type ResponsesPart = { kind: PartKind; itemId: string; outputIndex: unknown; contentIndex: number; sent: string };
/**
 * The streamed text of a call: a function call's arguments and a provider-run MCP call's are
 * JSON; a custom tool call's input and the code interpreter's code are free text.
 */
type CallKind = 'function' | 'custom' | 'mcp' | 'code';
type SentCall = { outputIndex: unknown; sent: string; kind: CallKind };
const CALL = {
  function: {
    field: 'arguments',
    delta: 'response.function_call_arguments.delta',
    done: 'response.function_call_arguments.done',
    json: true,
  },
  custom: { field: 'input', delta: 'response.custom_tool_call_input.delta', done: 'response.custom_tool_call_input.done', json: false },
  mcp: { field: 'arguments', delta: 'response.mcp_call_arguments.delta', done: 'response.mcp_call_arguments.done', json: true },
  code: {
    field: 'code',
    delta: 'response.code_interpreter_call_code.delta',
    done: 'response.code_interpreter_call_code.done',
    json: false,
  },
} as const satisfies Record<CallKind, { field: string; delta: string; done: string; json: boolean }>;
const CALL_KINDS = Object.keys(CALL) as CallKind[];
const CALL_OF_DELTA = new Map<unknown, CallKind>(CALL_KINDS.map((kind) => [CALL[kind].delta, kind]));
const CALL_OF_DONE = new Map<unknown, CallKind>(CALL_KINDS.map((kind) => [CALL[kind].done, kind]));
const CALL_ITEM = new Map<unknown, CallKind>([
  ['function_call', 'function'],
  ['custom_tool_call', 'custom'],
  ['mcp_call', 'mcp'],
  ['code_interpreter_call', 'code'],
]);
/** The two texts of a reasoning item: its summary parts and its reasoning text parts. */
type ReasoningField = 'summary' | 'content';
/** Which text of a reasoning item an event is about, and the event that carries its deltas. */
type ReasoningPart = { field: ReasoningField; index: 'summary_index' | 'content_index'; delta: string };
const SUMMARY: ReasoningPart = { field: 'summary', index: 'summary_index', delta: 'response.reasoning_summary_text.delta' };
const REASONING_TEXT: ReasoningPart = { field: 'content', index: 'content_index', delta: 'response.reasoning_text.delta' };
const REASONING_DELTA = new Map<unknown, ReasoningPart>([
  [SUMMARY.delta, SUMMARY],
  [REASONING_TEXT.delta, REASONING_TEXT],
]);
const REASONING_DONE = new Map<unknown, ReasoningPart>([
  ['response.reasoning_summary_text.done', SUMMARY],
  ['response.reasoning_text.done', REASONING_TEXT],
]);

export function responsesRewriter(guard: AnswerStreamGuard): StreamTextRewriter {
  const texts = streamTable((location) => guard.textStream(location));
  const callTable = (kind: CallKind) =>
    streamTable((location) => (CALL[kind].json ? guard.argumentsStream(location) : guard.textStream(location)));
  const calls: Record<CallKind, ReturnType<typeof callTable>> = {
    function: callTable('function'),
    custom: callTable('custom'),
    mcp: callTable('mcp'),
    code: callTable('code'),
  };
  const thoughts = streamTable((location) => guard.reasoningStream(location));
  /** Reasoning items judged so far (from their deltas, or whole), by item id. */
  const judgedReasoning = new Set<string>();
  const parts = new Map<string, ResponsesPart>();
  /** Each tool call's arguments (or custom input) as the client got them, by item id. */
  const sentCalls = new Map<string, SentCall>();
  /** Events added before the current one, less those dropped: later sequence numbers move by as many. */
  let shift = 0;
  const keyOf = (itemId: unknown, contentIndex: unknown) => `${String(itemId)}:${String(contentIndex)}`;

  /** An added event, numbered after the last one sent. */
  const added = (type: string, data: JsonObject, sequence: number | undefined): SseEvent => {
    if (sequence !== undefined) {
      data.sequence_number = sequence + shift;
      shift += 1;
    }
    return { event: type, data: JSON.stringify({ type, ...data }) };
  };

  const releaseText = (key: string, sequence: number | undefined): SseEvent[] => {
    const part = parts.get(key);
    const rest = texts.close(key);
    if (!part || rest === '') return [];
    part.sent += rest;
    const data = { item_id: part.itemId, output_index: part.outputIndex, content_index: part.contentIndex, delta: rest };
    return [added(PART[part.kind].delta, part.kind === 'output_text' ? { ...data, logprobs: [] } : data, sequence)];
  };

  /** Each streamed reasoning part, by key: where its released rest goes. */
  const reasoningParts = new Map<string, { itemId: string; outputIndex: unknown; at: JsonObject; delta: string }>();
  const reasoningKey = (itemId: unknown, field: ReasoningField, index: unknown) => `${String(itemId)}\u0000${field}\u0000${String(index)}`;
  /** What a reasoning part's guard holds, as one more delta. */
  const releaseReasoning = (key: string, sequence: number | undefined): SseEvent[] => {
    const rest = thoughts.close(key);
    const part = reasoningParts.get(key);
    if (rest === '' || !part) return [];
    return [added(part.delta, { item_id: part.itemId, output_index: part.outputIndex, ...part.at, delta: rest }, sequence)];
  };
  /** A reasoning item seen whole (`output_item.done`, the final response) and never streamed: judged here, once. */
  const judgeWholeReasoning = (item: unknown, outputIndex: unknown): void => {
    if (!isObject(item) || item.type !== 'reasoning' || typeof item.id !== 'string' || judgedReasoning.has(item.id)) return;
    judgedReasoning.add(item.id);
    for (const field of ['summary', 'content'] as const) {
      const list = item[field];
      if (!Array.isArray(list)) continue;
      list.forEach((part, n) => {
        if (isObject(part) && typeof part.text === 'string' && part.text !== '')
          guard.judgeStreamedWhole(`output[${String(outputIndex)}].${field}[${n}].text`, part.text, 'reasoning');
      });
    }
  };

  const callLocation = (outputIndex: unknown, kind: CallKind) => `output[${String(outputIndex)}].${CALL[kind].field}`;

  /** What a call's guard still holds, as one more delta. */
  const releaseCall = (itemId: string, sequence: number | undefined): SseEvent[] => {
    const call = sentCalls.get(itemId);
    if (!call) return [];
    const rest = calls[call.kind].close(itemId);
    if (rest === '') return [];
    call.sent += rest;
    return [added(CALL[call.kind].delta, { item_id: itemId, output_index: call.outputIndex, delta: rest }, sequence)];
  };

  /** One delta of a call's arguments or input, through its guard; false when the event is dropped (its guard holds it all). */
  const callDelta = (json: JsonObject, kind: CallKind, sequence: number | undefined): boolean => {
    if (typeof json.delta !== 'string' || typeof json.item_id !== 'string') return true;
    let call = sentCalls.get(json.item_id);
    if (!call) sentCalls.set(json.item_id, (call = { outputIndex: json.output_index, sent: '', kind }));
    const judged = calls[call.kind].push(json.item_id, callLocation(json.output_index, call.kind), json.delta);
    call.sent += judged;
    if (judged === '') {
      if (sequence !== undefined) shift -= 1;
      return false;
    }
    json.delta = judged;
    return true;
  };

  /**
   * A call's arguments as the client got them. A call that arrived whole, with no deltas
   * before, is judged here, once, however many events repeat it.
   */
  const sentArguments = (itemId: string, outputIndex: unknown, whole: unknown, kind: CallKind): string => {
    const known = sentCalls.get(itemId);
    if (known) return known.sent;
    const text = typeof whole === 'string' ? whole : '';
    const sent = text === '' ? '' : guard.judgeStreamedWhole(callLocation(outputIndex, kind), text, CALL[kind].json ? 'arguments' : 'text');
    sentCalls.set(itemId, { outputIndex, sent, kind });
    return sent;
  };

  /** Each text that has no deltas, as judged, by location and original text. */
  const judgedWholeTexts = new Map<string, string>();
  /**
   * Texts with no deltas arrive whole, in `output_item.added` or `.done` and the final response:
   * a shell or patch call the client will run, what a tool the provider ran gave back (an MCP
   * server's output, the code interpreter's logs), the tools an MCP server listed and the
   * arguments of a call waiting for approval (JSON). Each is judged where it first appears, and
   * every event that repeats it says the same.
   */
  const rewriteWholeTexts = (item: JsonObject, outputIndex: unknown) => {
    const at = `output[${String(outputIndex)}]`;
    const slots = [
      ...clientToolCallSlots(item, at),
      ...providerToolOutputSlots(item, at),
      ...mcpListedToolSlots(item, at),
      ...approvalRequestSlots(item, at),
    ];
    for (const slot of slots) {
      const key = `${slot.location}\u0000${slot.text}`;
      let judged = judgedWholeTexts.get(key);
      if (judged === undefined)
        judgedWholeTexts.set(key, (judged = guard.judgeStreamedWhole(slot.location, slot.text, slot.json ? 'arguments' : 'text')));
      if (judged !== slot.text) slot.set(judged);
    }
  };

  /** An output item (from `.done` or the final response) as the client got it. */
  const rewriteItem = (item: unknown, outputIndex: unknown) => {
    if (!isObject(item)) return;
    rewriteWholeTexts(item, outputIndex);
    const kind = CALL_ITEM.get(item.type);
    // A call's text may be null until it is written (the interpreter's code): left null.
    if (kind && typeof item.id === 'string' && (typeof item[CALL[kind].field] === 'string' || sentCalls.has(item.id)))
      item[CALL[kind].field] = sentArguments(item.id, outputIndex, item[CALL[kind].field], kind);
    if (!Array.isArray(item.content)) return;
    item.content.forEach((part, m) => {
      const sent = parts.get(keyOf(item.id, m));
      if (isObject(part) && sent && part.type === sent.kind) part[PART[sent.kind].field] = sent.sent;
    });
  };

  const releaseAll = (sequence: number | undefined): SseEvent[] => [
    ...thoughts.open().flatMap((key) => releaseReasoning(key, sequence)),
    ...texts.open().flatMap((key) => releaseText(key, sequence)),
    ...CALL_KINDS.flatMap((kind) => calls[kind].open()).flatMap((itemId) => releaseCall(itemId, sequence)),
  ];

  return {
    rewrite(event) {
      const json = parseJson(event.data);
      if (!json) return [event];
      const sequence = typeof json.sequence_number === 'number' ? json.sequence_number : undefined;
      const before: SseEvent[] = [];
      const reasoningDelta = REASONING_DELTA.get(json.type);
      if (reasoningDelta && typeof json.delta === 'string' && typeof json.item_id === 'string') {
        const { field, index } = reasoningDelta;
        judgedReasoning.add(json.item_id);
        const key = reasoningKey(json.item_id, field, json[index]);
        if (!reasoningParts.has(key))
          reasoningParts.set(key, {
            itemId: json.item_id,
            outputIndex: json.output_index,
            at: { [index]: json[index] },
            delta: reasoningDelta.delta,
          });
        const location = `output[${String(json.output_index)}].${field}[${String(json[index])}].text`;
        json.delta = thoughts.push(key, location, json.delta);
        if (json.delta === '') {
          if (sequence !== undefined) shift -= 1;
          return [];
        }
      }
      const reasoningDone = REASONING_DONE.get(json.type);
      if (reasoningDone)
        appendAll(before, releaseReasoning(reasoningKey(json.item_id, reasoningDone.field, json[reasoningDone.index]), sequence));
      const partDelta = PART_OF_DELTA.get(json.type);
      if (partDelta && typeof json.delta === 'string' && typeof json.content_index === 'number') {
        const key = keyOf(json.item_id, json.content_index);
        let part = parts.get(key);
        if (!part) {
          part = {
            kind: partDelta,
            itemId: String(json.item_id),
            outputIndex: json.output_index,
            contentIndex: json.content_index,
            sent: '',
          };
          parts.set(key, part);
        }
        const location = `output[${String(json.output_index)}].content[${json.content_index}].${PART[partDelta].field}`;
        const judged = texts.push(key, location, json.delta);
        json.delta = judged;
        part.sent += judged;
      }
      const partDone = PART_OF_DONE.get(json.type);
      if (partDone) {
        const key = keyOf(json.item_id, json.content_index);
        appendAll(before, releaseText(key, sequence));
        const part = parts.get(key);
        if (part) json[PART[partDone].field] = part.sent;
      }
      const callDeltaKind = CALL_OF_DELTA.get(json.type);
      if (callDeltaKind && !callDelta(json, callDeltaKind, sequence)) return [];
      const callDoneKind = CALL_OF_DONE.get(json.type);
      if (callDoneKind && typeof json.item_id === 'string') {
        const { field } = CALL[callDoneKind];
        appendAll(before, releaseCall(json.item_id, sequence));
        json[field] = sentArguments(json.item_id, json.output_index, json[field], callDoneKind);
      }
      switch (json.type) {
        case 'response.content_part.done': {
          const part = parts.get(keyOf(json.item_id, json.content_index));
          if (part && isObject(json.part) && json.part.type === part.kind) json.part[PART[part.kind].field] = part.sent;
          break;
        }
        case 'response.output_item.added':
          if (isObject(json.item)) rewriteWholeTexts(json.item, json.output_index);
          break;
        case 'response.output_item.done':
          if (isObject(json.item) && typeof json.item.id === 'string') appendAll(before, releaseCall(json.item.id, sequence));
          judgeWholeReasoning(json.item, json.output_index);
          rewriteItem(json.item, json.output_index);
          break;
        case 'response.completed':
        case 'response.incomplete':
        case 'response.failed':
        case 'error':
          appendAll(before, releaseAll(sequence));
          if (isObject(json.response) && Array.isArray(json.response.output)) {
            json.response.output.forEach(judgeWholeReasoning);
            json.response.output.forEach(rewriteItem);
          }
          break;
      }
      if (sequence !== undefined) json.sequence_number = sequence + shift;
      return [...before, encode(json, event.event)];
    },
    flush: () => releaseAll(undefined),
  };
}
