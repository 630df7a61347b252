import type { EventBus, HandlerErrorHook } from './event-bus.js';
import { MemoryEventBus } from './memory-bus.js';
import { RedisEventBus } from './redis-bus.js';

export interface CreateEventBusOptions {
  /** When set (non-blank), events reach every replica through Redis; otherwise this process only. */
  redisUrl?: string;
  /** Redis channel prefix; the channel is `${prefix}events`. */
  prefix?: string;
  onHandlerError?: HandlerErrorHook;
}

export function createEventBus(opts: CreateEventBusOptions = {}): EventBus {
  const redisUrl = opts.redisUrl?.trim();
  if (redisUrl) return new RedisEventBus({ url: redisUrl, prefix: opts.prefix, onHandlerError: opts.onHandlerError });
  return new MemoryEventBus({ onHandlerError: opts.onHandlerError });
}
