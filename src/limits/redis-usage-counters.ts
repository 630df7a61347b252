import type { RedisConnection } from '../store/redis-connection.js';
import { assertAdjustItems, assertInitialize, assertKeys, assertReserveItems } from './counter-args.js';
import { resolveRedis, type RedisSource } from './redis-source.js';
import { evalCached } from './redis-eval.js';
import { ADJUST_SCRIPT, INITIALIZE_SCRIPT, RESERVE_SCRIPT, type LuaScript } from './usage-counter-scripts.js';
import type { AdjustItem, ReserveItem, ReserveOptions, ReserveResult, UsageCounters } from './usage-counters.js';

/** Counters shared by every gateway replica. */
export class RedisUsageCounters implements UsageCounters {
  readonly kind = 'redis';
  private readonly connection: RedisConnection;
  private readonly owned: boolean;

  constructor(
    source: RedisSource,
    private readonly prefix: string,
  ) {
    ({ connection: this.connection, owned: this.owned } = resolveRedis(source, 'portcullis-usage-counters'));
  }

  async reserve(items: readonly ReserveItem[], options: ReserveOptions = {}): Promise<ReserveResult> {
    assertReserveItems(items);
    // Nothing to check: skip the round trip (and answer even while Redis is down, as memory does).
    if (items.length === 0) return { ok: true };
    const args = [options.requireExisting ? '1' : '0'];
    for (const item of items) args.push(String(item.amount), String(item.limit), String(item.ttlMs ?? 0));
    const reply = await this.eval(
      RESERVE_SCRIPT,
      items.map((item) => this.prefix + item.key),
      args,
    );
    return this.parseReserveReply(reply, items.length);
  }

  async adjust(items: readonly AdjustItem[]): Promise<(number | null)[]> {
    assertAdjustItems(items);
    if (items.length === 0) return [];
    const reply = await this.eval(
      ADJUST_SCRIPT,
      items.map((item) => this.prefix + item.key),
      items.map((item) => String(item.delta)),
    );
    if (!Array.isArray(reply) || reply.length !== items.length) throw this.unexpected();
    return reply.map((value) => (value === null ? null : this.integer(value)));
  }

  async get(keys: readonly string[]): Promise<(number | null)[]> {
    assertKeys(keys);
    if (keys.length === 0) return [];
    const values = await this.connection.run((redis) => redis.mget(keys.map((key) => this.prefix + key)));
    return values.map((value) => (value === null ? null : this.integer(Number(value))));
  }

  async initialize(key: string, value: number, ttlMs: number | null, markers: readonly string[] = []): Promise<boolean> {
    assertInitialize(key, value, ttlMs, markers);
    const reply = await this.eval(
      INITIALIZE_SCRIPT,
      [key, ...markers].map((k) => this.prefix + k),
      [String(value), String(ttlMs ?? 0)],
    );
    if (reply !== 0 && reply !== 1) throw this.unexpected();
    return reply === 1;
  }

  async close(): Promise<void> {
    if (this.owned) await this.connection.close();
  }

  private eval(lua: LuaScript, keys: string[], args: string[]): Promise<unknown> {
    return this.connection.run((redis) => evalCached(redis, lua, keys, args));
  }

  private parseReserveReply(reply: unknown, count: number): ReserveResult {
    if (!Array.isArray(reply)) throw this.unexpected();
    const [status, ...rest] = reply.map((value) => this.integer(value));
    if (status === 1) return { ok: true };
    if (status === 0 && rest.length === 2 && rest[0]! < count)
      return { ok: false, reason: 'limit', failedIndex: rest[0]!, current: rest[1]! };
    if (status === 2 && rest.length > 0) return { ok: false, reason: 'missing', missingIndexes: rest };
    throw this.unexpected();
  }

  private integer(value: unknown): number {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw this.unexpected();
    return value;
  }

  // Reported as unavailable: the caller's fail-open/closed policy applies, as for an outage.
  private unexpected(): Error {
    return this.connection.unavailable('unexpected reply from a usage counter script');
  }
}
