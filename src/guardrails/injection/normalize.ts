/**
 * Normalisation for the injection detector. Attackers hide the same words behind zero-width
 * characters, look-alike letters from other scripts, full-width forms, leetspeak and encodings
 * (base64, hex, binary, rot13); the cue patterns and the model only ever look at one folded,
 * lower-cased copy of the text, and every character of that copy remembers which range of the
 * ORIGINAL text it came from, so findings point into what the caller gave us.
 *
 * Layout of the normalised text: the folded original first, then one `\n`-separated block per
 * decoded segment (its characters all map to the whole encoded segment in the original).
 */

export type DecodedSegment = {
  /** Where the decoded block starts / ends in the normalised text. */
  normStart: number;
  normEnd: number;
  /** The encoded run in the original text. */
  start: number;
  end: number;
  encoding: 'base64' | 'hex' | 'binary' | 'rot13' | 'morse';
};

export type Normalized = {
  /** Folded text: NFKC, no zero-width/bidi, confusables → Latin, lower case, leet folded, whitespace collapsed. */
  text: string;
  /** For normalised index i: the original [origStart[i], origEnd[i]). */
  origStart: Int32Array;
  origEnd: Int32Array;
  /** Length of the part that mirrors the original (decoded blocks follow it). */
  mainLength: number;
  decoded: DecodedSegment[];
  /** Invisible characters removed (zero-width, bidi controls, soft hyphen…). */
  invisibleCount: number;
  /** Letters that only matched after confusable (homoglyph) or leet folding. */
  confusableCount: number;
  leetCount: number;
};

/** Zero-width, joiners, bidi controls, soft hyphen, word joiner, BOM, Mongolian vowel separator, tag characters. */
function isInvisible(cp: number): boolean {
  return (
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2060 && cp <= 0x2064) ||
    (cp >= 0x2066 && cp <= 0x206f) ||
    cp === 0xfeff ||
    cp === 0x00ad ||
    cp === 0x180e ||
    cp === 0x034f ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    (cp >= 0xe0000 && cp <= 0xe007f)
  );
}

/**
 * A deliberately small confusables table (Unicode TR39 has thousands; these are the ones that
 * look like Latin letters in ordinary fonts and are what homoglyph attacks actually use).
 * Lower-case targets: the text is lower-cased anyway.
 */
const CONFUSABLES: ReadonlyMap<number, string> = new Map(
  (
    [
      // Cyrillic
      ['а', 'a'],
      ['в', 'b'],
      ['с', 'c'],
      ['е', 'e'],
      ['ё', 'e'],
      ['һ', 'h'],
      ['і', 'i'],
      ['ї', 'i'],
      ['ј', 'j'],
      ['к', 'k'],
      ['м', 'm'],
      ['н', 'h'],
      ['о', 'o'],
      ['р', 'p'],
      ['ԛ', 'q'],
      ['ѕ', 's'],
      ['т', 't'],
      ['у', 'y'],
      ['х', 'x'],
      ['ԝ', 'w'],
      ['ӏ', 'l'],
      ['ɡ', 'g'],
      ['ո', 'n'],
      ['ս', 'u'],
      ['ց', 'g'],
      ['հ', 'h'],
      ['օ', 'o'],
      ['ր', 'n'],
      ['А', 'a'],
      ['В', 'b'],
      ['С', 'c'],
      ['Е', 'e'],
      ['Н', 'h'],
      ['І', 'i'],
      ['Ј', 'j'],
      ['К', 'k'],
      ['М', 'm'],
      ['О', 'o'],
      ['Р', 'p'],
      ['Ѕ', 's'],
      ['Т', 't'],
      ['Х', 'x'],
      ['У', 'y'],
      ['Ԁ', 'd'],
      ['Ԍ', 'g'],
      ['Ү', 'y'],
      // Greek
      ['α', 'a'],
      ['ε', 'e'],
      ['ι', 'i'],
      ['κ', 'k'],
      ['ν', 'v'],
      ['ο', 'o'],
      ['ρ', 'p'],
      ['τ', 't'],
      ['υ', 'u'],
      ['χ', 'x'],
      ['Α', 'a'],
      ['Β', 'b'],
      ['Ε', 'e'],
      ['Η', 'h'],
      ['Ι', 'i'],
      ['Κ', 'k'],
      ['Μ', 'm'],
      ['Ν', 'n'],
      ['Ο', 'o'],
      ['Ρ', 'p'],
      ['Τ', 't'],
      ['Υ', 'y'],
      ['Χ', 'x'],
      ['Ζ', 'z'],
      // Latin look-alikes outside ASCII that NFKC keeps
      ['ı', 'i'],
      ['ȷ', 'j'],
      ['ℓ', 'l'],
      ['ſ', 's'],
      ['ɑ', 'a'],
      ['ɩ', 'i'],
      ['ʏ', 'y'],
      ['ᴀ', 'a'],
      ['ʙ', 'b'],
      ['ᴄ', 'c'],
      ['ᴅ', 'd'],
      ['ᴇ', 'e'],
      ['ɢ', 'g'],
      ['ʜ', 'h'],
      ['ɪ', 'i'],
      ['ᴊ', 'j'],
      ['ᴋ', 'k'],
      ['ʟ', 'l'],
      ['ᴍ', 'm'],
      ['ɴ', 'n'],
      ['ᴏ', 'o'],
      ['ᴘ', 'p'],
      ['ʀ', 'r'],
      ['ꜱ', 's'],
      ['ᴛ', 't'],
      ['ᴜ', 'u'],
      ['ᴠ', 'v'],
      ['ᴡ', 'w'],
      ['ᴢ', 'z'],
    ] as const
  ).map(([from, to]) => [from.codePointAt(0) ?? 0, to]),
);

