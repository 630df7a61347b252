/**
 * The text the PII and secret detectors read. Text copied from documents, web pages and chat
 * apps writes the same characters in other code points: a card number grouped with no-break or
 * narrow no-break spaces (French typography groups digits with U+202F), an SSN with en dashes, an
 * address or a number in full-width forms (East Asian input methods), a key pasted with a
 * zero-width space or a soft hyphen inside it. The detectors' patterns are ASCII, so each of
 * these hid the value from them, and the model reads it as easily as the plain form.
 *
 * The view maps full-width ASCII, Unicode spaces and (between digits) dashes to their ASCII forms
 * at the same offsets, and takes invisible characters out with a map back to the original
 * positions: a finding covers the original span, invisible characters included, so a redaction
 * replaces all of it. ASCII text, most of what the gateway sees, is returned as it is after one
 * native check.
 *
 * Unicode tag characters (U+E0020–E007E) are read as the ASCII characters they stand for. They
 * are invisible, and a model reads them as text ("ASCII smuggling"), so a key or an address
 * written in them reached the provider, or the client, unseen by the detectors. Each is two
 * UTF-16 units and reads as one character: its low surrogate is taken out like an invisible
 * character, and a finding that ends on one ends after the pair. The other tags (U+E0001, the
 * cancel tag U+E007F that ends a flag emoji's tag sequence) are taken out.
 */
import { HTML_ENTITY, MAY_HAVE_HTML_ENTITY, readHtmlEntity } from './html-entity.js';
import { readLookAlikeLetters } from './look-alike-letters.js';
import { MAY_HAVE_TEXT_ESCAPE, readTextEscape, TEXT_ESCAPE } from './text-escapes.js';
import type { Span } from './span-index.js';
import type { Finding } from './types.js';

export type DetectionView = {
  /** What the detectors read. */
  text: string;
  /** Findings made over `text`, with offsets into the original. */
  inOriginal<F extends Finding>(findings: F[]): F[];
  /**
   * Whether the text as written is to be read too (value-findings.ts): the view read a reference,
   * an escape or a look-alike as ASCII punctuation other than a hyphen ("&#64;" as "@", "＝" as
   * "="), what may be a value's syntax, or a look-alike letter as a Latin one, which may join a
   * value to what follows it. No-break spaces, dashes and invisible characters are not.
   */
  readAsWrittenToo: boolean;
  /**
   * Where in the original the view read such punctuation or letters: a finding over
   * the text as written counts only where it takes in or touches one of them (value-findings.ts),
   * so that what is found around a value does not depend on an escape far away in the text.
   */
  readAsSyntax: readonly Span[];
};

const same = <F extends Finding>(findings: F[]): F[] => findings;

/**
 * The first code point of each run of ten decimal digits, 0 to 9, in the Basic Multilingual Plane
 * outside ASCII and the full-width forms: Arabic-Indic, Extended Arabic-Indic (Persian, Urdu),
 * N'Ko, Devanagari, Bengali and the other Indic scripts, Thai, Lao, Tibetan, Myanmar, Khmer,
 * Mongolian… A phone or card number typed on such a keyboard is written in them, and read by a
 * model as the number. detection-view.test.ts checks the list against Unicode's `\p{Nd}`.
 */
export const LOCAL_DIGIT_ZEROS = [
  0x0660, 0x06f0, 0x07c0, 0x0966, 0x09e6, 0x0a66, 0x0ae6, 0x0b66, 0x0be6, 0x0c66, 0x0ce6, 0x0d66, 0x0de6, 0x0e50, 0x0ed0, 0x0f20, 0x1040,
  0x1090, 0x17e0, 0x1810, 0x1946, 0x19d0, 0x1a80, 0x1a90, 0x1b50, 0x1bb0, 0x1c40, 0x1c50, 0xa620, 0xa8d0, 0xa900, 0xa9d0, 0xa9f0, 0xaa50,
  0xabf0,
];
const hex = (code: number) => `\\u${code.toString(16).padStart(4, '0')}`;

