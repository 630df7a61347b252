/** Rate-limit buckets in Redis, shared by every replica; each call is one Lua script (bucket-scripts.ts). */
import type { RedisConnection } from '../store/redis-connection.js';
import { assertRule, type BucketAdjust, type BucketStore, type BucketTake, type TakeResult } from './bucket.js';
import { ADJUST_SCRIPT, TAKE_SCRIPT } from './bucket-scripts.js';
import { evalCached, type LuaScript } from './redis-eval.js';

export class RedisBucketStore implements BucketStore {
  constructor(
    private readonly connection: RedisConnection,
    /** Tests pass a clock; production uses the Redis server's, one clock for every replica. */
    private readonly clock?: () => number,
  ) {}

  async take(items: readonly BucketTake[]): Promise<TakeResult> {
    for (const item of items) assertRule(item, item.points, 'points');
    if (items.length === 0) return { allowed: true, buckets: [] };
    const args = [this.now()];
    for (const item of items) args.push(String(item.limit), String(item.windowMs), String(item.points), String(item.blockMs ?? 0));
    const reply = await this.eval(
      TAKE_SCRIPT,
      items.map((item) => item.key),
      args,
    );
    if (!Array.isArray(reply) || reply.length !== 1 + 2 * items.length) throw this.unexpected();
    const [status, ...rest] = reply as unknown[];
    if (status !== 0 && status !== 1) throw this.unexpected();
    return {
      allowed: status === 1,
      buckets: items.map((_, i) => ({ level: this.number(rest[2 * i]), blockedMs: this.number(rest[2 * i + 1]) })),
    };
  }

  async adjust(items: readonly BucketAdjust[]): Promise<void> {
    for (const item of items) assertRule(item, item.delta, 'delta');
    if (items.length === 0) return;
    const args = [this.now()];
    for (const item of items) args.push(String(item.limit), String(item.windowMs), String(item.delta));
    await this.eval(
      ADJUST_SCRIPT,
      items.map((item) => item.key),
      args,
    );
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private now(): string {
    return this.clock ? String(this.clock()) : '';
  }

  private eval(lua: LuaScript, keys: string[], args: string[]): Promise<unknown> {
    return this.connection.run((redis) => evalCached(redis, lua, keys, args));
  }

  private number(value: unknown): number {
    const parsed = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
    if (!Number.isFinite(parsed) || parsed < 0) throw this.unexpected();
    return parsed;
  }

  private unexpected(): Error {
    return this.connection.unavailable('unexpected reply from a rate-limit script');
  }
}
