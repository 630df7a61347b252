/** Anthropic stop_reason → canonical finish reason; the raw value is kept when the mapping loses detail. */
import type { FinishReason } from '../../gateway/canonical/types.js';

export type DecodedStop = { finishReason: FinishReason; providerFinishReason?: string };

export function decodeStopReason(stopReason: string | null | undefined): DecodedStop {
  switch (stopReason) {
    case 'end_turn':
    case 'stop_sequence':
      return { finishReason: 'stop' };
    case 'max_tokens':
      return { finishReason: 'length' };
    case 'tool_use':
      return { finishReason: 'tool_calls' };
    case 'refusal':
      return { finishReason: 'refusal', providerFinishReason: 'refusal' };
    case 'model_context_window_exceeded':
      return { finishReason: 'length', providerFinishReason: stopReason };
    // pause_turn (a server-tool loop paused; resend to continue) and any newer value: the answer
    // ended normally as far as canonical clients can tell; the raw reason stays visible.
    default:
      return { finishReason: 'stop', ...(stopReason ? { providerFinishReason: stopReason } : {}) };
  }
}
