/** Canonical finish → Anthropic stop_reason, for responses rendered in the Messages format. */
import type { FinishReason } from '../../canonical/types.js';

const ANTHROPIC_STOP_REASONS = new Set([
  'end_turn',
  'max_tokens',
  'stop_sequence',
  'tool_use',
  'pause_turn',
  'refusal',
  'model_context_window_exceeded',
]);

export function encodeStopReason(finishReason: FinishReason, providerFinishReason?: string, stopSequence?: string | null): string {
  // An Anthropic upstream's own reason is the most precise (pause_turn, model_context_window_exceeded).
  if (providerFinishReason !== undefined && ANTHROPIC_STOP_REASONS.has(providerFinishReason)) return providerFinishReason;
  switch (finishReason) {
    case 'stop':
      return typeof stopSequence === 'string' ? 'stop_sequence' : 'end_turn';
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
      return 'tool_use';
    case 'content_filter':
    case 'refusal':
      return 'refusal';
    case 'error':
      // Rendered only when an upstream reported an error finish after content; the turn is over.
      return 'end_turn';
  }
}
