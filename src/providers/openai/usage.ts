/**
 * Token usage as the OpenAI family reports it, mapped to the canonical Usage (which billing reads).
 */
import { z } from 'zod';
import type { Usage } from '../../gateway/canonical/types.js';

const count = z.number().int().min(0);

export const chatUsageSchema = z.object({
  prompt_tokens: count.nullish(),
  completion_tokens: count.nullish(),
  total_tokens: count.nullish(),
  prompt_tokens_details: z.object({ cached_tokens: count.nullish() }).nullish(),
  completion_tokens_details: z.object({ reasoning_tokens: count.nullish() }).nullish(),
  /** DeepSeek reports cache hits here instead of prompt_tokens_details. */
  prompt_cache_hit_tokens: count.nullish(),
});
export type ChatUsageWire = z.infer<typeof chatUsageSchema>;

/**
 * Chat Completions usage. `prompt_tokens` already includes cached tokens. OpenAI counts reasoning
 * inside `completion_tokens`; xAI reports it beside them (total = prompt + completion + reasoning),
 * which the totals reveal, so both conventions end up with reasoning inside outputTokens.
 */
export function chatUsage(wire: ChatUsageWire): Usage {
  const input = wire.prompt_tokens ?? 0;
  const completion = wire.completion_tokens ?? 0;
  const reasoning = wire.completion_tokens_details?.reasoning_tokens ?? 0;
  const reasoningOutside = reasoning > 0 && wire.total_tokens != null && wire.total_tokens === input + completion + reasoning;
  return {
    inputTokens: input,
    outputTokens: reasoningOutside ? completion + reasoning : completion,
    cachedInputTokens: wire.prompt_tokens_details?.cached_tokens ?? wire.prompt_cache_hit_tokens ?? 0,
    cacheWriteInputTokens: 0,
    reasoningTokens: reasoning,
  };
}

export const responsesUsageSchema = z.object({
  input_tokens: count.nullish(),
  output_tokens: count.nullish(),
  input_tokens_details: z.object({ cached_tokens: count.nullish() }).nullish(),
  output_tokens_details: z.object({ reasoning_tokens: count.nullish() }).nullish(),
});
export type ResponsesUsageWire = z.infer<typeof responsesUsageSchema>;

/** Responses API usage: input includes cached tokens, output includes reasoning tokens. */
export function responsesUsage(wire: ResponsesUsageWire): Usage {
  return {
    inputTokens: wire.input_tokens ?? 0,
    outputTokens: wire.output_tokens ?? 0,
    cachedInputTokens: wire.input_tokens_details?.cached_tokens ?? 0,
    cacheWriteInputTokens: 0,
    reasoningTokens: wire.output_tokens_details?.reasoning_tokens ?? 0,
  };
}
