import { MemoryStore } from './memory-store.js';
import { RedisStore } from './redis-store.js';
import type { Store } from './store.js';

export interface CreateStoreOptions {
  /** When set (non-blank), state is shared through Redis; otherwise it lives in this process. */
  redisUrl?: string;
  /** Redis key prefix; the in-memory store is private to the process and needs none. */
  prefix?: string;
}

export function createStore(opts: CreateStoreOptions = {}): Store {
  const redisUrl = opts.redisUrl?.trim();
  if (redisUrl) return new RedisStore({ url: redisUrl, prefix: opts.prefix });
  return new MemoryStore();
}
