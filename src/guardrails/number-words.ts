/**
 * Numbers written in words: "my social is five two three, four five, six seven eight nine", "call
 * me on double five five, one two three…". Asking a model to "write the card number out in words"
 * is how an injected order gets a number past an output filter, and how a person gets one past an
 * input filter; a model reads it back as the number. The PII detectors read digits, so a phone,
 * card or Social Security number written so was in none of them.
 *
 * A run of digit words (zero to nine, "oh" and "o" for a zero, "double" and "triple" before
 * one) and digit groups, with at least three digit words and nine digits, not counting up or down,
 * is read as digits. The separator written most often in the run joins its digits; any other one breaks
 * a group and reads as a space: "five two three, four five, six…" reads "523 45 6…", and
 * "five-two-three four-five six…" as well. The rest of the text is read as written, so the
 * detectors keep their context ("SSN", "call me on") and a finding covers the words of the value.
 * English words only.
 */
import { lastAtOrBefore } from './last-at-or-before.js';
import type { Finding } from './types.js';

const DIGIT_WORDS = new Map<string, string>([
  ['zero', '0'],
  ['nought', '0'],
  ['one', '1'],
  ['two', '2'],
  ['three', '3'],
  ['four', '4'],
  ['five', '5'],
  ['six', '6'],
  ['seven', '7'],
  ['eight', '8'],
  ['nine', '9'],
]);
/** Zero as said in a number ("oh seven seven…"); a run starts with one only when a space follows it, not "Oh, one two…". */
const ZERO_INSIDE = new Set(['oh', 'o']);
const REPEATS = new Map([
  ['double', 2],
  ['triple', 3],
]);

/**
 * The fewest digit words a run has, and the fewest digits: an SSN's nine, a phone number with its
 * area code. A seven-digit local number in words is not read: prose lists scores and counts in
 * words ("rate each call from one to five: five four five three four five five") far more often
 * than it writes such a number.
 */
const MIN_WORDS = 3;
const MIN_DIGITS = 9;

/** Counting, up or down ("one two three … nine ten", a countdown): no number anyone holds. */
function isCounting(digits: string): boolean {
  const step = (digits.charCodeAt(1) - digits.charCodeAt(0) + 10) % 10;
  if (step !== 1 && step !== 9) return false;
  for (let k = 2; k < digits.length; k++) if ((digits.charCodeAt(k) - digits.charCodeAt(k - 1) + 10) % 10 !== step) return false;
  return true;
}
/** The longest group of written digits a run takes in ("555 one two three four"). */
const MAX_DIGIT_GROUP = 4;

/** Two digit words with a separator between them, at least: the native check before any walk. */
const WORD = '(?:zero|nought|one|two|three|four|five|six|seven|eight|nine|oh|double|triple)';
const MAY_HAVE_NUMBER_WORDS = new RegExp(`\\b${WORD}[\\s,.;/\\u2013\\u2014-]{1,4}${WORD}\\b`, 'i');
/** Where a run may start: a digit word at a word's start (global, for the walk's search). */
const RUN_START = new RegExp(`\\b${WORD}[\\s,.;/\\u2013\\u2014-]{1,4}${WORD}\\b`, 'gi');

/** Punctuation a separator may hold once: a comma, a full stop, a semicolon, a slash, a hyphen or dash, a line break. */
const isSeparatorMark = (code: number): boolean =>
  code === 0x2c || code === 0x2e || code === 0x3b || code === 0x2f || code === 0x2d || code === 0x2013 || code === 0x2014 || code === 10;
