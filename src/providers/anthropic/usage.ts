/**
 * Anthropic usage → canonical Usage. Anthropic's `input_tokens` excludes cache reads and cache
 * writes; the canonical `inputTokens` is the whole input, so the three are added.
 */
import { z } from 'zod';
import type { Usage } from '../../gateway/canonical/types.js';

const count = z.number().int().nonnegative();

/** Usage as message_start, message_delta and a Message carry it; every counter may be absent or null. */
export const wireUsageSchema = z.looseObject({
  input_tokens: count.nullish(),
  output_tokens: count.nullish(),
  cache_creation_input_tokens: count.nullish(),
  cache_read_input_tokens: count.nullish(),
  output_tokens_details: z.looseObject({ thinking_tokens: count.nullish() }).nullish(),
});
export type WireUsage = z.infer<typeof wireUsageSchema>;

/** Anthropic's counters, kept apart so partial updates (message_delta) can overwrite field by field. */
export type UsageCounters = { input: number; output: number; cacheRead: number; cacheWrite: number; thinking: number };

export const zeroCounters = (): UsageCounters => ({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0, thinking: 0 });

/**
 * Applies a usage object: counters are cumulative totals, so a present value replaces the old one
 * and an absent or null one leaves it alone (message_delta omits what it does not restate).
 */
export function applyUsage(counters: UsageCounters, usage: WireUsage): UsageCounters {
  return {
    input: usage.input_tokens ?? counters.input,
    output: usage.output_tokens ?? counters.output,
    cacheRead: usage.cache_read_input_tokens ?? counters.cacheRead,
    cacheWrite: usage.cache_creation_input_tokens ?? counters.cacheWrite,
    thinking: usage.output_tokens_details?.thinking_tokens ?? counters.thinking,
  };
}

export function toCanonicalUsage(c: UsageCounters): Usage {
  return {
    inputTokens: c.input + c.cacheRead + c.cacheWrite,
    outputTokens: c.output,
    cachedInputTokens: c.cacheRead,
    cacheWriteInputTokens: c.cacheWrite,
    reasoningTokens: Math.min(c.thinking, c.output),
  };
}
