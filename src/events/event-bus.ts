import { z } from 'zod';

// Bounded because events arriving over Redis are input like any other.
const id = z.string().min(1).max(256);

/**
 * Cache-invalidation events. Unknown properties are stripped rather than rejected so a
 * newer replica can add fields during a rolling upgrade without older ones dropping events.
 */
export const busEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('api_key.changed'), orgId: id, apiKeyId: id }),
  z.object({ type: z.literal('provider_key.changed'), orgId: id, providerKeyId: id }),
  z.object({ type: z.literal('policy.changed'), orgId: id, projectId: id.optional() }),
  z.object({ type: z.literal('org.changed'), orgId: id }),
]);

export type BusEvent = z.infer<typeof busEventSchema>;

/** May be async; a rejection is handled like a throw. */
export type BusEventHandler = (event: BusEvent) => void | Promise<void>;

export type HandlerErrorHook = (error: unknown, event: BusEvent) => void;

export interface EventBus {
  readonly kind: 'memory' | 'redis';
  /**
   * Validates, then delivers to every subscriber of every bus instance, including this
   * one, so the replica that made a change invalidates exactly like the others. Rejects
   * on an invalid event, a closed bus or an unreachable Redis.
   */
  publish(event: BusEvent): Promise<void>;
  /**
   * Handlers are called asynchronously, never inside publish(). One handler throwing does
   * not affect the others. Returns an idempotent unsubscribe function.
   */
  subscribe(handler: BusEventHandler): () => void;
  /** Resolves once events from other instances are being received. */
  ready(): Promise<void>;
  /** Idempotent; drops all handlers and releases every connection and timer. */
  close(): Promise<void>;
  /** Received payloads dropped because they were not a valid BusEvent. */
  readonly droppedInvalidEvents: number;
  /** Handler calls that threw or rejected. */
  readonly handlerErrors: number;
}

export function busClosedError(): Error {
  return new Error('event bus is closed');
}
