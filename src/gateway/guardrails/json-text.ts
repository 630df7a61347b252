/**
 * Judging a text that is JSON: a tool call's arguments (a JSON string in OpenAI's formats, an
 * object in Anthropic's). Detectors read the JSON text as a whole, so a credential keeps its key
 * beside it (`"password":"…"` is an assignment, a lone value often is not) and the offsets of
 * findings are those of the arguments as sent. Two things differ from plain text:
 * - escapes: detectors read a view in which each escape sequence is replaced by spaces and the
 *   character it stands for, last (`\nbob@example.com` is `bob@…` after a line break, not the
 *   address `nbob@…`), so offsets do not move;
 * - changes: a mask or placeholder may only replace characters inside one string, whole escape
 *   sequences included, or the JSON would no longer parse. A finding that reaches outside its
 *   string is cut to the parts inside strings; one that covers a value outside any string (a
 *   card number written as a JSON number) cannot be replaced without changing what the
 *   arguments mean, so where the policy would change it, it blocks.
 *
 * The reader is incremental, so a streamed call is read as it arrives (stream.ts holds back
 * only its window); a whole text is one append.
 */
import { MASK_KEEPS, type FoundAction } from '../../guardrails/engine/apply.js';
import type { StreamTextShape } from '../../guardrails/engine/stream.js';

type Span = readonly [start: number, end: number];

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '"': '"', '\\': '\\', '/': '/' };

/** What an escape sequence stands for, as detectors should read it. */
function escapedCharacter(sequence: string): string {
  if (sequence[1] !== 'u') return SIMPLE_ESCAPES[sequence[1] ?? ''] ?? ' ';
  const code = Number.parseInt(sequence.slice(2), 16);
  // Half of a surrogate pair reads as nothing useful on its own; a space keeps the boundary.
  return Number.isNaN(code) || (code >= 0xd800 && code <= 0xdfff) ? ' ' : String.fromCharCode(code);
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
      out += ' '.repeat(length - 1) + escapedCharacter(raw.slice(at, at + length));
      this.escapes.push([at, at + length]);
      at += length;
    }
    this.read += out;
    this.lexed = at;
  }

  /** What detectors read for [from, to): the lexed view, then spaces for an escape not yet whole. */
  view(from: number, to: number): string {
    const lexedTo = Math.min(to, this.lexed);
    return this.read.slice(from, lexedTo) + ' '.repeat(Math.max(0, to - Math.max(from, lexedTo)));
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

  /** A mask keeps its last characters as written: where they would begin inside an escape, a placeholder is used instead. */
  private maskCutsEscape(start: number, end: number): boolean {
    if (end - start <= MASK_KEEPS) return false;
    const inside = spanIndexAt(this.escapes, end - MASK_KEEPS);
    return inside >= 0 && this.escapes[inside]![0] < end - MASK_KEEPS;
  }

  /**
   * Findings made over the view (offsets from `origin`), made safe to apply to the JSON text: a
   * change is widened to whole escape sequences and kept inside strings (see above). Findings
   * that are only recorded or block are left as they are: nothing is written for them.
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
      for (const [from, to] of this.piecesInStrings(start, end)) {
        const action = entry.action === 'mask' && this.maskCutsEscape(from, to) ? 'redact' : entry.action;
        fitted.push({ finding: at(from, to), action });
      }
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
