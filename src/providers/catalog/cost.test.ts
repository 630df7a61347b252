import { describe, expect, it } from 'vitest';
import type { Usage } from '../../gateway/canonical/types.js';
import { findModel } from './catalog.js';
import { computeCostMicroUsd, estimateMaxCostMicroUsd } from './cost.js';
import type { ModelPricing } from './schema.js';

const usage = (partial: Partial<Usage>): Usage => ({
  inputTokens: 0,
  outputTokens: 0,
  cachedInputTokens: 0,
  cacheWriteInputTokens: 0,
  reasoningTokens: 0,
  ...partial,
});

// Groq's gpt-oss-20b list price shape, with a half-price cache rate: fractional prices on purpose.
const fractional: ModelPricing = { input: 0.075, output: 0.3, cachedInput: 0.0375 };
// Anthropic-style: cache writes cost more than plain input.
const withCacheWrite: ModelPricing = { input: 3, output: 15, cachedInput: 0.3, cacheWrite: 3.75 };

describe('computeCostMicroUsd', () => {
  it('is zero for zero usage', () => {
    expect(computeCostMicroUsd(withCacheWrite, usage({}))).toBe(0);
  });

  it('bills fractional prices exactly', () => {
    // 600 uncached x 0.075 = 45, 400 cached x 0.0375 = 15, 200 out x 0.3 = 60
    expect(computeCostMicroUsd(fractional, usage({ inputTokens: 1000, cachedInputTokens: 400, outputTokens: 200 }))).toBe(120);
  });

  it('rounds a fractional total up to the next micro-USD', () => {
    // 1001 x 0.075 = 75.075 -> 76
    expect(computeCostMicroUsd(fractional, usage({ inputTokens: 1001 }))).toBe(76);
    // 1 x 0.075 = 0.075 -> 1
    expect(computeCostMicroUsd(fractional, usage({ inputTokens: 1 }))).toBe(1);
  });

  it('does not drift where float arithmetic would', () => {
    // In floats 100 * 0.07 is 7.000000000000001, which would round up to 8.
    expect(computeCostMicroUsd({ input: 0.07, output: 0 }, usage({ inputTokens: 100 }))).toBe(7);
  });

  it('bills cached and cache-write tokens at their own rates, out of the input total', () => {
    // 2,000 uncached x 3 = 6,000; 6,000 cached x 0.3 = 1,800; 2,000 written x 3.75 = 7,500; 500 out x 15 = 7,500
    const cost = computeCostMicroUsd(
      withCacheWrite,
      usage({ inputTokens: 10_000, cachedInputTokens: 6_000, cacheWriteInputTokens: 2_000, outputTokens: 500 }),
    );
    expect(cost).toBe(22_800);
  });

  it('bills unpriced cache reads and writes at the input rate', () => {
    // 100 uncached + 50 cached + 50 written, all at 2; 10 out x 10
    expect(
      computeCostMicroUsd(
        { input: 2, output: 10 },
        usage({ inputTokens: 200, cachedInputTokens: 50, cacheWriteInputTokens: 50, outputTokens: 10 }),
      ),
    ).toBe(500);
  });

  it('does not add reasoning tokens on top of output tokens', () => {
    expect(computeCostMicroUsd({ input: 1, output: 10 }, usage({ outputTokens: 100, reasoningTokens: 80 }))).toBe(1_000);
  });

  it('clamps inconsistent usage instead of billing negative uncached tokens', () => {
    // 150 cached reported against 100 input: uncached clamps to 0, cached still billed: 150 x 0.1 = 15
    expect(computeCostMicroUsd({ input: 2, output: 10, cachedInput: 0.1 }, usage({ inputTokens: 100, cachedInputTokens: 150 }))).toBe(15);
    // negative counts are treated as zero
    expect(computeCostMicroUsd({ input: 2, output: 10 }, usage({ inputTokens: -5, outputTokens: -1 }))).toBe(0);
  });

  it('rejects a non-finite token count rather than guessing', () => {
    expect(() => computeCostMicroUsd({ input: 2, output: 10 }, usage({ inputTokens: Number.NaN }))).toThrow(RangeError);
  });

  it('bills embeddings on input only', () => {
    // 1,234 x 0.02 = 24.68 -> 25
    expect(computeCostMicroUsd({ input: 0.02 }, usage({ inputTokens: 1_234 }))).toBe(25);
  });

  it('switches the whole request to the long-context tier past its threshold', () => {
    const sol = findModel('openai', 'gpt-6.2-sol')!.pricing;
    // At the threshold: base rates. 272,000 x 2 + 1,000 x 10
    expect(computeCostMicroUsd(sol, usage({ inputTokens: 272_000, outputTokens: 1_000 }))).toBe(554_000);
    // Past it: every token at the long rates. 300,000 x 4 + 1,000 x 15
    expect(computeCostMicroUsd(sol, usage({ inputTokens: 300_000, outputTokens: 1_000 }))).toBe(1_215_000);
    // Cached tokens count toward the threshold and take the tier's cached rate: 1 x 4 + 272,000 x 0.2
    expect(computeCostMicroUsd(sol, usage({ inputTokens: 272_001, cachedInputTokens: 272_000 }))).toBe(54_404);
  });
});

describe('estimateMaxCostMicroUsd', () => {
  it('prices every input token at the dearest input-side rate plus the full output allowance', () => {
    // 1,000 x 3.75 (cache write) + 2,000 x 15
    expect(estimateMaxCostMicroUsd(withCacheWrite, 1_000, 2_000)).toBe(33_750);
  });

  it('uses the long-context tier when the prompt alone exceeds it', () => {
    const sol = findModel('openai', 'gpt-6.2-sol')!.pricing;
    // 300,000 x 5 (long cache write) + 128,000 x 15
    expect(estimateMaxCostMicroUsd(sol, 300_000, 128_000)).toBe(3_420_000);
  });

  it('rounds up and is never below the actual cost of the same request', () => {
    const estimate = estimateMaxCostMicroUsd(fractional, 1_001, 0);
    expect(estimate).toBe(76);
    expect(estimate).toBeGreaterThanOrEqual(computeCostMicroUsd(fractional, usage({ inputTokens: 1_001, cachedInputTokens: 500 })));
  });
});
