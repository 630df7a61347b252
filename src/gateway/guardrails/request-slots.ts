/**
 * Where the text is in each client format's request body (see text-slots.ts). The walkers
 * mutate the body they are given: callers pass a copy (`structuredClone`) when the original must
 * stay as the client sent it.
 */
import type { ApiFormat } from '../../providers/types.js';
import {
  approvalRequestSlots,
  clientToolCallSlots,
  contentSlots,
  fixedSlot,
  identifierSlot,
  isObject,
  providerToolCallSlots,
  jsonStringSlot,
  jsonValueSlot,
  roleOf,
  stringSlot,
  type JsonObject,
  type SlotRole,
  type TextSlot,
} from './text-slots.js';
import {
  anthropicToolDefinitionSlots,
  chatToolDefinitionSlots,
  mcpListedToolSlots,
  responsesToolDefinitionSlots,
} from './tool-definition-slots.js';
import { appendAll } from '../../append-all.js';

function chatCompletionsSlots(body: JsonObject): TextSlot[] {
  const slots: TextSlot[] = [];
  const messages = Array.isArray(body.messages) ? body.messages : [];
  messages.forEach((message, i) => {
    if (!isObject(message)) return;
    const role = roleOf(message.role);
    const at = `messages[${i}]`;
    appendAll(slots, contentSlots(message, 'content', `${at}.content`, role, ['text']));
    appendAll(slots, stringSlot(message, 'refusal', `${at}.refusal`, role));
    const calls = Array.isArray(message.tool_calls) ? message.tool_calls : [];
    calls.forEach((call, k) => {
      if (!isObject(call)) return;
      if (isObject(call.function))
        appendAll(slots, jsonStringSlot(call.function, 'arguments', `${at}.tool_calls[${k}].function.arguments`, role));
      // A custom tool's input is free text (a grammar's output, a patch, a query), not JSON.
      if (isObject(call.custom)) appendAll(slots, stringSlot(call.custom, 'input', `${at}.tool_calls[${k}].custom.input`, role));
    });
    // The deprecated single function call, still accepted in a replayed assistant turn.
    if (isObject(message.function_call))
      appendAll(slots, jsonStringSlot(message.function_call, 'arguments', `${at}.function_call.arguments`, role));
    // Reasoning replayed to the provider (DeepSeek's field, and the thinking this gateway returns).
    appendAll(slots, fixedSlot(message, 'reasoning_content', `${at}.reasoning_content`, role));
    const thinking = Array.isArray(message.thinking_blocks) ? message.thinking_blocks : [];
    thinking.forEach((block, k) => {
      if (isObject(block)) appendAll(slots, fixedSlot(block, 'thinking', `${at}.thinking_blocks[${k}].thinking`, role));
    });
  });
  // Predicted output (the file being edited, usually) is sent to the provider like the turns.
  if (isObject(body.prediction)) appendAll(slots, contentSlots(body.prediction, 'content', 'prediction.content', 'assistant', ['text']));
  return [...slots, ...chatToolDefinitionSlots(body), ...openAiIdentifierSlots(body)];
}

/**
 * OpenAI's end-user identifiers: `user` (deprecated), `safety_identifier` for abuse monitoring,
 * and `prompt_cache_key`, which applications often set to the user's id or email too.
 */
const OPENAI_IDENTIFIERS = ['user', 'safety_identifier', 'prompt_cache_key'] as const;
const openAiIdentifierSlots = (body: JsonObject): TextSlot[] => [
  ...OPENAI_IDENTIFIERS.flatMap((key) => identifierSlot(body, key, key)),
  ...openAiMetadataSlots(body),
];

/** A metadata key that can name its event's location: a field name, not free text. */
const PLAIN_KEY = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * OpenAI's `metadata` (chat and Responses): up to 16 tags the provider stores with the
 * completion for filtering, often the customer's id or address. Each string value is judged
 * like an end-user identifier: a tag stays a tag, the same pseudonym for the same value. Keys are
 * the developer's field names and are left alone; an event names a key only when it looks like
 * one.
 */
