/**
 * The rate limiters' insurance as operators see it: while Redis does not answer, limiting goes
 * on per process, each fallback decision is counted in portcullis_rate_limit_insurance_total,
 * the outage is logged once per limiter (not once per request) and the recovery once. The
 * limiters are wired as the gateway and api wire them (insuranceReporter with their logger).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insuranceReporter, type InsuranceLogger } from '../src/limits/insurance-reporter.js';
import { createKeyedLimiter } from '../src/limits/keyed-limiter.js';
import { createRateLimiter, type RateScope } from '../src/limits/rate-limiter.js';
import { unusedPort } from '../src/limits/test-support.js';
import { metricsRegistry, rateLimitInsuranceActive, rateLimitInsuranceTotal } from '../src/observability/metrics.js';
import { hasRedisServer, startThrowawayRedis, type ThrowawayRedis } from './support/limits.js';

type Line = { level: 'warn' | 'info'; fields: Record<string, unknown>; message: string };

function recordingLogger(): InsuranceLogger & { lines: Line[] } {
  const lines: Line[] = [];
  return {
    lines,
    warn: (fields, message) => lines.push({ level: 'warn', fields, message }),
    info: (fields, message) => lines.push({ level: 'info', fields, message }),
  };
}

async function metricValue(metric: typeof rateLimitInsuranceTotal | typeof rateLimitInsuranceActive, limiter: string): Promise<number> {
  const { values } = await metric.get();
  return values.find((v) => v.labels.limiter === limiter)?.value ?? 0;
}

const PREFIX = 'portcullis-insurance-test:';

describe('rate-limit insurance while Redis is unreachable', () => {
  it('counts every fallback decision, warns once per limiter, and keeps limiting', async () => {
    const logger = recordingLogger();
    const onInsurance = insuranceReporter({ logger, redisPrefix: PREFIX });
    const redis = `redis://:pa55word-in-url@127.0.0.1:${await unusedPort()}`;
    const byIp = createKeyedLimiter({ points: 3, durationSeconds: 60, redis, prefix: `${PREFIX}sign-in-ip:`, onInsurance });
    const rate = createRateLimiter({ redis, prefix: PREFIX, onInsurance });
    const before = await metricValue(rateLimitInsuranceTotal, 'sign-in-ip');

    const attempts = [];
    for (let i = 0; i < 10; i++) attempts.push((await byIp.consume('203.0.113.9')).allowed);
    expect(attempts).toEqual([true, true, true, false, false, false, false, false, false, false]);
    const scope: RateScope = { type: 'api_key', id: 'k1', rate: { requestsPerMinute: 2, tokensPerMinute: null } };
    for (let i = 0; i < 4; i++) await rate.check({ scopes: [scope], estimatedTokens: 1 });

    expect((await metricValue(rateLimitInsuranceTotal, 'sign-in-ip')) - before).toBe(10);
    expect(await metricValue(rateLimitInsuranceTotal, 'rate')).toBeGreaterThanOrEqual(4);
    expect(await metricValue(rateLimitInsuranceActive, 'sign-in-ip')).toBe(1);
    // 14 decisions, two limiters: two warnings, each naming its limiter and why, never the password.
    expect(logger.lines.map((l) => [l.level, l.fields.limiter])).toEqual([
      ['warn', 'sign-in-ip'],
      ['warn', 'rate'],
    ]);
    expect(logger.lines[0]!.fields.reason).toMatch(/^Redis at 127\.0\.0\.1:\d+ is unavailable/);
    expect(JSON.stringify(logger.lines)).not.toContain('pa55word');

    const exposition = await metricsRegistry.metrics();
    expect(exposition).toMatch(/portcullis_rate_limit_insurance_total\{limiter="sign-in-ip"\} \d+/);
    expect(exposition).toContain('portcullis_rate_limit_insurance_active{limiter="sign-in-ip"} 1');
    await Promise.all([byIp.close(), rate.close()]);
  });
});

describe.skipIf(!hasRedisServer)('rate-limit insurance across a Redis outage (throwaway redis-server)', () => {
  let redis: ThrowawayRedis;
  beforeAll(async () => {
    redis = await startThrowawayRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('Redis killed: one warning and a metered per-process fallback; Redis back: one recovery line, shared again', async () => {
    const logger = recordingLogger();
    const limiter = createRateLimiter({
      redis: redis.url,
      prefix: PREFIX,
      onInsurance: insuranceReporter({ logger, redisPrefix: PREFIX }),
    });
    const scope: RateScope = { type: 'org', id: 'o1', rate: { requestsPerMinute: 3, tokensPerMinute: null } };
    const check = () => limiter.check({ scopes: [scope], estimatedTokens: 0 });
    const before = await metricValue(rateLimitInsuranceTotal, 'rate');

    expect((await check()).allowed).toBe(true);
    expect(logger.lines).toEqual([]);

    await redis.kill();
    const during = [];
    for (let i = 0; i < 5; i++) during.push((await check()).allowed);
    // The insurance starts empty in this process: 3, then refused. No request failed.
    expect(during).toEqual([true, true, true, false, false]);
    expect((await metricValue(rateLimitInsuranceTotal, 'rate')) - before).toBe(5);
    expect(await metricValue(rateLimitInsuranceActive, 'rate')).toBe(1);
    expect(logger.lines.map((l) => l.level)).toEqual(['warn']);

    await redis.restart();
    const deadline = Date.now() + 10_000;
    while (!logger.lines.some((l) => l.level === 'info') && Date.now() < deadline) {
      await check();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const recovery = logger.lines.find((l) => l.level === 'info');
    expect(recovery?.fields).toMatchObject({ limiter: 'rate', fallbackDecisions: expect.any(Number) as number });
    expect(Number(recovery?.fields.fallbackDecisions)).toBeGreaterThanOrEqual(5);
    expect(await metricValue(rateLimitInsuranceActive, 'rate')).toBe(0);
    // Back on the (empty) Redis: decisions are no longer counted as insurance, nothing more is logged.
    const counted = await metricValue(rateLimitInsuranceTotal, 'rate');
    for (let i = 0; i < 3; i++) await check();
    expect(await metricValue(rateLimitInsuranceTotal, 'rate')).toBe(counted);
    expect(logger.lines.map((l) => l.level)).toEqual(['warn', 'info']);

    // A second outage is a new warning.
    await redis.kill();
    await check();
    expect(logger.lines.map((l) => l.level)).toEqual(['warn', 'info', 'warn']);
    await limiter.close();
  });
});
