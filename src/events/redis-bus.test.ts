import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../store/errors.js';
import { runScript, srcModuleUrl, waitFor } from '../store/test-helpers.js';
import { recorder, registerEventBusContract } from './event-bus.contract.js';
import { RedisEventBus } from './redis-bus.js';

const redisUrl = process.env.TEST_REDIS_URL;

describe.skipIf(!redisUrl)('RedisEventBus against a live Redis', () => {
  const url = redisUrl ?? '';
  // Random per file so parallel runs on one Redis never see each other's events.
  const prefix = `portcullis-test:${randomUUID()}:`;
  const open: RedisEventBus[] = [];
  let raw: Redis;

  const bus = (busPrefix = prefix): RedisEventBus => {
    const created = new RedisEventBus({ url, prefix: busPrefix });
    open.push(created);
    return created;
  };

  beforeAll(() => {
    raw = new Redis(url);
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((b) => b.close()));
  });

  afterAll(async () => {
    await raw.quit();
  });

  registerEventBusContract('redis', (opts) => {
    const created = new RedisEventBus({ url, prefix, ...opts });
    open.push(created);
    return created;
  });

  it('uses the channel `${prefix}events`', () => {
    expect(bus().channel).toBe(`${prefix}events`);
  });

  it('delivers an event published by one instance to every instance, the publisher included', async () => {
    const [a, b, c] = [bus(), bus(), bus()];
    const [ra, rb, rc] = [recorder(), recorder(), recorder()];
    a.subscribe(ra.handler);
    b.subscribe(rb.handler);
    c.subscribe(rc.handler);
    await Promise.all([a.ready(), b.ready(), c.ready()]);
    const event = { type: 'api_key.changed', orgId: 'org_1', apiKeyId: 'key_1' } as const;
    await a.publish(event);
    await Promise.all([ra.waitForCount(1), rb.waitForCount(1), rc.waitForCount(1)]);
    for (const rec of [ra, rb, rc]) expect(rec.events).toEqual([event]);
  });

  it('delivers to its own subscribers without waiting for ready() first', async () => {
    const a = bus();
    const rec = recorder();
    a.subscribe(rec.handler);
    await a.publish({ type: 'org.changed', orgId: 'o' });
    await rec.waitForCount(1);
  });

  it('handles a burst of publishes right after construction without piling up listeners', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning);
    };
    process.on('warning', onWarning);
    try {
      const a = bus();
      const rec = recorder();
      a.subscribe(rec.handler);
      await Promise.all(Array.from({ length: 50 }, (_, i) => a.publish({ type: 'org.changed', orgId: `o${i}` })));
      await rec.waitForCount(50);
      // Emitted asynchronously, so give a pending warning a chance to arrive.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('does not deliver across prefixes', async () => {
    const mine = bus();
    const theirs = bus(`${prefix}other:`);
    const [rMine, rTheirs] = [recorder(), recorder()];
    mine.subscribe(rMine.handler);
    theirs.subscribe(rTheirs.handler);
    await Promise.all([mine.ready(), theirs.ready()]);
    await theirs.publish({ type: 'org.changed', orgId: 'theirs' });
    await mine.publish({ type: 'org.changed', orgId: 'mine' });
    await rMine.waitForCount(1);
    await rTheirs.waitForCount(1);
    expect(rMine.events).toEqual([{ type: 'org.changed', orgId: 'mine' }]);
    expect(rTheirs.events).toEqual([{ type: 'org.changed', orgId: 'theirs' }]);
  });

  it('drops and counts invalid payloads published raw on the channel, without crashing', async () => {
    const [a, b] = [bus(), bus()];
    const [ra, rb] = [recorder(), recorder()];
    a.subscribe(ra.handler);
    b.subscribe(rb.handler);
    await Promise.all([a.ready(), b.ready()]);
    const invalid = [
      'not json',
      '',
      'null',
      '[]',
      '{"type":"api_key.changed","orgId":"o"}',
      '{"type":"user.deleted","orgId":"o"}',
      JSON.stringify({ type: 'org.changed', orgId: 'o', padding: 'x'.repeat(20_000) }),
    ];
    for (const payload of invalid) await raw.publish(a.channel, payload);
    // Same channel, same order: once this arrives, every invalid payload has been handled.
    await raw.publish(a.channel, JSON.stringify({ type: 'org.changed', orgId: 'valid' }));
    await Promise.all([ra.waitForCount(1), rb.waitForCount(1)]);
    for (const [instance, rec] of [
      [a, ra],
      [b, rb],
    ] as const) {
      expect(rec.events).toEqual([{ type: 'org.changed', orgId: 'valid' }]);
      expect(instance.droppedInvalidEvents).toBe(invalid.length);
    }
  });

  it('re-subscribes after its subscriber connection is killed', async () => {
    const a = bus();
    const rec = recorder();
    a.subscribe(rec.handler);
    await a.ready();
    const before = await subscriberClientId(raw, prefix);
    await raw.client('KILL', 'ID', before);
    await waitFor(
      async () => {
        const now = await subscriberClientId(raw, prefix).catch(() => before);
        return now !== before;
      },
      5_000,
      'a new subscriber connection',
    );
    await a.publish({ type: 'org.changed', orgId: 'after-reconnect' });
    await rec.waitForCount(1);
    expect(rec.events).toEqual([{ type: 'org.changed', orgId: 'after-reconnect' }]);
  });

  it('leaves nothing open after close, so the process exits by itself', async () => {
    const result = await runScript(`
      import { RedisEventBus } from ${JSON.stringify(srcModuleUrl('events/redis-bus.ts'))};
      const options = { url: ${JSON.stringify(url)}, prefix: ${JSON.stringify(`${prefix}exit:`)} };
      const a = new RedisEventBus(options);
      const b = new RedisEventBus(options);
      const received = new Promise((resolve) => b.subscribe(resolve));
      await b.ready();
      await a.publish({ type: 'org.changed', orgId: 'o' });
      await received;
      await Promise.all([a.close(), b.close()]);
    `);
    expect(result.stderr).toBe('');
    expect(result).toMatchObject({ exitCode: 0, timedOut: false });
  });
});

