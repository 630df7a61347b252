import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisConnection } from '../store/redis-connection.js';
import type { InsuranceEvent } from './insured-limiter.js';
import { rate, registerRateLimiterContract } from './rate-limiter.contract.js';
import { createRateLimiter, type RateScope } from './rate-limiter.js';
import { deleteKeys, unusedPort } from './test-support.js';

registerRateLimiterContract('memory', (clock) => ({ limiter: createRateLimiter({ prefix: 'test:', clock }) }));

const redisUrl = process.env.TEST_REDIS_URL;

describe.skipIf(!redisUrl)('rate limiter against a live Redis', () => {
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

  registerRateLimiterContract('redis', (clock) => ({
    limiter: createRateLimiter({ redis: url, prefix, clock }),
    peer: createRateLimiter({ redis: url, prefix, clock }),
  }));

  it("uses the Redis server's clock when none is injected: a burst of the limit, then refused", async () => {
    const limiter = createRateLimiter({ redis: url, prefix });
    const key: RateScope = { type: 'org', id: randomUUID(), rate: rate(5) };
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await limiter.check({ scopes: [key], estimatedTokens: 0 }));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, true, true, false]);
    expect(results[5]).toMatchObject({ allowed: false, retryAfterSeconds: 12 });
    await limiter.close();
  });

  it('keeps limiting per process, without throwing, when Redis goes away mid-test', async () => {
    const connection = new RedisConnection(url);
    await connection.whenReady();
    const events: InsuranceEvent[] = [];
    const limiter = createRateLimiter({ redis: connection, prefix, onInsurance: (event) => events.push(event) });
    const key: RateScope = { type: 'api_key', id: randomUUID(), rate: rate(3, 1_000) };

    expect((await limiter.check({ scopes: [key], estimatedTokens: 10 })).allowed).toBe(true);
    expect(events).toEqual([]);
    expect(await raw.keys(`${prefix}rate-requests*`)).not.toHaveLength(0);

    connection.client.disconnect();
    // The per-process insurance starts with an empty bucket: 3 more, then refused.
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await limiter.check({ scopes: [key], estimatedTokens: 10 }));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
    expect(results[3]).toMatchObject({ allowed: false, kind: 'requests', headers: { 'x-ratelimit-remaining-requests': '0' } });
    await expect(limiter.adjustTokens([key], -5)).resolves.toBeUndefined();
    await expect(limiter.adjustTokens([key], 5)).resolves.toBeUndefined();
    // One fallback per call (4 checks, 2 adjustments), the first one marked as the outage's start.
    expect(events.map((e) => (e.type === 'fallback' ? [e.operation, e.outageStarted] : e.type))).toEqual([
      ['take', true],
      ['take', false],
      ['take', false],
      ['take', false],
      ['adjust', false],
      ['adjust', false],
    ]);
    expect(events.every((e) => e.limiter === `${prefix}rate`)).toBe(true);
    await connection.close();
  });
});

describe('rate limiter while Redis is unreachable', () => {
  it('limits with the insurance limiter and reports it, never throwing', async () => {
    const events: InsuranceEvent[] = [];
    const limiter = createRateLimiter({
      redis: `redis://:hunter2-secret@127.0.0.1:${await unusedPort()}`,
      prefix: 'down:',
      onInsurance: (event) => events.push(event),
    });
    const key: RateScope = { type: 'api_key', id: 'k1', rate: rate(2, 100) };
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await limiter.check({ scopes: [key], estimatedTokens: 10 }));
    expect(results.map((r) => r.allowed)).toEqual([true, true, false]);
    expect(results[2]).toMatchObject({ allowed: false, retryAfterSeconds: expect.any(Number) as number, kind: 'requests' });
    expect(events).toHaveLength(3);
    expect(events[0]).toMatchObject({ type: 'fallback', limiter: 'down:rate', operation: 'take', outageStarted: true });
    expect(events[0]?.type === 'fallback' && events[0].reason).toMatch(/^Redis at 127\.0\.0\.1:\d+ is unavailable/);
    // The password in the URL never reaches a listener.
    expect(JSON.stringify(events)).not.toContain('hunter2');
    await limiter.close();
  });

  it('a throwing onInsurance hook does not break limiting', async () => {
    const limiter = createRateLimiter({
      redis: `redis://127.0.0.1:${await unusedPort()}`,
      prefix: 'down:',
      onInsurance: () => {
        throw new Error('metrics down');
      },
    });
    const key: RateScope = { type: 'org', id: 'o1', rate: rate(1) };
    expect((await limiter.check({ scopes: [key], estimatedTokens: 0 })).allowed).toBe(true);
    expect((await limiter.check({ scopes: [key], estimatedTokens: 0 })).allowed).toBe(false);
    await limiter.close();
  });
});
