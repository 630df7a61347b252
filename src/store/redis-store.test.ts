import { randomUUID } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { inspect } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from './errors.js';
import { RedisStore } from './redis-store.js';
import { registerStoreContract } from './store.contract.js';
import { runScript, srcModuleUrl } from './test-helpers.js';

const redisUrl = process.env.TEST_REDIS_URL;

describe.skipIf(!redisUrl)('RedisStore against a live Redis', () => {
  const url = redisUrl ?? '';
  // Random per file so parallel runs (and other developers on a shared Redis) never collide.
  const prefix = `portcullis-test:${randomUUID()}:`;
  let raw: Redis;

  beforeAll(() => {
    raw = new Redis(url);
  });

  afterAll(async () => {
    let cursor = '0';
    do {
      const [next, keys] = await raw.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await raw.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    await raw.quit();
  });

  registerStoreContract('redis', () => new RedisStore({ url, prefix }));

  it('has kind "redis" and names its target', async () => {
    const store = new RedisStore({ url, prefix });
    expect(store.kind).toBe('redis');
    expect(store.target).toMatch(/:\d+$/);
    await store.close();
  });

  it('namespaces keys with the prefix', async () => {
    const other = `${prefix}other:`;
    const a = new RedisStore({ url, prefix });
    const b = new RedisStore({ url, prefix: other });
    await a.set('shared-name', 'from-a');
    expect(await raw.get(`${prefix}shared-name`)).toBe('from-a');
    expect(await b.get('shared-name')).toBeNull();
    await Promise.all([a.close(), b.close()]);
  });

  it('can be used immediately after construction', async () => {
    const store = new RedisStore({ url, prefix });
    await expect(store.incrBy('immediate', 1, { ttlMs: 10_000 })).resolves.toBe(1);
    await store.close();
  });

  it('rejects promptly, instead of waiting out the connect timeout, when closed while connecting', async () => {
    const store = new RedisStore({ url, prefix });
    const pending = store.get('k');
    const started = Date.now();
    await store.close();
    await expect(pending).rejects.toThrow(StoreUnavailableError);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('does not leak command arguments (stored values) in errors', async () => {
    const store = new RedisStore({ url, prefix });
    await store.set('secret', 'super-secret-value');
    const error: unknown = await store.incrBy('secret', 1, { ttlMs: 1_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(StoreUnavailableError);
    expect(inspect(error, { depth: 10, showHidden: true })).not.toContain('super-secret-value');
    expect(error).not.toHaveProperty('command');
    await store.close();
  });

  it('leaves nothing open after close, so the process exits by itself', async () => {
    const result = await runScript(`
      import { RedisStore } from ${JSON.stringify(srcModuleUrl('store/redis-store.ts'))};
      const store = new RedisStore({ url: ${JSON.stringify(url)}, prefix: ${JSON.stringify(prefix)} });
      await store.incrBy('exit-check', 1, { ttlMs: 10_000 });
      await store.close();
    `);
    expect(result.stderr).toBe('');
    expect(result).toMatchObject({ exitCode: 0, timedOut: false });
  });
});

describe('RedisStore when Redis is unreachable', () => {
  it('rejects quickly with the host (never the password) instead of hanging', async () => {
    const store = new RedisStore({ url: 'redis://user:hunter2@127.0.0.1:1' });
    const started = Date.now();
    const error: unknown = await store.ping().catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    const message = (error as Error).message;
    expect(message).toContain('127.0.0.1:1');
    expect(message).not.toContain('hunter2');
    expect(inspect(error, { depth: 10, showHidden: true })).not.toContain('hunter2');

    // While reconnecting in the background, later calls fail immediately rather than queueing.
    const again = Date.now();
    await expect(store.get('k')).rejects.toThrow(/127\.0\.0\.1:1/);
    await expect(store.incrBy('k', 1, { ttlMs: 1_000 })).rejects.toThrow(StoreUnavailableError);
    expect(Date.now() - again).toBeLessThan(500);
    await store.close();
  });

  it('gives up on a server that accepts connections but never answers', async () => {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const store = new RedisStore({ url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 200, commandTimeoutMs: 200 });
    const started = Date.now();
    await expect(store.ping()).rejects.toThrow(`127.0.0.1:${port}`);
    expect(Date.now() - started).toBeLessThan(2_000);
    await store.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('leaves nothing open after close, so the process exits by itself', async () => {
    const result = await runScript(`
      import { RedisStore } from ${JSON.stringify(srcModuleUrl('store/redis-store.ts'))};
      const store = new RedisStore({ url: 'redis://127.0.0.1:1' });
      await store.ping().then(() => { throw new Error('ping should fail'); }, () => undefined);
      await store.close();
    `);
    expect(result.stderr).toBe('');
    expect(result).toMatchObject({ exitCode: 0, timedOut: false });
  });

  it.each(['not a url', 'http://127.0.0.1:6379', 'redis://'])('rejects the URL %j without echoing it', (url) => {
    expect(() => new RedisStore({ url })).toThrow(TypeError);
  });

  it('does not echo an unparseable URL that may contain a password', () => {
    expect(() => new RedisStore({ url: 'redis://user:hunter2@[bad' })).toThrow(/^(?![\s\S]*hunter2)/);
  });
});
