import { describe, expect, it } from 'vitest';
import { createEventBus } from './create-event-bus.js';
import { registerEventBusContract, recorder } from './event-bus.contract.js';
import type { BusEvent } from './event-bus.js';
import { MemoryEventBus } from './memory-bus.js';

registerEventBusContract('memory', (opts) => new MemoryEventBus(opts));

describe('MemoryEventBus', () => {
  it('has delivered by the time publish() settles, within the same process', async () => {
    const bus = new MemoryEventBus();
    const rec = recorder();
    bus.subscribe(rec.handler);
    await bus.publish({ type: 'org.changed', orgId: 'o' });
    expect(rec.events).toHaveLength(1);
    await bus.close();
  });

  it('delivers a copy, so a publisher mutating its object later changes nothing', async () => {
    const bus = new MemoryEventBus();
    const rec = recorder();
    bus.subscribe(rec.handler);
    const event: BusEvent = { type: 'org.changed', orgId: 'before' };
    const publishing = bus.publish(event);
    event.orgId = 'after';
    await publishing;
    expect(rec.events).toEqual([{ type: 'org.changed', orgId: 'before' }]);
    await bus.close();
  });

  it('does not deliver to handlers that subscribe after the event was published', async () => {
    const bus = new MemoryEventBus();
    const late = recorder();
    const publishing = bus.publish({ type: 'org.changed', orgId: 'o' });
    bus.subscribe(late.handler);
    await publishing;
    expect(late.events).toHaveLength(0);
    await bus.close();
  });
});

describe('createEventBus', () => {
  it.each([{}, { redisUrl: '' }, { redisUrl: '  ' }])('uses memory without a Redis URL (%j)', async (opts) => {
    const bus = createEventBus(opts);
    expect(bus.kind).toBe('memory');
    await bus.close();
  });

  it('uses Redis when a URL is given', async () => {
    const bus = createEventBus({ redisUrl: 'redis://127.0.0.1:1', prefix: 'p:' });
    expect(bus.kind).toBe('redis');
    await bus.close();
  });
});