/**
 * Read as ASCII, one for one: Unicode spaces, hyphens and dashes (see asAscii), full-width
 * ASCII, the digits of other scripts. Taken out: soft hyphen, Mongolian vowel separator,
 * zero-width spaces and joiners, bidi marks, embeddings and isolates, word joiner and invisible
 * operators, byte-order mark. Two units read as one ASCII character: tag characters and the
 * mathematical letters and digits (𝐣𝐚𝐧𝐞, 𝟒𝟏𝟏𝟏: styled text from "font generators", which NFKC
 * reads as plain letters and a model as easily).
 */
const LOOK_ALIKES =
  '\\u00a0\\u1680\\u2000-\\u200a\\u202f\\u205f\\u3000\\u2010-\\u2015\\u2212\\ufe58\\ufe63\\uff01-\\uff5e\\u00ad\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2069\\ufeff';
const PAIRS = '\\udb40[\\udc00-\\udc7f]|\\ud835[\\udc00-\\udfff]';
const LOCAL_DIGITS = LOCAL_DIGIT_ZEROS.map((zero) => `${hex(zero)}-${hex(zero + 9)}`).join('');
const IS_LOOK_ALIKE = new RegExp(`[${LOOK_ALIKES}${LOCAL_DIGITS}]`);
/**
 * What the view's one pattern pass looks for: the look-alikes, the pairs and, only in text that
 * may hold them, the digits of other scripts, HTML character references (html-entity.ts) and
 * percent and string escapes (text-escapes.ts). Each range in a class costs on every character
 * (35 more ranges doubled the pass over 4 KB of typeset English, 15 to 30 µs), so the digits are
 * looked for only after a native check of three ranges, under a microsecond per 4 KB: Arabic,
 * Indic, Thai text; not English with curly quotes and dashes, nor Chinese or Japanese. Indexed
 * by `digits + 2 * entities + 4 * escapes`.
 */
const SPECIAL = [false, true].flatMap((escapes) =>
  [false, true].flatMap((entities) =>
    [false, true].map(
      (digits) =>
        new RegExp(
          `[${LOOK_ALIKES}${digits ? LOCAL_DIGITS : ''}]|${PAIRS}${entities ? `|${HTML_ENTITY}` : ''}${escapes ? `|${TEXT_ESCAPE}` : ''}`,
          'g',
        ),
    ),
  ),
);
/** The two stretches of the plane that hold them (U+0660–1C59, U+A620–ABF9): not punctuation, not CJK. */
const MAY_HAVE_LOCAL_DIGITS = /[\u0660-\u1c59\ua620-\uabf9]/;

/** The high surrogate of every tag character (U+E0000–E007F). */
const TAG_HIGH = 0xdb40;
/** The low surrogates of the tags that stand for printable ASCII (U+E0020–E007E). */
const TAG_ASCII_FIRST = 0xdc20;
const TAG_ASCII_LAST = 0xdc7e;
/** The high surrogate of the Mathematical Alphanumeric Symbols (U+1D400–1D7FF). */
const MATH_HIGH = 0xd835;
/** The low surrogates of its digits (U+1D7CE–1D7FF: five styles of 0–9). */
const MATH_DIGIT_FIRST = 0xdfce;

const isInvisible = (code: number) =>
  code === 0x00ad ||
  code === 0x180e ||
  code === 0xfeff ||
  (code >= 0x200b && code <= 0x200f) ||
  (code >= 0x202a && code <= 0x202e) ||
  (code >= 0x2060 && code <= 0x2069);

const isDash = (code: number) => (code >= 0x2010 && code <= 0x2015) || code === 0x2212 || code === 0xfe58 || code === 0xfe63;

/** Each digit of another script, by code unit, to its value. */
const LOCAL_DIGIT_VALUES = new Map(
  LOCAL_DIGIT_ZEROS.flatMap((zero) => Array.from({ length: 10 }, (_, value) => [zero + value, value] as const)),
);

