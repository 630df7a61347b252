/** Character statistics used to tell random-looking tokens from words and placeholders. */

/** Shannon entropy in bits per character (0 for the empty string). */
export function shannonEntropy(value: string): number {
  const length = value.length;
  if (length === 0) return 0;
  const counts = new Map<number, number>();
  for (let i = 0; i < length; i++) {
    const c = value.charCodeAt(i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

export type CharClasses = { lower: number; upper: number; digit: number; other: number };

export function charClasses(value: string): CharClasses {
  const classes: CharClasses = { lower: 0, upper: 0, digit: 0, other: 0 };
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 97 && c <= 122) classes.lower++;
    else if (c >= 65 && c <= 90) classes.upper++;
    else if (c >= 48 && c <= 57) classes.digit++;
    else classes.other++;
  }
  return classes;
}

/** Words run together in camel or Pascal case ("ChannelCredentials", "defaultAuthToken"): a name, not a key. */
const CAMEL_CASE_WORDS = /^[a-z]*(?:[A-Z][a-z]{2,})+$/;

/** How many characters of value join words in identifiers and paths: `_`, `-`, `.`, `/`. */
function wordJoiners(value: string): number {
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 95 || c === 45 || c === 46 || c === 47) n++;
  }
  return n;
}

/**
 * Whether a value assigned to a secret-looking name is plausibly machine-generated rather than a
 * word, an identifier or prose: long enough, varied enough, and mixing character classes.
 */
export function looksRandom(value: string, minLength = 10, minEntropy = 3): boolean {
  if (value.length < minLength) return false;
  // Short values cannot reach high entropy (16 hex characters top out at 4 bits), so the bar scales down.
  if (shannonEntropy(value) < Math.min(minEntropy, Math.log2(value.length) * 0.7)) return false;
  const c = charClasses(value);
  const letters = c.lower + c.upper;
  // Hex/base64 with digits, or long mixed-case strings; a bare word or CONSTANT_NAME is not a key.
  if (c.digit > 0 && letters > 0) return true;
  if (c.upper > 0 && c.lower > 0 && value.length >= 16 && !CAMEL_CASE_WORDS.test(value)) return true;
  // Hand-made passwords: letters plus several punctuation characters ("p@ss!w#rd{x}"). The
  // characters that join words in names and paths ("client_id/client_secret", "my-app.prod") do not count.
  if (letters >= 4 && c.other - wordJoiners(value) >= 3) return true;
  // All-digit values are ids, ports, timestamps, not keys.
  return false;
}
