import { RedisConnection, type RedisConnectionOptions } from './redis-connection.js';
import { ACQUIRE_LEASE, COUNT_LEASES, runLeaseScript } from './lease-scripts.js';
import { DEFAULT_STORE_PREFIX, type LeaseOptions, type Store, type StoreIncrOptions, type StoreSetOptions } from './store.js';
import { assertIncrement, assertLeaseArgs, assertTtlMs } from './store-args.js';

export interface RedisStoreOptions extends RedisConnectionOptions {
  /** redis:// or rediss:// URL; may carry credentials, which never appear in errors. */
  url: string;
  /** Prepended to every key so several deployments can share one Redis. */
  prefix?: string;
}

/** Store shared by every gateway replica. */
export class RedisStore implements Store {
  readonly kind = 'redis';
  private readonly connection: RedisConnection;
  private readonly prefix: string;

  constructor(opts: RedisStoreOptions) {
    this.prefix = opts.prefix ?? DEFAULT_STORE_PREFIX;
    // Named so operators can tell gateway connections apart in CLIENT LIST.
    this.connection = new RedisConnection(opts.url, opts, { connectionName: `${this.prefix}store` });
  }

  /** "host:port" this store talks to, for logs and health output. */
  get target(): string {
    return this.connection.target;
  }

  get(key: string): Promise<string | null> {
    return this.connection.run((redis) => redis.get(this.prefix + key));
  }

  async set(key: string, value: string, opts: StoreSetOptions = {}): Promise<boolean> {
    const { ttlMs, onlyIfAbsent } = opts;
    assertTtlMs(ttlMs);
    const k = this.prefix + key;
    const reply = await this.connection.run((redis) => {
      if (ttlMs !== undefined && onlyIfAbsent) return redis.set(k, value, 'PX', ttlMs, 'NX');
      if (ttlMs !== undefined) return redis.set(k, value, 'PX', ttlMs);
      if (onlyIfAbsent) return redis.set(k, value, 'NX');
      return redis.set(k, value);
    });
    return reply === 'OK';
  }

  async del(key: string): Promise<void> {
    await this.connection.run((redis) => redis.del(this.prefix + key));
  }

  async incrBy(key: string, amount: number, opts: StoreIncrOptions = {}): Promise<number> {
    assertIncrement(amount);
    assertTtlMs(opts.ttlMs);
    const k = this.prefix + key;
    const { ttlMs } = opts;
    if (ttlMs === undefined) return this.connection.run((redis) => redis.incrby(k, amount));
    // MULTI/EXEC runs both commands back to back with nothing from other clients in
    // between. SET NX creates the counter at 0 with its TTL only if it does not exist;
    // INCRBY then never touches the TTL. So the TTL is set exactly once, by whoever
    // creates the key. (INCRBY followed by PEXPIRE NX is not equivalent: it would attach
    // a TTL to an existing key that has none, and as separate round trips a crash in
    // between would leave a counter that never expires.)
    const results = await this.connection.run((redis) => redis.multi().set(k, '0', 'PX', ttlMs, 'NX').incrby(k, amount).exec());
    const [error, value] = results?.[1] ?? [new Error('transaction was discarded'), null];
    if (error) throw this.connection.toError(error);
    if (typeof value !== 'number') throw this.connection.toError(new Error('unexpected INCRBY reply'));
    return value;
  }

  async ttlMs(key: string): Promise<number | null> {
    // PTTL: -2 = no such key, -1 = key without expiry.
    const ms = await this.connection.run((redis) => redis.pttl(this.prefix + key));
    return ms >= 0 ? ms : null;
  }

  async acquireLease(key: string, leaseId: string, opts: LeaseOptions): Promise<boolean> {
    assertLeaseArgs(leaseId, opts.limit, opts.ttlMs);
    const reply = await this.connection.run((redis) =>
      runLeaseScript(redis, ACQUIRE_LEASE, this.prefix + key, [leaseId, String(opts.limit), String(opts.ttlMs)]),
    );
    if (reply !== 0 && reply !== 1) throw this.connection.unavailable('unexpected reply from the lease script');
    return reply === 1;
  }

  async releaseLease(key: string, leaseId: string): Promise<void> {
    await this.connection.run((redis) => redis.zrem(this.prefix + key, leaseId));
  }

  async countLeases(key: string): Promise<number> {
    const reply = await this.connection.run((redis) => runLeaseScript(redis, COUNT_LEASES, this.prefix + key, []));
    if (typeof reply !== 'number') throw this.connection.unavailable('unexpected reply from the lease script');
    return reply;
  }

  async ping(): Promise<void> {
    await this.connection.run((redis) => redis.ping());
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}
