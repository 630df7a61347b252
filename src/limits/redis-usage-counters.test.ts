import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../store/errors.js';
import { RedisConnection } from '../store/redis-connection.js';
import { RESERVE_SCRIPT } from './usage-counter-scripts.js';
import { createUsageCounters } from './usage-counters.js';
import { registerUsageCountersContract } from './usage-counters.contract.js';
import { deleteKeys, unusedPort } from './test-support.js';

const redisUrl = process.env.TEST_REDIS_URL;

describe.skipIf(!redisUrl)('RedisUsageCounters against a live Redis', () => {
  const url = redisUrl ?? '';
  // Random per file so parallel runs (and other developers on a shared Redis) never collide.
  const prefix = `portcullis-test:${randomUUID()}:`;
  let raw: Redis;

  beforeAll(() => {
    raw = new Redis(url);
  });

  afterAll(async () => {
    await deleteKeys(raw, prefix);
    await raw.quit();
  });

  // Two counter instances on two connections: how two gateway replicas share the counters.
  registerUsageCountersContract('redis', () =>
    Promise.resolve({ counters: createUsageCounters({ redis: url, prefix }), peer: createUsageCounters({ redis: url, prefix }) }),
  );

  it('namespaces keys with the prefix', async () => {
    const counters = createUsageCounters({ redis: url, prefix });
    expect(counters.kind).toBe('redis');
    await counters.reserve([{ key: 'named', amount: 4, limit: 10, ttlMs: 60_000 }]);
    expect(await raw.get(`${prefix}named`)).toBe('4');
    const ttl = await raw.pttl(`${prefix}named`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    await counters.close();
  });

  it('reloads its script after Redis forgets it (restart, SCRIPT FLUSH) without applying twice', async () => {
    const counters = createUsageCounters({ redis: url, prefix });
    await counters.reserve([{ key: 'flushed', amount: 1, limit: 10, ttlMs: null }]);
    await raw.script('FLUSH');
    expect(await raw.script('EXISTS', RESERVE_SCRIPT.sha1)).toEqual([0]);
    expect(await counters.reserve([{ key: 'flushed', amount: 1, limit: 10, ttlMs: null }])).toEqual({ ok: true });
    expect(await counters.get(['flushed'])).toEqual([2]);
    await counters.close();
  });

  it('does not close a shared connection it was given', async () => {
    const connection = new RedisConnection(url);
    const counters = createUsageCounters({ redis: connection, prefix });
    await counters.close();
    await expect(connection.run((r) => r.ping())).resolves.toBe('PONG');
    await connection.close();
  });

  it('fails a corrupted counter as a store error instead of treating it as zero', async () => {
    const counters = createUsageCounters({ redis: url, prefix });
    await raw.set(`${prefix}corrupt`, 'not-a-number');
    await expect(counters.reserve([{ key: 'corrupt', amount: 1, limit: 10, ttlMs: null }])).rejects.toThrow(/non-integer/);
    expect(await raw.get(`${prefix}corrupt`)).toBe('not-a-number');
    await counters.close();
  });
});

describe('RedisUsageCounters while Redis is unreachable', () => {
  it('rejects at once with StoreUnavailableError that never contains the password', async () => {
    const port = await unusedPort();
    const counters = createUsageCounters({ redis: `redis://:hunter2-secret@127.0.0.1:${port}`, prefix: 'down:' });
    for (const attempt of [
      () => counters.reserve([{ key: 'k', amount: 1, limit: 10, ttlMs: null }]),
      () => counters.adjust([{ key: 'k', delta: 1 }]),
      () => counters.get(['k']),
      () => counters.initialize('k', 1, null),
    ]) {
      const error: unknown = await attempt().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect(inspect(error, { depth: 10, showHidden: true })).not.toContain('hunter2-secret');
    }
    await counters.close();
  });
});
