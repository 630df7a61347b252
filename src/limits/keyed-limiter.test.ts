import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InsuranceEvent } from './insured-limiter.js';
import { createKeyedLimiter, type KeyedLimiter, type KeyedLimiterOptions } from './keyed-limiter.js';
import { deleteKeys, unusedPort } from './test-support.js';

function registerKeyedLimiterContract(
  name: string,
  create: (options: Omit<KeyedLimiterOptions, 'prefix' | 'redis'>) => KeyedLimiter[],
): void {
  describe(`keyed limiter over ${name}`, () => {
    it('allows the points, then refuses with a retry-after until one point has drained', async () => {
      const [limiter] = create({ points: 3, durationSeconds: 60 });
      const ip = `203.0.113.${Math.floor(Math.random() * 250)}:${randomUUID()}`;
      const results = [];
      for (let i = 0; i < 4; i++) results.push(await limiter!.consume(ip));
      expect(results.map((r) => [r.allowed, r.remaining])).toEqual([
        [true, 2],
        [true, 1],
        [true, 0],
        [false, 0],
      ]);
      expect(results[3]!.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(results[3]!.retryAfterSeconds).toBeLessThanOrEqual(60);
      expect((await limiter!.consume(`other-${randomUUID()}`)).allowed).toBe(true);
      await limiter!.close();
    });

    it('has no window boundary: a burst at the end of a minute is not followed by a fresh allowance', async () => {
      let now = Date.UTC(2026, 0, 1, 12, 0, 59);
      const [limiter] = create({ points: 5, durationSeconds: 60, clock: () => now });
      const ip = `198.51.100.${Math.floor(Math.random() * 250)}:${randomUUID()}`;
      for (let i = 0; i < 5; i++) expect((await limiter!.consume(ip)).allowed).toBe(true);
      now += 2_000;
      const after = [];
      for (let i = 0; i < 5; i++) after.push(await limiter!.consume(ip));
      expect(after.map((r) => r.allowed)).toEqual([false, false, false, false, false]);
      // One attempt drains every 12 s; 2 s have passed.
      expect(after[0]!.retryAfterSeconds).toBe(10);
      now += 10_000;
      expect((await limiter!.consume(ip)).allowed).toBe(true);
      await limiter!.close();
    });

    it('a one-time code claimed once stays refused for the whole window after its use', async () => {
      let now = Date.UTC(2026, 0, 1, 12, 0, 89);
      const [limiter] = create({ points: 1, durationSeconds: 90, clock: () => now });
      const code = `totp:${randomUUID()}`;
      expect((await limiter!.consume(code)).allowed).toBe(true);
      now += 89_000;
      expect(await limiter!.consume(code)).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
      now += 1_000;
      expect((await limiter!.consume(code)).allowed).toBe(true);
      await limiter!.close();
    });

    it('blocks for blockDurationSeconds once exceeded', async () => {
      const [limiter] = create({ points: 1, durationSeconds: 1, blockDurationSeconds: 600 });
      const key = randomUUID();
      await limiter!.consume(key);
      const refused = await limiter!.consume(key);
      expect(refused.allowed).toBe(false);
      expect(refused.retryAfterSeconds).toBeGreaterThan(500);
      await limiter!.close();
    });

    it('reward gives back a counted attempt but never banks credit', async () => {
      const [limiter] = create({ points: 2, durationSeconds: 60 });
      const key = randomUUID();
      // Successes without failures must not buy extra guesses later.
      for (let i = 0; i < 5; i++) await limiter!.reward(key);
      await limiter!.consume(key);
      await limiter!.consume(key);
      expect((await limiter!.consume(key)).allowed).toBe(false);
      const other = randomUUID();
      await limiter!.consume(other);
      await limiter!.consume(other);
      await limiter!.reward(other);
      expect((await limiter!.consume(other)).allowed).toBe(true);
      await limiter!.close();
    });

    it('hashes long or odd keys instead of storing them', async () => {
      const [limiter] = create({ points: 1, durationSeconds: 60 });
      const long = 'x'.repeat(10_000);
      expect((await limiter!.consume(long)).allowed).toBe(true);
      expect((await limiter!.consume(long)).allowed).toBe(false);
      expect((await limiter!.consume(`${long}y`)).allowed).toBe(true);
      expect((await limiter!.consume('key with spaces\n')).allowed).toBe(true);
      await limiter!.close();
    });

    it('shares attempts between replicas', async () => {
      const limiters = create({ points: 5, durationSeconds: 60 });
      const key = randomUUID();
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => limiters[i % limiters.length]!.consume(key)));
      expect(results.filter((r) => r.allowed)).toHaveLength(5);
      await Promise.all(limiters.map((l) => l.close()));
    });
  });
}

registerKeyedLimiterContract('memory', (options) => [createKeyedLimiter({ ...options, prefix: 'test:keyed' })]);

const redisUrl = process.env.TEST_REDIS_URL;

describe.skipIf(!redisUrl)('keyed limiter against a live Redis', () => {
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

  registerKeyedLimiterContract('redis', (options) => [
    createKeyedLimiter({ ...options, redis: url, prefix: `${prefix}auth` }),
    createKeyedLimiter({ ...options, redis: url, prefix: `${prefix}auth` }),
  ]);
});

describe('keyed limiter', () => {
  it('keeps throttling on the insurance limiter while Redis is unreachable', async () => {
    const events: InsuranceEvent[] = [];
    const limiter = createKeyedLimiter({
      points: 2,
      durationSeconds: 60,
      redis: `redis://127.0.0.1:${await unusedPort()}`,
      prefix: 'down:auth',
      onInsurance: (event) => events.push(event),
    });
    const results = [];
    for (let i = 0; i < 3; i++) results.push((await limiter.consume('198.51.100.7')).allowed);
    expect(results).toEqual([true, true, false]);
    await expect(limiter.reward('198.51.100.7')).resolves.toBeUndefined();
    expect(events.map((e) => (e.type === 'fallback' ? [e.operation, e.outageStarted] : e.type))).toEqual([
      ['take', true],
      ['take', false],
      ['take', false],
      ['adjust', false],
    ]);
    await limiter.close();
  });

  it('rejects nonsensical settings at construction', () => {
    expect(() => createKeyedLimiter({ points: 0, durationSeconds: 60, prefix: 'p' })).toThrow(RangeError);
    expect(() => createKeyedLimiter({ points: 1, durationSeconds: 1.5, prefix: 'p' })).toThrow(RangeError);
    expect(() => createKeyedLimiter({ points: 1, durationSeconds: 60, blockDurationSeconds: -1, prefix: 'p' })).toThrow(RangeError);
  });
});
