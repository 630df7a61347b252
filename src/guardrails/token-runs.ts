/**
 * Runs of the characters keys and encoded values are written in: letters, digits and `+ / - _`
 * (base64 and its URL-safe form). The readers of encoded runs (encoded-values.ts) and of tokens
 * broken over lines (wrapped-tokens.ts) walk them.
 */

const ALPHABET = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_') ALPHABET[c.charCodeAt(0)] = 1;

export const inAlphabet = (code: number): boolean => code < 128 && ALPHABET[code] === 1;

/** Where the run of alphabet characters that ends at `end` starts. */
export function runStartBefore(text: string, end: number): number {
  let start = end;
  while (start > 0 && inAlphabet(text.charCodeAt(start - 1))) start--;
  return start;
}

/** Where the run of alphabet characters that starts at `at` ends. */
export function runEndAfter(text: string, at: number): number {
  let end = at;
  while (end < text.length && inAlphabet(text.charCodeAt(end))) end++;
  return end;
}
