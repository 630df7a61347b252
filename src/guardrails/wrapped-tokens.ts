/**
 * A token broken over lines: "ghp_R8bQ2xLmZt7Kc4Vn9WsYp3" at one line's end and "Hd6Fj1Ge5Ua0Ti"
 * at the next one's start. A mail client, a terminal or a narrow chat column wraps a long key
 * so, and a person splitting it to get past a filter does the same by hand; a model reads the two
 * halves as one key, and the detectors, which read words, found neither.
 *
 * A head (a run of token characters, letters, digits and `+ / - _`, at least 8 with a letter and
 * a digit, that ends its line) is read joined to the token characters that start the next line,
 * and to the lines after those while each is token characters only and as wide as the head's
 * line (a key folded at a wrap's width over several lines). The next line must
 * start with them: an indented line is code's structure, not a wrap. In a quoted mail reply each
 * line starts with the same quote marks ("> ", ">> "), and the token goes on after them. Only the joined token is
 * read, without the words around it, so only values that name themselves are found (a prefixed
 * key, a JWT, a PEM body), not a word that needs a label ("password:") to be a secret; the
 * parts must share no finding over the text as written (a whole key at a line's end followed by
 * a word is that key's). A finding covers the token from its first character to its last, the
 * line breaks between included, and hashes as the key.
 */
import type { EncodedRun } from './encoded-values.js';
import { lastAtOrBefore } from './last-at-or-before.js';
import { lineBreakAt, linePaddingStart, quoteMarksEnd } from './line-breaks.js';
import { runEndAfter, runStartBefore } from './token-runs.js';

/** The fewest characters of a head: shorter ends of lines are words, numbers, identifiers. */
export const MIN_HEAD = 8;
/** The fewest characters joined after the head. */
const MIN_TAIL = 4;
/**
 * The longest token read: longer than any key (a PEM block has a rule of its own). A longer run of
 * full lines is a blob (base64 data, a certificate), whose encoded content encoded-values.ts
 * reads; reading its characters as written for keys cost 3.6 times the whole scan of such text.
 */
const MAX_WRAPPED = 512;

const isDigit = (code: number): boolean => code >= 0x30 && code <= 0x39;
const isLetter = (code: number): boolean => (code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a;

/** Whether [start, end) is long enough to be a head and has a letter and a digit, as keys do (words and numbers do not). */
function isHead(text: string, start: number, end: number): boolean {
  if (end - start < MIN_HEAD) return false;
  let letter = false;
  let digit = false;
  for (let i = start; i < end && !(letter && digit); i++) {
    const code = text.charCodeAt(i);
    letter ||= isLetter(code);
    digit ||= isDigit(code);
  }
  return letter && digit;
}

/** Where each line's piece starts in the text and in the joined token. */
type Piece = { text: number; joined: number };

/** The tokens of `text` broken over lines, each read as one value. */
export function wrappedTokens(text: string): EncodedRun[] {
  const runs: EncodedRun[] = [];
  for (let lineFeed = text.indexOf('\n'); lineFeed >= 0; lineFeed = text.indexOf('\n', lineFeed + 1)) {
    const headEnd = linePaddingStart(text, lineFeed);
    const headStart = runStartBefore(text, headEnd);
    if (!isHead(text, headStart, headEnd)) continue;
    const pieces: Piece[] = [{ text: headStart, joined: 0 }];
    let joined = text.slice(headStart, headEnd);
    let end = headEnd;
    const headLineStart = text.lastIndexOf('\n', headStart - 1) + 1;
    // the quote marks every line of a quoted reply starts with, the same on each
    const quoted = quoteMarksEnd(text, headLineStart) - headLineStart;
    const marks = text.slice(headLineStart, headLineStart + quoted);
    const width = headEnd - headLineStart - quoted;
    // the lines after: a line of token characters only, as wide as the head's (the wrap's width),
    // goes on with the token; a narrower one is its last ("thanks" on the line after is a word)
    for (let lineStart = lineFeed + 1; ;) {
      if (quoted > 0 && !text.startsWith(marks, lineStart)) break;
      lineStart += quoted;
      const pieceEnd = runEndAfter(text, lineStart);
      if (pieceEnd === lineStart) break;
      // a blob's lines are walked to its end, so that none of them is read as a head again
      if (joined.length <= MAX_WRAPPED) {
        pieces.push({ text: lineStart, joined: joined.length });
        joined += text.slice(lineStart, pieceEnd);
      }
      end = pieceEnd;
      const next = lineBreakAt(text, pieceEnd);
      if (next === 0 || pieceEnd - lineStart < width) break;
      lineFeed = pieceEnd + next - 1;
      lineStart = pieceEnd + next;
    }
    if (pieces.length < 2 || joined.length - (headEnd - headStart) < MIN_TAIL || joined.length > MAX_WRAPPED) continue;
    const inText = (i: number): number => {
      const piece = pieces[lastAtOrBefore(pieces.length, (k) => pieces[k]!.joined, i)]!;
      return piece.text + (i - piece.joined);
    };
    runs.push({ start: headStart, end, decoded: joined, span: (from, to) => [inText(from), inText(to - 1) + 1], flat: true });
  }
  return runs;
}

/**
 * Where a token that may be broken over lines past the end of `text` starts: the last line so far
 * is token characters only (perhaps none yet), and the lines before it back to a head are too. A
 * stream holds it from the head until a line ends it: the head is a finished word when its line
 * breaks, and went out before the rest of the key arrived.
 */
export function wrappedTokenAtEnd(text: string): number | undefined {
  let lineStart = text.lastIndexOf('\n') + 1;
  // quote marks still being written (">" of "> ") stand for no token character yet
  if (lineStart === 0 || runEndAfter(text, quoteMarksEnd(text, lineStart)) !== text.length) return undefined;
  let start: number | undefined;
  while (lineStart > 0 && text.length - lineStart <= MAX_WRAPPED) {
    const headEnd = linePaddingStart(text, lineStart - 1);
    const headStart = runStartBefore(text, headEnd);
    if (isHead(text, headStart, headEnd)) start = headStart;
    // a line of token characters only (after its quote marks), as wide as the line before, may
    // be a middle piece of a token that line began
    const headLineStart = text.lastIndexOf('\n', headStart - 1) + 1;
    const wholeLine = headStart === quoteMarksEnd(text, headLineStart);
    if (!wholeLine || headEnd === headStart || headLineStart === 0) break;
    const above = linePaddingStart(text, headLineStart - 1);
    const aboveStart = text.lastIndexOf('\n', above - 1) + 1;
    if (headEnd - headStart < above - quoteMarksEnd(text, aboveStart)) break;
    lineStart = headLineStart;
  }
  return start !== undefined && text.length - start <= MAX_WRAPPED ? start : undefined;
}