/** The value of a digit of another script (LOCAL_DIGIT_ZEROS), or -1. */
const localDigit = (code: number): number => LOCAL_DIGIT_VALUES.get(code) ?? -1;

/** An ASCII, full-width or other script's digit: one UTF-16 unit. */
const isDigitUnit = (code: number) => (code >= 0x30 && code <= 0x39) || (code >= 0xff10 && code <= 0xff19) || localDigit(code) >= 0;
/** The low surrogate of a mathematical digit (its high one is MATH_HIGH). */
const isMathDigitLow = (code: number) => code >= MATH_DIGIT_FIRST && code <= 0xdfff;

/** Whether the character ending just before `offset` is a digit, of any kind read here. */
function digitBefore(text: string, offset: number): boolean {
  const code = text.charCodeAt(offset - 1);
  return isDigitUnit(code) || (isMathDigitLow(code) && text.charCodeAt(offset - 2) === MATH_HIGH);
}

/** Whether the character starting at `offset` is a digit, of any kind read here. */
function digitAt(text: string, offset: number): boolean {
  const code = text.charCodeAt(offset);
  return isDigitUnit(code) || (code === MATH_HIGH && isMathDigitLow(text.charCodeAt(offset + 1)));
}

/**
 * The ASCII form of a look-alike at `offset`. A dash reads as a hyphen only between digits (an
 * SSN, a phone or card number written with en dashes): after a word or a key it still ends it,
 * as it did ("sk-ant-…AA—thanks" must not read as a key that runs on into "-thanks").
 */
function asAscii(code: number, text: string, start: number, end: number): string {
  if (code >= 0xff01) return String.fromCharCode(code - 0xfee0);
  const digit = localDigit(code);
  if (digit >= 0) return String.fromCharCode(0x30 + digit);
  if (!isDash(code)) return ' ';
  return digitBefore(text, start) && digitAt(text, end) ? '-' : String.fromCharCode(code);
}

/**
 * An HTML reference or an escape SPECIAL matched: the character it stands for, read like any
 * other (a look-alike as ASCII, an invisible one taken out). Its units after the first are
 * recorded in `removed`, so it maps back to where it starts, and its length in `spans`, so a
 * finding that ends on it ends after it. Unread (an unknown name), it stays as it is.
 */
function readReference(reference: string, text: string, offset: number, removed: number[], spans: Map<number, number>): string {
  const char = reference.charCodeAt(0) === 0x26 /* & */ ? readHtmlEntity(reference) : readTextEscape(reference);
  if (char === undefined) return reference;
  const code = char.charCodeAt(0);
  const end = offset + reference.length;
  for (let k = isInvisible(code) ? offset : offset + 1; k < end; k++) removed.push(k);
  if (isInvisible(code)) return '';
  spans.set(offset, reference.length);
  return IS_LOOK_ALIKE.test(char) ? asAscii(code, text, offset, end) : char;
}

/**
 * A surrogate pair SPECIAL matched: the ASCII it stands for (its low surrogate is then recorded
 * in `removed`, so the character maps back to the pair's start), nothing for the other tags,
 * or itself when it is no ASCII (a mathematical Greek letter).
 */
function readPair(pair: string, offset: number, removed: number[]): string {
  const high = pair.charCodeAt(0);
  const low = pair.charCodeAt(1);
  if (high === TAG_HIGH && (low < TAG_ASCII_FIRST || low > TAG_ASCII_LAST)) {
    removed.push(offset, offset + 1);
    return '';
  }
  const ascii = high === TAG_HIGH ? String.fromCharCode(low - TAG_ASCII_FIRST + 0x20) : pair.normalize('NFKC');
  if (ascii.length !== 1 || ascii.charCodeAt(0) > 0x7e) return pair;
  removed.push(offset + 1);
  return ascii;
}

