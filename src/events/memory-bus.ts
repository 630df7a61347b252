import { busClosedError, busEventSchema, type BusEvent, type BusEventHandler, type EventBus, type HandlerErrorHook } from './event-bus.js';
import { HandlerRegistry } from './handler-registry.js';

export interface MemoryEventBusOptions {
  onHandlerError?: HandlerErrorHook;
}

/** Single-process EventBus: the embedded default when no Redis is configured. */
export class MemoryEventBus implements EventBus {
  readonly kind = 'memory';
  private readonly handlers: HandlerRegistry;
  private closed = false;

  constructor(opts: MemoryEventBusOptions = {}) {
    this.handlers = new HandlerRegistry(opts.onHandlerError);
  }

  get droppedInvalidEvents(): number {
    // Nothing arrives from outside the process, so nothing can be dropped.
    return 0;
  }

  get handlerErrors(): number {
    return this.handlers.errorCount;
  }

  publish(event: BusEvent): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed) throw busClosedError();
      // Parsing copies the event, so a publisher mutating its object afterwards (or one
      // handler mutating it, thanks to freeze) cannot change what other handlers see.
      const delivered = Object.freeze(busEventSchema.parse(event));
      const recipients = this.handlers.snapshot();
      // Handlers run after the publisher's current synchronous code, never inside it, as
      // they would when the event travels through Redis.
      queueMicrotask(() => this.handlers.dispatch(delivered, recipients));
      resolve();
    });
  }

  subscribe(handler: BusEventHandler): () => void {
    return this.handlers.add(handler);
  }

  ready(): Promise<void> {
    return this.closed ? Promise.reject(busClosedError()) : Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    this.handlers.clear();
    return Promise.resolve();
  }
}