function openAiMetadataSlots(body: JsonObject): TextSlot[] {
  const metadata = body.metadata;
  if (!isObject(metadata)) return [];
  return Object.keys(metadata).flatMap((key, i) =>
    identifierSlot(metadata, key, PLAIN_KEY.test(key) ? `metadata.${key}` : `metadata[${i}]`),
  );
}

/**
 * The texts of one Anthropic content block, wherever blocks appear (a turn, a tool result, a
 * document's content). Images and files carry no text the detectors read.
 */
function anthropicBlockSlots(block: unknown, at: string, role: SlotRole): TextSlot[] {
  if (!isObject(block)) return [];
  switch (block.type) {
    case 'text':
      return stringSlot(block, 'text', `${at}.text`, role);
    // An earlier tool call of the model's, sent back with the conversation.
    case 'tool_use':
      return jsonValueSlot(block, 'input', `${at}.input`, role);
    // A tool's output is third-party text: judged as untrusted, like a user turn.
    case 'tool_result':
      return anthropicContentSlots(block, 'content', `${at}.content`, 'tool');
    // A plain-text document is read by the model like any turn; so are its title and context.
    case 'document': {
      const slots = [...stringSlot(block, 'title', `${at}.title`, role), ...stringSlot(block, 'context', `${at}.context`, role)];
      const source = block.source;
      if (!isObject(source)) return slots;
      if (source.type === 'text') appendAll(slots, stringSlot(source, 'data', `${at}.source.data`, role));
      if (source.type === 'content') appendAll(slots, anthropicContentSlots(source, 'content', `${at}.source.content`, role));
      return slots;
    }
    case 'search_result':
      return [...stringSlot(block, 'title', `${at}.title`, role), ...anthropicContentSlots(block, 'content', `${at}.content`, role)];
    // Signed by the provider: the next turn fails if a byte changes (see TextSlot.fixed).
    case 'thinking':
      return fixedSlot(block, 'thinking', `${at}.thinking`, role);
    default:
      return [];
  }
}

/** A field that is a string or a list of blocks. */
function anthropicContentSlots(holder: JsonObject, key: string, at: string, role: SlotRole): TextSlot[] {
  const value = holder[key];
  if (typeof value === 'string') return stringSlot(holder, key, at, role);
  return Array.isArray(value) ? value.flatMap((block, j) => anthropicBlockSlots(block, `${at}[${j}]`, role)) : [];
}

function anthropicMessagesSlots(body: JsonObject): TextSlot[] {
  const slots: TextSlot[] = [...anthropicContentSlots(body, 'system', 'system', 'system')];
  const messages = Array.isArray(body.messages) ? body.messages : [];
  messages.forEach((message, i) => {
    if (isObject(message)) appendAll(slots, anthropicContentSlots(message, 'content', `messages[${i}].content`, roleOf(message.role)));
  });
  appendAll(slots, anthropicToolDefinitionSlots(body));
  if (isObject(body.metadata)) appendAll(slots, identifierSlot(body.metadata, 'user_id', 'metadata.user_id'));
  return slots;
}

