/**
 * Keys a KMS unwrapped, kept in memory for a bounded time (MASTER_KEY_CACHE_SECONDS) and number,
 * so serving a request does not cost a KMS round trip each time. Entries are found by a hash of
 * (wrapper id, wrapped bytes, context): a row re-wrapped or a context that differs is a miss, never
 * a wrong key. Concurrent misses for one key share one KMS call. Callers get a copy they may
 * zero; an evicted or expired entry is zeroed here.
 */
import { createHash } from 'node:crypto';
import { encodeWrapContext, type WrapContext } from './key-wrapper.js';

export type UnwrapCache = {
  get(wrapperId: string, wrapped: Buffer, context: WrapContext, load: () => Promise<Buffer>): Promise<Buffer>;
  /** A key this process just wrapped: its first use needs no KMS call. */
  remember(wrapperId: string, wrapped: Buffer, context: WrapContext, plaintext: Buffer): void;
  clear(): void;
};

export type UnwrapCacheOptions = { ttlMs: number; maxEntries: number; now?: () => number };

type Entry = { key: Buffer; expiresAt: number };

function entryId(wrapperId: string, wrapped: Buffer, context: WrapContext): string {
  const hash = createHash('sha256');
  for (const part of [Buffer.from(wrapperId, 'utf8'), wrapped, encodeWrapContext(context)]) {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(part.length);
    hash.update(length).update(part);
  }
  return hash.digest('base64url');
}

export function createUnwrapCache(options: UnwrapCacheOptions): UnwrapCache {
  const now = options.now ?? Date.now;
  // Map order is insertion order; a hit re-inserts, so the first entry is the least recently used.
  const entries = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<Buffer>>();

  const drop = (id: string) => {
    entries.get(id)?.key.fill(0);
    entries.delete(id);
  };
  const store = (id: string, key: Buffer) => {
    if (options.ttlMs <= 0 || options.maxEntries <= 0) return;
    drop(id);
    entries.set(id, { key: Buffer.from(key), expiresAt: now() + options.ttlMs });
    while (entries.size > options.maxEntries) drop(entries.keys().next().value!);
  };

  return {
    async get(wrapperId, wrapped, context, load) {
      const id = entryId(wrapperId, wrapped, context);
      const hit = entries.get(id);
      if (hit && hit.expiresAt > now()) {
        entries.delete(id);
        entries.set(id, hit);
        return Buffer.from(hit.key);
      }
      if (hit) drop(id);
      let pending = inFlight.get(id);
      if (!pending) {
        pending = load()
          .then((key) => {
            store(id, key);
            return key;
          })
          .finally(() => inFlight.delete(id));
        inFlight.set(id, pending);
      }
      return Buffer.from(await pending);
    },
    remember(wrapperId, wrapped, context, plaintext) {
      store(entryId(wrapperId, wrapped, context), plaintext);
    },
    clear() {
      for (const id of [...entries.keys()]) drop(id);
    },
  };
}