/** Leetspeak digits/symbols, folded only when they sit inside a word (so "2024" and "$5" survive). */
const LEET: Readonly<Record<string, string>> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '@': 'a',
  $: 's',
  '!': 'i',
  '|': 'l',
};

function isAsciiLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

function isAsciiAlnum(c: number): boolean {
  return isAsciiLetter(c) || (c >= 48 && c <= 57);
}

/**
 * The end of the letters-and-digits run around `at` when that run is opaque — 12 characters or
 * more mixing letters and digits, like a key, a hash or an id — else -1. Leetspeak is words
 * ("1gn0r3"); folding the digits of "q8Zr3LmP0x…" into letters would make every token look like it.
 */
function opaqueRunEnd(text: string, at: number): number {
  let start = at;
  while (start > 0 && isAsciiAlnum(text.charCodeAt(start - 1))) start--;
  let end = at + 1;
  while (end < text.length && isAsciiAlnum(text.charCodeAt(end))) end++;
  if (end - start < 12) return -1;
  let digits = 0;
  for (let k = start; k < end; k++) if (text.charCodeAt(k) <= 57) digits++;
  return digits > 0 && digits < end - start ? end : -1;
}

const COMBINING = /\p{M}/gu;

/** Per-code-point fold of a non-ASCII character (cached: the same few characters recur). */
const foldCache = new Map<number, string>();
function foldNonAscii(cp: number): { out: string; confusable: boolean } {
  const conf = CONFUSABLES.get(cp);
  if (conf !== undefined) return { out: conf, confusable: true };
  let out = foldCache.get(cp);
  if (out === undefined) {
    // NFKC folds full-width, math alphanumerics, ligatures, circled letters; NFD + mark removal
    // then strips accents so "ignorá" and "ignora" match the same cue.
    const nfkc = String.fromCodePoint(cp).normalize('NFKC');
    let folded = '';
    for (const ch of nfkc) {
      const c2 = ch.codePointAt(0) ?? 0;
      const conf2 = CONFUSABLES.get(c2);
      folded += conf2 ?? ch;
    }
    out = folded.normalize('NFD').replace(COMBINING, '').toLowerCase();
    if (out === '' && nfkc !== '') out = ' ';
    if (foldCache.size < 4096) foldCache.set(cp, out);
  }
  return { out, confusable: false };
}

/** Growable typed arrays: one UTF-16 code unit of output and its original range per slot. */
class Builder {
  codes: Uint16Array;
  starts: Int32Array;
  ends: Int32Array;
  length = 0;
  constructor(capacity: number) {
    this.codes = new Uint16Array(capacity);
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
  }
  private grow(): void {
    const cap = this.codes.length * 2 + 16;
    const codes = new Uint16Array(cap);
    codes.set(this.codes);
    const starts = new Int32Array(cap);
    starts.set(this.starts);
    const ends = new Int32Array(cap);
    ends.set(this.ends);
    this.codes = codes;
    this.starts = starts;
    this.ends = ends;
  }
  pushCode(c: number, start: number, end: number): void {
    if (this.length === this.codes.length) this.grow();
    this.codes[this.length] = c;
    this.starts[this.length] = start;
    this.ends[this.length] = end;
    this.length++;
  }
  push(s: string, start: number, end: number): void {
    for (let k = 0; k < s.length; k++) this.pushCode(s.charCodeAt(k), start, end);
  }
  last(): number {
    return this.length > 0 ? (this.codes[this.length - 1] ?? 0) : 10;
  }
}

