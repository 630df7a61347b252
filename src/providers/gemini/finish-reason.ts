/**
 * Gemini finishReason → canonical. Gemini says STOP after function calls too; the canonical reason is then
 * tool_calls. Every reason other than STOP and MAX_TOKENS keeps Gemini's own name as providerFinishReason.
 */
import type { FinishReason } from '../../gateway/canonical/types.js';

const FILTERED = new Set([
  'SAFETY',
  'RECITATION',
  'LANGUAGE',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'IMAGE_RECITATION',
]);

export type MappedFinish = { finishReason: FinishReason; providerFinishReason?: string };

export function mapFinishReason(reason: string | undefined, hasToolCalls: boolean): MappedFinish {
  if (reason === undefined || reason === 'STOP') return { finishReason: hasToolCalls ? 'tool_calls' : 'stop' };
  if (reason === 'MAX_TOKENS') return { finishReason: 'length' };
  if (FILTERED.has(reason)) return { finishReason: 'content_filter', providerFinishReason: reason };
  // MALFORMED_FUNCTION_CALL, UNEXPECTED_TOOL_CALL, TOO_MANY_TOOL_CALLS, MISSING_THOUGHT_SIGNATURE, OTHER, …
  return { finishReason: 'error', providerFinishReason: reason };
}
