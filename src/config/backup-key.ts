/**
 * BACKUP_ENCRYPTION_KEY: the raw AES-256 key of backup files (src/backup/file-format.ts). Same
 * spelling as MASTER_KEY (32 random bytes, base64/base64url or 64 hex), but a different key: a
 * backup file and the master key usually end up in different places, and one leaked secret must
 * not open both the file and the provider keys inside it.
 */
import type { MasterKey } from '../crypto/envelope.js';
import { parseMasterKey } from '../crypto/envelope.js';
import { constantTimeEqual } from '../crypto/hash.js';

const FORMAT = 'expected 32 random bytes as base64 or 64 hex characters (e.g. `openssl rand -base64 32`)';
/** 32 random bytes almost surely hold ~30 distinct values; fewer than 16 is a typed pattern, not randomness. */
const MIN_DISTINCT_BYTES = 16;

/** The key, or why it is refused (the message never contains the value). */
export function parseBackupEncryptionKey(text: string, masterKey: MasterKey | undefined): Buffer | string {
  let key: Buffer;
  try {
    key = parseMasterKey(text).key;
  } catch {
    return FORMAT;
  }
  if (new Set(key).size < MIN_DISTINCT_BYTES) return `too weak (a repeated pattern, not random bytes); ${FORMAT}`;
  if (masterKey && constantTimeEqual(key, masterKey.key))
    return 'must differ from MASTER_KEY (a backup file must not be opened by the key that also unwraps the data inside it)';
  return key;
}
