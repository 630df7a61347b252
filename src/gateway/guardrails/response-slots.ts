/**
 * Where the answer's text is in each client format's (non-streamed) response body: the texts
 * output guardrails judge and, with reversible redaction, where placeholders are put back. A
 * tool call's arguments (a custom tool's free-text input) are text the model wrote too: a secret
 * or a placeholder can be in them. So is its reasoning, which is judged but never changed.
 */
import type { ApiFormat } from '../../providers/types.js';
import {
  approvalRequestSlots,
  clientToolCallSlots,
  fixedSlot,
  isObject,
  jsonStringSlot,
  jsonValueSlot,
  providerToolCallSlots,
  stringSlot,
  type JsonObject,
  type TextSlot,
} from './text-slots.js';
import { mcpListedToolSlots } from './tool-definition-slots.js';
import { appendAll } from '../../append-all.js';

/**
 * A chat answer's reasoning: `reasoning_content` (DeepSeek's field, and what this gateway returns),
 * `reasoning` (other OpenAI-compatible servers) and signed `thinking_blocks`. Judged, never changed
 * (TextSlot.fixed): a client sends signed thinking back as it was. `reasoning_content` that only
 * repeats the blocks' text is judged once, in the blocks, so a finding is not reported twice.
 */
function chatReasoningSlots(message: JsonObject, at: string): TextSlot[] {
  const blocks = Array.isArray(message.thinking_blocks) ? message.thinking_blocks : [];
  const blockSlots = blocks.flatMap((block, k) =>
    isObject(block) ? fixedSlot(block, 'thinking', `${at}.thinking_blocks[${k}].thinking`, 'assistant') : [],
  );
  const repeated = blockSlots.length > 0 && message.reasoning_content === blockSlots.map((slot) => slot.text).join('');
  return [
    ...(repeated ? [] : fixedSlot(message, 'reasoning_content', `${at}.reasoning_content`, 'assistant')),
    ...fixedSlot(message, 'reasoning', `${at}.reasoning`, 'assistant'),
    ...blockSlots,
  ];
}

/** A Responses reasoning item's summary and reasoning text: judged, never changed (see above). */
function responsesReasoningSlots(item: JsonObject, at: string): TextSlot[] {
  const texts = (key: 'summary' | 'content'): TextSlot[] => {
    const parts = item[key];
    if (!Array.isArray(parts)) return [];
    return parts.flatMap((part, n) => (isObject(part) ? fixedSlot(part, 'text', `${at}.${key}[${n}].text`, 'assistant') : []));
  };
  return [...texts('summary'), ...texts('content')];
}

function chatCompletionSlots(body: JsonObject): TextSlot[] {
  const slots: TextSlot[] = [];
  const choices = Array.isArray(body.choices) ? body.choices : [];
  choices.forEach((choice, i) => {
    if (!isObject(choice) || !isObject(choice.message)) return;
    const message = choice.message;
    appendAll(slots, chatReasoningSlots(message, `choices[${i}].message`));
    appendAll(slots, stringSlot(message, 'content', `choices[${i}].message.content`, 'assistant'));
    appendAll(slots, stringSlot(message, 'refusal', `choices[${i}].message.refusal`, 'assistant'));
    const calls = Array.isArray(message.tool_calls) ? message.tool_calls : [];
    calls.forEach((call, k) => {
      if (!isObject(call)) return;
      const at = `choices[${i}].message.tool_calls[${k}]`;
      if (isObject(call.function)) appendAll(slots, jsonStringSlot(call.function, 'arguments', `${at}.function.arguments`, 'assistant'));
      // A custom tool's input is free text, not JSON.
      if (isObject(call.custom)) appendAll(slots, stringSlot(call.custom, 'input', `${at}.custom.input`, 'assistant'));
    });
    // The deprecated single function call some servers still answer with.
    if (isObject(message.function_call))
      appendAll(slots, jsonStringSlot(message.function_call, 'arguments', `choices[${i}].message.function_call.arguments`, 'assistant'));
  });
  return slots;
}

/**
 * The quotes an Anthropic text block cites (`citations[].cited_text`): from a document the client
 * sent, a search result, or a web page the provider's search tool read. Shown to the user like the
 * text itself, and the only part of a web page the client gets in clear.
 */
function citationSlots(block: JsonObject, j: number): TextSlot[] {
  const citations = Array.isArray(block.citations) ? block.citations : [];
  return citations.flatMap((citation, k) =>
    isObject(citation) ? stringSlot(citation, 'cited_text', `content[${j}].citations[${k}].cited_text`, 'assistant') : [],
  );
}

function anthropicMessageSlots(body: JsonObject): TextSlot[] {
  const content = Array.isArray(body.content) ? body.content : [];
  return content.flatMap((block, j) => {
    if (!isObject(block)) return [];
    if (block.type === 'text') return [...stringSlot(block, 'text', `content[${j}].text`, 'assistant'), ...citationSlots(block, j)];
    // Signed by the provider: judged, never changed (see chatReasoningSlots).
    if (block.type === 'thinking') return fixedSlot(block, 'thinking', `content[${j}].thinking`, 'assistant');
    return block.type === 'tool_use' ? jsonValueSlot(block, 'input', `content[${j}].input`, 'assistant') : [];
  });
}

function responseSlots(body: JsonObject): TextSlot[] {
  const slots: TextSlot[] = [];
  const output = Array.isArray(body.output) ? body.output : [];
  output.forEach((item, k) => {
    if (isObject(item) && item.type === 'reasoning') appendAll(slots, responsesReasoningSlots(item, `output[${k}]`));
    if (isObject(item) && item.type === 'function_call')
      appendAll(slots, jsonStringSlot(item, 'arguments', `output[${k}].arguments`, 'assistant'));
    if (isObject(item) && item.type === 'custom_tool_call') appendAll(slots, stringSlot(item, 'input', `output[${k}].input`, 'assistant'));
    // Shell commands and patches the model tells the client to run; tools the provider ran, the
    // tools an MCP server listed, and calls waiting for the client's approval.
    if (isObject(item))
      appendAll(
        slots,
        clientToolCallSlots(item, `output[${k}]`),
        providerToolCallSlots(item, `output[${k}]`),
        mcpListedToolSlots(item, `output[${k}]`),
        approvalRequestSlots(item, `output[${k}]`),
      );
    if (!isObject(item) || item.type !== 'message' || !Array.isArray(item.content)) return;
    item.content.forEach((part, m) => {
      if (isObject(part) && part.type === 'output_text')
        appendAll(slots, stringSlot(part, 'text', `output[${k}].content[${m}].text`, 'assistant'));
      if (isObject(part) && part.type === 'refusal')
        appendAll(slots, stringSlot(part, 'refusal', `output[${k}].content[${m}].refusal`, 'assistant'));
    });
  });
  // Some servers add the SDK's convenience field; it must say what the parts say.
  return [...slots, ...stringSlot(body, 'output_text', 'output_text', 'assistant')];
}

export function responseTextSlots(format: ApiFormat, body: JsonObject): TextSlot[] {
  switch (format) {
    case 'openai-chat':
      return chatCompletionSlots(body);
    case 'anthropic-messages':
      return anthropicMessageSlots(body);
    case 'openai-responses':
      return responseSlots(body);
    default:
      return [];
  }
}
