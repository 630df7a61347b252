/**
 * The semaphore of expiring leases (Store.acquireLease) on Redis: one sorted set per semaphore,
 * member = lease id, score = expiry in Redis server milliseconds. Each script is one atomic step,
 * so replicas racing for the last place cannot both get it, and the time comes from the Redis
 * server (TIME), so replicas with skewed clocks still agree on which leases have expired.
 * Expired leases are dropped before counting: a crashed replica's leases free themselves.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface LeaseScript {
  source: string;
  sha1: string;
}

function script(source: string): LeaseScript {
  return { source, sha1: createHash('sha1').update(source).digest('hex') };
}

const NOW = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
`;

/**
 * KEYS[1]: the semaphore. ARGV: lease id, limit, ttl ms. Returns 1 when the lease is held (taken
 * or renewed), 0 when the semaphore is full. The key itself expires with its longest lease, so an
 * abandoned semaphore does not stay in Redis.
 */
export const ACQUIRE_LEASE = script(`${NOW}
local ttl = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1
`);

/** KEYS[1]: the semaphore. Returns the number of unexpired leases (read-only). */
export const COUNT_LEASES = script(`${NOW}
return redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')
`);

/**
 * EVALSHA first so the script body is not resent on every request; EVAL once Redis says it does
 * not know the script (after a restart or SCRIPT FLUSH). NOSCRIPT means nothing ran, so the retry
 * cannot take a lease twice.
 */
export async function runLeaseScript(redis: Redis, lua: LeaseScript, key: string, args: string[]): Promise<unknown> {
  try {
    return await redis.evalsha(lua.sha1, 1, key, ...args);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('NOSCRIPT')) return redis.eval(lua.source, 1, key, ...args);
    throw error;
  }
}
