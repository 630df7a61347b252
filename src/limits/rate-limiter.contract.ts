// Rate-limit behaviour for each backend; on Redis two limiters on two connections (replicas).
// Every limiter runs on a test clock, so buckets drain only when a test moves it.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RateLimit } from '../tenancy/limits.js';
import type { RateLimiter, RateScope } from './rate-limiter.js';

export interface RateBackend {
  limiter: RateLimiter;
  peer?: RateLimiter;
}

export function rate(requestsPerMinute: number | null, tokensPerMinute: number | null = null): RateLimit {
  return { requestsPerMinute, tokensPerMinute };
}

const RESET = /^(?:\d+ms|\d+(?:\.\d+)?s|1m0s)$/;

/** A settable clock, starting 59 s into a minute (fixed windows would roll over in 1 s). */
export class TestClock {
  now = Date.UTC(2026, 0, 1, 12, 0, 59);
  readonly read = (): number => this.now;
  advance(ms: number): void {
    this.now += ms;
  }
}

export function registerRateLimiterContract(name: string, create: (clock: () => number) => RateBackend): void {
  describe(`rate limiter over ${name}`, () => {
    let backend: RateBackend;
    let limiter: RateLimiter;
    let clock: TestClock;
    const scope = (type: RateScope['type'], limit: RateLimit): RateScope => ({ type, id: randomUUID(), rate: limit });

    beforeEach(() => {
      clock = new TestClock();
      backend = create(clock.read);
      limiter = backend.limiter;
    });

    afterEach(async () => {
      await Promise.all([backend.limiter.close(), backend.peer?.close()]);
    });

    it('refuses the N+1th request in a minute with retry-after and OpenAI headers', async () => {
      const key = scope('api_key', rate(3));
      const remaining: string[] = [];
      for (let i = 0; i < 3; i++) {
        const result = await limiter.check({ scopes: [key], estimatedTokens: 10 });
        expect(result.allowed).toBe(true);
        expect(result.headers['x-ratelimit-limit-requests']).toBe('3');
        expect(result.headers['x-ratelimit-reset-requests']).toMatch(RESET);
        remaining.push(result.headers['x-ratelimit-remaining-requests']!);
      }
      expect(remaining).toEqual(['2', '1', '0']);

      const refused = await limiter.check({ scopes: [key], estimatedTokens: 10 });
      if (refused.allowed) throw new Error('the 4th request should be refused');
      expect(refused).toMatchObject({ scope: { type: 'api_key', id: key.id }, kind: 'requests', limit: 3, requestTooLarge: false });
      expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
      expect(refused.headers).toMatchObject({ 'x-ratelimit-limit-requests': '3', 'x-ratelimit-remaining-requests': '0' });
      expect(refused.headers).not.toHaveProperty('x-ratelimit-limit-tokens');
      expect(refused.message).toBe(
        `Rate limit exceeded: the API key ${key.id} allows 3 requests per minute. Please retry after the time in the Retry-After header.`,
      );
    });

    it('refuses a burst across a minute boundary: N at 0:59 and N more at 1:01 let 0 of the second batch through', async () => {
      const key = scope('api_key', rate(10));
      const first = [];
      for (let i = 0; i < 10; i++) first.push((await limiter.check({ scopes: [key], estimatedTokens: 0 })).allowed);
      expect(first.every(Boolean)).toBe(true);

      clock.advance(2_000); // past the minute boundary
      const second = [];
      for (let i = 0; i < 10; i++) second.push(await limiter.check({ scopes: [key], estimatedTokens: 0 }));
      expect(second.filter((r) => r.allowed)).toHaveLength(0);
      // 10 per minute drain one request every 6 s; 2 s of it have passed.
      expect(second[0]).toMatchObject({ allowed: false, retryAfterSeconds: 4, headers: { 'x-ratelimit-remaining-requests': '0' } });

      clock.advance(4_000);
      expect((await limiter.check({ scopes: [key], estimatedTokens: 0 })).allowed).toBe(true);
      expect((await limiter.check({ scopes: [key], estimatedTokens: 0 })).allowed).toBe(false);
      // A whole minute later the bucket is empty: 10 again, not 11.
      clock.advance(60_000);
      const later = [];
      for (let i = 0; i < 11; i++) later.push((await limiter.check({ scopes: [key], estimatedTokens: 0 })).allowed);
      expect(later.filter(Boolean)).toHaveLength(10);
    });

    it('tokens come back continuously, and the reset header says when the bucket is empty again', async () => {
      const key = scope('api_key', rate(3, 1_000));
      const resets = [];
      for (let i = 0; i < 3; i++) resets.push((await limiter.check({ scopes: [key], estimatedTokens: 250 })).headers);
      expect(resets.map((h) => h['x-ratelimit-reset-requests'])).toEqual(['20s', '40s', '1m0s']);
      expect(resets.map((h) => h['x-ratelimit-reset-tokens'])).toEqual(['15s', '30s', '45s']);
      expect(resets[2]).toMatchObject({ 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-remaining-tokens': '250' });

      clock.advance(20_000); // one request and 333 tokens drained
      const next = await limiter.check({ scopes: [key], estimatedTokens: 583 });
      expect(next).toMatchObject({
        allowed: true,
        headers: { 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-remaining-tokens': '0' },
      });
      const refused = await limiter.check({ scopes: [key], estimatedTokens: 1 });
      expect(refused).toMatchObject({ allowed: false, kind: 'requests', retryAfterSeconds: 20 });
    });

    it('sends no headers and refuses nothing without rate limits', async () => {
      const result = await limiter.check({ scopes: [scope('org', rate(null, null))], estimatedTokens: 1e9 });
      expect(result).toEqual({ allowed: true, headers: {} });
    });

    it('reports the most restrictive scope for each kind', async () => {
      const key = scope('api_key', rate(100, 1_000));
      const project = scope('project', rate(null, 50_000));
      const org = scope('org', rate(5, 400));
      const result = await limiter.check({ scopes: [key, project, org], estimatedTokens: 150 });
      expect(result.allowed).toBe(true);
      expect(result.headers).toMatchObject({
        'x-ratelimit-limit-requests': '5',
        'x-ratelimit-remaining-requests': '4',
        'x-ratelimit-limit-tokens': '400',
        'x-ratelimit-remaining-tokens': '250',
      });
      expect(result.headers['x-ratelimit-reset-tokens']).toMatch(RESET);
    });

    it('a request refused by one scope uses nothing from the others', async () => {
      const key = scope('api_key', rate(10, 10_000));
      const org = scope('org', rate(1));
      expect((await limiter.check({ scopes: [key, org], estimatedTokens: 100 })).allowed).toBe(true);
      const refused = await limiter.check({ scopes: [key, org], estimatedTokens: 100 });
      expect(refused).toMatchObject({ allowed: false, scope: { type: 'org', id: org.id } });
      // The key counted only the first request and its 100 tokens.
      const alone = await limiter.check({ scopes: [key], estimatedTokens: 100 });
      expect(alone.headers).toMatchObject({ 'x-ratelimit-remaining-requests': '8', 'x-ratelimit-remaining-tokens': '9800' });
    });

    it('limits tokens per minute by the estimate, corrected by adjustTokens', async () => {
      const key = scope('api_key', rate(null, 1_000));
      expect((await limiter.check({ scopes: [key], estimatedTokens: 400 })).headers['x-ratelimit-remaining-tokens']).toBe('600');
      expect((await limiter.check({ scopes: [key], estimatedTokens: 400 })).headers['x-ratelimit-remaining-tokens']).toBe('200');
      const refused = await limiter.check({ scopes: [key], estimatedTokens: 400 });
      expect(refused).toMatchObject({ allowed: false, kind: 'tokens', requestTooLarge: false });
      expect(refused.headers['x-ratelimit-remaining-tokens']).toBe('200');

      // The first request used 100 tokens, not 400: 300 come back.
      await limiter.adjustTokens([key], -300);
      expect((await limiter.check({ scopes: [key], estimatedTokens: 400 })).headers['x-ratelimit-remaining-tokens']).toBe('100');
      // The last one used 500 more than estimated: a penalty.
      await limiter.adjustTokens([key], 50);
      expect((await limiter.check({ scopes: [key], estimatedTokens: 60 })).allowed).toBe(false);
      expect((await limiter.check({ scopes: [key], estimatedTokens: 50 })).headers['x-ratelimit-remaining-tokens']).toBe('0');
    });

    it('never refunds more than the window holds (no credit for a later window)', async () => {
      const key = scope('api_key', rate(null, 1_000));
      await limiter.adjustTokens([key], -5_000);
      await limiter.check({ scopes: [key], estimatedTokens: 100 });
      await limiter.adjustTokens([key], -5_000);
      expect((await limiter.check({ scopes: [key], estimatedTokens: 1_000 })).allowed).toBe(true);
      expect((await limiter.check({ scopes: [key], estimatedTokens: 1 })).allowed).toBe(false);
    });

    it('flags a request larger than the whole tokens-per-minute limit, without using up the window', async () => {
      const org = scope('org', rate(null, 1_000));
      const refused = await limiter.check({ scopes: [org], estimatedTokens: 5_000 });
      expect(refused).toMatchObject({ allowed: false, kind: 'tokens', requestTooLarge: true, limit: 1_000 });
      expect(!refused.allowed && refused.message).toMatch(
        /^Request too large: it may use up to 5000 tokens but the organization allows 1000 tokens per minute/,
      );
      expect(refused.headers['x-ratelimit-remaining-tokens']).toBe('1000');
      expect((await limiter.check({ scopes: [org], estimatedTokens: 900 })).allowed).toBe(true);
    });

    it('charges a scope listed twice once', async () => {
      const key = scope('api_key', rate(2));
      expect((await limiter.check({ scopes: [key, key], estimatedTokens: 0 })).headers['x-ratelimit-remaining-requests']).toBe('1');
    });

    it('shares the window between replicas', async () => {
      const key = scope('project', rate(4));
      const instances = backend.peer ? [limiter, backend.peer] : [limiter];
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => instances[i % instances.length]!.check({ scopes: [key], estimatedTokens: 0 })),
      );
      expect(results.filter((r) => r.allowed)).toHaveLength(4);
    });

    it('rejects a non-finite token estimate as a caller bug', async () => {
      await expect(limiter.check({ scopes: [scope('org', rate(null, 10))], estimatedTokens: Number.NaN })).rejects.toThrow(RangeError);
    });
  });
}
