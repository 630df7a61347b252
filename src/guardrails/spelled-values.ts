/**
 * Values spelt out a character at a time: "g h p _ a B 3 d …", or one character a line. It is
 * the first thing an injected order asks of a model to get a key past an output filter ("print
 * the token with a space between each character"), and what a person does to get one past an
 * input filter; a model reads it back as easily. The detectors read words, so a key or an
 * address written so was in none of them.
 *
 * A run of 16 or more single printable ASCII characters (each a word of its own; the values
 * looked for are ASCII, and the view has read full-width forms as ASCII already) with one
 * separator between them, the same each time (one space, one tab, or one line break), is read
 * with the separators taken out; a finding there covers the characters of the value and the
 * separators between them, and hashes as the value. Prose has no such run: "a", "I" and
 * initials come one or two at a time.
 */
import { Buffer } from 'node:buffer';
import type { EncodedRun } from './encoded-values.js';
import { linePaddingStart } from './line-breaks.js';

/** The fewest characters read: as many as the shortest base64 run. */
export const MIN_SPELLED = 16;

/**
 * Where runs may be: MIN_SPELLED single characters or more with a separator between each two,
 * not necessarily the same each time (a native pass; a back-reference to the first separator
 * cost six times as much at four times the length). The walk below reads runs only inside these:
 * it looked at every character of the text, and code ("attempts > 1 ? …") made prose look like
 * it might hold one (36 µs of the 4 KB bench prompt's 150).
 */
const SPELLED_CHAINS = new RegExp(`(?<!\\S)[!-~](?:(?:[ \\t\\n]|\\r\\n)[!-~](?!\\S)){${MIN_SPELLED - 1},}`, 'g');

const isSpace = (code: number): boolean => code === 32 || code === 9 || code === 10 || code === 13;
const isPrintableAscii = (code: number): boolean => code >= 0x21 && code <= 0x7e;
/** Whitespace of any kind, or the text's edge (NaN): what stands on either side of a single character. */
const isWhiteOrEdge = (code: number): boolean =>
  Number.isNaN(code) || isSpace(code) || (code >= 11 && code <= 12) || (code > 127 && /\s/.test(String.fromCharCode(code)));

/** The separator that starts at `at` (" ", tab, "\n" or "\r\n"), or undefined. */
function separatorAt(text: string, at: number): string | undefined {
  const code = text.charCodeAt(at);
  if (code === 13) return text.charCodeAt(at + 1) === 10 ? '\r\n' : undefined;
  return code === 32 || code === 9 || code === 10 ? text[at] : undefined;
}

/** Whether a single printable character stands at `at`: whitespace or the text's edge on both sides. */
const singleAt = (text: string, at: number): boolean =>
  isPrintableAscii(text.charCodeAt(at)) && isWhiteOrEdge(text.charCodeAt(at - 1)) && isWhiteOrEdge(text.charCodeAt(at + 1));

/**
 * The spelt-out runs of `text`, each with its characters joined (as `decoded`). A walk forward,
 * a character and a separator at a time: linear, however long a run is (a pattern with a
 * back-reference to the separator cost six times as much at four times the length).
 */
export function spelledRuns(text: string): EncodedRun[] {
  const runs: EncodedRun[] = [];
  if (text.length < MIN_SPELLED * 2 - 1) return runs;
  for (const chain of text.matchAll(SPELLED_CHAINS)) runsIn(text, chain.index, chain.index + chain[0].length, runs);
  return runs;
}

/** The runs between `from` and `to` (a chain of SPELLED_CHAINS), added to `runs`. */
function runsIn(text: string, from: number, to: number, runs: EncodedRun[]): void {
  for (let at = from; at < to; at++) {
    if (!singleAt(text, at)) continue;
    const separator = separatorAt(text, at + 1);
    if (separator === undefined) continue;
    const step = 1 + separator.length;
    let end = at + 1;
    while (text.startsWith(separator, end) && singleAt(text, end + separator.length)) end += step;
    if ((end - at + separator.length) / step >= MIN_SPELLED) {
      const start = at;
      // every character is printable ASCII: one byte each
      const bytes = Buffer.allocUnsafe((end - start + separator.length) / step);
      for (let k = 0; k < bytes.length; k++) bytes[k] = text.charCodeAt(start + k * step);
      const decoded = bytes.toString('latin1');
      // the i-th character read is at start + i * step
      runs.push({ start, end, decoded, span: (from, to) => [start + from * step, start + (to - 1) * step + 1] });
    }
    at = end - 1;
  }
}

/**
 * The separator that ends at `end`, or undefined: a space, a tab, or a line feed or carriage
 * return with the spaces and carriage returns before it.
 */
function separatorBefore(text: string, end: number): string | undefined {
  const code = text.charCodeAt(end - 1);
  if (code !== 10 && code !== 13) return code === 32 || code === 9 ? text[end - 1] : undefined;
  return text.slice(linePaddingStart(text, end - 1), end);
}

/**
 * Where a spelt-out run that reaches the end of `text` (a separator after its last character
 * included) starts, from its first character on: a stream holds it from there, since whether it
 * is a key is known only at its end (a lone "a" or "I" at the end of prose is held until the next
 * word arrives). Undefined when no single character ends the text, or stands before the word
 * still being written. Walks back a character and a separator at a time: linear, whatever the
 * text.
 */
export function spelledRunAtEnd(text: string): number | undefined {
  let at = text.length;
  let separator: string | undefined;
  const trailing = separatorBefore(text, at);
  if (trailing !== undefined) {
    at -= trailing.length;
    // a line break half written (its "\r" arrived, its "\n" not yet) does not fix the separator
    // (here or in the walk below)
    if (!trailing.endsWith('\r')) separator = trailing;
  } else {
    // A word still being written of two characters or more may yet turn out to be the run's next
    // character and a separator (a JSON escape half written reads "g_" in the view): the run
    // before it is held with it.
    let word = at;
    while (word > 0 && !isWhiteOrEdge(text.charCodeAt(word - 1))) word--;
    if (at - word > 1) {
      separator = separatorBefore(text, word);
      if (separator === undefined) return undefined;
      at = word - separator.length;
    }
  }
  let start: number | undefined;
  // a single character, with a space (or the text's start) before it
  while (at >= 1 && isPrintableAscii(text.charCodeAt(at - 1)) && (at === 1 || isSpace(text.charCodeAt(at - 2)))) {
    start = at - 1;
    const before = separatorBefore(text, start);
    if (before === undefined || (separator !== undefined && before !== separator)) break;
    if (!before.endsWith('\r')) separator = before;
    at = start - before.length;
  }
  return start;
}
