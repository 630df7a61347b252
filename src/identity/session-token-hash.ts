import { createHmac } from 'node:crypto';
import { deriveKey } from '../crypto/derive-key.js';

/**
 * Session tokens are stored only as HMAC-SHA256(token) under a key derived from AUTH_SECRET: a
 * copy of the sessions table yields nothing that can be presented as a cookie, and without the
 * secret not even a way to test a guessed token offline. Deterministic, so the lookup by token
 * stays one indexed equality.
 */
export type SessionTokenHasher = (token: string) => string;

export function sessionTokenHasher(authSecret: string): SessionTokenHasher {
  const key = deriveKey(authSecret, 'session-token-hash');
  return (token) => `h1:${createHmac('sha256', key).update(token, 'utf8').digest('base64url')}`;
}