/** The texts of one Responses input item other than a message. */
function responsesItemSlots(item: JsonObject, at: string): TextSlot[] {
  switch (item.type) {
    case 'function_call':
      return jsonStringSlot(item, 'arguments', `${at}.arguments`, 'assistant');
    // A custom tool's input is free text, not JSON.
    case 'custom_tool_call':
      return stringSlot(item, 'input', `${at}.input`, 'assistant');
    case 'function_call_output':
    case 'custom_tool_call_output':
      return contentSlots(item, 'output', `${at}.output`, 'tool', ['input_text']);
    // Reasoning replayed to the provider: summaries and text may be tied to a signature.
    case 'reasoning': {
      const texts = (key: 'summary' | 'content'): TextSlot[] => {
        const parts: unknown[] = Array.isArray(item[key]) ? item[key] : [];
        return parts.flatMap((part, k) => (isObject(part) ? fixedSlot(part, 'text', `${at}.${key}[${k}].text`, 'assistant') : []));
      };
      return [...texts('summary'), ...texts('content')];
    }
    // Other tool calls replayed with the conversation (MCP, shell, patch) and their outputs: what
    // the model asked for and what came back.
    case 'mcp_call':
    case 'code_interpreter_call':
      return providerToolCallSlots(item, at);
    // A remote MCP server's tool list (developer text, like the request's own tools) and a call
    // the provider asked the client to approve.
    case 'mcp_list_tools':
      return mcpListedToolSlots(item, at);
    case 'mcp_approval_request':
      return approvalRequestSlots(item, at);
    case 'local_shell_call':
    case 'shell_call':
    case 'apply_patch_call':
      return clientToolCallSlots(item, at);
    case 'local_shell_call_output':
    case 'apply_patch_call_output':
      return stringSlot(item, 'output', `${at}.output`, 'tool');
    case 'shell_call_output': {
      const outputs = Array.isArray(item.output) ? item.output : [];
      return outputs.flatMap((output, k) =>
        isObject(output)
          ? [
              ...stringSlot(output, 'stdout', `${at}.output[${k}].stdout`, 'tool'),
              ...stringSlot(output, 'stderr', `${at}.output[${k}].stderr`, 'tool'),
            ]
          : [],
      );
    }
    default:
      return [];
  }
}

/**
 * A stored prompt's variables: the provider puts them into the prompt, and applications fill
 * them from what their users wrote. Each is a string or an input part.
 */
function promptVariableSlots(body: JsonObject): TextSlot[] {
  const variables = isObject(body.prompt) && isObject(body.prompt.variables) ? body.prompt.variables : undefined;
  if (!variables) return [];
  return Object.entries(variables).flatMap(([name, value]) => {
    const at = `prompt.variables[${JSON.stringify(name)}]`;
    if (typeof value === 'string') return stringSlot(variables, name, at, 'user');
    return isObject(value) && value.type === 'input_text' ? stringSlot(value, 'text', `${at}.text`, 'user') : [];
  });
}

function responsesSlots(body: JsonObject): TextSlot[] {
  const slots: TextSlot[] = [
    ...stringSlot(body, 'instructions', 'instructions', 'system'),
    ...promptVariableSlots(body),
    ...responsesToolDefinitionSlots(body),
    ...openAiIdentifierSlots(body),
  ];
  if (typeof body.input === 'string') return [...slots, ...stringSlot(body, 'input', 'input', 'user')];
  const items = Array.isArray(body.input) ? body.input : [];
  items.forEach((item, i) => {
    if (!isObject(item)) return;
    const at = `input[${i}]`;
    if ((item.type ?? 'message') === 'message')
      appendAll(slots, contentSlots(item, 'content', `${at}.content`, roleOf(item.role), ['input_text', 'output_text']));
    else appendAll(slots, responsesItemSlots(item, at));
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

/**
 * An embeddings request's `input`: a string or an array of strings (token arrays carry no text),
 * and its end-user identifier.
 */
export function embeddingsSlots(body: { input: unknown; user?: string | null | undefined }): TextSlot[] {
  const identifier: TextSlot[] =
    typeof body.user === 'string'
      ? [{ location: 'user', role: 'user', text: body.user, identifier: true, set: (text) => (body.user = text) }]
      : [];
  if (typeof body.input === 'string') return [...stringSlot(body, 'input', 'input', 'user'), ...identifier];
  if (!Array.isArray(body.input)) return identifier;
  const input = body.input as unknown[];
  const texts = input.flatMap((value, i) =>
    typeof value === 'string'
      ? [{ location: `input[${i}]`, role: 'user' as const, text: value, set: (text: string) => (input[i] = text) }]
      : [],
  );
  return [...texts, ...identifier];
}
