import type { Usage } from '../../gateway/canonical/types.js';
import type { ModelPricing } from './schema.js';

/**
 * Request cost in whole micro-USD.
 *
 * A price in USD per million tokens is exactly micro-USD per token, so cost is a sum of
 * `tokens x price`. Prices carry up to 6 decimals (enforced by the catalog schema), so each is
 * scaled to an integer number of pico-USD per token and the sum is done in BigInt: no float
 * rounding can drift a bill. The total is rounded UP to a whole micro-USD, never under-billing.
 */

type Rates = { input: bigint; output: bigint; cachedInput: bigint; cacheWrite: bigint };

const PICO_PER_MICRO = 1_000_000n;

export function computeCostMicroUsd(pricing: ModelPricing, usage: Usage): number {
  const input = tokens(usage.inputTokens);
  const cached = tokens(usage.cachedInputTokens);
  const written = tokens(usage.cacheWriteInputTokens);
  const output = tokens(usage.outputTokens);
  // inputTokens should include the cached and cache-write tokens, but usage is assembled from
  // several provider fields (Anthropic reports them separately and the adapter sums them; a stream
  // cut short can carry cache counts from its start but no final input count; some
  // OpenAI-compatible servers report cached_tokens > prompt_tokens). The uncached remainder is
  // clamped at zero, and cached/cache-write tokens are still billed in full at their own rates.
  // reasoningTokens are already inside outputTokens, so they are not added again.
  const uncached = input > cached + written ? input - cached - written : 0n;
  const rates = ratesFor(pricing, uncached + cached + written);
  const pico = uncached * rates.input + cached * rates.cachedInput + written * rates.cacheWrite + output * rates.output;
  return toMicroRoundedUp(pico);
}

/**
 * Upper bound for a request before it runs (for usage limits): every input token at the dearest
 * input-side rate (a cache write can cost more than plain input) and the full output allowance.
 */
export function estimateMaxCostMicroUsd(pricing: ModelPricing, inputTokens: number, maxOutputTokens: number): number {
  const input = tokens(inputTokens);
  const rates = ratesFor(pricing, input);
  const inputRate = [rates.input, rates.cachedInput, rates.cacheWrite].reduce((max, r) => (r > max ? r : max));
  return toMicroRoundedUp(input * inputRate + tokens(maxOutputTokens) * rates.output);
}

/** Base rates, or the long-context tier's for the whole request once the prompt exceeds its threshold. */
function ratesFor(pricing: ModelPricing, promptTokens: bigint): Rates {
  const tier = pricing.longContext;
  const source = tier !== undefined && promptTokens > BigInt(tier.aboveInputTokens) ? tier : pricing;
  const input = picoPerToken(source.input);
  return {
    input,
    // Embedding models have no output price and produce no output tokens.
    output: picoPerToken(source.output ?? 0),
    // An unpublished cache rate bills at the input rate: never below what the provider charges.
    cachedInput: source.cachedInput === undefined ? input : picoPerToken(source.cachedInput),
    cacheWrite: source.cacheWrite === undefined ? input : picoPerToken(source.cacheWrite),
  };
}

/** USD per million tokens (= micro-USD per token) to integer pico-USD per token. */
function picoPerToken(usdPerMillion: number): bigint {
  const scaled = Math.round(usdPerMillion * 1_000_000);
  if (!Number.isSafeInteger(scaled) || scaled < 0 || Math.abs(usdPerMillion * 1_000_000 - scaled) > 1e-6) {
    throw new RangeError(`price ${usdPerMillion} is not a non-negative amount with at most 6 decimals`);
  }
  return BigInt(scaled);
}

/** Negative counts clamp to zero; fractional counts round up (never under-bill). */
function tokens(count: number): bigint {
  if (!Number.isFinite(count)) throw new RangeError(`token count ${count} is not a finite number`);
  return count <= 0 ? 0n : BigInt(Math.ceil(count));
}

function toMicroRoundedUp(pico: bigint): number {
  const micro = (pico + PICO_PER_MICRO - 1n) / PICO_PER_MICRO;
  return Number(micro);
}
