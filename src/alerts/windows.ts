/**
 * Counting windows and cooldowns over the shared counter store (Redis across replicas, memory on
 * the embedded default), using only its atomic operations.
 *
 * A window of W seconds is kept as ten slices of W/10: each event increments its slice (which
 * expires once it can no longer fall in a window), and the count is the sum of the last eleven
 * slices. Every event of the last W seconds is counted, and at most a tenth of a window more:
 * a burst is never missed because it straddled a boundary, as it could be with one fixed window.
 *
 * The cooldown is a set-if-absent with a TTL: of all the replicas that see a threshold crossed,
 * exactly one wins it, so a burst produces one alert per cooldown, not one per event or replica.
 */
import type { Store } from '../store/store.js';

const SLICES = 10;

export async function countInWindow(store: Store, key: string, windowSeconds: number, now: number): Promise<number> {
  const sliceMs = Math.max(1, Math.floor((windowSeconds * 1000) / SLICES));
  const current = Math.floor(now / sliceMs);
  // Alive while it can still be one of the eleven slices summed.
  const ttlMs = sliceMs * (SLICES + 2);
  const mine = await store.incrBy(`${key}:${current}`, 1, { ttlMs });
  const older = await Promise.all(Array.from({ length: SLICES }, (_, i) => store.get(`${key}:${current - 1 - i}`)));
  return older.reduce((sum, value) => sum + (value === null ? 0 : Number(value) || 0), mine);
}

/** True for the one caller that starts the cooldown; false while it runs. */
export function claimCooldown(store: Store, key: string, seconds: number): Promise<boolean> {
  return store.set(key, String(Date.now()), { ttlMs: seconds * 1000, onlyIfAbsent: true });
}
