import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface LuaScript {
  source: string;
  sha1: string;
}

export function luaScript(source: string): LuaScript {
  return { source, sha1: createHash('sha1').update(source).digest('hex') };
}

/**
 * EVALSHA first so the script body is not resent on every request; EVAL once Redis says it
 * does not know the script (after a restart or SCRIPT FLUSH). NOSCRIPT means nothing ran, so
 * the retry cannot apply a change twice.
 */
export async function evalCached(redis: Redis, lua: LuaScript, keys: string[], args: string[]): Promise<unknown> {
  try {
    return await redis.evalsha(lua.sha1, keys.length, ...keys, ...args);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('NOSCRIPT')) return redis.eval(lua.source, keys.length, ...keys, ...args);
    throw error;
  }
}
