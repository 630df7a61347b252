import { hkdfSync } from 'node:crypto';

/**
 * Independent keys for independent jobs, derived from one configured secret (HKDF-SHA256), so
 * that e.g. the API-key cache pepper never equals the session signing key. `purpose` is a fixed
 * label per use; changing it rotates the derived key.
 */
export function deriveKey(secret: string, purpose: string, bytes = 32): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), Buffer.from(`portcullis:${purpose}`, 'utf8'), bytes));
}
