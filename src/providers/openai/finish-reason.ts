import type { FinishReason } from '../../gateway/canonical/types.js';

/** Wire finish reasons that map to a canonical one without losing meaning. */
const KNOWN: Readonly<Record<string, FinishReason>> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool_calls',
  content_filter: 'content_filter',
  // Legacy function calling is a tool call by another name.
  function_call: 'tool_calls',
  // Mistral: the model's context (not max_tokens) ran out; still a length stop for the client.
  model_length: 'length',
  error: 'error',
};

/**
 * Maps a Chat Completions finish_reason. Unknown values become `stop` with the provider's own
 * value kept in `providerFinishReason`, so nothing is silently invented and nothing is lost.
 */
export function mapFinishReason(wire: string | null | undefined): { finishReason: FinishReason; providerFinishReason?: string } {
  if (wire == null) return { finishReason: 'stop' };
  const known = Object.hasOwn(KNOWN, wire) ? KNOWN[wire] : undefined;
  if (known === undefined) return { finishReason: 'stop', providerFinishReason: wire };
  return wire === known ? { finishReason: known } : { finishReason: known, providerFinishReason: wire };
}
