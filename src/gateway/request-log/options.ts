import { getTableColumns } from 'drizzle-orm';
import { requestLogs } from '../../db/schema/index.js';
import { realTimers, type WriterTimers } from './timers.js';
import type { RequestLogWriterOptions } from './types.js';

/** PostgreSQL's bind message carries at most 65 535 parameters: one per column per row. */
export const MAX_ROWS_PER_INSERT = Math.floor(65_535 / Object.keys(getTableColumns(requestLogs)).length);

export const DEFAULT_DEADLINE_MS = 10_000;

export type ResolvedOptions = Required<Omit<RequestLogWriterOptions, 'timers' | 'random'>> & {
  timers: WriterTimers;
  random: () => number;
};

function positiveInteger(name: string, value: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw new RangeError(`request log writer: ${name} must be an integer from 1 to ${max}`);
  return value;
}

/** Fills defaults and rejects settings that would misbehave later rather than fail now. */
export function resolveOptions(options: RequestLogWriterOptions): ResolvedOptions {
  const maxBuffered = positiveInteger('maxBuffered', options.maxBuffered ?? 50_000);
  const retryBaseMs = positiveInteger('retryBaseMs', options.retryBaseMs ?? 100);
  return {
    db: options.db,
    keyring: options.keyring,
    logger: options.logger,
    // A batch larger than the buffer could never fill up and trigger a size-based flush.
    maxBatch: positiveInteger('maxBatch', options.maxBatch ?? Math.min(500, maxBuffered), Math.min(MAX_ROWS_PER_INSERT, maxBuffered)),
    flushIntervalMs: positiveInteger('flushIntervalMs', options.flushIntervalMs ?? 200),
    maxBuffered,
    retryBaseMs,
    retryMaxMs: positiveInteger('retryMaxMs', options.retryMaxMs ?? Math.max(30_000, retryBaseMs)),
    poisonAttempts: positiveInteger('poisonAttempts', options.poisonAttempts ?? 3),
    dataKeyTtlMs: positiveInteger('dataKeyTtlMs', options.dataKeyTtlMs ?? 60_000),
    warnIntervalMs: positiveInteger('warnIntervalMs', options.warnIntervalMs ?? 10_000),
    timers: options.timers ?? realTimers,
    random: options.random ?? Math.random,
  };
}
