/**
 * Where limiters get their Redis connection. Either a URL (the limiter opens and closes its own
 * connection) or a RedisConnection shared with other components (the caller closes it).
 *
 * A bare ioredis client is deliberately not accepted: with ioredis defaults, commands queue
 * while Redis is down (requests would hang instead of failing over) and commands in flight at
 * a disconnect are resent on reconnect, which could apply a usage reservation twice.
 * RedisConnection is configured against both, and strips passwords from its errors.
 */
import { RedisConnection } from '../store/redis-connection.js';

export type RedisSource = string | RedisConnection;

export interface ResolvedRedis {
  connection: RedisConnection;
  /** True when this component opened the connection and so must close it. */
  owned: boolean;
}

export function resolveRedis(source: RedisSource, connectionName: string): ResolvedRedis {
  if (typeof source === 'string') {
    // Named so operators can tell the gateway's connections apart in CLIENT LIST.
    return { connection: new RedisConnection(source, {}, { connectionName }), owned: true };
  }
  return { connection: source, owned: false };
}
