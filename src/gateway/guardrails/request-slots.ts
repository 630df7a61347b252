/**
 * Where the text is in each client format's request body (see text-slots.ts). The walkers
 * mutate the body they are given: callers pass a copy (`structuredClone`) when the original must
 * stay as the client sent it.
 */
import type { ApiFormat } from '../../providers/types.js';
import { contentSlots, isObject, jsonStringSlot, jsonValueSlot, roleOf, stringSlot, type JsonObject, type TextSlot } from './text-slots.js';

function chatCompletionsSlots(body: JsonObject): TextSlot[] {
  const slots: TextSlot[] = [];
  const messages = Array.isArray(body.messages) ? body.messages : [];
  messages.forEach((message, i) => {
    if (!isObject(message)) return;
    const role = roleOf(message.role);
    slots.push(...contentSlots(message, 'content', `messages[${i}].content`, role, ['text']));
    const calls = Array.isArray(message.tool_calls) ? message.tool_calls : [];
    calls.forEach((call, k) => {
      if (isObject(call) && isObject(call.function))
        slots.push(...jsonStringSlot(call.function, 'arguments', `messages[${i}].tool_calls[${k}].function.arguments`, role));
    });
  });
  return slots;
}

function anthropicMessagesSlots(body: JsonObject): TextSlot[] {
  const slots: TextSlot[] = [...contentSlots(body, 'system', 'system', 'system', ['text'])];
  const messages = Array.isArray(body.messages) ? body.messages : [];
  messages.forEach((message, i) => {
    if (!isObject(message)) return;
    const role = roleOf(message.role);
    const location = `messages[${i}].content`;
    if (typeof message.content === 'string') return slots.push(...stringSlot(message, 'content', location, role));
    if (!Array.isArray(message.content)) return;
    message.content.forEach((block, j) => {
      if (!isObject(block)) return;
      if (block.type === 'text') slots.push(...stringSlot(block, 'text', `${location}[${j}].text`, role));
      // An earlier tool call of the model's, sent back with the conversation.
      else if (block.type === 'tool_use') slots.push(...jsonValueSlot(block, 'input', `${location}[${j}].input`, role));
      // A tool's output is third-party text: judged as untrusted, like a user turn.
      else if (block.type === 'tool_result') slots.push(...contentSlots(block, 'content', `${location}[${j}].content`, 'tool', ['text']));
    });
  });
  return slots;
}

function responsesSlots(body: JsonObject): TextSlot[] {
  const slots: TextSlot[] = [...stringSlot(body, 'instructions', 'instructions', 'system')];
  if (typeof body.input === 'string') return [...slots, ...stringSlot(body, 'input', 'input', 'user')];
  const items = Array.isArray(body.input) ? body.input : [];
  items.forEach((item, i) => {
    if (!isObject(item)) return;
    const location = `input[${i}]`;
    const type = item.type ?? 'message';
    if (type === 'message')
      slots.push(...contentSlots(item, 'content', `${location}.content`, roleOf(item.role), ['input_text', 'output_text']));
    else if (type === 'function_call') slots.push(...jsonStringSlot(item, 'arguments', `${location}.arguments`, 'assistant'));
    else if (type === 'function_call_output') slots.push(...contentSlots(item, 'output', `${location}.output`, 'tool', ['input_text']));
  });
  return slots;
}

/** The text slots of a chat request in the client's format. */
export function requestSlots(format: ApiFormat, body: JsonObject): TextSlot[] {
  switch (format) {
    case 'openai-chat':
      return chatCompletionsSlots(body);
    case 'anthropic-messages':
      return anthropicMessagesSlots(body);
    case 'openai-responses':
      return responsesSlots(body);
    default:
      return [];
  }
}

/** An embeddings request's `input`: a string or an array of strings (token arrays carry no text). */
export function embeddingsSlots(body: { input: unknown }): TextSlot[] {
  if (typeof body.input === 'string') return stringSlot(body, 'input', 'input', 'user');
  if (!Array.isArray(body.input)) return [];
  const input = body.input as unknown[];
  return input.flatMap((value, i) =>
    typeof value === 'string'
      ? [{ location: `input[${i}]`, role: 'user' as const, text: value, set: (text: string) => (input[i] = text) }]
      : [],
  );
}
