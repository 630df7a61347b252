import type { BusEvent, BusEventHandler, HandlerErrorHook } from './event-bus.js';

// A wrapper per subscription, so subscribing the same function twice gives two independent
// subscriptions, as with EventEmitter.
interface Subscription {
  readonly handler: BusEventHandler;
}

/** Handler bookkeeping and isolated dispatch shared by every EventBus implementation. */
export class HandlerRegistry {
  private readonly subscriptions = new Set<Subscription>();
  private errors = 0;

  constructor(private readonly onError?: HandlerErrorHook) {}

  get errorCount(): number {
    return this.errors;
  }

  add(handler: BusEventHandler): () => void {
    const subscription: Subscription = { handler };
    this.subscriptions.add(subscription);
    return () => {
      this.subscriptions.delete(subscription);
    };
  }

  /** Subscriptions at this moment, for delivering later to exactly those (see dispatch). */
  snapshot(): readonly Subscription[] {
    return [...this.subscriptions];
  }

  /**
   * Delivers to the given subscriptions (default: all current ones), skipping any
   * unsubscribed in the meantime so unsubscribe() is final even for queued events.
   */
  dispatch(event: BusEvent, to: readonly Subscription[] = this.snapshot()): void {
    for (const subscription of to) {
      if (!this.subscriptions.has(subscription)) continue;
      try {
        const result = subscription.handler(event);
        // An async handler's rejection would otherwise be an unhandled rejection, which
        // terminates Node by default.
        if (result instanceof Promise) result.catch((error: unknown) => this.fail(error, event));
      } catch (error) {
        this.fail(error, event);
      }
    }
  }

  clear(): void {
    this.subscriptions.clear();
  }

  private fail(error: unknown, event: BusEvent): void {
    this.errors++;
    try {
      this.onError?.(error, event);
    } catch {
      // A broken error hook must not break delivery either.
    }
  }
}