const UTF16 = new TextDecoder('utf-16le');

/** Folds `text` (positions offset by `base`, or all mapped to one segment) into the builder. */
function foldInto(
  b: Builder,
  text: string,
  segment: { start: number; end: number } | null,
  counts: { inv: number; conf: number; leet: number },
): void {
  let lastWasSpace = b.last() === 10 || b.last() === 32;
  let prevLetter = false;
  /** Characters before this index belong to an opaque run: no leet folding there. */
  let opaqueUntil = -1;
  const n = text.length;
  for (let i = 0; i < n;) {
    const cp = text.codePointAt(i) ?? 0;
    if (cp >= 97 && cp <= 122 && segment === null) {
      // fast path: a lower-case ASCII letter in the main text (most of any prompt)
      b.pushCode(cp, i, i + 1);
      i++;
      lastWasSpace = false;
      prevLetter = true;
      continue;
    }
    const size = cp > 0xffff ? 2 : 1;
    const s = segment ? segment.start : i;
    const e = segment ? segment.end : i + size;
    i += size;
    if (cp < 128) {
      // whitespace: collapse runs, keep a line break if the run had one (line-start cues need it)
      if (cp === 32 || cp === 9 || cp === 10 || cp === 13 || cp === 12 || cp === 11) {
        const nl = cp === 10 || cp === 13;
        if (lastWasSpace) {
          if (nl && b.length > 0 && b.codes[b.length - 1] === 32) b.codes[b.length - 1] = 10;
          if (!segment && b.length > 0) b.ends[b.length - 1] = e;
        } else b.pushCode(nl ? 10 : 32, s, e);
        lastWasSpace = true;
        prevLetter = false;
        continue;
      }
      lastWasSpace = false;
      if (isAsciiLetter(cp)) {
        b.pushCode(cp | 0x20, s, e);
        prevLetter = true;
        continue;
      }
      const ch = String.fromCharCode(cp);
      const leet = LEET[ch];
      if (leet !== undefined) {
        const next = i < n ? text.charCodeAt(i) : 0;
        // inside a word: a letter on either side ("1gn0re", "h4ck"), but not "$5" or "2024"
        const nextLetter = isAsciiLetter(next);
        // '!' and '|' end sentences and separate cells: only inside a word ("h!gh"), never at its edge
        const inWord = ch === '!' || ch === '|' ? prevLetter && nextLetter : prevLetter || nextLetter;
        // digits are checked for an opaque run once per run (the run's end is remembered)
        const opaque =
          cp >= 48 && cp <= 57 && inWord && (i - size < opaqueUntil || (opaqueUntil = opaqueRunEnd(text, i - size)) > i - size);
        if (inWord && !opaque) {
          b.push(leet, s, e);
          counts.leet++;
          prevLetter = true;
          continue;
        }
      }
      b.pushCode(cp, s, e);
      prevLetter = false;
      continue;
    }
    if (isInvisible(cp)) {
      counts.inv++;
      // the removed character joins the previous output character's range (so spans cover it)
      if (!segment && b.length > 0) b.ends[b.length - 1] = e;
      continue;
    }
    if (cp === 0x85 || cp === 0xa0 || cp === 0x2028 || cp === 0x2029 || (cp >= 0x2000 && cp <= 0x200a) || cp === 0x3000 || cp === 0x202f) {
      if (!lastWasSpace) b.pushCode(32, s, e);
      lastWasSpace = true;
      prevLetter = false;
      continue;
    }
    const { out, confusable } = foldNonAscii(cp);
    if (confusable) counts.conf++;
    b.push(out, s, e);
    lastWasSpace = out === ' ';
    prevLetter = out.length > 0 && isAsciiLetter(out.charCodeAt(out.length - 1));
  }
}

// ---------------------------------------------------------------- decoders

