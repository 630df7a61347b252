import { outsideRequestScope } from '../../logging/request-scope.js';

/** Cancels a scheduled callback; calling it after the callback ran is harmless. */
export type CancelTimer = () => void;

/**
 * The clock and timers the writer uses, injectable so tests drive time instead of sleeping.
 * `keepAlive: false` timers must not hold the process open (background flushes, warnings);
 * `keepAlive: true` is for waits someone is awaiting (a retry inside flush or close), which must
 * not let the process exit while the writer is still trying.
 */
export type WriterTimers = {
  now(): number;
  schedule(ms: number, fn: () => void, options?: { keepAlive?: boolean }): CancelTimer;
};

export const realTimers: WriterTimers = {
  now: () => performance.now(),
  schedule(ms, fn, options) {
    // A request arms the writer's background timer; what the timer logs belongs to no request.
    const handle = outsideRequestScope(() => setTimeout(fn, Math.max(0, ms)));
    if (!options?.keepAlive) handle.unref();
    return () => clearTimeout(handle);
  },
};

/** Resolves after ms on the given timers. */
export function sleep(timers: WriterTimers, ms: number): Promise<void> {
  return new Promise((resolve) => {
    timers.schedule(ms, resolve, { keepAlive: true });
  });
}
