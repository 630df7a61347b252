// Both counter implementations validate arguments identically, so a caller bug fails the same
// way in development (memory) as in production (Redis), and nothing malformed reaches Lua.
import type { AdjustItem, ReserveItem } from './usage-counters.js';

export function assertReserveItems(items: readonly ReserveItem[]): void {
  const seen = new Set<string>();
  for (const item of items) {
    assertKey(item.key);
    // A repeated key would be checked against its old value twice and could overshoot.
    if (seen.has(item.key)) throw new RangeError(`reserve: key "${item.key}" appears twice`);
    seen.add(item.key);
    assertNonNegative('amount', item.amount);
    assertNonNegative('limit', item.limit);
    assertTtl(item.ttlMs);
  }
}

export function assertAdjustItems(items: readonly AdjustItem[]): void {
  for (const item of items) {
    assertKey(item.key);
    if (!Number.isSafeInteger(item.delta)) throw new RangeError(`delta must be a safe integer, got ${String(item.delta)}`);
  }
}

export function assertKeys(keys: readonly string[]): void {
  for (const key of keys) assertKey(key);
}

export function assertInitialize(key: string, value: number, ttlMs: number | null, markers: readonly string[]): void {
  assertKey(key);
  assertNonNegative('value', value);
  assertTtl(ttlMs);
  for (const marker of markers) {
    assertKey(marker);
    // SET NX on the counter's own key would report the counter as set and then skip the marker.
    if (marker === key) throw new RangeError(`initialize: marker "${marker}" is the counter itself`);
  }
}

function assertKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new RangeError('counter keys must be non-empty strings');
}

function assertNonNegative(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative safe integer, got ${String(value)}`);
}

function assertTtl(ttlMs: number | null): void {
  if (ttlMs === null) return;
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) throw new RangeError(`ttlMs must be a positive integer or null, got ${String(ttlMs)}`);
}
