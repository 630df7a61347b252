/**
 * Turns insurance events (insured-limiter.ts) into what operators see: one warning when a
 * limiter starts limiting per process, one line when Redis answers it again, and metrics for
 * every decision in between. Logging each decision would write a line per request for the
 * whole outage; the counter carries that volume instead.
 */
import { rateLimitInsuranceActive, rateLimitInsuranceTotal, safely } from '../observability/metrics.js';
import type { InsuranceListener } from './insured-limiter.js';

export interface InsuranceLogger {
  warn(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
}

export interface InsuranceReporterOptions {
  logger: InsuranceLogger;
  /** The configured Redis key prefix, left out of the limiter's name in logs and labels. */
  redisPrefix: string;
}

/** The limiter's name without the Redis key prefix or trailing separator: a bounded label. */
export function insuranceLimiterName(limiter: string, redisPrefix: string): string {
  const name = redisPrefix !== '' && limiter.startsWith(redisPrefix) ? limiter.slice(redisPrefix.length) : limiter;
  return name.replace(/:+$/, '') || 'unnamed';
}

export function insuranceReporter(options: InsuranceReporterOptions): InsuranceListener {
  return (event) => {
    const limiter = insuranceLimiterName(event.limiter, options.redisPrefix);
    if (event.type === 'fallback') {
      safely(() => rateLimitInsuranceTotal.inc({ limiter }));
      if (!event.outageStarted) return;
      safely(() => rateLimitInsuranceActive.set({ limiter }, 1));
      options.logger.warn(
        { limiter, reason: event.reason },
        'Redis unreachable: this rate limiter now limits per process (each replica on its own) until Redis answers again',
      );
      return;
    }
    safely(() => rateLimitInsuranceActive.set({ limiter }, 0));
    options.logger.info(
      { limiter, outageMs: event.outageMs, fallbackDecisions: event.fallbackDecisions },
      'Redis answers again: this rate limiter is shared across replicas again',
    );
  };
}
