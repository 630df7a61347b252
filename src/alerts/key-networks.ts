/**
 * Which networks each API key was used from in the last 30 days, in the shared store: one key per
 * (API key, network) whose TTL is renewed by use, and one per API key saying it has any history.
 *
 * The store is asked at most once per (key, network) and process per `recheckMs`: authenticated
 * requests are the gateway's hot path, and a network seen a minute ago is not news. The renewal
 * keeps an address in daily use from ever expiring.
 */
import type { Store } from '../store/store.js';

export const NETWORK_MEMORY_MS = 30 * 24 * 3600 * 1000;

export type NetworkVerdict =
  /** Seen from this network within 30 days (or just now by this process). */
  | 'known'
  /** The key's first recorded use anywhere: recorded, not alerted (a new key has to start somewhere). */
  | 'first_use'
  /** A key with history, from a network it has not used for 30 days: alert. */
  | 'new_network';

export type KeyNetworkTracker = { observe(apiKeyId: string, network: string): Promise<NetworkVerdict> };

export function createKeyNetworkTracker(store: Store, options: { recheckMs?: number; maxRemembered?: number } = {}): KeyNetworkTracker {
  const recheckMs = options.recheckMs ?? 3_600_000;
  const maxRemembered = options.maxRemembered ?? 50_000;
  const checkedAt = new Map<string, number>();
  return {
    async observe(apiKeyId, network) {
      const memo = `${apiKeyId}|${network}`;
      const now = Date.now();
      const last = checkedAt.get(memo);
      if (last !== undefined && now - last < recheckMs) return 'known';
      if (checkedAt.size >= maxRemembered) checkedAt.clear(); // bounded: a flood of addresses costs store calls, not memory
      checkedAt.set(memo, now);
      const ttl = { ttlMs: NETWORK_MEMORY_MS };
      const netKey = `security-alerts:net:${apiKeyId}:${network}`;
      const historyKey = `security-alerts:net-any:${apiKeyId}`;
      const newNetwork = await store.set(netKey, '1', { ...ttl, onlyIfAbsent: true });
      const firstUse = await store.set(historyKey, '1', { ...ttl, onlyIfAbsent: true });
      if (!newNetwork) await store.set(netKey, '1', ttl);
      if (!firstUse) await store.set(historyKey, '1', ttl);
      if (!newNetwork) return 'known';
      return firstUse ? 'first_use' : 'new_network';
    },
  };
}