/** Readable = mostly printable ASCII letters/spaces with a few words; random bytes fail this. */
function readable(s: string): boolean {
  if (s.length < 8) return false;
  let letters = 0;
  let spaces = 0;
  let bad = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isAsciiLetter(c)) letters++;
    else if (c === 32) spaces++;
    else if (c < 32 && c !== 10 && c !== 13 && c !== 9) bad++;
    else if (c > 126) bad++;
  }
  return bad === 0 && spaces >= 1 && letters / s.length >= 0.6;
}

/** Per ASCII code: 0 not base64; bit 1 base64; bit 2 hex digit; bit 4 upper; bit 8 lower. */
const B64_CLASS = (() => {
  const t = new Uint8Array(128);
  for (let c = 0; c < 128; c++) {
    const upper = c >= 65 && c <= 90;
    const lower = c >= 97 && c <= 122;
    const digit = c >= 48 && c <= 57;
    if (!(upper || lower || digit || c === 43 || c === 47 || c === 95 || c === 45)) continue;
    t[c] = 1 | (digit || (c >= 97 && c <= 102) || (c >= 65 && c <= 70) ? 2 : 0) | (upper ? 4 : 0) | (lower ? 8 : 0);
  }
  return t;
})();
const b64Class = (c: number): number => (c < 128 ? (B64_CLASS[c] ?? 0) : 0);
const SPACED_HEX_RUN = /\b[0-9a-fA-F]{2}(?: [0-9a-fA-F]{2}){7,}\b/g;
const BINARY_RUN = /\b[01]{8}(?:\s[01]{8}){5,}\b/g;
const LETTER_RUN = /[A-Za-z][A-Za-z ,.'?!:]{14,}/g;
/** Frequent English words and their rot13 forms: a run with more of the latter is rot13. */
const EN_WORDS = new Set(['the', 'and', 'you', 'to', 'is', 'of', 'your', 'what', 'all', 'are', 'in', 'it', 'that', 'this', 'me']);
const ROT13_WORDS = new Set([...EN_WORDS].map((w) => rot13(w)));

const ROT13_GATE = /\b(?:gur|naq|lbh|lbhe|jung|gung|guvf)\b/i;

/** Morse code: at least six letters of dots and dashes separated by spaces, words by `/` or `|`. */
const MORSE_RUN = /(?<![.\-\w])[.-]{1,6}(?:(?: ?[/|] ?| {1,3})[.-]{1,6}){5,}(?![.\-\w])/g;
const MORSE: ReadonlyMap<string, string> = new Map(
  Object.entries({
    a: '.-',
    b: '-...',
    c: '-.-.',
    d: '-..',
    e: '.',
    f: '..-.',
    g: '--.',
    h: '....',
    i: '..',
    j: '.---',
    k: '-.-',
    l: '.-..',
    m: '--',
    n: '-.',
    o: '---',
    p: '.--.',
    q: '--.-',
    r: '.-.',
    s: '...',
    t: '-',
    u: '..-',
    v: '...-',
    w: '.--',
    x: '-..-',
    y: '-.--',
    z: '--..',
    '0': '-----',
    '1': '.----',
    '2': '..---',
    '3': '...--',
    '4': '....-',
    '5': '.....',
    '6': '-....',
    '7': '--...',
    '8': '---..',
    '9': '----.',
  }).map(([ch, code]) => [code, ch]),
);

function decodeMorse(run: string): string {
  let out = '';
  for (const word of run.split(/ ?[/|] ?| {3}/)) {
    if (out !== '') out += ' ';
    for (const code of word.split(' ')) if (code !== '') out += MORSE.get(code) ?? '?';
  }
  return out;
}

function rot13(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 97 && c <= 122) out += String.fromCharCode(((c - 97 + 13) % 26) + 97);
    else if (c >= 65 && c <= 90) out += String.fromCharCode(((c - 65 + 13) % 26) + 65);
    else out += s[i];
  }
  return out;
}

type RawDecoded = { start: number; end: number; text: string; encoding: DecodedSegment['encoding'] };

