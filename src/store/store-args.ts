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

export function assertLeaseArgs(leaseId: string, limit: number, ttlMs: number): void {
  if (leaseId.length === 0) throw new RangeError('leaseId must not be empty');
  if (!Number.isSafeInteger(limit) || limit <= 0) throw new RangeError(`lease limit must be a positive integer, got ${String(limit)}`);
  assertTtlMs(ttlMs);
}
