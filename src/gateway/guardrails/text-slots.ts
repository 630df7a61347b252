/**
 * The texts of a request or response body that guardrails judge, as "slots": where the text is
 * (a value-free path such as `messages[2].content[0].text`, for events), who wrote it (a role:
 * the prompt-injection model judges only untrusted text — a user turn, a tool result — never
 * the developer's own system prompt), and a setter that writes the judged text back into the
 * body. Bodies are plain JSON: each format's walker reads them by shape, so a field the format
 * schema does not know is left alone rather than guessed at.
 */
import { appendAll } from '../../append-all.js';
export type SlotRole = 'system' | 'user' | 'assistant' | 'tool';

export type TextSlot = {
  location: string;
  role: SlotRole;
  text: string;
  /** The text is JSON (a tool call's arguments): judged as such, see json-text.ts. */
  json?: true;
  /**
   * The gateway may not change the text (reasoning the provider signed, replayed by the client):
   * it is judged, and where the policy would redact or mask, it blocks instead.
   */
  fixed?: true;
  /**
   * An opaque end-user identifier (`user`, `safety_identifier`, `prompt_cache_key`,
   * `metadata.user_id`): not text the model reads, but often an email address. Judged by the PII
   * and secret detectors and custom rules; where the policy would redact or mask, the whole value
   * becomes the org's keyed pseudonym of it, so the provider still tells users apart.
   */
  identifier?: true;
  /**
   * A tool's description or a text of its schema: developer text the injection model leaves
   * alone, but read for tool poisoning (tool-poisoning.ts) when the policy judges injections.
   */
  definition?: true;
  set(text: string): void;
};

export type JsonObject = Record<string, unknown>;

export const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The slot for `holder[key]` when it is a string. */
export function stringSlot(holder: JsonObject, key: string, location: string, role: SlotRole): TextSlot[] {
  const value = holder[key];
  if (typeof value !== 'string') return [];
  return [{ location, role, text: value, set: (text) => (holder[key] = text) }];
}

/** A tool call's arguments as a JSON string (`holder[key]`), judged as JSON. */
export function jsonStringSlot(holder: JsonObject, key: string, location: string, role: SlotRole): TextSlot[] {
  return stringSlot(holder, key, location, role).map((slot) => ({ ...slot, json: true }));
}

/** Reasoning sent back with the conversation: judged, never changed (see `fixed`). */
export function fixedSlot(holder: JsonObject, key: string, location: string, role: SlotRole): TextSlot[] {
  return stringSlot(holder, key, location, role).map((slot) => ({ ...slot, fixed: true }));
}

/** An end-user identifier field (see `identifier`). */
export function identifierSlot(holder: JsonObject, key: string, location: string): TextSlot[] {
  return stringSlot(holder, key, location, 'user').map((slot) => ({ ...slot, identifier: true }));
}

/** Each string of `holder[key]` when it is an array (a shell call's command words). */
export function stringListSlots(holder: JsonObject, key: string, location: string, role: SlotRole): TextSlot[] {
  const list = holder[key];
  if (!Array.isArray(list)) return [];
  return list.flatMap((value: unknown, i) =>
    typeof value === 'string' ? [{ location: `${location}[${i}]`, role, text: value, set: (text: string) => (list[i] = text) }] : [],
  );
}

/**
 * A tool call's arguments as a JSON value (Anthropic's `tool_use.input`): judged as its JSON
 * text, and written back parsed, so the body keeps an object there.
 */
export function jsonValueSlot(holder: JsonObject, key: string, location: string, role: SlotRole): TextSlot[] {
  const value = holder[key];
  if (typeof value !== 'object' || value === null) return [];
  return [{ location, role, text: JSON.stringify(value), json: true, set: (text) => (holder[key] = JSON.parse(text) as unknown) }];
}

/**
 * A content field that is either a string or an array of typed parts: the string itself, or
 * each part whose `type` is one of `textTypes` (its `text`), and a refusal part's `refusal`
 * (an assistant turn may be sent back with one, and the provider reads it as text too).
 */
export function contentSlots(holder: JsonObject, key: string, location: string, role: SlotRole, textTypes: readonly string[]): TextSlot[] {
  const value = holder[key];
  if (typeof value === 'string') return stringSlot(holder, key, location, role);
  if (!Array.isArray(value)) return [];
  const slots: TextSlot[] = [];
  value.forEach((part, j) => {
    if (!isObject(part) || typeof part.type !== 'string') return;
    if (textTypes.includes(part.type)) appendAll(slots, stringSlot(part, 'text', `${location}[${j}].text`, role));
    else if (part.type === 'refusal') appendAll(slots, stringSlot(part, 'refusal', `${location}[${j}].refusal`, role));
  });
  return slots;
}

/**
 * The texts of a Responses tool call the client runs, other than functions and custom tools: a
 * shell call's command words and a patch's diff. In an answer, what the model tells the client to
 * run; in a request, what it told it before.
 */
export function clientToolCallSlots(item: JsonObject, at: string): TextSlot[] {
  switch (item.type) {
    case 'local_shell_call':
      return isObject(item.action) ? stringListSlots(item.action, 'command', `${at}.action.command`, 'assistant') : [];
    case 'shell_call':
      return isObject(item.action) ? stringListSlots(item.action, 'commands', `${at}.action.commands`, 'assistant') : [];
    case 'apply_patch_call':
      return isObject(item.operation) ? stringSlot(item.operation, 'diff', `${at}.operation.diff`, 'assistant') : [];
    default:
      return [];
  }
}

/**
 * What a tool the provider ran itself gave back, in a Responses item: a remote MCP server's
 * `output`, and the `logs` outputs of the code interpreter. Third-party text (role `tool`), seen
 * by the client and, replayed, read by the model. The call's own text (MCP arguments,
 * interpreter code) is in `providerToolCallSlots`, and streamed apart from these.
 */
export function providerToolOutputSlots(item: JsonObject, at: string): TextSlot[] {
  switch (item.type) {
    case 'mcp_call':
      return stringSlot(item, 'output', `${at}.output`, 'tool');
    case 'code_interpreter_call': {
      const outputs: unknown[] = Array.isArray(item.outputs) ? item.outputs : [];
      return outputs.flatMap((output, n) =>
        isObject(output) && output.type === 'logs' ? stringSlot(output, 'logs', `${at}.outputs[${n}].logs`, 'tool') : [],
      );
    }
    default:
      return [];
  }
}

/**
 * The arguments of an MCP call the provider asks the client to approve (`mcp_approval_request`):
 * JSON the model wrote, arriving whole (no deltas).
 */
export function approvalRequestSlots(item: JsonObject, at: string): TextSlot[] {
  return item.type === 'mcp_approval_request' ? jsonStringSlot(item, 'arguments', `${at}.arguments`, 'assistant') : [];
}

/** A provider-run tool call whole: its arguments (JSON) or code, and what it gave back. */
export function providerToolCallSlots(item: JsonObject, at: string): TextSlot[] {
  const call =
    item.type === 'mcp_call'
      ? jsonStringSlot(item, 'arguments', `${at}.arguments`, 'assistant')
      : item.type === 'code_interpreter_call'
        ? stringSlot(item, 'code', `${at}.code`, 'assistant')
        : [];
  return [...call, ...providerToolOutputSlots(item, at)];
}

export function roleOf(value: unknown): SlotRole {
  if (value === 'system' || value === 'developer') return 'system';
  if (value === 'assistant') return 'assistant';
  if (value === 'tool' || value === 'function') return 'tool';
  return 'user';
}