async function subscriberClientId(raw: Redis, prefix: string): Promise<string> {
  const list = String(await raw.client('LIST', 'TYPE', 'PUBSUB'));
  const line = list.split('\n').find((l) => l.includes(` name=${prefix}events:sub `));
  const id = /(?:^|\s)id=(\d+)/.exec(line ?? '')?.[1];
  if (!id) throw new Error('subscriber connection not found');
  return id;
}

describe('RedisEventBus when Redis is unreachable', () => {
  it('rejects ready() and publish() quickly, naming the host but never the password', async () => {
    const b = new RedisEventBus({ url: 'redis://:hunter2@127.0.0.1:1' });
    const started = Date.now();
    const error: unknown = await b.ready().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toContain('127.0.0.1:1');
    expect(inspect(error, { depth: 10, showHidden: true })).not.toContain('hunter2');
    await expect(b.publish({ type: 'org.changed', orgId: 'o' })).rejects.toThrow(/127\.0\.0\.1:1/);
    expect(Date.now() - started).toBeLessThan(5_000);
    await b.close();
  });

  it('leaves nothing open after close, so the process exits by itself', async () => {
    const result = await runScript(`
      import { RedisEventBus } from ${JSON.stringify(srcModuleUrl('events/redis-bus.ts'))};
      const b = new RedisEventBus({ url: 'redis://127.0.0.1:1' });
      b.subscribe(() => {});
      await b.ready().then(() => { throw new Error('ready should fail'); }, () => undefined);
      await b.close();
    `);
    expect(result.stderr).toBe('');
    expect(result).toMatchObject({ exitCode: 0, timedOut: false });
  });
});
