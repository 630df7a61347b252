/**
 * usageMetadata → canonical Usage. Gemini's counts are disjoint:
 *   totalTokenCount = promptTokenCount + toolUsePromptTokenCount + candidatesTokenCount + thoughtsTokenCount
 * (checked against live responses). promptTokenCount already includes cachedContentTokenCount. Tool-use
 * prompt tokens (results of Google's built-in tools fed back to the model) are billed as input.
 */
import type { Usage } from '../../gateway/canonical/types.js';
import type { WireUsageMetadata } from './wire-response.js';

export function toUsage(metadata: WireUsageMetadata | undefined): Usage {
  const thoughts = metadata?.thoughtsTokenCount ?? 0;
  return {
    inputTokens: (metadata?.promptTokenCount ?? 0) + (metadata?.toolUsePromptTokenCount ?? 0),
    outputTokens: (metadata?.candidatesTokenCount ?? 0) + thoughts,
    cachedInputTokens: metadata?.cachedContentTokenCount ?? 0,
    // Gemini's caching is implicit or pre-created (cachedContents); a request never writes to a cache.
    cacheWriteInputTokens: 0,
    reasoningTokens: thoughts,
  };
}
