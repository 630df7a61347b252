import type { Finding, PiiType } from '../types.js';

/** A PII finding; every sub-detector builds its results through this one helper. */
export function pii(type: PiiType, start: number, end: number, confidence: number): Finding {
  return { detector: 'pii', type, start, end, confidence };
}
