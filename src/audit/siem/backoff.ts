/**
 * Delay before the next attempt after `attempts` consecutive failures: doubling from baseMs,
 * capped at maxMs, with "equal jitter" (half fixed, half random) so that replicas and chains that
 * failed together do not retry together, while the delay still grows with every failure.
 */
export type BackoffOptions = { baseMs: number; maxMs: number };

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 2_000, maxMs: 300_000 };

export function backoffDelayMs(attempts: number, options: BackoffOptions, random: () => number = Math.random): number {
  // 2 ** 30 already exceeds any sensible cap; clamping keeps the arithmetic finite.
  const exponent = Math.min(Math.max(attempts, 1) - 1, 30);
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** exponent);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
