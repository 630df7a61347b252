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

/** Hiragana, katakana, CJK ideographs (and extension A, compatibility), Hangul syllables. */
const EAST_ASIAN_LETTER = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]/;

/**
 * A letter of Chinese, Japanese or Korean writing. These put no space between words, so a value
 * stands right against the words around it ("请联系jane@acme.com谢谢", "携帯は090-1234-5678です"):
 * such a letter next to a value is ordinary writing, not part of it.
 */
export function isEastAsianLetter(code: number): boolean {
  return code >= 0x3040 && EAST_ASIAN_LETTER.test(String.fromCharCode(code));
}

/** Whether `text` has a letter of Chinese, Japanese or Korean writing. */
export const hasEastAsianLetter = (text: string): boolean => EAST_ASIAN_LETTER.test(text);
