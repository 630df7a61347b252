/**
 * Judging a text that is JSON: a tool call's arguments (a JSON string in OpenAI's formats, an
 * object in Anthropic's) or a tool's output. Detectors read the JSON text as a whole, so a
 * credential keeps its key beside it (`"password":"…"` is an assignment, a lone value often is
 * not) and the offsets of findings are those of the text as sent. Two things differ from plain
 * text:
 * - escapes: detectors read the decoded text, each escape sequence as the one character it
 *   stands for (`bob\u0040example.com` is an address; PHP's `https:\/\/user:pw@…` a URL with
 *   credentials; `\nbob@…` is bob after a line break, not `nbob@…`), and findings are mapped back
 *   to whole escape sequences in the text as sent. The values a finding stands for (its keyed
 *   hash, its placeholder's original, what a mask keeps) are the decoded ones too, so an address
 *   is the same value escaped or not;
 * - changes: a mask or placeholder may only replace characters inside one string, whole escape
 *   sequences included, and is written JSON-escaped, or the JSON would no longer parse. A finding
 *   that reaches outside its string is cut to the parts inside strings; one that covers a value
 *   outside any string (a card number written as a JSON number) cannot be replaced without
 *   changing what the arguments mean, so where the policy would change it, it blocks.
 *
 * The reader is incremental, so a streamed call is read as it arrives (stream.ts holds back
 * only its window); a whole text is one append.
 */
import type { FoundAction, ValueCodec } from '../../guardrails/engine/apply.js';
import type { DecodedView, StreamTextShape } from '../../guardrails/engine/stream.js';

type Span = readonly [start: number, end: number];

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '"': '"', '\\': '\\', '/': '/' };

/**
 * What an escape sequence stands for: one UTF-16 code unit (the two halves of a pair decode next
 * to each other, so an emoji written as two escapes reads as the emoji).
 */
function decodeEscape(sequence: string): string {
  if (sequence[1] !== 'u') return SIMPLE_ESCAPES[sequence[1] ?? ''] ?? ' ';
  const digits = sequence.slice(2);
  return /^[0-9a-fA-F]{4}$/.test(digits) ? String.fromCharCode(Number.parseInt(digits, 16)) : ' ';
}

/**
 * An escape sequence in the same-length view, which says where a stream may be cut: the
 * character it stands for, last, after padding that keeps a word whole (`ann\u0040example.org`
 * is one word there, as it is decoded) unless the character is a space or line break. Half of a
 * surrogate pair is padding too: its other half lies five characters away.
 */
function paddedEscape(sequence: string): string {
  const character = decodeEscape(sequence);
  if (/\s/.test(character)) return ' '.repeat(sequence.length - 1) + character;
  const code = character.charCodeAt(0);
  return '_'.repeat(sequence.length - 1) + (code >= 0xd800 && code <= 0xdfff ? '_' : character);
}

/** The index of the span among `spans` (sorted, disjoint) that holds offset `at`, or -1. */
function spanIndexAt(spans: readonly Span[], at: number): number {
  let low = 0;
  let high = spans.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const span = spans[middle]!;
    if (at < span[0]) high = middle - 1;
    else if (at >= span[1]) low = middle + 1;
    else return middle;
  }
  return -1;
}

/** The first span whose end lies after `at`. */
function firstEndingAfter(spans: readonly Span[], at: number): number {
  let low = 0;
  let high = spans.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (spans[middle]![1] <= at) low = middle + 1;
    else high = middle;
  }
  return low;
}