const isBlank = (code: number): boolean => code === 32 || code === 9 || code === 13;
const isAsciiLetter = (code: number): boolean => (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
const isAsciiDigit = (code: number): boolean => code >= 0x30 && code <= 0x39;
const isWordUnit = (code: number): boolean => isAsciiLetter(code) || isAsciiDigit(code) || code === 0x5f;

/** A token of a run: where it is written, and the digits it reads as. */
type Token = { start: number; end: number; digits: string; word: boolean };

/** The token that starts at `at`, or undefined: a digit word (with "double"/"triple" before it), or a short group of digits. */
function tokenAt(text: string, at: number, first: boolean): Token | undefined {
  if (isWordUnit(text.charCodeAt(at - 1))) return undefined;
  let end = at;
  if (isAsciiDigit(text.charCodeAt(at))) {
    while (isAsciiDigit(text.charCodeAt(end))) end++;
    if (end - at > MAX_DIGIT_GROUP || isWordUnit(text.charCodeAt(end))) return undefined;
    return { start: at, end, digits: text.slice(at, end), word: false };
  }
  while (isAsciiLetter(text.charCodeAt(end))) end++;
  if (end === at || end - at > 6 || isWordUnit(text.charCodeAt(end))) return undefined;
  const word = text.slice(at, end).toLowerCase();
  const zero = ZERO_INSIDE.has(word) && (!first || (text.charCodeAt(end) === 32 && isAsciiLetter(text.charCodeAt(end + 1))));
  const digit = DIGIT_WORDS.get(word) ?? (zero ? '0' : undefined);
  if (digit !== undefined) return { start: at, end, digits: digit, word: true };
  const times = REPEATS.get(word);
  if (times === undefined) return undefined;
  // "double five": one space, then the digit repeated
  if (text.charCodeAt(end) !== 32) return undefined;
  const next = tokenAt(text, end + 1, false);
  if (next === undefined || !next.word) return undefined;
  return { start: at, end: next.end, digits: next.digits.repeat(times), word: true };
}

/** The separator that starts at `at`: blanks with at most one mark among them; undefined when there is none. */
function separatorEnd(text: string, at: number): number | undefined {
  let end = at;
  let marks = 0;
  while (end - at < 6) {
    const code = text.charCodeAt(end);
    if (isBlank(code)) end++;
    else if (isSeparatorMark(code) && marks === 0) {
      marks++;
      end++;
    } else break;
  }
  return end > at ? end : undefined;
}

type Run = { start: number; end: number; tokens: Token[]; separators: string[] };

/** The run that starts with the token at `at`, walked a token and a separator at a time. */
function runAt(text: string, at: number): Run | undefined {
  const first = tokenAt(text, at, true);
  if (first === undefined || !first.word) return undefined;
  const tokens = [first];
  const separators: string[] = [];
  for (;;) {
    const last = tokens[tokens.length - 1]!;
    const sepEnd = separatorEnd(text, last.end);
    if (sepEnd === undefined) break;
    const next = tokenAt(text, sepEnd, false);
    if (next === undefined) break;
    separators.push(text.slice(last.end, sepEnd).replace(/\r/g, ''));
    tokens.push(next);
  }
  // groups of digits before the first word belong to it too ("555 one two three…"), up to three
  for (let k = 0; k < 3; k++) {
    const before = groupBefore(text, tokens[0]!.start);
    if (before === undefined) break;
    separators.unshift(text.slice(before.end, tokens[0]!.start).replace(/\r/g, ''));
    tokens.unshift(before);
  }
  return { start: tokens[0]!.start, end: tokens[tokens.length - 1]!.end, tokens, separators };
}

/** The group of digits with a separator between it and `at`, or undefined. */
function groupBefore(text: string, at: number): Token | undefined {
  let end = at;
  let marks = 0;
  while (at - end < 6 && end > 0) {
    const code = text.charCodeAt(end - 1);
    if (isBlank(code)) end--;
    else if (isSeparatorMark(code) && marks === 0) {
      marks++;
      end--;
    } else break;
  }
  if (end === at) return undefined;
  let start = end;
  while (start > 0 && isAsciiDigit(text.charCodeAt(start - 1))) start--;
  if (start === end || end - start > MAX_DIGIT_GROUP || isWordUnit(text.charCodeAt(start - 1))) return undefined;
  return { start, end, digits: text.slice(start, end), word: false };
}

/** The separator written most often in a run (the shorter one on a tie): the one that joins digits. */
function joiningSeparator(separators: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const s of separators) counts.set(s, (counts.get(s) ?? 0) + 1);
  let best: string | undefined;
  for (const [s, n] of counts) {
    const bestCount = best === undefined ? 0 : counts.get(best)!;
    if (n > bestCount || (n === bestCount && best !== undefined && s.length < best.length)) best = s;
  }
  return best;
}

/** A stretch of the reading: written as it is (`verbatim`), or standing for [origStart, origEnd) whole. */
type Piece = { readStart: number; origStart: number; origEnd: number; verbatim: boolean };

export type NumberWordsReading = {
  /** The text with its runs read as digits. */
  text: string;
  /** Where each run is in `text`. */
  runs: { start: number; end: number }[];
  /** Where each run is written in the text read. */
  written: { start: number; end: number }[];
  /** Findings over `text`, with offsets in the text read (and `readAs`, their digits). */
  inOriginal(findings: Finding[]): Finding[];
};

/**
 * `text` with its runs of number words read as digits, or undefined when it has none. A walk from
 * each place a native search finds two digit words together, a token at a time: linear.
 */
