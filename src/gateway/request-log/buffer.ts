/**
 * A bounded FIFO whose capacity also covers the items taken out for writing ("in flight"), so
 * memory stays bounded while a slow or failing write holds a batch. push is O(1) amortized: the
 * request path calls it. Items taken out come back with putBack (write failed, retry first) or
 * leave with settle (written or dropped).
 */
export class BoundedBuffer<T> {
  private items: T[] = [];
  private head = 0;
  private taken = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('buffer capacity must be a positive integer');
  }

  /** Queued plus in flight: what counts against the capacity. */
  get size(): number {
    return this.queued + this.taken;
  }

  get queued(): number {
    return this.items.length - this.head;
  }

  get inFlight(): number {
    return this.taken;
  }

  /** false when full: the caller decides what a refused item means. */
  push(item: T): boolean {
    if (this.size >= this.capacity) return false;
    this.items.push(item);
    return true;
  }

  peek(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  /** Up to max of the oldest items, now in flight. */
  take(max: number): T[] {
    const end = Math.min(this.items.length, this.head + max);
    const batch = this.items.slice(this.head, end);
    this.head = end;
    this.taken += batch.length;
    this.compact();
    return batch;
  }

  /** In-flight items that failed to write go back in front of everything queued, in the given order. */
  putBack(batch: readonly T[]): void {
    this.release(batch.length);
    if (batch.length === 0) return;
    this.items = [...batch, ...this.items.slice(this.head)];
    this.head = 0;
  }

  /** In-flight items that are done: written, or dropped for good. */
  settle(count: number): void {
    this.release(count);
  }

  /** Empties the queue (not what is in flight) and returns how many items it held. */
  clear(): number {
    const cleared = this.queued;
    this.items = [];
    this.head = 0;
    return cleared;
  }

  private release(count: number): void {
    if (count > this.taken) throw new Error(`buffer: releasing ${count} items but only ${this.taken} are in flight`);
    this.taken -= count;
  }

  // Dropping the consumed prefix only once it is large and over half the array keeps take()
  // amortized O(batch) instead of copying the whole queue on every call.
  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