const SPECIAL_IN_STRING = /["\\]/g;

/**
 * What a change to a value outside any string becomes: a block for a tool call's arguments (see
 * above), a plain replacement for a tool's output, which the model only reads (it was replaced
 * the same way when tool output was read as plain text).
 */
export type BareValueChange = 'block' | 'replace';

export class JsonTextReader implements StreamTextShape {
  constructor(private readonly bareValues: BareValueChange = 'block') {}

  private raw = '';
  private read = '';
  /** How much of `raw` has been lexed: all but an escape sequence cut by the end of a chunk. */
  private lexed = 0;
  /** Where the string being read began, or -1 outside strings. */
  private openString = -1;
  /** The content of every closed string (between its quotes), in order. */
  private readonly strings: Span[] = [];
  /** Every escape sequence, in order. */
  private readonly escapes: Span[] = [];

  append(chunk: string): void {
    this.raw += chunk;
    const raw = this.raw;
    let at = this.lexed;
    let out = '';
    while (at < raw.length) {
      if (this.openString < 0) {
        const quote = raw.indexOf('"', at);
        const stop = quote < 0 ? raw.length : quote + 1;
        out += raw.slice(at, stop);
        if (quote >= 0) this.openString = stop;
        at = stop;
        continue;
      }
      SPECIAL_IN_STRING.lastIndex = at;
      const special = SPECIAL_IN_STRING.exec(raw)?.index ?? raw.length;
      out += raw.slice(at, special);
      at = special;
      if (at >= raw.length) break;
      if (raw[at] === '"') {
        this.strings.push([this.openString, at]);
        this.openString = -1;
        out += '"';
        at += 1;
        continue;
      }
      const length = raw[at + 1] === 'u' ? 6 : 2;
      if (at + length > raw.length) break; // the rest of the escape comes with the next chunk
      out += paddedEscape(raw.slice(at, at + length));
      this.escapes.push([at, at + length]);
      at += length;
    }
    this.read += out;
    this.lexed = at;
  }

  /**
   * [from, to) with each escape sequence as padding and then its character, so that offsets do
   * not move (where a stream may be cut), then padding for an escape not yet whole.
   */
  view(from: number, to: number): string {
    const lexedTo = Math.min(to, this.lexed);
    return this.read.slice(from, lexedTo) + '_'.repeat(Math.max(0, to - Math.max(from, lexedTo)));
  }

  /**
   * What detectors read for [from, to): each whole escape sequence decoded to its character, and
   * a way back to offsets in the text as sent (from `from`). An escape cut by `from` or `to`, or
   * not yet whole, reads as in the same-length view.
   */
  decoded(from: number, to: number): DecodedView {
    const first = firstEndingAfter(this.escapes, from);
    const escape = this.escapes[first];
    if (escape === undefined || escape[0] >= to) {
      const text = this.view(from, to);
      return { text, toStream: (found) => found };
    }
    let text = '';
    /** Where each character of `text` begins in [from, to), and `to - from` after the last. */
    const starts: number[] = [];
    let at = from;
    const copy = (end: number): void => {
      text += this.view(at, end);
      for (let i = at; i < end; i += 1) starts.push(i - from);
      at = end;
    };
    for (let i = first; i < this.escapes.length; i += 1) {
      const [start, end] = this.escapes[i]!;
      if (start >= to) break;
      if (start < from || end > to) continue; // cut: copied as the view has it
      copy(start);
      text += decodeEscape(this.raw.slice(start, end));
      starts.push(start - from);
      at = end;
    }
    copy(to);
    starts.push(to - from);
    return {
      text,
      toStream: (found) =>
        found.map((entry) => ({
          ...entry,
          finding: { ...entry.finding, start: starts[entry.finding.start]!, end: starts[entry.finding.end]! },
        })),
    };
  }

  /** The decoded value of [from, to): what a finding there stands for. */
  decode(from: number, to: number): string {
    return this.decoded(from, to).text;
  }

  /** Values read decoded and written escaped, at offsets from `origin`. */
  codecFrom(origin: number): ValueCodec {
    return { decode: (start, end) => this.decode(origin + start, origin + end), encode: (value) => this.encode(value) };
  }

  /** The view with JSON's punctuation and quotes outside strings as spaces: values end there. */
  breaks(from: number, to: number): string {
    const view = this.view(from, to);
    const punctuation = (part: string) => part.replace(/[{}[\],:"\s]/g, ' ');
    let out = '';
    let at = from;
    for (const [start, end] of this.piecesInStrings(from, to)) {
      out += punctuation(view.slice(at - from, start - from)) + view.slice(start - from, end - from);
      at = end;
    }
    return out + punctuation(view.slice(at - from));
  }

  /** The latest offset at or before `at` that splits no escape sequence and nothing still unread. */
  safeCut(at: number): number {
    const cut = Math.min(at, this.lexed);
    const inside = spanIndexAt(this.escapes, cut);
    return inside >= 0 && this.escapes[inside]![0] < cut ? this.escapes[inside]![0] : cut;
  }

  encode(original: string): string {
    return JSON.stringify(original).slice(1, -1);
  }

  /** The parts of [start, end) inside strings (the open one included). */
  private piecesInStrings(start: number, end: number): Span[] {
    const pieces: Span[] = [];
    for (let i = firstEndingAfter(this.strings, start); i < this.strings.length; i += 1) {
      const [from, to] = this.strings[i]!;
      if (from >= end) break;
      if (Math.max(start, from) < Math.min(end, to)) pieces.push([Math.max(start, from), Math.min(end, to)]);
    }
    if (this.openString >= 0 && end > this.openString) pieces.push([Math.max(start, this.openString), end]);
    return pieces;
  }

  /** Whether [start, end) holds a letter or digit outside every string: a number or literal. */
  private coversBareValue(start: number, end: number): boolean {
    let at = start;
    for (const [from, to] of this.piecesInStrings(start, end)) {
      if (/[\p{L}\p{N}]/u.test(this.raw.slice(at, from))) return true;
      at = to;
    }
    return /[\p{L}\p{N}]/u.test(this.raw.slice(at, end));
  }

  /**
   * Findings (offsets from `origin`, mapped back from the decoded view), made safe to apply to
   * the JSON text: a change is widened to whole escape sequences and kept inside strings (see
   * above). Findings that are only recorded or block are left as they are: nothing is written
   * for them.
   */
  fit(found: readonly FoundAction[], origin = 0): FoundAction[] {
    const fitted: FoundAction[] = [];
    for (const entry of found) {
      if (entry.action !== 'mask' && entry.action !== 'redact') {
        fitted.push(entry);
        continue;
      }
      let start = origin + entry.finding.start;
      let end = origin + entry.finding.end;
      const first = spanIndexAt(this.escapes, start);
      if (first >= 0) start = this.escapes[first]![0];
      const last = spanIndexAt(this.escapes, end - 1);
      if (last >= 0) end = this.escapes[last]![1];
      const at = (from: number, to: number) => ({ ...entry.finding, start: from - origin, end: to - origin });
      if (this.coversBareValue(start, end)) {
        fitted.push({ finding: at(start, end), action: this.bareValues === 'block' ? 'block' : entry.action });
        continue;
      }
      for (const [from, to] of this.piecesInStrings(start, end)) fitted.push({ finding: at(from, to), action: entry.action });
    }
    return fitted.sort((a, b) => a.finding.start - b.finding.start || b.finding.end - a.finding.end);
  }
}

/** A reader over a whole JSON text, or undefined when it does not parse (then it is judged as plain text). */
export function readJsonText(text: string, bareValues: BareValueChange = 'block'): JsonTextReader | undefined {
  try {
    JSON.parse(text);
  } catch {
    return undefined;
  }
  const reader = new JsonTextReader(bareValues);
  reader.append(text);
  return reader;
}
