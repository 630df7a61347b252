import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisUsageCounters } from './redis-usage-counters.js';
import { deleteKeys, unusedPort } from './test-support.js';
import { limit, registerUsageLimiterContract } from './usage-limiter.contract.js';
import { createUsageLimiter } from './usage-limiter.js';

const redisUrl = process.env.TEST_REDIS_URL;

describe.skipIf(!redisUrl)('usage limiter against a live Redis', () => {
  const url = redisUrl ?? '';
  const prefix = `portcullis-test:${randomUUID()}:`;
  let raw: Redis;

  beforeAll(() => {
    raw = new Redis(url);
  });

  afterAll(async () => {
    await deleteKeys(raw, prefix);
    await raw.quit();
  });

  registerUsageLimiterContract('redis', () =>
    Promise.resolve({
      counters: new RedisUsageCounters(url, prefix),
      peer: new RedisUsageCounters(url, prefix),
      // Only this file's keys: a shared Redis (or a developer's) keeps everything else.
      loseData: async () => {
        await deleteKeys(raw, prefix);
      },
    }),
  );
});

describe('usage limiter while Redis is unreachable', () => {
  it('refuses with store_unavailable and never shows the Redis password', async () => {
    const counters = new RedisUsageCounters(`redis://:hunter2-secret@127.0.0.1:${await unusedPort()}`, 'down:');
    const limiter = createUsageLimiter({
      counters,
      rebuild: () => Promise.resolve({ requests: 0, tokens: 0, costMicroUsd: 0 }),
      onThreshold: () => undefined,
      failOpen: () => false,
    });
    const result = await limiter.reserve({
      orgId: 'org-1',
      scopes: [{ type: 'org', id: 'org-1', limits: [limit('requests', 'daily', 10)] }],
      estimate: { tokens: 0, costMicroUsd: 0 },
    });
    expect(result).toMatchObject({ ok: false, reason: 'store_unavailable' });
    expect(inspect(result, { depth: 10 })).not.toContain('hunter2-secret');
    expect(inspect(result, { depth: 10 })).toContain('127.0.0.1');
    await counters.close();
  });
});
