import type { Logger } from 'pino';
import type { BusEvent, EventBus } from '../events/event-bus.js';

/**
 * Publishes a cache-invalidation event after the change committed. A failure is logged, not
 * thrown: the change is already durable (a created key must still be shown to its creator), and
 * every cache that missed the event expires on its own TTL.
 */
export async function announce(bus: EventBus, event: BusEvent, logger: Logger): Promise<void> {
  try {
    await bus.publish(event);
  } catch (error) {
    logger.error({ err: error, event: event.type }, 'could not announce a change; other replicas see it when their caches expire');
  }
}
