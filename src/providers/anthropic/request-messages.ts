/**
 * Canonical conversation → Messages API `system` + `messages`:
 * - system/developer messages, wherever they appear, are hoisted in order into `system` (the
 *   top-level parameter every Claude model accepts; mid-conversation system turns exist only on
 *   newer models);
 * - tool messages become user turns holding `tool_result` blocks;
 * - consecutive turns of the same role are merged into one, as the API expects alternation;
 * - assistant reasoning is replayed as `thinking` (with its signature) / `redacted_thinking`.
 */
import type { AssistantMessage, Message, ToolMessage } from '../../gateway/canonical/types.js';
import { UnsupportedFeatureError } from '../types.js';
import { contentBlock, textBlock } from './request-content.js';
import type { WireAssistantBlock, WireMessage, WireTextBlock, WireToolResultBlock, WireUserBlock } from './wire-types.js';
import { appendAll } from '../../append-all.js';

export type ConvertedConversation = { system: WireTextBlock[]; messages: WireMessage[] };

export function convertConversation(messages: readonly Message[]): ConvertedConversation {
  const system: WireTextBlock[] = [];
  const turns: WireMessage[] = [];
  const push = (turn: WireMessage) => {
    if (turn.content.length === 0) return; // the API rejects empty turns; an empty one carries nothing
    const last = turns.at(-1);
    if (last?.role === 'user' && turn.role === 'user') appendAll(last.content, turn.content);
    else if (last?.role === 'assistant' && turn.role === 'assistant') appendAll(last.content, turn.content);
    else turns.push(turn);
  };

  for (const message of messages) {
    switch (message.role) {
      case 'system':
      case 'developer':
        for (const part of message.content) if (part.text !== '') system.push(textBlock(part));
        break;
      case 'user':
        // `name` has no Anthropic equivalent; it labels a speaker and does not change the content.
        push({ role: 'user', content: message.content.filter((p) => p.type !== 'text' || p.text !== '').map(contentBlock) });
        break;
      case 'assistant':
        push({ role: 'assistant', content: assistantBlocks(message) });
        break;
      case 'tool':
        push({ role: 'user', content: [toolResult(message)] });
        break;
    }
  }
  for (const turn of turns) if (turn.role === 'user') toolResultsFirst(turn.content);
  return { system, messages: turns };
}

function assistantBlocks(message: AssistantMessage): WireAssistantBlock[] {
  const blocks: WireAssistantBlock[] = [];
  for (const block of message.reasoning ?? []) {
    if (block.type === 'redacted_thinking') blocks.push({ type: 'redacted_thinking', data: block.data });
    // Thinking without a signature (another provider's reasoning) cannot be replayed: Anthropic
    // verifies the signature. Earlier turns' thinking is not shown to the model anyway.
    else if (block.signature) blocks.push({ type: 'thinking', thinking: block.text, signature: block.signature });
  }
  for (const part of message.content) if (part.text !== '') blocks.push(textBlock(part));
  if (message.refusal) blocks.push({ type: 'text', text: message.refusal });
  for (const call of message.toolCalls ?? []) {
    blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: toolInput(call.arguments) });
  }
  return blocks;
}

/** Anthropic takes tool input as a JSON object, so the canonical JSON text must parse to one. */
function toolInput(args: string): Record<string, unknown> {
  if (args.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(args);
  } catch {
    throw new UnsupportedFeatureError(
      'anthropic',
      'tool_call_arguments',
      'assistant tool call arguments must be valid JSON to be sent to anthropic',
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UnsupportedFeatureError(
      'anthropic',
      'tool_call_arguments',
      'assistant tool call arguments must be a JSON object to be sent to anthropic',
    );
  }
  return value as Record<string, unknown>;
}

function toolResult(message: ToolMessage): WireToolResultBlock {
  const content = message.content.filter((p) => p.type !== 'text' || p.text !== '').map(contentBlock);
  return {
    type: 'tool_result',
    tool_use_id: message.toolCallId,
    ...(content.length > 0 ? { content } : {}),
    ...(message.isError ? { is_error: true } : {}),
    ...(message.cacheControl ? { cache_control: message.cacheControl } : {}),
  };
}

/**
 * The API requires a user turn's tool_result blocks to come before its other content. A merged
 * turn (tool results, then the user's next words) already has that order; a stable partition
 * repairs the rarer reverse, which the API would otherwise reject.
 */
function toolResultsFirst(content: WireUserBlock[]): void {
  const results = content.filter((b) => b.type === 'tool_result');
  if (results.length === 0) return;
  const others = content.filter((b) => b.type !== 'tool_result');
  content.splice(0, content.length, ...results, ...others);
}
