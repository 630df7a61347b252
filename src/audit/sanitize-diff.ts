import { scrubSecrets } from '../logging/secret-registry.js';

/**
 * Field names whose values never enter the audit trail, whatever they contain. Matched on the
 * END of the normalised name (lower case, letters only), so `apiKey`, `provider_key`,
 * `secretHash` and `PASSWORD` match while `apiKeysCreated` or `keyReplaced` (counts, flags) do not.
 */
const SECRET_FIELD = /(password|passwd|passphrase|secret|token|key|hash|ciphertext|cookie|authorization|credentials?)$/;

const REMOVED = '[REMOVED]';

function isSecretField(name: string): boolean {
  return SECRET_FIELD.test(name.toLowerCase().replace(/[^a-z]/g, ''));
}

function sanitizeValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrubSecrets(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8) return REMOVED;
  if (Array.isArray(value)) return value.map((item) => sanitizeValue(item, depth + 1));
  if (value instanceof Date) return value.toISOString();
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = isSecretField(key) ? REMOVED : sanitizeValue(inner, depth + 1);
  }
  return out;
}

/** A JSON diff safe to store: secret-named fields replaced, secret-shaped strings scrubbed. */
export function sanitizeDiff(diff: Record<string, unknown>): Record<string, unknown> {
  return sanitizeValue(diff, 0) as Record<string, unknown>;
}
