const LETTER_NUMBER_OR_MARK = /[\p{L}\p{N}\p{M}]/u;

/**
 * Whether a UTF-16 unit at or above U+00C0 is part of a word: a letter, digit or combining mark
 * of any script, or half of a surrogate pair (which may be one). Punctuation of other scripts is
 * not: an address or a number followed by an Arabic comma "،", an ideographic full stop "。" or
 * an em dash ends there, as it does before "," or ".".
 */
export function isOtherScriptWordUnit(c: number): boolean {
  return c >= 0xc0 && ((c >= 0xd800 && c <= 0xdfff) || LETTER_NUMBER_OR_MARK.test(String.fromCharCode(c)));
}
