/**
 * Rate-limit keys can come from the outside (a client IP, the lookup id of a presented API
 * key). Plain short keys are kept readable; anything else (long, odd characters) is hashed so
 * an attacker cannot make us store large or confusing Redis keys. The two forms carry
 * different tags, so a readable key can never equal another key's hash.
 */
import { createHash } from 'node:crypto';

const PLAIN_KEY = /^[A-Za-z0-9._:@-]{1,128}$/;

export function limiterKey(raw: string): string {
  if (PLAIN_KEY.test(raw)) return `k:${raw}`;
  return `h:${createHash('sha256').update(raw, 'utf8').digest('hex')}`;
}
