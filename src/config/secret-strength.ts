/**
 * A rough strength estimate for operator-chosen secrets: length times the empirical Shannon
 * entropy per character. It cannot prove a secret random, but it rejects the usual mistakes
 * (short values, "changeme"-style words repeated, one character repeated, low-variety strings).
 */
export function estimateEntropyBits(value: string): number {
  // Code points, for the counts and the length alike: dividing code-point counts by UTF-16 length
  // (value.length) gave probabilities that do not sum to 1 and inflated strings with emoji.
  const chars = [...value];
  if (chars.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of chars) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let perChar = 0;
  for (const count of counts.values()) {
    const p = count / chars.length;
    perChar -= p * Math.log2(p);
  }
  return perChar * chars.length;
}

const WEAK_WORDS = /(changeme|change-me|secret|password|example|default|portcullis|test|dev)/i;

export const MIN_AUTH_SECRET_LENGTH = 32;
/** 32 random hex characters estimate at ~120 bits; a 32-character word salad far below. */
export const MIN_AUTH_SECRET_BITS = 100;

export function authSecretWeakness(value: string): string | undefined {
  if (value.length < MIN_AUTH_SECRET_LENGTH) return `shorter than ${MIN_AUTH_SECRET_LENGTH} characters`;
  if (estimateEntropyBits(value) < MIN_AUTH_SECRET_BITS)
    return 'too little variety to be random (generate one with `openssl rand -base64 48`)';
  if (WEAK_WORDS.test(value) && estimateEntropyBits(value) < 160) return 'contains a placeholder word (changeme, secret, password …)';
  return undefined;
}
