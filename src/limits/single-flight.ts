/**
 * Concurrent callers asking for the same key share one in-flight promise; the entry is dropped
 * once it settles, so a later call (e.g. after another data loss) starts afresh and a failure
 * is not cached.
 */
export class SingleFlight<T> {
  private readonly inflight = new Map<string, Promise<T>>();

  run(key: string, fn: () => Promise<T>): Promise<T> {
    const existing = this.inflight.get(key);
    if (existing) return existing;
    // fn starts on a later tick, so even a synchronous throw happens after the entry exists
    // and is removed by finally (it would otherwise stay cached as a rejected promise).
    const promise: Promise<T> = Promise.resolve()
      .then(fn)
      .finally(() => {
        if (this.inflight.get(key) === promise) this.inflight.delete(key);
      });
    this.inflight.set(key, promise);
    return promise;
  }
}
