// The usage limiter's behaviour over each counter backend. On Redis the fixture gives two
// limiters on two connections, as two gateway replicas would have.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UsageLimit, UsageMetric } from '../tenancy/limits.js';
import type { UsageCounters } from './usage-counters.js';
import { counterKey, type UsageScopeRef } from './usage-keys.js';
import {
  createUsageLimiter,
  type Reservation,
  type ThresholdCrossing,
  type UsageLimiter,
  type UsageRefusal,
  type UsageTotals,
} from './usage-limiter.js';

export interface LimiterBackend {
  counters: UsageCounters;
  /** Same shared state through another connection; absent for memory (one process). */
  peer?: UsageCounters;
  /** Drops every counter and marker, as a Redis FLUSHDB or restart would. */
  loseData: () => Promise<void>;
}

const HOUR = '2026-11-28T14:10:00.000Z';

export function limit(metric: UsageMetric, period: UsageLimit['period'], value: number, alertThresholds: number[] = []): UsageLimit {
  return { metric, period, limit: value, alertThresholds };
}

export function registerUsageLimiterContract(name: string, createBackend: () => Promise<LimiterBackend>): void {
  describe(`usage limiter over ${name} counters`, () => {
    let backend: LimiterBackend;
    let limiters: UsageLimiter[];
    let crossings: ThresholdCrossing[];
    let rebuilds: { scope: UsageScopeRef & { orgId: string }; since: Date }[];
    let logTotals: UsageTotals;
    let now: Date;
    let orgId: string;
    let key: UsageScopeRef;
    let project: UsageScopeRef;
    let org: UsageScopeRef;

    const makeLimiter = (counters: UsageCounters, failOpen = false): UsageLimiter =>
      createUsageLimiter({
        counters,
        rebuild: (scope, since) => {
          rebuilds.push({ scope, since });
          return Promise.resolve({ ...logTotals });
        },
        onThreshold: (crossing) => {
          crossings.push(crossing);
        },
        failOpen: () => failOpen,
        now: () => now,
      });

    const counter = async (scope: UsageScopeRef, metric: UsageMetric, periodId = '2026-11-28'): Promise<number | null> =>
      (await backend.counters.get([counterKey(orgId, scope, metric, periodId)]))[0] ?? null;

    const reserved = (result: Reservation | UsageRefusal): Reservation => {
      if (!result.ok) throw new Error(`expected a reservation, got ${result.reason}: ${result.message}`);
      return result;
    };

    beforeEach(async () => {
      backend = await createBackend();
      limiters = [makeLimiter(backend.counters), ...(backend.peer ? [makeLimiter(backend.peer)] : [])];
      crossings = [];
      rebuilds = [];
      logTotals = { requests: 0, tokens: 0, costMicroUsd: 0 };
      now = new Date(HOUR);
      // Fresh ids per test: a shared Redis never lets one test see another's counters.
      orgId = randomUUID();
      key = { type: 'api_key', id: randomUUID() };
      project = { type: 'project', id: randomUUID() };
      org = { type: 'org', id: orgId };
    });

    afterEach(async () => {
      await Promise.all([backend.counters.close(), backend.peer?.close()]);
    });

    it('reserves every limit of every scope at once, then settles each to the actual usage', async () => {
      const result = reserved(
        await limiters[0]!.reserve({
          orgId,
          scopes: [
            { ...key, limits: [limit('requests', 'daily', 100), limit('tokens', 'daily', 10_000)] },
            { ...project, limits: [] },
            { ...org, limits: [limit('spend_usd', 'daily', 5)] },
          ],
          estimate: { tokens: 1_500, costMicroUsd: 300_000 },
        }),
      );
      expect(result.status).toBe('reserved');
      expect([await counter(key, 'requests'), await counter(key, 'tokens'), await counter(org, 'spend_usd')]).toEqual([1, 1_500, 300_000]);

      expect(await result.settle({ tokens: 400, costMicroUsd: 80_000 })).toEqual({ ok: true });
      expect([await counter(key, 'requests'), await counter(key, 'tokens'), await counter(org, 'spend_usd')]).toEqual([1, 400, 80_000]);
    });

    it('settles up when the request used more than estimated', async () => {
      const result = reserved(
        await limiters[0]!.reserve({
          orgId,
          scopes: [{ ...key, limits: [limit('tokens', 'daily', 1_000)] }],
          estimate: { tokens: 100, costMicroUsd: 0 },
        }),
      );
      await result.settle({ tokens: 1_200, costMicroUsd: 0 });
      // Actual usage is a fact: the counter goes past the limit and the next request is refused.
      expect(await counter(key, 'tokens')).toBe(1_200);
      const next = await limiters[0]!.reserve({
        orgId,
        scopes: [{ ...key, limits: [limit('tokens', 'daily', 1_000)] }],
        estimate: { tokens: 0, costMicroUsd: 0 },
      });
      expect(next).toMatchObject({ ok: false, reason: 'usage_limit_exceeded', current: 1_200 });
    });

    it('answers unlimited without touching the counters when no limit applies', async () => {
      const result = reserved(
        await limiters[0]!.reserve({ orgId, scopes: [{ ...key, limits: [] }], estimate: { tokens: 5, costMicroUsd: 5 } }),
      );
      expect(result.status).toBe('unlimited');
      expect(await result.settle({ tokens: 5, costMicroUsd: 5 })).toEqual({ ok: true });
      expect(rebuilds).toEqual([]);
    });

    it('refuses naming the limit, the usage and when it resets, and reserves nothing anywhere', async () => {
      const scopes = [
        { ...key, limits: [limit('requests', 'hourly', 100)] },
        { ...org, limits: [limit('spend_usd', 'daily', 1)] },
      ];
      reserved(await limiters[0]!.reserve({ orgId, scopes, estimate: { tokens: 10, costMicroUsd: 600_000 } }));
      const refusal = await limiters[0]!.reserve({ orgId, scopes, estimate: { tokens: 10, costMicroUsd: 600_000 } });
      expect(refusal).toEqual({
        ok: false,
        reason: 'usage_limit_exceeded',
        scope: org,
        metric: 'spend_usd',
        period: 'daily',
        periodId: '2026-11-28',
        limit: 1,
        current: 0.6,
        requested: 0.6,
        resetsAt: new Date('2026-11-29T00:00:00.000Z'),
        message:
          'Usage limit exceeded: the daily spend limit of the organization is 1 USD; 0.6 USD used and this request may cost up to 0.6 USD. ' +
          'It resets at 2026-11-29T00:00:00.000Z.',
      });
      // All-or-nothing: the API key's request counter did not count the refused request.
      expect(await counter(key, 'requests', '2026-11-28T14')).toBe(1);
      expect(await counter(org, 'spend_usd')).toBe(600_000);
    });

    it('says a lifetime limit does not reset', async () => {
      const scopes = [{ ...key, limits: [limit('requests', 'lifetime', 1)] }];
      reserved(await limiters[0]!.reserve({ orgId, scopes, estimate: { tokens: 0, costMicroUsd: 0 } }));
      const refusal = await limiters[0]!.reserve({ orgId, scopes, estimate: { tokens: 0, costMicroUsd: 0 } });
      expect(refusal).toMatchObject({ ok: false, reason: 'usage_limit_exceeded', scope: key, periodId: 'lifetime', resetsAt: null });
      expect(!refusal.ok && refusal.message).toBe(
        `Usage limit exceeded: the lifetime requests limit of the API key ${key.id} is 1 request; 1 request used and this request needs 1 request. This limit does not reset.`,
      );
    });

    it('starts a fresh window at the next period', async () => {
      const scopes = [{ ...key, limits: [limit('requests', 'hourly', 1)] }];
      reserved(await limiters[0]!.reserve({ orgId, scopes, estimate: { tokens: 0, costMicroUsd: 0 } }));
      expect(await limiters[0]!.reserve({ orgId, scopes, estimate: { tokens: 0, costMicroUsd: 0 } })).toMatchObject({ ok: false });
      now = new Date('2026-11-28T15:00:00.000Z');
      expect(await limiters[0]!.reserve({ orgId, scopes, estimate: { tokens: 0, costMicroUsd: 0 } })).toMatchObject({
        ok: true,
        status: 'reserved',
      });
      expect(rebuilds.map((r) => r.since.toISOString())).toEqual(['2026-11-28T14:00:00.000Z', '2026-11-28T15:00:00.000Z']);
    });

    it('never overshoots across concurrent requests (and replicas)', async () => {
      const scopes = [{ ...org, limits: [limit('tokens', 'monthly', 1_000)] }];
      const results = await Promise.all(
        Array.from({ length: 500 }, (_, i) =>
          limiters[i % limiters.length]!.reserve({ orgId, scopes, estimate: { tokens: 3, costMicroUsd: 0 } }),
        ),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(333);
      expect(await counter(org, 'tokens', '2026-11')).toBe(999);
    });

    describe('failed and abandoned requests', () => {
      const scopes = (): { type: UsageScopeRef['type']; id: string; limits: UsageLimit[] }[] => [
        { ...key, limits: [limit('requests', 'daily', 10), limit('tokens', 'daily', 10_000), limit('spend_usd', 'daily', 10)] },
      ];

      it('a failed request with no usage settles to 0 tokens and 0 cost but still counts as a request', async () => {
        const result = reserved(
          await limiters[0]!.reserve({ orgId, scopes: scopes(), estimate: { tokens: 2_000, costMicroUsd: 900_000 } }),
        );
        await result.settle({ tokens: 0, costMicroUsd: 0 });
        expect([await counter(key, 'requests'), await counter(key, 'tokens'), await counter(key, 'spend_usd')]).toEqual([1, 0, 0]);
      });

      it('release gives everything back, the request included', async () => {
        const result = reserved(
          await limiters[0]!.reserve({ orgId, scopes: scopes(), estimate: { tokens: 2_000, costMicroUsd: 900_000 } }),
        );
        expect(await result.release()).toEqual({ ok: true });
        expect([await counter(key, 'requests'), await counter(key, 'tokens'), await counter(key, 'spend_usd')]).toEqual([0, 0, 0]);
      });

      it('settles once: repeated settle or release calls change nothing more', async () => {
        const result = reserved(
          await limiters[0]!.reserve({ orgId, scopes: scopes(), estimate: { tokens: 2_000, costMicroUsd: 900_000 } }),
        );
        await Promise.all([result.settle({ tokens: 100, costMicroUsd: 10 }), result.settle({ tokens: 100, costMicroUsd: 10 })]);
        await result.release();
        await result.settle({ tokens: 5, costMicroUsd: 5 });
        expect([await counter(key, 'requests'), await counter(key, 'tokens'), await counter(key, 'spend_usd')]).toEqual([1, 100, 10]);
      });
    });

    describe('budget alerts', () => {
      it('fires each threshold once, when usage reaches it', async () => {
        const scopes = [{ ...project, limits: [limit('requests', 'daily', 10, [80, 50, 100])] }];
        const firedAt: number[] = [];
        for (let i = 1; i <= 10; i++) {
          const before = crossings.length;
          await reserved(
            await limiters[0]!.reserve({ orgId, scopes, estimate: { tokens: 0, costMicroUsd: 0 }, requestId: `req_${i}` }),
          ).settle({
            tokens: 0,
            costMicroUsd: 0,
          });
          if (crossings.length > before) firedAt.push(i);
        }
        expect(firedAt).toEqual([5, 8, 10]);
        expect(crossings.map((c) => c.threshold)).toEqual([50, 80, 100]);
        expect(crossings[1]).toEqual({
          orgId,
          scope: project,
          metric: 'requests',
          period: 'daily',
          periodId: '2026-11-28',
          threshold: 80,
          used: 8,
          limit: 10,
          resetsAt: new Date('2026-11-29T00:00:00.000Z'),
          // The request whose settle crossed it.
          requestId: 'req_8',
        });
      });

      it('reports spend in USD and fires every threshold one settle passes at once', async () => {
        const scopes = [{ ...org, limits: [limit('spend_usd', 'monthly', 2, [50, 80])] }];
        await reserved(await limiters[0]!.reserve({ orgId, scopes, estimate: { tokens: 0, costMicroUsd: 100_000 } })).settle({
          tokens: 0,
          costMicroUsd: 1_700_000,
        });
        expect(crossings.map((c) => [c.threshold, c.used, c.limit, c.periodId])).toEqual([
          [50, 1.7, 2, '2026-11'],
          [80, 1.7, 2, '2026-11'],
        ]);
      });

      it('does not alert on a reservation alone, only on settled usage', async () => {
        const scopes = [{ ...org, limits: [limit('tokens', 'daily', 100, [50])] }];
        const result = reserved(await limiters[0]!.reserve({ orgId, scopes, estimate: { tokens: 90, costMicroUsd: 0 } }));
        expect(crossings).toEqual([]);
        await result.settle({ tokens: 10, costMicroUsd: 0 });
        expect(crossings).toEqual([]);
      });

      it('fires once per threshold even under concurrency (and across replicas)', async () => {
        const scopes = [{ ...org, limits: [limit('requests', 'daily', 100, [50, 80, 100])] }];
        await Promise.all(
          Array.from({ length: 100 }, async (_, i) => {
            const result = await limiters[i % limiters.length]!.reserve({ orgId, scopes, estimate: { tokens: 0, costMicroUsd: 0 } });
            if (result.ok) await result.settle({ tokens: 0, costMicroUsd: 0 });
          }),
        );
        expect(await counter(org, 'requests')).toBe(100);
        expect(crossings.map((c) => c.threshold).sort((a, b) => a - b)).toEqual([50, 80, 100]);
      });

      it('fires again in the next period', async () => {
        const scopes = [{ ...key, limits: [limit('tokens', 'hourly', 100, [50])] }];
        const use = async (): Promise<void> => {
          await reserved(await limiters[0]!.reserve({ orgId, scopes, estimate: { tokens: 60, costMicroUsd: 0 } })).settle({
            tokens: 60,
            costMicroUsd: 0,
          });
        };
        await use();
        now = new Date('2026-11-28T15:00:00.000Z');
        await use();
        expect(crossings.map((c) => c.periodId)).toEqual(['2026-11-28T14', '2026-11-28T15']);
      });
    });

    describe('rebuilding lost counters from the request logs', () => {
      it('initializes a missing counter from the logs once, then increments it', async () => {
        logTotals = { requests: 7, tokens: 5_000, costMicroUsd: 1_250_000 };
        const scopes = [
          { ...key, limits: [limit('requests', 'daily', 100), limit('tokens', 'daily', 100_000), limit('spend_usd', 'daily', 10)] },
        ];
        await reserved(await limiters[0]!.reserve({ orgId, scopes, estimate: { tokens: 100, costMicroUsd: 1_000 } })).settle({
          tokens: 100,
          costMicroUsd: 1_000,
        });
        await reserved(await limiters[0]!.reserve({ orgId, scopes, estimate: { tokens: 100, costMicroUsd: 1_000 } })).settle({
          tokens: 50,
          costMicroUsd: 500,
        });
        expect([await counter(key, 'requests'), await counter(key, 'tokens'), await counter(key, 'spend_usd')]).toEqual([
          9, 5_150, 1_251_500,
        ]);
        // One read of the logs for the scope and window, shared by its three metrics.
        expect(rebuilds).toEqual([{ scope: { orgId, ...key }, since: new Date('2026-11-28T00:00:00.000Z') }]);
      });

      it('counts the logs into the limit', async () => {
        logTotals = { requests: 10, tokens: 0, costMicroUsd: 0 };
        const refusal = await limiters[0]!.reserve({
          orgId,
          scopes: [{ ...key, limits: [limit('requests', 'daily', 10)] }],
          estimate: { tokens: 0, costMicroUsd: 0 },
        });
        expect(refusal).toMatchObject({ ok: false, reason: 'usage_limit_exceeded', current: 10 });
      });

      it('rebuilds lifetime counters from the beginning of time', async () => {
        reserved(
          await limiters[0]!.reserve({
            orgId,
            scopes: [{ ...project, limits: [limit('spend_usd', 'lifetime', 100)] }],
            estimate: { tokens: 0, costMicroUsd: 1 },
          }),
        );
        expect(rebuilds.map((r) => r.since)).toEqual([new Date(0)]);
      });

      it('concurrent requests share one rebuild and no initializer clobbers another', async () => {
        logTotals = { requests: 40, tokens: 0, costMicroUsd: 0 };
        const scopes = [{ ...org, limits: [limit('requests', 'daily', 1_000)] }];
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            limiters[i % limiters.length]!.reserve({ orgId, scopes, estimate: { tokens: 0, costMicroUsd: 0 } }),
          ),
        );
        expect(results.every((r) => r.ok)).toBe(true);
        expect(await counter(org, 'requests')).toBe(60);
        // At most one rebuild per limiter (gateway replica), however many requests found the counter missing.
        expect(rebuilds.length).toBeGreaterThanOrEqual(1);
        expect(rebuilds.length).toBeLessThanOrEqual(limiters.length);
      });

      it('when the store loses its data (Redis FLUSHDB, restart), counters come back from the log totals', async () => {
        const scopes = [
          { ...key, limits: [limit('tokens', 'daily', 1_000_000, [50])] },
          { ...org, limits: [limit('spend_usd', 'monthly', 100)] },
        ];
        for (let i = 0; i < 3; i++) {
          await reserved(await limiters[0]!.reserve({ orgId, scopes, estimate: { tokens: 1_000, costMicroUsd: 10_000 } })).settle({
            tokens: 700,
            costMicroUsd: 7_000,
          });
        }
        expect(rebuilds).toHaveLength(2);
        await backend.loseData();
        expect(await counter(key, 'tokens')).toBeNull();
        // What the request logs hold by now (the three requests above, and more from elsewhere).
        logTotals = { requests: 5, tokens: 3_500, costMicroUsd: 35_000 };
        await reserved(await limiters[0]!.reserve({ orgId, scopes, estimate: { tokens: 1_000, costMicroUsd: 10_000 } })).settle({
          tokens: 700,
          costMicroUsd: 7_000,
        });
        expect(rebuilds).toHaveLength(4);
        expect(await counter(key, 'tokens')).toBe(4_200);
        expect(await counter(org, 'spend_usd', '2026-11')).toBe(42_000);
      });

      describe('budget alerts across a store loss', () => {
        const scopes = (): { type: UsageScopeRef['type']; id: string; limits: UsageLimit[] }[] => [
          { ...project, limits: [limit('requests', 'daily', 10, [50, 80, 100])] },
        ];
        const request = async (limiter: UsageLimiter, requestId: string): Promise<void> => {
          await reserved(await limiter.reserve({ orgId, scopes: scopes(), estimate: { tokens: 0, costMicroUsd: 0 }, requestId })).settle({
            tokens: 0,
            costMicroUsd: 0,
          });
        };

        it('a rebuilt counter does not re-send the alerts its usage had already crossed; later thresholds alert once', async () => {
          for (let i = 1; i <= 8; i++) await request(limiters[0]!, `req_${i}`);
          expect(crossings.map((c) => [c.threshold, c.requestId])).toEqual([
            [50, 'req_5'],
            [80, 'req_8'],
          ]);
          await backend.loseData();
          logTotals = { requests: 8, tokens: 0, costMicroUsd: 0 };
          // A restarted gateway (or another replica): nothing in its process remembers the alerts sent.
          const restarted = makeLimiter(backend.counters);
          await request(restarted, 'req_9');
          expect(await counter(project, 'requests')).toBe(9);
          expect(crossings).toHaveLength(2);
          await request(restarted, 'req_10');
          await expect(restarted.reserve({ orgId, scopes: scopes(), estimate: { tokens: 0, costMicroUsd: 0 } })).resolves.toMatchObject({
            ok: false,
            reason: 'usage_limit_exceeded',
          });
          expect(crossings.map((c) => [c.threshold, c.used, c.requestId])).toEqual([
            [50, 5, 'req_5'],
            [80, 8, 'req_8'],
            [100, 10, 'req_10'],
          ]);
        });

        it('the request that triggers the rebuild still alerts for a threshold its own usage crosses', async () => {
          logTotals = { requests: 4, tokens: 0, costMicroUsd: 0 };
          await request(limiters[0]!, 'req_5');
          expect(crossings.map((c) => [c.threshold, c.used, c.requestId])).toEqual([[50, 5, 'req_5']]);
        });

        it('a fresh period after the loss, with no usage yet, alerts normally', async () => {
          for (let i = 1; i <= 8; i++) await request(limiters[0]!, `day1_${i}`);
          await backend.loseData();
          now = new Date('2026-11-29T09:00:00.000Z');
          logTotals = { requests: 0, tokens: 0, costMicroUsd: 0 };
          const restarted = makeLimiter(backend.counters);
          for (let i = 1; i <= 5; i++) await request(restarted, `day2_${i}`);
          expect(crossings.map((c) => [c.periodId, c.threshold, c.requestId])).toEqual([
            ['2026-11-28', 50, 'day1_5'],
            ['2026-11-28', 80, 'day1_8'],
            ['2026-11-29', 50, 'day2_5'],
          ]);
        });
      });

      it('a failing rebuild refuses the request and is retried by the next one', async () => {
        let fail = true;
        const limiter = createUsageLimiter({
          counters: backend.counters,
          rebuild: () =>
            fail ? Promise.reject(new Error('database is down')) : Promise.resolve({ requests: 3, tokens: 0, costMicroUsd: 0 }),
          onThreshold: () => undefined,
          failOpen: () => false,
          now: () => now,
        });
        const scopes = [{ ...key, limits: [limit('requests', 'daily', 10)] }];
        expect(await limiter.reserve({ orgId, scopes, estimate: { tokens: 0, costMicroUsd: 0 } })).toEqual({
          ok: false,
          reason: 'store_unavailable',
          message: 'Usage limits cannot be checked right now; please retry shortly.',
          error: 'database is down',
        });
        expect(await counter(key, 'requests')).toBeNull();
        fail = false;
        expect(await limiter.reserve({ orgId, scopes, estimate: { tokens: 0, costMicroUsd: 0 } })).toMatchObject({
          ok: true,
          status: 'reserved',
        });
        expect(await counter(key, 'requests')).toBe(4);
      });

      it('treats nonsense log totals as a failure, not as zero usage', async () => {
        logTotals = { requests: Number.NaN, tokens: 0, costMicroUsd: 0 };
        const result = await limiters[0]!.reserve({
          orgId,
          scopes: [{ ...key, limits: [limit('requests', 'daily', 10)] }],
          estimate: { tokens: 0, costMicroUsd: 0 },
        });
        expect(result).toMatchObject({ ok: false, reason: 'store_unavailable', error: 'usage rebuild returned an invalid request count' });
      });
    });

    describe('when the counter store is unreachable', () => {
      const scopes = (): { type: UsageScopeRef['type']; id: string; limits: UsageLimit[] }[] => [
        { ...key, limits: [limit('requests', 'daily', 10)] },
      ];

      it('refuses with store_unavailable', async () => {
        await backend.counters.close();
        const result = await limiters[0]!.reserve({ orgId, scopes: scopes(), estimate: { tokens: 0, costMicroUsd: 0 } });
        expect(result).toMatchObject({
          ok: false,
          reason: 'store_unavailable',
          message: 'Usage limits cannot be checked right now; please retry shortly.',
        });
        expect(!result.ok && result.reason === 'store_unavailable' && result.error).toMatch(/unavailable|closed/);
      });

      it('lets the request through unreserved, and says so, when the org fails open', async () => {
        await backend.counters.close();
        const limiter = makeLimiter(backend.counters, true);
        const result = reserved(await limiter.reserve({ orgId, scopes: scopes(), estimate: { tokens: 0, costMicroUsd: 0 } }));
        expect(result.status).toBe('failed_open');
        expect(result.error).toMatch(/unavailable|closed/);
        // The settle cannot be recorded either, and says so instead of throwing.
        expect(await result.settle({ tokens: 1, costMicroUsd: 1 })).toMatchObject({ ok: false });
      });
    });
  });
}
