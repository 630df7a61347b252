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

/**
 * Hiragana, katakana, CJK ideographs (and extension A, compatibility), Hangul syllables; Thai,
 * Lao, Myanmar and Khmer letters, vowel signs and tone marks (not their digits, which the
 * detectors read as ASCII digits, nor their punctuation). The body of a character class: the
 * stream's value tokens end at these letters too.
 */
export const UNSPACED_SCRIPT_LETTER_RANGES =
  '\\u3040-\\u30ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\uac00-\\ud7af\\uf900-\\ufaff\\u0e01-\\u0e4e\\u0e81-\\u0ecd\\u1000-\\u103f\\u1050-\\u108f\\u109a-\\u109d\\u1780-\\u17d3';
const UNSPACED_SCRIPT_LETTER = new RegExp(`[${UNSPACED_SCRIPT_LETTER_RANGES}]`);

/**
 * A letter of a script written without spaces between words: Chinese, Japanese and Korean
 * (whose words Korean does space, but not from a number: "010-1234-5678로"), Thai, Lao, Myanmar
 * and Khmer. A value stands right against the words around it ("请联系jane@acme.com谢谢",
 * "携帯は090-1234-5678です", "โทร0812345678ครับ"): such a letter next to a value is ordinary
 * writing, not part of it.
 */
export function isUnspacedScriptLetter(code: number): boolean {
  return code >= 0x0e01 && UNSPACED_SCRIPT_LETTER.test(String.fromCharCode(code));
}

/** Whether `text` has a letter of a script written without spaces. */
export const hasUnspacedScriptLetter = (text: string): boolean => UNSPACED_SCRIPT_LETTER.test(text);
