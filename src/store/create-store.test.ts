import { describe, expect, it } from 'vitest';
import { createStore } from './create-store.js';
import { MemoryStore } from './memory-store.js';
import { RedisStore } from './redis-store.js';

describe('createStore', () => {
  it.each([{}, { redisUrl: '' }, { redisUrl: '   ' }])('uses memory without a Redis URL (%j)', async (opts) => {
    const store = createStore(opts);
    expect(store).toBeInstanceOf(MemoryStore);
    expect(store.kind).toBe('memory');
    await store.close();
  });

  it('uses Redis when a URL is given; construction never throws for an unreachable host', async () => {
    const store = createStore({ redisUrl: 'redis://127.0.0.1:1', prefix: 'p:' });
    expect(store).toBeInstanceOf(RedisStore);
    expect(store.kind).toBe('redis');
    await store.close();
  });
});
