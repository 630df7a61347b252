/**
 * Letters of other scripts that look like Latin ones in ordinary fonts: Cyrillic "а" (U+0430)
 * for "a", Greek "Ο" for "O", the IPA "ɡ" for "g". One of them in a key ("ghp_4vUCsMаhGAk…")
 * is the cheapest way to get it past a filter: the text reads the same, the key's pattern no
 * longer matches it, and the value is one retyped letter away. The detectors read such a letter
 * as its Latin form when it stands in a token that also has ASCII letters or digits: a mixed
 * token is no word of any language. Russian or Greek prose, whose words have no ASCII letter,
 * is read as it is ("сосо" stays "сосо"), and so are letters that only look like digits ("З"
 * for 3, "О" for 0 is read as the letter O).
 *
 * A short table, not Unicode's confusables (TR39, thousands of entries, many to several
 * characters and to lower case): these are one UTF-16 unit to one ASCII letter, case kept, so
 * a finding's offsets are the original's and a key's case-sensitive pattern still applies.
 * Reading a letter may also join a value to the word after it ("10.0.0.1а", the Russian "а",
 * "and", typed without a space): the detection view then has the text as written read as well
 * (value-findings.ts), so a reading only adds findings.
 */
const LOOK_ALIKES: Readonly<Record<string, string>> = {
  // Cyrillic
  а: 'a',
  с: 'c',
  ԁ: 'd',
  е: 'e',
  һ: 'h',
  і: 'i',
  ј: 'j',
  ӏ: 'l',
  о: 'o',
  р: 'p',
  ԛ: 'q',
  ѕ: 's',
  ԝ: 'w',
  х: 'x',
  у: 'y',
  А: 'A',
  В: 'B',
  С: 'C',
  Е: 'E',
  Н: 'H',
  І: 'I',
  Ӏ: 'I',
  Ј: 'J',
  К: 'K',
  М: 'M',
  О: 'O',
  Р: 'P',
  Ԛ: 'Q',
  Ѕ: 'S',
  Т: 'T',
  Ԝ: 'W',
  Х: 'X',
  Ү: 'Y',
  // Greek
  α: 'a',
  ι: 'i',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  υ: 'u',
  Α: 'A',
  Β: 'B',
  Ε: 'E',
  Ζ: 'Z',
  Η: 'H',
  Ι: 'I',
  Κ: 'K',
  Μ: 'M',
  Ν: 'N',
  Ο: 'O',
  Ρ: 'P',
  Τ: 'T',
  Υ: 'Y',
  Χ: 'X',
  // Latin (IPA, dotless), Armenian
  ɑ: 'a',
  ɡ: 'g',
  ı: 'i',
  ȷ: 'j',
  հ: 'h',
  ո: 'n',
  օ: 'o',
  ս: 'u',
};

/** The native check for any of them: the blocks they are in (dotless i and j, IPA to Armenian). */
const MAY_HAVE_LOOK_ALIKE = /[\u0131\u0237\u0250-\u058f]/;
/** A character of those blocks right beside an ASCII letter, digit or underscore: where a mixed token may be. */
const BESIDE_ASCII = /[A-Za-z0-9_][\u0131\u0237\u0250-\u058f]|[\u0131\u0237\u0250-\u058f][A-Za-z0-9_]/g;
const LETTERS = new Map(Object.entries(LOOK_ALIKES).map(([letter, latin]) => [letter.charCodeAt(0), latin] as const));

const isAsciiWordUnit = (code: number): boolean =>
  (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x5f;
const LETTER = /\p{L}/u;
/** A letter outside ASCII that is no look-alike ("п", "ß", "ж"); NaN (the text's edge) is not. */
const isOtherLetter = (code: number): boolean => code > 0x7f && !LETTERS.has(code) && LETTER.test(String.fromCharCode(code));
/** A unit of a token: an ASCII letter, digit, "_" or "-", or a look-alike. */
const isTokenUnit = (code: number): boolean => isAsciiWordUnit(code) || code === 0x2d || LETTERS.has(code);

/**
 * `text` with the look-alikes of its mixed tokens read as Latin letters, at the same length.
 * Linear, and native outside the mixed tokens: each is found by a pattern where a character of
 * the look-alikes' blocks touches ASCII, walked once from end to end, and the search goes on
 * after it.
 */
export function readLookAlikeLetters(text: string): string {
  if (!MAY_HAVE_LOOK_ALIKE.test(text)) return text;
  const pieces: string[] = [];
  let copied = 0;
  BESIDE_ASCII.lastIndex = 0;
  for (let m = BESIDE_ASCII.exec(text); m !== null; m = BESIDE_ASCII.exec(text)) {
    const other = isAsciiWordUnit(text.charCodeAt(m.index)) ? m.index + 1 : m.index;
    if (!LETTERS.has(text.charCodeAt(other))) {
      BESIDE_ASCII.lastIndex = m.index + 1;
      continue;
    }
    let start = other;
    while (start > copied && isTokenUnit(text.charCodeAt(start - 1))) start--;
    let end = other + 1;
    while (end < text.length && isTokenUnit(text.charCodeAt(end))) end++;
    BESIDE_ASCII.lastIndex = end;
    // Against a letter of another script the token is part of a word of that language with an
    // ASCII value glued to it ("…ZDспасибо", "10.0.0.1а и"): the value ends where it did.
    if (isOtherLetter(text.charCodeAt(start - 1)) || isOtherLetter(text.charCodeAt(end))) continue;
    for (let at = start; at < end; at++) {
      const latin = LETTERS.get(text.charCodeAt(at));
      if (latin === undefined) continue;
      pieces.push(text.slice(copied, at), latin);
      copied = at + 1;
    }
  }
  if (copied === 0) return text;
  pieces.push(text.slice(copied));
  return pieces.join('');
}
