/** Canonical ChatResponse → Messages API `Message` object. */
import type { ChatResponse } from '../../canonical/types.js';
import type { RenderContext } from '../types.js';
import { messageId, toolInput } from './ids.js';
import { encodeStopReason } from './stop-reason.js';
import { anthropicUsage } from './usage.js';

type RenderedBlock =
  | { type: 'thinking'; thinking: string; signature?: string }
  | { type: 'redacted_thinking'; data: string }
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

export function renderMessage(response: ChatResponse, context: RenderContext): Record<string, unknown> {
  const choice = response.choices[0];
  const content: RenderedBlock[] = [];
  if (choice) {
    const m = choice.message;
    // Claude's own order: thinking, then text, then tool calls.
    for (const r of m.reasoning ?? []) {
      if (r.type === 'thinking') content.push({ type: 'thinking', thinking: r.text, ...(r.signature ? { signature: r.signature } : {}) });
      else content.push({ type: 'redacted_thinking', data: r.data });
    }
    for (const part of m.content) if (part.text !== '') content.push({ type: 'text', text: part.text });
    if (m.refusal) content.push({ type: 'text', text: m.refusal });
    for (const call of m.toolCalls ?? [])
      content.push({ type: 'tool_use', id: call.id, name: call.name, input: toolInput(call.arguments) });
  }
  const stopReason = choice ? encodeStopReason(choice.finishReason, choice.providerFinishReason, choice.stopSequence) : 'end_turn';
  return {
    id: messageId(response.id, context.requestId),
    type: 'message',
    role: 'assistant',
    model: response.model,
    content,
    stop_reason: stopReason,
    stop_sequence: choice?.stopSequence ?? null,
    // The current API always returns these (null when empty); the 1.x SDK types require them.
    stop_details: refusalDetails(stopReason),
    container: null,
    usage: anthropicUsage(response.usage),
  };
}

/** A refusal carries stop_details; the gateway does not know the policy category, hence nulls. */
export function refusalDetails(stopReason: string): { type: 'refusal'; category: null; explanation: null } | null {
  return stopReason === 'refusal' ? { type: 'refusal', category: null, explanation: null } : null;
}