function findEncoded(text: string): RawDecoded[] {
  const found: RawDecoded[] = [];
  // base64 and unspaced hex: one hand-written pass over runs of base64-alphabet characters (a
  // regex like /[A-Za-z0-9+/]{16,}/ retries at every position inside every word: ~50x slower)
  const n = text.length;
  for (let i = 0; i < n;) {
    if (b64Class(text.charCodeAt(i)) === 0) {
      i++;
      continue;
    }
    const start = i;
    let all = 15;
    let any = 0;
    let k: number;
    while (i < n && (k = b64Class(text.charCodeAt(i))) !== 0) {
      all &= k;
      any |= k;
      i++;
    }
    // a word: most runs are far shorter than an encoded payload
    if (i - start < 14) continue;
    const upper = (any & 4) !== 0;
    const lower = (any & 8) !== 0;
    const hexOnly = (all & 2) !== 0;
    let end = i;
    while (end < n && end - i < 2 && text.charCodeAt(end) === 61) end++;
    if (end - start < 16) continue;
    const run = text.slice(start, end);
    if (hexOnly && (i - start) % 2 === 0) {
      const decoded = Buffer.from(run, 'hex').toString('latin1');
      if (readable(decoded)) found.push({ start, end: i, text: decoded, encoding: 'hex' });
    } else if (upper && lower) {
      // both cases: a long plain word or snake_case identifier is not base64
      const decoded = Buffer.from(run.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('latin1');
      if (readable(decoded)) found.push({ start, end, text: decoded, encoding: 'base64' });
    }
    i = end;
  }
  for (const m of text.matchAll(SPACED_HEX_RUN)) {
    const decoded = Buffer.from(m[0].replace(/\s/g, ''), 'hex').toString('latin1');
    if (readable(decoded)) found.push({ start: m.index, end: m.index + m[0].length, text: decoded, encoding: 'hex' });
  }
  for (const m of text.matchAll(BINARY_RUN)) {
    let decoded = '';
    for (const byte of m[0].split(/\s/)) decoded += String.fromCharCode(parseInt(byte, 2));
    if (readable(decoded)) found.push({ start: m.index, end: m.index + m[0].length, text: decoded, encoding: 'binary' });
  }
  if (text.includes('.-') || text.includes('-.')) {
    for (const m of text.matchAll(MORSE_RUN)) {
      const decoded = decodeMorse(m[0]);
      if (readable(decoded)) found.push({ start: m.index, end: m.index + m[0].length, text: decoded, encoding: 'morse' });
    }
  }
  // rot13 only when a rot13 form of a frequent word is there at all (one cheap test)
  if (!ROT13_GATE.test(text)) return found;
  for (const m of text.matchAll(LETTER_RUN)) {
    let en = 0;
    let r13 = 0;
    for (const w of m[0].toLowerCase().split(/[^a-z]+/)) {
      if (EN_WORDS.has(w)) en++;
      if (ROT13_WORDS.has(w)) r13++;
    }
    if (r13 >= 2 && r13 > en) found.push({ start: m.index, end: m.index + m[0].length, text: rot13(m[0]), encoding: 'rot13' });
  }
  return found;
}

export function normalize(text: string): Normalized {
  const b = new Builder(text.length + 16);
  const counts = { inv: 0, conf: 0, leet: 0 };
  foldInto(b, text, null, counts);
  const mainLength = b.length;
  const decoded: DecodedSegment[] = [];
  // cheap gate: encodings need a long run without spaces, or rot13 words
  for (const seg of findEncoded(text)) {
    b.pushCode(10, seg.start, seg.end);
    const normStart = b.length;
    foldInto(b, seg.text, seg, { inv: 0, conf: 0, leet: 0 });
    decoded.push({ normStart, normEnd: b.length, start: seg.start, end: seg.end, encoding: seg.encoding });
  }
  return {
    text: UTF16.decode(b.codes.subarray(0, b.length)),
    origStart: b.starts.subarray(0, b.length),
    origEnd: b.ends.subarray(0, b.length),
    mainLength,
    decoded,
    invisibleCount: counts.inv,
    confusableCount: counts.conf,
    leetCount: counts.leet,
  };
}

/** Maps a normalised span [a, b) back to the original text. */
export function toOriginal(n: Normalized, a: number, b: number): { start: number; end: number } {
  if (n.text.length === 0) return { start: 0, end: 0 };
  const lo = Math.max(0, Math.min(a, n.text.length - 1));
  const hi = Math.max(lo, Math.min(b, n.text.length) - 1);
  return { start: n.origStart[lo] ?? 0, end: n.origEnd[hi] ?? 0 };
}
