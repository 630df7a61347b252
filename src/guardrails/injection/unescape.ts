/**
 * Escape sequences, read as the characters they stand for before the injection detector folds
 * the text: `\u0049`, `\u{49}`, `\x49`, HTML's `&#73;` and `&#x49;`, a URL's `%49` (byte
 * escapes as UTF-8: `%E5%BF%BD` is 忽). A model reads "Ignore%20all%20previous%20instructions"
 * or a sentence of `\uXXXX` as easily as plain text, and every cue missed it.
 *
 * Unlike base64 or rot13 (normalize.ts appends those decoded, as a sign of hiding), escapes are
 * how JSON from many programs, URLs and HTML write ordinary text too — an ASCII-only JSON tool
 * result, a search link — so they are read in place, like full-width letters: the escaped text
 * is judged as its plain form would be, no more suspicious for being escaped.
 *
 * Only runs of at least MIN_ESCAPES escapes, at most ESCAPE_GAP characters apart, are read: a
 * lone "50%" or "%20" in a path is left alone.
 */

const ESCAPE = /\\u\{[0-9a-fA-F]{1,6}\}|\\u[0-9a-fA-F]{4}|\\x[0-9a-fA-F]{2}|&#[xX][0-9a-fA-F]{1,6};|&#[0-9]{1,7};|%[0-9a-fA-F]{2}/g;
const MIN_ESCAPES = 4;
const ESCAPE_GAP = 24;

/** The text with its escape runs read, and for each of its characters the original [start, end). */
export type Unescaped = { text: string; starts: Int32Array; ends: Int32Array };

/** What one escape stands for: a byte (`%HH`, `\xHH`, decoded with its neighbours as UTF-8) or text. */
function escaped(escape: string): { byte: number } | { text: string } {
  const first = escape.charCodeAt(0);
  const second = escape.charCodeAt(1);
  // "%HH" or "\xHH"
  if (first === 0x25 || second === 0x78) return { byte: Number.parseInt(escape.slice(-2), 16) };
  let code: number;
  if (first === 0x26) {
    // "&#…;": hexadecimal after "&#x" or "&#X", else decimal
    const hex = (escape.charCodeAt(2) | 0x20) === 0x78;
    code = Number.parseInt(escape.slice(hex ? 3 : 2, -1), hex ? 16 : 10);
  } else code = Number.parseInt(escape.charCodeAt(2) === 0x7b ? escape.slice(3, -1) : escape.slice(2), 16); // "\u{…}" or "\uXXXX"
  if (code > 0x10ffff) return { text: ' ' };
  // Each half of a surrogate pair on its own: written one after the other, they make the pair.
  return { text: code >= 0xd800 && code <= 0xdfff ? String.fromCharCode(code) : String.fromCodePoint(code) };
}

/** Bytes as UTF-8 text; one ASCII byte, the usual case, without a Buffer. */
function utf8(bytes: readonly number[]): string {
  if (bytes.length === 1 && bytes[0]! < 0x80) return String.fromCharCode(bytes[0]!);
  return Buffer.from(bytes).toString('utf8');
}

type Escape = { start: number; end: number; text: string };

/** Runs of escapes worth reading: at least MIN_ESCAPES, each at most ESCAPE_GAP after the one before. */
function escapeRuns(text: string): Escape[][] {
  const runs: Escape[][] = [];
  let run: Escape[] = [];
  for (const m of text.matchAll(ESCAPE)) {
    const last = run.at(-1);
    if (last && (m.index - last.end > ESCAPE_GAP || /\s\s|\n/.test(text.slice(last.end, m.index)))) {
      if (run.length >= MIN_ESCAPES) runs.push(run);
      run = [];
    }
    run.push({ start: m.index, end: m.index + m[0].length, text: m[0] });
  }
  if (run.length >= MIN_ESCAPES) runs.push(run);
  return runs;
}

/** The text with its escape runs read, or undefined when it has none (the common case, checked cheaply). */
export function unescapeRuns(text: string): Unescaped | undefined {
  // `includes` first: a pattern scan costs ~10x a substring search over text without a "%"
  const percent = text.includes('%') && /%[0-9a-fA-F]{2}/.test(text);
  if (!percent && !text.includes('\\u') && !text.includes('\\x') && !text.includes('&#')) return undefined;
  const runs = escapeRuns(text);
  if (runs.length === 0) return undefined;
  // Reading never lengthens the text: an escape is longer than what it stands for.
  const starts = new Int32Array(text.length);
  const ends = new Int32Array(text.length);
  const pieces: string[] = [];
  let length = 0;
  const put = (piece: string, from: number, to: number) => {
    pieces.push(piece);
    starts.fill(from, length, length + piece.length);
    ends.fill(to, length, length + piece.length);
    length += piece.length;
  };
  /** Plain text keeps its own positions, one character each. */
  const putPlain = (from: number, to: number) => {
    if (to <= from) return;
    pieces.push(text.slice(from, to));
    for (let k = from; k < to; k += 1, length += 1) {
      starts[length] = k;
      ends[length] = k + 1;
    }
  };
  let at = 0;
  for (const run of runs) {
    let bytes: number[] = [];
    let bytesFrom = 0;
    let bytesTo = 0;
    const flush = () => {
      if (bytes.length > 0) put(utf8(bytes), bytesFrom, bytesTo);
      bytes = [];
    };
    for (const escape of run) {
      if (escape.start > at) {
        flush();
        putPlain(at, escape.start);
      }
      const one = escaped(escape.text);
      if ('byte' in one) {
        if (bytes.length === 0) bytesFrom = escape.start;
        bytes.push(one.byte);
        bytesTo = escape.end;
      } else {
        flush();
        put(one.text, escape.start, escape.end);
      }
      at = escape.end;
    }
    flush();
  }
  putPlain(at, text.length);
  return { text: pieces.join(''), starts: starts.subarray(0, length), ends: ends.subarray(0, length) };
}
