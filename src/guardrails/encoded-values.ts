/**
 * Values written in base64 or hex. A model decodes them as easily as it reads plain text, so a key, an
 * address or a card number base64-encoded in a prompt ("here is the config, base64:
 * Z2xwYXQtcTha…") reached the provider unseen by the secret and PII detectors, which read only
 * the text as written: the easiest way to get a credential past a gateway that looks for it.
 *
 * A run of 16 or more base64 characters, its padding counted (standard or URL-safe alphabet; hex when it is hex
 * digits only) is decoded when the bytes are UTF-8 text (no control characters but whitespace); the detectors read that text, and
 * each finding in it becomes a finding over the whole run, so a redaction replaces the run, and
 * the event hashes the value inside it (`readAs`): the key hashes alike written plain or encoded. Runs that decode to binary (images, compressed data, random
 * ids) or are words and identifiers that happen to be valid base64 are dropped by the text check.
 */
import { Buffer } from 'node:buffer';
import { detectPii } from './pii/detect.js';
import { detectSecrets } from './secrets/detect.js';
import { joinedLiterals } from './joined-literals.js';
import { lineBreakAt, linePaddingStart } from './line-breaks.js';
import { inAlphabet, runEndAfter, runStartBefore } from './token-runs.js';
import { spelledRuns } from './spelled-values.js';
import { characterLists } from './character-lists.js';
import { wrappedTokens } from './wrapped-tokens.js';
import { transformedTokens } from './transformed-tokens.js';
import type { Finding } from './types.js';
import { spanIndex } from './span-index.js';

/** The shortest run read, its padding included: 10 bytes and more ("jo@acme.com" is 11). */
const MIN_RUN = 16;
/** Whether `text` is all characters of a base64 or hex run (padding apart). */
export function continuesEncodedRun(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (!inAlphabet(text.charCodeAt(i))) return false;
  return true;
}

const HEX = /^[0-9A-Fa-f]+$/;

/** A character that makes decoded bytes binary rather than text (tab, line feed, carriage return are text). */
// eslint-disable-next-line no-control-regex
const BINARY = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/;
/** The decoded text must hold something a detector could find: a letter or digit run, not one character repeated. */
const SOMETHING = /[A-Za-z0-9@]{4}/;

export type EncodedRun = {
  start: number;
  end: number;
  decoded: string;
  /**
   * Where the characters [from, to) of `decoded` are written, when that is known (a spelt-out
   * run); otherwise a finding covers the whole run (a base64 byte is in no one character).
   */
  span?: (from: number, to: number) => [number, number];
  /**
   * Read even where a finding over the text covers part of it (joined literals: a part may be a
   * value of its own, or half of one that a rule found on its own). An encoded run a finding
   * overlaps is left to it (a JWT, whose segments are base64, is a secret whole).
   */
  readOverFindings?: boolean;
  /** Read as it is, not for runs inside it (a wrapped token: the base64 in it is read over the text already). */
  flat?: boolean;
};

/** The length of the line break that ends at `end` (see linePaddingStart), 0 when there is none. */
function breakBefore(text: string, end: number): number {
  if (end < 1 || text.charCodeAt(end - 1) !== 10) return 0;
  return end - linePaddingStart(text, end - 1);
}

/**
 * A line that may be one of a wrapped run's full lines: `base64` and MIME write 76 characters a
 * line, PEM and `openssl base64` 64, `xxd -p` 60 (all multiples of four, none under 16).
 */
const fullLineWidth = (width: number): boolean => width >= MIN_RUN && width % 4 === 0;

/**
 * Where a base64 or hex run that reaches the end of `text` (its padding included) starts, when it is
 * long enough to be read (undefined otherwise): a stream still writing one cannot tell yet what it
 * decodes to. A wrapped run is one run: the full lines of one width before the line being written
 * (or before the end, after a line break) belong to it.
 */
export function encodedRunAtEnd(text: string): number | undefined {
  let end = text.length;
  while (end > 0 && text.length - end < 2 && text.charCodeAt(end - 1) === 0x3d /* = */) end--;
  let start = runStartBefore(text, end);
  let width = end - start;
  let widthKnown = false;
  for (let br = breakBefore(text, start); br > 0; br = breakBefore(text, start)) {
    const lineEnd = start - br;
    const lineStart = runStartBefore(text, lineEnd);
    const line = lineEnd - lineStart;
    if (!fullLineWidth(line) || (widthKnown ? line !== width : line < width)) break;
    width = line;
    widthKnown = true;
    start = lineStart;
  }
  return end - start >= MIN_RUN ? start : undefined;
}

/**
 * The lines that continue a run ending at `end` when it is wrapped: each as wide as the first,
 * the last no wider. Returns where the last one ends and the run's characters without the breaks.
 */
function unwrap(text: string, start: number, end: number): { end: number; chars: string } {
  let chars = text.slice(start, end);
  const width = end - start;
  if (!fullLineWidth(width)) return { end, chars };
  for (let br = lineBreakAt(text, end); br > 0; br = lineBreakAt(text, end)) {
    const lineEnd = runEndAfter(text, end + br);
    const line = lineEnd - end - br;
    if (line === 0 || line > width) break;
    chars += text.slice(end + br, lineEnd);
    end = lineEnd;
    if (line < width) break;
  }
  return { end, chars };
}

