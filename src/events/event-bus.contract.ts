// One behavioural suite for every EventBus implementation, so switching from the embedded
// bus to Redis cannot change how invalidation behaves.
import { afterEach, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { waitFor } from '../store/test-helpers.js';
import type { BusEvent, EventBus, HandlerErrorHook } from './event-bus.js';

export interface BusFactoryOptions {
  onHandlerError?: HandlerErrorHook;
}

export interface Recorder {
  readonly events: BusEvent[];
  readonly handler: (event: BusEvent) => void;
  /** Resolves once `count` events have arrived in total. */
  waitForCount(count: number): Promise<void>;
}

export function recorder(): Recorder {
  const events: BusEvent[] = [];
  return {
    events,
    handler: (event) => {
      events.push(event);
    },
    waitForCount: (count) => waitFor(() => events.length >= count, 3_000, `${count} event(s)`),
  };
}

const VALID_EVENTS: BusEvent[] = [
  { type: 'api_key.changed', orgId: 'org_1', apiKeyId: 'key_1' },
  { type: 'provider_key.changed', orgId: 'org_1', providerKeyId: 'pk_1' },
  { type: 'policy.changed', orgId: 'org_1' },
  { type: 'policy.changed', orgId: 'org_1', projectId: 'proj_1' },
  { type: 'org.changed', orgId: 'org_1' },
];

const INVALID_EVENTS: unknown[] = [
  { type: 'user.deleted', orgId: 'org_1' },
  { type: 'api_key.changed', orgId: 'org_1' },
  { type: 'api_key.changed', orgId: '', apiKeyId: 'key_1' },
  { type: 'org.changed', orgId: 42 },
  { type: 'org.changed', orgId: 'x'.repeat(257) },
  null,
];

export function registerEventBusContract(name: string, createBus: (opts?: BusFactoryOptions) => EventBus): void {
  describe(`EventBus contract: ${name}`, () => {
    const open: EventBus[] = [];
    const bus = (opts?: BusFactoryOptions): EventBus => {
      const created = createBus(opts);
      open.push(created);
      return created;
    };

    afterEach(async () => {
      await Promise.all(open.splice(0).map((b) => b.close()));
    });

    it('delivers every event type to its own subscribers, frozen and equal to what was published', async () => {
      const b = bus();
      const rec = recorder();
      b.subscribe(rec.handler);
      await b.ready();
      for (const event of VALID_EVENTS) await b.publish(event);
      await rec.waitForCount(VALID_EVENTS.length);
      expect(rec.events).toEqual(VALID_EVENTS);
      for (const event of rec.events) expect(Object.isFrozen(event)).toBe(true);
    });

    it('never calls handlers synchronously inside publish()', async () => {
      const b = bus();
      await b.ready();
      const rec = recorder();
      b.subscribe(rec.handler);
      const publishing = b.publish({ type: 'org.changed', orgId: 'o' });
      expect(rec.events).toHaveLength(0);
      await publishing;
      await rec.waitForCount(1);
    });

    it('delivers to every handler even when some throw or reject, and counts the failures', async () => {
      const reported: unknown[] = [];
      const b = bus({ onHandlerError: (error) => reported.push(error) });
      const first = recorder();
      const last = recorder();
      b.subscribe(first.handler);
      b.subscribe(() => {
        throw new Error('sync boom');
      });
      b.subscribe(() => Promise.reject(new Error('async boom')));
      b.subscribe(last.handler);
      await b.ready();
      await b.publish({ type: 'org.changed', orgId: 'o' });
      await last.waitForCount(1);
      expect(first.events).toHaveLength(1);
      await waitFor(() => b.handlerErrors === 2, 3_000, 'both failures to be counted');
      expect(reported.map((e) => (e as Error).message).sort()).toEqual(['async boom', 'sync boom']);
    });

    it('survives an onHandlerError hook that itself throws', async () => {
      const b = bus({
        onHandlerError: () => {
          throw new Error('hook boom');
        },
      });
      const rec = recorder();
      b.subscribe(() => {
        throw new Error('boom');
      });
      b.subscribe(rec.handler);
      await b.ready();
      await b.publish({ type: 'org.changed', orgId: 'o' });
      await rec.waitForCount(1);
      expect(b.handlerErrors).toBe(1);
    });

    it('stops delivering after unsubscribe, which is idempotent and per subscription', async () => {
      const b = bus();
      const removed = recorder();
      const twice = recorder();
      const barrier = recorder();
      const unsubscribe = b.subscribe(removed.handler);
      const unsubscribeOnce = b.subscribe(twice.handler);
      b.subscribe(twice.handler);
      b.subscribe(barrier.handler);
      await b.ready();
      await b.publish({ type: 'org.changed', orgId: 'first' });
      await barrier.waitForCount(1);
      expect(removed.events).toHaveLength(1);
      expect(twice.events).toHaveLength(2);

      unsubscribe();
      unsubscribe();
      unsubscribeOnce();
      await b.publish({ type: 'org.changed', orgId: 'second' });
      // Events arrive in order, so once the barrier has the second one any stray
      // delivery to the removed handler would already have happened.
      await barrier.waitForCount(2);
      expect(removed.events).toHaveLength(1);
      expect(twice.events).toHaveLength(3);
    });

    it('does not deliver an already-published event to a handler unsubscribed before it arrives', async () => {
      const b = bus();
      const removed = recorder();
      const barrier = recorder();
      const unsubscribe = b.subscribe(removed.handler);
      b.subscribe(barrier.handler);
      await b.ready();
      const publishing = b.publish({ type: 'org.changed', orgId: 'o' });
      unsubscribe();
      await publishing;
      await barrier.waitForCount(1);
      expect(removed.events).toHaveLength(0);
    });

    it.each(INVALID_EVENTS)('rejects publishing the invalid event %j and delivers nothing', async (invalid) => {
      const b = bus();
      const rec = recorder();
      b.subscribe(rec.handler);
      await b.ready();
      await expect(b.publish(invalid as BusEvent)).rejects.toThrow(ZodError);
      await b.publish({ type: 'org.changed', orgId: 'barrier' });
      await rec.waitForCount(1);
      expect(rec.events).toEqual([{ type: 'org.changed', orgId: 'barrier' }]);
    });

    it('strips unknown properties instead of rejecting the event', async () => {
      const b = bus();
      const rec = recorder();
      b.subscribe(rec.handler);
      await b.ready();
      const withExtra = { type: 'org.changed', orgId: 'o', addedInANewerVersion: true };
      await b.publish(withExtra as BusEvent);
      await rec.waitForCount(1);
      expect(rec.events).toEqual([{ type: 'org.changed', orgId: 'o' }]);
    });

    it('rejects publish and ready after close, delivers nothing more, and closes idempotently', async () => {
      const b = bus();
      const rec = recorder();
      b.subscribe(rec.handler);
      await b.ready();
      await b.close();
      await expect(b.close()).resolves.toBeUndefined();
      await expect(b.publish({ type: 'org.changed', orgId: 'o' })).rejects.toThrow(/closed/);
      await expect(b.ready()).rejects.toThrow(/closed/);
      expect(rec.events).toHaveLength(0);
    });

    it('starts with no dropped events', () => {
      expect(bus().droppedInvalidEvents).toBe(0);
    });
  });
}
