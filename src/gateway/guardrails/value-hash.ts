/**
 * Keyed hashes of guardrail findings. A plain SHA-256 of an SSN or a card number is reversed by
 * trying every candidate (there are only a billion SSNs), so events carry HMAC-SHA256 under a key
 * of the org's own, derived (HKDF) from the instance secret and the org id: the same value gives
 * the same hash within an org (an auditor can see that one card number recurs) and unrelated
 * hashes across orgs, and without the instance secret the hashes reveal nothing.
 */
import { createHmac } from 'node:crypto';
import { deriveKey } from '../../crypto/derive-key.js';

export function createValueHasher(instanceSecret: string): (orgId: string) => (value: string) => string {
  const keys = new Map<string, Buffer>();
  return (orgId) => {
    let key = keys.get(orgId);
    if (!key) keys.set(orgId, (key = deriveKey(instanceSecret, `guardrail-value-hash:${orgId}`)));
    const orgKey = key;
    return (value) => createHmac('sha256', orgKey).update(value, 'utf8').digest('hex');
  };
}
