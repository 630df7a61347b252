import { backoffDelay } from './backoff.js';
import { BoundedBuffer } from './buffer.js';
import { DataKeyCache } from './data-keys.js';
import { DropReporter, type DropReason } from './drop-reporter.js';
import { summarizeError } from './errors.js';
import { DEFAULT_DEADLINE_MS, resolveOptions } from './options.js';
import { toPendingEntry, type PendingEntry } from './pending-entry.js';
import { writeRound, type RoundContext, type WriteCounters } from './round.js';
import { sleep, type CancelTimer } from './timers.js';
import type { RequestLogEntry, RequestLogWriter, RequestLogWriterOptions, RequestLogWriterStats } from './types.js';

const noop = (): void => undefined;

/**
 * The gateway's request-log writer. enqueue only appends to a bounded in-memory buffer; write
 * rounds run in the background (when maxBatch entries are waiting, or flushIntervalMs after the
 * first one), one at a time, each writing one transaction per org. Failed rounds are retried with
 * capped exponential backoff and the entries stay buffered meanwhile.
 *
 * When the buffer is full, new entries are refused (counted in `dropped`, warned about), not old
 * ones evicted: a flood of requests, which may be an attack, must not push the record of what
 * came before it out of the log, and the gap it leaves is one stretch that starts at a known time.
 */
export function createRequestLogWriter(options: RequestLogWriterOptions): RequestLogWriter {
  const config = resolveOptions(options);
  const { logger, timers } = config;
  const buffer = new BoundedBuffer<PendingEntry>(config.maxBuffered);
  const counters: WriteCounters & { failedFlushes: number } = {
    written: 0,
    dropped: 0,
    failedFlushes: 0,
    bodiesSkipped: 0,
    guardrailEventsDropped: 0,
  };
  const drops = new DropReporter(logger, timers, config.warnIntervalMs, () => ({
    totalDropped: counters.dropped,
    buffered: buffer.size,
    maxBuffered: config.maxBuffered,
  }));

  let state: 'open' | 'closing' | 'closed' = 'open';
  let lastSeq = 0;
  let consecutiveFailures = 0;
  let outageReported = false;
  let retryAt = 0;
  let timer: { due: number; cancel: CancelTimer } | null = null;
  let sections = 0;
  let tail: Promise<void> = Promise.resolve();
  let closing: Promise<void> | null = null;

  const round: RoundContext = {
    db: config.db,
    dataKeys: new DataKeyCache(config.keyring, timers, config.dataKeyTtlMs, logger),
    logger,
    buffer,
    maxBatch: config.maxBatch,
    poisonAttempts: config.poisonAttempts,
    orgFailures: new Map(),
    counters,
    isClosed: () => state === 'closed',
  };

  /** Runs fn after every earlier section: one write round at a time, whoever started it. */
  function exclusive(fn: () => Promise<void>): Promise<void> {
    sections += 1;
    const run = tail.then(fn);
    tail = run.then(noop, noop).then(() => {
      sections -= 1;
      scheduleNext();
    });
    return run;
  }

  /** One round plus the retry bookkeeping; true when nothing had to be put back. */
  async function runRound(): Promise<boolean> {
    const result = await writeRound(round);
    if (result.failed) {
      consecutiveFailures += 1;
      counters.failedFlushes += 1;
      retryAt = timers.now() + backoffDelay(consecutiveFailures, config.retryBaseMs, config.retryMaxMs, config.random);
      // Once per outage, not once per retry: the retries of a long outage would flood the log.
      if (result.outage && !outageReported) {
        outageReported = true;
        logger.warn(
          { error: summarizeError(result.outage.error), buffered: buffer.size },
          'request log writes failing: buffering and retrying',
        );
      }
      return false;
    }
    if (result.attempted && consecutiveFailures > 0) {
      logger.info({ failedAttempts: consecutiveFailures, buffered: buffer.size }, 'request log writes recovered');
      consecutiveFailures = 0;
      outageReported = false;
    }
    return true;
  }

  function onTimer(): void {
    timer = null;
    // A running section reschedules when it ends; after close, only close writes.
    if (state !== 'open' || sections > 0) return;
    exclusive(async () => {
      await runRound();
    }).catch((error: unknown) => logger.error({ error: summarizeError(error) }, 'request log write round failed unexpectedly'));
  }

  /** Arms the one background timer for the next round, if one is due and none is armed sooner. */
  function scheduleNext(): void {
    if (state !== 'open' || sections > 0 || buffer.queued === 0) return;
    const now = timers.now();
    let due: number;
    if (consecutiveFailures > 0) due = retryAt;
    else if (buffer.queued >= config.maxBatch) due = now;
    else due = timer?.due ?? now + config.flushIntervalMs;
    if (timer && timer.due <= due) return;
    timer?.cancel();
    timer = { due, cancel: timers.schedule(due - now, onTimer) };
  }

  function accept(entry: RequestLogEntry): DropReason | null {
    if (state !== 'open') return 'closed';
    if (buffer.size >= buffer.capacity) return 'buffer_full';
    let pending: PendingEntry;
    try {
      pending = toPendingEntry(entry, lastSeq + 1);
    } catch {
      return 'invalid';
    }
    lastSeq += 1;
    buffer.push(pending);
    scheduleNext();
    return null;
  }

  function enqueue(entry: RequestLogEntry): void {
    // Called on the response path: nothing in here may throw into a request.
    try {
      const refused = accept(entry);
      if (refused === null) return;
      counters.dropped += 1;
      drops.note(refused);
    } catch {
      // Only a throwing logger or timer gets here; the entry's fate is already counted.
    }
  }

  async function flush(deadlineMs = DEFAULT_DEADLINE_MS): Promise<void> {
    const target = lastSeq;
    const deadline = timers.now() + deadlineMs;
    const waiting = (): boolean => {
      const oldest = buffer.peek();
      return oldest !== undefined && oldest.seq <= target;
    };
    await exclusive(async () => {
      while (waiting() && state !== 'closed') {
        if (await runRound()) continue;
        const now = timers.now();
        if (now >= deadline) break;
        await sleep(timers, Math.min(retryAt, deadline) - now);
      }
    });
    if (waiting() && state === 'open') {
      logger.warn({ buffered: buffer.size }, 'request log flush reached its deadline: the rest stays buffered and is retried');
    }
  }

  function close(deadlineMs = DEFAULT_DEADLINE_MS): Promise<void> {
    closing ??= (async () => {
      state = 'closing';
      timer?.cancel();
      timer = null;
      // A write hung on a dead connection would hold flush past its own deadline: race it.
      let cancelDeadline: CancelTimer = noop;
      const deadline = new Promise<void>((resolve) => {
        cancelDeadline = timers.schedule(deadlineMs, resolve, { keepAlive: true });
      });
      const flushed = flush(deadlineMs).catch((error: unknown) =>
        logger.error({ error: summarizeError(error) }, 'request log flush on close failed unexpectedly'),
      );
      await Promise.race([flushed, deadline]);
      cancelDeadline();
      state = 'closed';
      const unwritten = buffer.clear();
      counters.dropped += unwritten;
      // In-flight entries are counted when their write settles: written, or dropped since closed.
      if (unwritten > 0 || buffer.inFlight > 0) {
        logger.error({ unwritten, inFlight: buffer.inFlight }, 'request log writer closed before every entry was written');
      }
      drops.flush();
    })();
    return closing;
  }

  function stats(): RequestLogWriterStats {
    return { buffered: buffer.size, ...counters };
  }

  return { enqueue, flush, close, stats };
}
