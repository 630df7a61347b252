// Both implementations validate arguments identically so a caller bug fails the same way
// in development (memory) as in production (Redis) instead of surfacing only there.

export function assertTtlMs(ttlMs: number | undefined): void {
  if (ttlMs === undefined) return;
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`ttlMs must be a positive integer, got ${String(ttlMs)}`);
  }
}

export function assertIncrement(amount: number): void {
  if (!Number.isSafeInteger(amount)) {
    throw new RangeError(`incrBy amount must be a safe integer, got ${String(amount)}`);
  }
}