/**
 * The base64 and hex runs of `text` (16 or more characters of the alphabet and padding) that
 * decode to text. Found by skipping ahead: a run of 16 holds every 16th position, so only those positions
 * are looked at until one is in the alphabet, and then only the word around it (ordinary prose
 * costs a few microseconds per 4 KB; a pattern with the same meaning cost 38).
 */
export function encodedRuns(text: string): EncodedRun[] {
  const runs: EncodedRun[] = [];
  const n = text.length;
  for (let i = MIN_RUN - 1; i < n;) {
    const code = text.charCodeAt(i);
    // a run of 14 or 15 and its padding is 16 characters too ("jo@acme.com", an SSN with its
    // dashes: 11 bytes, 15 characters and "="): the padding is looked at as well
    const padding = code === 0x3d /* = */ && i > 0 && inAlphabet(text.charCodeAt(i - 1));
    if (!padding && !inAlphabet(code)) {
      i += MIN_RUN;
      continue;
    }
    const start = runStartBefore(text, i);
    const lineEnd = padding ? i : runEndAfter(text, i + 1);
    // a word: too short with two padding characters, and for a wrapped run's full line (most
    // probes land in one: taking each out and testing it was half the cost over the bench's 4 KB
    // prompt, 5 µs against 2.5 timed alone)
    if (lineEnd - start + 2 < MIN_RUN) {
      i = lineEnd + MIN_RUN;
      continue;
    }
    // `base64` wraps its output: a value across two lines is in neither
    const { end, chars: run } = unwrap(text, start, lineEnd);
    i = end + MIN_RUN;
    // hex digits only: hex (a hash or an id decodes to binary and is dropped below)
    const hex = HEX.test(run);
    let padded = end;
    while (!hex && padded < n && padded - end < 2 && text.charCodeAt(padded) === 0x3d /* = */) padded++;
    if (run.length + (padded - end) < MIN_RUN) continue;
    // a length no encoder writes (one character past a group of four, an odd number of hex digits)
    if (hex ? run.length % 2 === 1 : run.length % 4 === 1) continue;
    const decoded = Buffer.from(run, hex ? 'hex' : 'base64').toString('utf8');
    if (decoded.length < 8 || BINARY.test(decoded) || !SOMETHING.test(decoded)) continue;
    runs.push({ start, end: padded, decoded });
  }
  return runs;
}

/** How many encodings deep a value is read: base64 of base64 of a key is still the key to a model. */
const MAX_DEPTH = 3;

/** What a detector finds in a text: the secret, PII or custom-rule findings. */
type FindIn = (text: string) => Finding[];

/**
 * What `find` finds inside the base64 and hex runs of `text`, its spelt-out runs
 * (spelled-values.ts) and its joined string literals (joined-literals.ts), and inside runs within
 * what those read as (up to three encodings deep). Each finding covers its outermost run (a
 * redaction replaces the run; a spelt-out or joined value, its own characters) and is read as the
 * value inside (`readAs`, which the event hashes). A run that one of `taken` overlaps (a finding
 * over the text as written: a JWT, whose segments are base64, is a secret whole) is left to it;
 * joined literals, only when one covers the whole chain.
 */
export function findingsInRuns(text: string, find: FindIn, taken: readonly Finding[] = [], depth = 1): Finding[] {
  if (text.length < MIN_RUN || depth > MAX_DEPTH) return [];
  const inside: Finding[] = [];
  const runs = [
    ...encodedRuns(text),
    ...spelledRuns(text),
    ...characterLists(text),
    ...joinedLiterals(text),
    ...wrappedTokens(text),
    ...transformedTokens(text),
  ];
  if (runs.length === 0) return inside;
  const takenSpans = spanIndex(taken);
  for (const run of runs) {
    if (run.readOverFindings ? takenSpans.covers(run.start, run.end) : takenSpans.overlaps(run.start, run.end)) continue;
    const direct = find(run.decoded);
    for (const f of run.flat ? direct : [...direct, ...findingsInRuns(run.decoded, find, direct, depth + 1)]) {
      const [start, end] = run.span?.(f.start, f.end) ?? [run.start, run.end];
      // a value inside one of the joined literals was found over the text already
      if (run.readOverFindings && takenSpans.covers(start, end)) continue;
      inside.push({ ...f, start, end, readAs: f.readAs ?? run.decoded.slice(f.start, f.end) });
    }
  }
  return inside;
}

function secretsAndPii(viewText: string): Finding[] {
  const secrets = detectSecrets(viewText);
  return [...secrets, ...detectPii(viewText, secrets)];
}

/**
 * The secret and PII findings over the detectors' view of a text (detection-view.ts), with those
 * inside its base64, hex and spelt-out runs (see findingsInRuns).
 */
export function detectSecretsAndPii(viewText: string): { secrets: Finding[]; pii: Finding[] } {
  const direct = secretsAndPii(viewText);
  const all = [...direct, ...findingsInRuns(viewText, secretsAndPii, direct)];
  return { secrets: all.filter((f) => f.detector === 'secret'), pii: all.filter((f) => f.detector !== 'secret') };
}
