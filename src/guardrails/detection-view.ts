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
import type { Finding } from './types.js';

export type DetectionView = {
  /** What the detectors read. */
  text: string;
  /** Findings made over `text`, with offsets into the original. */
  inOriginal<F extends Finding>(findings: F[]): F[];
};

const same = <F extends Finding>(findings: F[]): F[] => findings;

/**
 * Read as ASCII, one for one: Unicode spaces, hyphens and dashes (see asAscii), full-width
 * ASCII. Taken out: soft hyphen, Mongolian vowel separator, zero-width spaces and joiners, bidi
 * marks, embeddings and isolates, word joiner and invisible operators, byte-order mark.
 */
const SPECIAL =
  /[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\u2010-\u2015\u2212\ufe58\ufe63\uff01-\uff5e\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]|\udb40[\udc00-\udc7f]/g;

/** The high surrogate of every tag character (U+E0000–E007F). */
const TAG_HIGH = 0xdb40;
/** The low surrogates of the tags that stand for printable ASCII (U+E0020–E007E). */
const TAG_ASCII_FIRST = 0xdc20;
const TAG_ASCII_LAST = 0xdc7e;

const isInvisible = (code: number) =>
  code === 0x00ad ||
  code === 0x180e ||
  code === 0xfeff ||
  (code >= 0x200b && code <= 0x200f) ||
  (code >= 0x202a && code <= 0x202e) ||
  (code >= 0x2060 && code <= 0x2069);

const isDash = (code: number) => (code >= 0x2010 && code <= 0x2015) || code === 0x2212 || code === 0xfe58 || code === 0xfe63;
/** An ASCII or full-width digit. */
const isDigit = (code: number) => (code >= 0x30 && code <= 0x39) || (code >= 0xff10 && code <= 0xff19);

/**
 * The ASCII form of a look-alike at `offset`. A dash reads as a hyphen only between digits (an
 * SSN, a phone or card number written with en dashes): after a word or a key it still ends it,
 * as it did ("sk-ant-…AA—thanks" must not read as a key that runs on into "-thanks").
 */
function asAscii(code: number, text: string, offset: number): string {
  if (code >= 0xff01) return String.fromCharCode(code - 0xfee0);
  if (!isDash(code)) return ' ';
  return isDigit(text.charCodeAt(offset - 1)) && isDigit(text.charCodeAt(offset + 1)) ? '-' : String.fromCharCode(code);
}

export function detectionView(text: string): DetectionView {
  // One UTF-8 byte per character means ASCII only (a native check): nothing to read differently.
  if (Buffer.byteLength(text, 'utf8') === text.length) return { text, inOriginal: same };
  // One pattern pass, not a JavaScript loop over every character (several times slower).
  const removed: number[] = [];
  const read = text.replace(SPECIAL, (char: string, offset: number) => {
    const code = char.charCodeAt(0);
    if (code === TAG_HIGH) {
      const low = char.charCodeAt(1);
      if (low >= TAG_ASCII_FIRST && low <= TAG_ASCII_LAST) {
        removed.push(offset + 1);
        return String.fromCharCode(low - TAG_ASCII_FIRST + 0x20);
      }
      removed.push(offset, offset + 1);
      return '';
    }
    if (!isInvisible(code)) return asAscii(code, text, offset);
    removed.push(offset);
    return '';
  });
  if (removed.length === 0) return { text: read, inOriginal: same };
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
  /** Just after the original of view character `v`: after both units when it was a tag character. */
  const after = (v: number): number => {
    const start = original(v);
    return text.charCodeAt(start) === TAG_HIGH ? start + 2 : start + 1;
  };
  return {
    text: read,
    // A finding ends after its last character's original: what was taken out inside it is in it.
    inOriginal: (findings) =>
      findings.map((f) => ({ ...f, start: original(f.start), end: f.end > f.start ? after(f.end - 1) : original(f.end) })),
  };
}
