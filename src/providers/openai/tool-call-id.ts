import { createHash } from 'node:crypto';
import type { ChatDialect } from './dialect.js';

const ALNUM9 = /^[A-Za-z0-9]{9}$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Rewrites a tool call id into the form the provider accepts. The mapping is deterministic, so an
 * assistant tool call and the tool result that answers it (translated separately) still match, and
 * ids the provider issued itself pass through unchanged.
 */
export function wireToolCallId(id: string, dialect: ChatDialect): string {
  if (dialect.toolCallIds === 'any' || ALNUM9.test(id)) return id;
  const digest = createHash('sha256').update(id).digest();
  let out = '';
  for (let i = 0; i < 9; i++) out += ALPHABET[digest[i]! % ALPHABET.length];
  return out;
}
