/**
 * Responses input items → canonical messages.
 *
 * The Responses API spreads one assistant turn over several items (reasoning, message,
 * function_call, function_call, …); the canonical types, like every chat API, hold a turn in one
 * assistant message. So a run of consecutive assistant-side items becomes one assistant message,
 * and each function_call_output becomes a tool message.
 */
import type { AssistantMessage, Message, ReasoningBlock } from '../../canonical/types.js';
import { assistantContent, instructionContent, userContent, type Report } from './content.js';
import { decodeReasoningToken } from './reasoning-token.js';
import type { InputItem } from './schema.js';
import { badRequest } from '../../../http/errors.js';
import { appendAll } from '../../../append-all.js';

const SHOWABLE_TYPE = /^[A-Za-z0-9_.-]{1,64}$/;

/** An item type for an error message: client-chosen, so only shown when it is a plain identifier. */
export function showType(type: string): string {
  return SHOWABLE_TYPE.test(type) ? type : '?';
}

export function itemsToMessages(input: string | InputItem[] | undefined, report: Report): Message[] {
  if (input === undefined) return [];
  if (typeof input === 'string') return [{ role: 'user', content: [{ type: 'text', text: input }] }];

  const messages: Message[] = [];
  let turn: AssistantMessage | undefined;

  const openTurn = (): AssistantMessage => (turn ??= { role: 'assistant', content: [] });
  const closeTurn = () => {
    // A turn made only of reasoning (the client replayed reasoning without what followed it) has
    // nothing a provider accepts as an assistant message; its reasoning has nothing to justify.
    if (turn && (turn.content.length > 0 || turn.toolCalls !== undefined || turn.refusal !== undefined)) messages.push(turn);
    turn = undefined;
  };

  input.forEach((item, i) => {
    const path = `input[${i}]`;
    switch (item.kind) {
      case 'message': {
        if (item.role === 'assistant') {
          const { content, refusal } = assistantContent(item.content, `${path}.content`, report);
          const target = openTurn();
          appendAll(target.content, content);
          if (refusal !== undefined) target.refusal = (target.refusal ?? '') + refusal;
          return;
        }
        closeTurn();
        if (item.role === 'user') messages.push({ role: 'user', content: userContent(item.content, `${path}.content`, report) });
        else messages.push({ role: item.role, content: instructionContent(item.content, `${path}.content`, report) });
        return;
      }
      case 'function_call': {
        // Namespaced functions belong to OpenAI's tool-search feature.
        if (item.namespace) report(`${path} (function_call namespace)`);
        const target = openTurn();
        (target.toolCalls ??= []).push({ id: item.call_id, name: item.name, arguments: item.arguments });
        return;
      }
      case 'function_call_output':
        closeTurn();
        messages.push({ role: 'tool', toolCallId: item.call_id, content: userContent(item.output, `${path}.output`, report) });
        return;
      case 'reasoning': {
        const block = replayableReasoning(item, path);
        if (block) (openTurn().reasoning ??= []).push(block);
        return;
      }
      case 'item_reference':
        // Points at an item stored on OpenAI's servers; only OpenAI can resolve it.
        report(`${path} (item_reference)`);
        closeTurn();
        return;
      case 'other':
        report(`${path} (${showType(item.type)})`);
        closeTurn();
        return;
    }
  });
  closeTurn();
  return messages;
}

/**
 * Only reasoning the gateway itself rendered is replayed (see reasoning-token.ts). Reasoning items
 * from OpenAI are dropped on purpose, not reported: their `encrypted_content` is encrypted with
 * OpenAI's key and only OpenAI can turn it back into model state, and their summary is a
 * paraphrase written for people, not the model's reasoning — feeding it to another model as its
 * own thoughts would misstate the conversation (Anthropic also rejects unsigned thinking blocks).
 * No provider needs another model's hidden reasoning to continue a conversation.
 */
function replayableReasoning(item: Extract<InputItem, { kind: 'reasoning' }>, path: string): ReasoningBlock | undefined {
  const decoded = decodeReasoningToken(item.encrypted_content);
  if (decoded.kind === 'foreign') return undefined;
  // Our prefix but unreadable: a corrupted or hand-edited token. Dropping it would only move the
  // failure upstream (a missing thinking block); say where the problem is instead.
  if (decoded.kind === 'invalid') throw badRequest(`Invalid request: ${path}.encrypted_content: is not a valid reasoning token`);
  return decoded.build(item.summary.map((part) => part.text).join(''));
}
