/**
 * API_KEY, the PII type for keys and tokens, is what the secret detector finds: one set of rules
 * (provider formats with checksums, keyword pre-filters, entropy and placeholder allowlists)
 * rather than a second, looser heuristic that would flag what the secret rules deliberately
 * leave alone. The caller passes the secret findings when it already has them.
 */
import { detectSecrets } from '../secrets/detect.js';
import type { Finding } from '../types.js';

export function apiKeysFromSecrets(secrets: readonly Finding[]): Finding[] {
  return secrets.map((f) => ({ detector: 'pii', type: 'API_KEY', start: f.start, end: f.end, confidence: f.confidence }));
}

export function detectApiKeys(text: string): Finding[] {
  return apiKeysFromSecrets(detectSecrets(text));
}