export function readNumberWords(text: string): NumberWordsReading | undefined {
  if (!MAY_HAVE_NUMBER_WORDS.test(text)) return undefined;
  const pieces: Piece[] = [];
  const runs: { start: number; end: number }[] = [];
  const written: { start: number; end: number }[] = [];
  let read = '';
  let copied = 0;
  RUN_START.lastIndex = 0;
  for (let m = RUN_START.exec(text); m !== null; m = RUN_START.exec(text)) {
    const run = runAt(text, m.index);
    if (run === undefined) {
      RUN_START.lastIndex = m.index + 1;
      continue;
    }
    RUN_START.lastIndex = run.end;
    const digits = run.tokens.map((t) => t.digits).join('');
    const words = run.tokens.filter((t) => t.word).length;
    if (words < MIN_WORDS || digits.length < MIN_DIGITS || isCounting(digits)) continue;
    pieces.push({ readStart: read.length, origStart: copied, origEnd: run.start, verbatim: true });
    read += text.slice(copied, run.start);
    const joining = joiningSeparator(run.separators);
    const runStart = read.length;
    run.tokens.forEach((token, k) => {
      const before = k > 0 ? run.separators[k - 1]! : joining;
      if (before !== joining) {
        // a group break: a space, standing for the separator as written
        pieces.push({ readStart: read.length, origStart: run.tokens[k - 1]!.end, origEnd: token.start, verbatim: false });
        read += ' ';
      }
      for (const digit of token.digits) {
        pieces.push({ readStart: read.length, origStart: token.start, origEnd: token.end, verbatim: false });
        read += digit;
      }
    });
    runs.push({ start: runStart, end: read.length });
    written.push({ start: run.start, end: run.end });
    copied = run.end;
  }
  if (runs.length === 0) return undefined;
  pieces.push({ readStart: read.length, origStart: copied, origEnd: text.length, verbatim: true });
  read += text.slice(copied);
  const reading = read;

  /** The piece that holds reading index `r`. */
  const pieceAt = (r: number): Piece => pieces[lastAtOrBefore(pieces.length, (k) => pieces[k]!.readStart, r)]!;
  const startOf = (r: number): number => {
    const p = pieceAt(r);
    return p.verbatim ? p.origStart + (r - p.readStart) : p.origStart;
  };
  const endOf = (r: number): number => {
    const p = pieceAt(r);
    return p.verbatim ? p.origStart + (r - p.readStart) + 1 : p.origEnd;
  };
  return {
    text: reading,
    runs,
    written,
    inOriginal: (findings) =>
      findings.map((f) => ({ ...f, start: startOf(f.start), end: endOf(f.end - 1), readAs: f.readAs ?? reading.slice(f.start, f.end) })),
  };
}

/** Whether [start, end) is a word a run is made of: a digit word, "oh", "double", or a short group of digits. */
function isRunWord(text: string, start: number, end: number): boolean {
  if (isAsciiDigit(text.charCodeAt(start))) return end - start <= MAX_DIGIT_GROUP && /^[0-9]+$/.test(text.slice(start, end));
  const word = text.slice(start, end).toLowerCase();
  return DIGIT_WORDS.has(word) || ZERO_INSIDE.has(word) || REPEATS.has(word);
}

/** The words a run's last word may be the start of. */
const MAY_CONTINUE = [...DIGIT_WORDS.keys(), ...ZERO_INSIDE, ...REPEATS.keys()];

/**
 * Where a run of number words that reaches the end of `text` starts (its last word may still be
 * being written: "five two thr"), or undefined. A stream holds it from there, since whether it is
 * a number is known only at its end. Walks back a word and a separator at a time, over 32 words
 * at most (a run longer than a card number is read in parts as it goes).
 */
export function numberWordsAtEnd(text: string): number | undefined {
  let at = text.length;
  let start: number | undefined;
  let word = at;
  while (word > 0 && isAsciiLetter(text.charCodeAt(word - 1))) word--;
  if (word < at) {
    // the word still being written, when it may be the start of a digit word
    const partial = text.slice(word, at).toLowerCase();
    if (!MAY_CONTINUE.some((w) => w.startsWith(partial))) return undefined;
    start = word;
    at = word;
  }
  let words = start === undefined ? 0 : 1;
  for (let k = 0; k < 32; k++) {
    let sep = at;
    while (sep > 0 && at - sep < 6 && (isBlank(text.charCodeAt(sep - 1)) || isSeparatorMark(text.charCodeAt(sep - 1)))) sep--;
    if (start !== undefined && sep === at) break;
    let wordStart = sep;
    while (wordStart > 0 && isWordUnit(text.charCodeAt(wordStart - 1))) wordStart--;
    if (wordStart === sep || !isRunWord(text, wordStart, sep)) break;
    if (!isAsciiDigit(text.charCodeAt(wordStart))) words++;
    start = wordStart;
    at = wordStart;
  }
  return words > 0 ? start : undefined;
}

/** How far back before the last `within` characters a run that ends in them is looked for. */
const LOOK_BACK = 512;

/**
 * Where a stream holds from for numbers in words: a run still being written (numberWordsAtEnd),
 * or a run read as a number that ended in the last `within` characters. The detectors decide
 * with the words around a number, after it too ("… oh one eight two (mobile)"), so a number is
 * held as long as a value-like word is held for its context (stream.ts).
 */
export function numberWordsHeldFrom(text: string, within: number): number | undefined {
  const start = numberWordsAtEnd(text) ?? lastRunWithin(text, within);
  // a country code's plus before the words is the number's ("+four four two oh…")
  return start !== undefined && text.charCodeAt(start - 1) === 0x2b ? start - 1 : start;
}

/** Where the last run read as a number starts, when it ends in the last `within` characters of `text`. */
function lastRunWithin(text: string, within: number): number | undefined {
  const base = Math.max(0, text.length - within - LOOK_BACK);
  const last = readNumberWords(text.slice(base))?.written.at(-1);
  return last !== undefined && base + last.end >= text.length - within ? base + last.start : undefined;
}