/** What one match of SPECIAL at `offset` reads as (see readReference, readPair and asAscii). */
function readSpecial(char: string, text: string, offset: number, removed: number[], spans: Map<number, number>): string {
  if (char.length > 2) return readReference(char, text, offset, removed, spans);
  if (char.length === 2) return readPair(char, offset, removed);
  const code = char.charCodeAt(0);
  if (!isInvisible(code)) return asAscii(code, text, offset, offset + 1);
  removed.push(offset);
  return '';
}

/** ASCII punctuation other than the hyphen (a dash between digits reads as one). */
const isPunctuationRead = (code: number): boolean =>
  code !== 0x2d &&
  ((code >= 0x21 && code <= 0x2f) || (code >= 0x3a && code <= 0x40) || (code >= 0x5b && code <= 0x60) || (code >= 0x7b && code <= 0x7e));

export function detectionView(text: string): DetectionView {
  const entities = text.includes('&') && MAY_HAVE_HTML_ENTITY.test(text);
  const escapes = (text.includes('%') || text.includes('\\')) && MAY_HAVE_TEXT_ESCAPE.test(text);
  // One UTF-8 byte per character means ASCII only (a native check): nothing to read differently.
  if (!entities && !escapes && Buffer.byteLength(text, 'utf8') === text.length) return viewOf(text, same, []);
  // One pattern pass, not a JavaScript loop over every character (several times slower).
  const removed: number[] = [];
  const spans = new Map<number, number>();
  const pattern = SPECIAL[Number(MAY_HAVE_LOCAL_DIGITS.test(text)) + 2 * Number(entities) + 4 * Number(escapes)]!;
  const punctuationRead: Span[] = [];
  const passed = text.replace(pattern, (char: string, offset: number) => {
    const as = readSpecial(char, text, offset, removed, spans);
    if (as.length === 1 && as !== char && isPunctuationRead(as.charCodeAt(0)))
      punctuationRead.push({ start: offset, end: offset + char.length });
    return as;
  });
  const read = readLookAlikeLetters(passed);
  // At view offsets: the letters read are one unit each, written where they were.
  const lettersRead: number[] = [];
  if (read !== passed) for (let v = 0; v < read.length; v++) if (read.charCodeAt(v) !== passed.charCodeAt(v)) lettersRead.push(v);
  if (removed.length === 0) return viewOf(read, same, [...punctuationRead, ...lettersRead.map((v) => ({ start: v, end: v + 1 }))]);
  // The kept stretches between removed characters: where each starts in the view and in the original.
  const viewStarts = [0];
  const originalStarts = [0];
  removed.forEach((position, k) => {
    viewStarts.push(position + 1 - (k + 1));
    originalStarts.push(position + 1);
  });
  /** The original index of view index `v` (a character, or the end of the text). */
  const original = (v: number): number => {
    let lo = 0;
    let hi = viewStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (viewStarts[mid]! <= v) lo = mid;
      else hi = mid - 1;
    }
    return originalStarts[lo]! + (v - viewStarts[lo]!);
  };
  /** Just after the original of view character `v`: after both units when it was a pair, after all of a reference. */
  const after = (v: number): number => {
    const start = original(v);
    const span = spans.get(start);
    if (span !== undefined) return start + span;
    const code = text.charCodeAt(start);
    return code >= 0xd800 && code <= 0xdbff ? start + 2 : start + 1;
  };
  return viewOf(
    read,
    // A finding ends after its last character's original: what was taken out inside it is in it.
    (findings) => findings.map((f) => ({ ...f, start: original(f.start), end: f.end > f.start ? after(f.end - 1) : original(f.end) })),
    [...punctuationRead, ...lettersRead.map((v) => ({ start: original(v), end: after(v) }))],
  );
}

/** A view; the text as written is read too exactly where the view read syntax. */
function viewOf(text: string, inOriginal: DetectionView['inOriginal'], readAsSyntax: readonly Span[]): DetectionView {
  return { text, inOriginal, readAsWrittenToo: readAsSyntax.length > 0, readAsSyntax };
}
