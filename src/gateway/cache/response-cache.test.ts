/**
 * The response cache must fail soft: a store that errors, is unreachable or hangs is a miss on
 * read and a skipped write, within a bounded time, counted every time and logged once per outage.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../store/memory-store.js';
import { RedisStore } from '../../store/redis-store.js';
import type { Store } from '../../store/store.js';
import type { DataKeyCache } from '../context/data-keys.js';
import { createResponseCache, type CachedResponse } from './response-cache.js';
import type { CacheStoreFailure, CacheStoreOp } from './store-guard.js';

const dataKey = { id: 'dk-1', key: randomBytes(32) };
const dataKeys: DataKeyCache = {
  active: () => Promise.resolve(dataKey),
  byId: (_orgId, id) => Promise.resolve(id === dataKey.id ? dataKey : undefined),
  invalidate: () => undefined,
};

const entry: CachedResponse = {
  body: '{"answer":"forty-two"}',
  provider: 'openai',
  servedModel: 'gpt-5.4-mini',
  usage: { inputTokens: 3, outputTokens: 2, cachedInputTokens: 0, cacheWriteInputTokens: 0, reasoningTokens: 0 },
};

function recorder() {
  const warnings: unknown[] = [];
  const infos: unknown[] = [];
  const errors: [CacheStoreOp, CacheStoreFailure][] = [];
  return {
    warnings,
    infos,
    errors,
    options: {
      logger: { warn: (...args: unknown[]) => warnings.push(args), info: (...args: unknown[]) => infos.push(args) },
      onStoreError: (op: CacheStoreOp, reason: CacheStoreFailure) => errors.push([op, reason]),
    },
  };
}

/** A store whose every call is delegated to `behaviour`, so a test can break and heal it. */
function switchableStore(inner: Store, behaviour: { mode: 'ok' | 'fail' | 'hang' }): Store {
  const wrap =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      if (behaviour.mode === 'fail') return Promise.reject(new Error('ECONNREFUSED'));
      if (behaviour.mode === 'hang') return new Promise<R>(() => undefined);
      return call(...args);
    };
  return Object.assign(Object.create(inner) as Store, {
    get: wrap((key: string) => inner.get(key)),
    set: wrap((key: string, value: string, opts?: Parameters<Store['set']>[2]) => inner.set(key, value, opts)),
  });
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

describe('response cache', () => {
  it('round-trips an entry through the store, sealed (the store never sees the answer)', async () => {
    const store = new MemoryStore();
    closers.push(() => store.close());
    const cache = createResponseCache(store, dataKeys);
    expect(await cache.set('org', 'k1', entry, 60)).toBe(true);
    expect(await cache.get('org', 'k1')).toEqual(entry);
    expect(await store.get('rc:org:k1')).not.toContain('forty-two');
    expect(await cache.get('other-org', 'k1')).toBeUndefined();
  });

  it('on a Redis nobody listens on: get is a miss and set is skipped, quickly, with one warning for many calls', async () => {
    // A port that was free a moment ago: connections are refused.
    const probe: Server = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const store = new RedisStore({ url: `redis://127.0.0.1:${port}`, prefix: 'rc-test:' });
    closers.push(() => store.close());
    const seen = recorder();
    const cache = createResponseCache(store, dataKeys, { timeoutMs: 300, ...seen.options });

    const started = Date.now();
    for (let i = 0; i < 5; i++) {
      await expect(cache.get('org', `k${i}`)).resolves.toBeUndefined();
      await expect(cache.set('org', `k${i}`, entry, 60)).resolves.toBe(false);
    }
    // Ten calls, each refused at once or cut at 300 ms: far below ioredis's own 2 s per command.
    expect(Date.now() - started).toBeLessThan(10 * 300 + 1_000);
    expect(seen.errors).toHaveLength(10);
    expect(seen.errors.map(([op]) => op)).toEqual(['get', 'set', 'get', 'set', 'get', 'set', 'get', 'set', 'get', 'set']);
    expect(seen.warnings).toHaveLength(1);
  });

  it('a store that hangs costs at most the timeout, and recovery is logged once', async () => {
    const memory = new MemoryStore();
    closers.push(() => memory.close());
    const behaviour: { mode: 'ok' | 'fail' | 'hang' } = { mode: 'ok' };
    const seen = recorder();
    const cache = createResponseCache(switchableStore(memory, behaviour), dataKeys, { timeoutMs: 50, ...seen.options });
    expect(await cache.set('org', 'k', entry, 60)).toBe(true);

    behaviour.mode = 'hang';
    const started = Date.now();
    expect(await cache.get('org', 'k')).toBeUndefined();
    expect(await cache.set('org', 'k2', entry, 60)).toBe(false);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(seen.errors).toEqual([
      ['get', 'timeout'],
      ['set', 'timeout'],
    ]);

    behaviour.mode = 'fail';
    expect(await cache.get('org', 'k')).toBeUndefined();
    expect(seen.errors.at(-1)).toEqual(['get', 'error']);
    expect(seen.warnings).toHaveLength(1);

    behaviour.mode = 'ok';
    expect(await cache.get('org', 'k')).toEqual(entry);
    expect(seen.infos).toHaveLength(1);
    behaviour.mode = 'fail';
    await cache.get('org', 'k');
    expect(seen.warnings, 'a new outage warns again').toHaveLength(2);
  });

  it('a data-key lookup that fails is a miss, never an error', async () => {
    const store = new MemoryStore();
    closers.push(() => store.close());
    const cache = createResponseCache(store, dataKeys);
    await cache.set('org', 'k', entry, 60);
    const broken = createResponseCache(store, { ...dataKeys, byId: () => Promise.reject(new Error('database down')) });
    await expect(broken.get('org', 'k')).resolves.toBeUndefined();
  });
});
