/**
 * Normalisation for the injection detector. Attackers hide the same words behind zero-width
 * characters, look-alike letters from other scripts, full-width forms, leetspeak and encodings
 * (base64, hex, binary, rot13) or escape sequences (`\u0049`, `&#73;`, `%49`: read in place, see
 * unescape.ts); the cue patterns and the model only ever look at one folded,
 * lower-cased copy of the text, and every character of that copy remembers which range of the
 * ORIGINAL text it came from, so findings point into what the caller gave us.
 *
 * Layout of the normalised text: the folded original first, then one `\n`-separated block per
 * decoded segment (its characters all map to the whole encoded segment in the original).
 */

import {
  decodeBase32,
  decodeBase85Run,
  type Encoding,
  hiddenRuns,
  isAsciiLetter,
  natoRuns,
  nonAsciiRuns,
  type RawDecoded,
  readable,
  substitutionRuns,
  uuRuns,
} from './decoders.js';
import { unescapeRuns, type Unescaped } from './unescape.js';

export type DecodedSegment = {
  /** Where the decoded block starts / ends in the normalised text. */
  normStart: number;
  normEnd: number;
  /** The encoded run in the original text. */
  start: number;
  end: number;
  encoding: Encoding;
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

/**
 * Zero-width, joiners, bidi controls, soft hyphen, word joiner and invisible operators, BOM,
 * Mongolian vowel separator, variation selectors, tag characters. Text written in the last three
 * and in the invisible operators is read by hiddenRuns (decoders.ts).
 */
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
    (cp >= 0xe0000 && cp <= 0xe007f) ||
    (cp >= 0xe0100 && cp <= 0xe01ef)
  );
}

/**
 * Combining marks of the generic blocks (accents, overlays, enclosing marks): decoration on a
 * letter, never a letter. Dropped like invisible characters, so "café" written decomposed
 * (e + U+0301) and zalgo text (letters buried under stacked marks) read as their letters. Before,
 * a mark NFKC could not compose with the letter before it became a space, which split every word
 * of such text into single letters. Marks of particular scripts (Devanagari vowel signs…) are
 * parts of their letters and are left to the per-character fold.
 */
function isCombiningMark(cp: number): boolean {
  return (
    (cp >= 0x0300 && cp <= 0x036f) ||
    (cp >= 0x1ab0 && cp <= 0x1aff) ||
    (cp >= 0x1dc0 && cp <= 0x1dff) ||
    (cp >= 0x20d0 && cp <= 0x20ff) ||
    (cp >= 0xfe20 && cp <= 0xfe2f)
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
      ['Ս', 'u'],
      // Cherokee letters that "fancy text" generators put for Latin ones; their lower-case
      // Cherokee forms (U+AB70–ABBF), which the folding's lower-casing makes, are added below
      ['Ꭺ', 'a'],
      ['Ᏼ', 'b'],
      ['Ꮯ', 'c'],
      ['Ꭰ', 'd'],
      ['Ꭼ', 'e'],
      ['Ꮐ', 'g'],
      ['Ꮋ', 'h'],
      ['Ꭵ', 'i'],
      ['Ꭻ', 'j'],
      ['Ꮶ', 'k'],
      ['Ꮮ', 'l'],
      ['Ꮇ', 'm'],
      ['Ꮎ', 'o'],
      ['Ꮻ', 'o'],
      ['Ꮲ', 'p'],
      ['Ꭱ', 'r'],
      ['Ꮢ', 'r'],
      ['Ꮪ', 's'],
      ['Ꭲ', 't'],
      ['Ꮖ', 't'],
      ['Ꮩ', 'v'],
      ['Ꮃ', 'w'],
      ['Ꭹ', 'y'],
      ['Ꮍ', 'y'],
      ['Ꮓ', 'z'],
    ] as const
  ).flatMap(([from, to]) => {
    const cp = from.codePointAt(0) ?? 0;
    const lower = from.toLowerCase().codePointAt(0) ?? cp;
    return cp >= 0x13a0 && cp <= 0x13ff && lower !== cp ? [[cp, to] as const, [lower, to] as const] : [[cp, to] as const];
  }),
);

/**
 * Letters in enclosures NFKC keeps (or turns into "(a)"): negative circled and negative squared
 * capitals (🅐, 🅰) and parenthesised small letters (⒜), what "fancy text" generators write.
 * Read as their letters, like a look-alike.
 */
function enclosedLetter(cp: number): string | undefined {
  if (cp >= 0x1f150 && cp <= 0x1f169) return String.fromCharCode(97 + cp - 0x1f150);
  if (cp >= 0x1f170 && cp <= 0x1f189) return String.fromCharCode(97 + cp - 0x1f170);
  if (cp >= 0x249c && cp <= 0x24b5) return String.fromCharCode(97 + cp - 0x249c);
  return undefined;
}

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

/** opaqueRunEnd over code units (the main text's copy, see inputCodes). */
function opaqueRunEndCodes(u: Uint16Array, n: number, at: number): number {
  let start = at;
  while (start > 0 && isAsciiAlnum(u[start - 1]!)) start--;
  let end = at + 1;
  while (end < n && isAsciiAlnum(u[end]!)) end++;
  if (end - start < 12) return -1;
  let digits = 0;
  for (let k = start; k < end; k++) if (u[k]! <= 57) digits++;
  return digits > 0 && digits < end - start ? end : -1;
}

const COMBINING = /\p{M}/gu;

/**
 * Typographic quotes as their ASCII forms: "I’ll" and "user’s" must tokenise like "I'll" and
 * "user's" (a curly apostrophe is not ASCII, so it would glue "i’ll" into one word and hide the
 * trigger "i" from every cue). Not confusables: they are what word processors and phones type.
 */
const TYPOGRAPHIC: ReadonlyMap<number, string> = new Map([
  [0x2018, "'"],
  [0x2019, "'"],
  [0x201b, "'"],
  [0x02bc, "'"],
  [0x2032, "'"],
  [0x201c, '"'],
  [0x201d, '"'],
  [0x201e, '"'],
  [0x201f, '"'],
  [0x2033, '"'],
]);

/** Per-code-point fold of a non-ASCII character (cached: the same few characters recur). */
const foldCache = new Map<number, string>();
function foldNonAscii(cp: number): { out: string; confusable: boolean } {
  const conf = CONFUSABLES.get(cp) ?? enclosedLetter(cp);
  if (conf !== undefined) return { out: conf, confusable: true };
  const typographic = TYPOGRAPHIC.get(cp);
  if (typographic !== undefined) return { out: typographic, confusable: false };
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
  /** Some output code unit is outside ASCII (only folded non-ASCII characters can be). */
  nonAscii = false;
  /** Some output code unit is a surrogate (the decoded text may differ there: a lone one becomes U+FFFD). */
  surrogates = false;
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
    for (let k = 0; k < s.length; k++) {
      const c = s.charCodeAt(k);
      if (c > 127) {
        this.nonAscii = true;
        if (c >= 0xd800 && c <= 0xdfff) this.surrogates = true;
      }
      this.pushCode(c, start, end);
    }
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
    if (isCombiningMark(cp)) {
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

/** ASCII classes for foldMain: a lower-case letter, an upper-case letter, whitespace, a leet character, anything else. */
const F_OTHER = 0;
const F_LOWER = 1;
const F_UPPER = 2;
const F_SPACE = 3;
const F_LEET = 4;
const FOLD_CLASS = (() => {
  const t = new Uint8Array(128);
  for (let c = 0; c < 128; c++) {
    const ch = String.fromCharCode(c);
    if (c >= 97 && c <= 122) t[c] = F_LOWER;
    else if (c >= 65 && c <= 90) t[c] = F_UPPER;
    else if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11) t[c] = F_SPACE;
    else if (LEET[ch] !== undefined) t[c] = F_LEET;
    else t[c] = F_OTHER;
  }
  return t;
})();
/** LEET by code (0 where there is none). */
const LEET_CODE = (() => {
  const t = new Uint8Array(128);
  for (const [from, to] of Object.entries(LEET)) t[from.charCodeAt(0)] = to.charCodeAt(0);
  return t;
})();

/** Scratch for the folded code units (module level: every call is synchronous; see codeScratch). */
let foldScratch = new Uint16Array(4096 + 16);
/** Scratch arrays larger than this are not kept between calls (a 1 MB text gets its own). */
const SCRATCH_KEEP = 1 << 17;
/** A Uint16Array of at least `capacity` slots whose first `keep` slots are those of `from`. */
function codeScratch(capacity: number, from: Uint16Array, keep: number): Uint16Array {
  if (from.length >= capacity) return from;
  const codes = new Uint16Array(Math.max(capacity, from.length * 2));
  codes.set(from.subarray(0, keep));
  if (codes.length <= SCRATCH_KEEP) foldScratch = codes;
  return codes;
}

/** What foldMain reports besides the counts. */
export type MainStats = {
  /** Upper-case and all ASCII letters among the first LETTER_WINDOW characters of the original (a model feature). */
  upper: number;
  letters: number;
  /** Some folded code unit is outside ASCII / is a surrogate. */
  nonAscii: boolean;
  surrogates: boolean;
  /** Folded length of the main text. */
  length: number;
};
const LETTER_WINDOW = 4000;

/**
 * The folded code units of the main text, as foldInto(b, text, null, counts) writes them into an
 * empty builder: the one pass over every character of every request, written for speed. The
 * original ranges are written only when `ranges` is given (the second pass of originalRanges,
 * for a text that is reported). Plain ASCII writes at most one slot per character, so the
 * capacity is checked only where a non-ASCII character folds to more code units than it had.
 * Returns the codes (foldScratch, or a fresh array in the ranges pass) and sets `stats.length`;
 * `ranges` gets the (possibly grown) range arrays.
 */
function foldMain(
  u: Uint16Array,
  n: number,
  counts: { inv: number; conf: number; leet: number },
  stats: MainStats,
  ranges: Ranges | null,
): Uint16Array {
  // the ranges pass (see originalRanges) keeps its codes to itself: the scratch is the features'
  let codes = ranges === null ? codeScratch(n + 16, foldScratch, 0) : new Uint16Array(n + 16);
  let starts = ranges?.starts ?? EMPTY_RANGE;
  let ends = ranges?.ends ?? EMPTY_RANGE;
  const withRanges = ranges !== null;
  let len = 0;
  let lastWasSpace = true;
  let prevLetter = false;
  /** Characters before this index belong to an opaque run: no leet folding there. */
  let opaqueUntil = -1;
  let upper = 0;
  let letters = 0;
  let i = 0;
  while (i < n) {
    let cp = u[i]!;
    if (cp < 128) {
      const k = FOLD_CLASS[cp]!;
      if (k === F_LOWER) {
        // a run of lower-case ASCII letters (most of any prompt)
        const from = i;
        if (withRanges) {
          do {
            starts[len] = i;
            ends[len] = i + 1;
            codes[len++] = cp;
          } while (++i < n && (cp = u[i]!) >= 97 && cp <= 122);
        } else {
          do codes[len++] = cp;
          while (++i < n && (cp = u[i]!) >= 97 && cp <= 122);
        }
        if (from < LETTER_WINDOW) letters += Math.min(i, LETTER_WINDOW) - from;
        lastWasSpace = false;
        prevLetter = true;
        continue;
      }
      if (k === F_SPACE) {
        // whitespace: collapse runs, keep a line break if the run had one (line-start cues need it)
        const nl = cp === 10 || cp === 13;
        if (!lastWasSpace) {
          if (withRanges) {
            starts[len] = i;
            ends[len] = i + 1;
          }
          codes[len++] = nl ? 10 : 32;
        } else if (len > 0) {
          if (nl && codes[len - 1] === 32) codes[len - 1] = 10;
          if (withRanges) ends[len - 1] = i + 1;
        }
        i++;
        lastWasSpace = true;
        prevLetter = false;
        continue;
      }
      lastWasSpace = false;
      let out = cp;
      if (k === F_UPPER) {
        out = cp | 0x20;
        prevLetter = true;
        if (i < LETTER_WINDOW) {
          upper++;
          letters++;
        }
      } else if (k === F_LEET) {
        const next = i + 1 < n ? u[i + 1]! : 0;
        // inside a word: a letter on either side ("1gn0re", "h4ck"), but not "$5" or "2024"
        const nextLetter = (next >= 97 && next <= 122) || (next >= 65 && next <= 90);
        // '!' and '|' end sentences and separate cells: only inside a word ("h!gh"), never at its edge
        const inWord = cp === 33 || cp === 124 ? prevLetter && nextLetter : prevLetter || nextLetter;
        // digits are checked for an opaque run once per run (the run's end is remembered)
        const opaque = cp >= 48 && cp <= 57 && inWord && (i < opaqueUntil || (opaqueUntil = opaqueRunEndCodes(u, n, i)) > i);
        if (inWord && !opaque) {
          out = LEET_CODE[cp]!;
          counts.leet++;
          prevLetter = true;
        } else prevLetter = false;
      } else prevLetter = false;
      if (withRanges) {
        starts[len] = i;
        ends[len] = i + 1;
      }
      codes[len++] = out;
      i++;
      continue;
    }
    // non-ASCII: the code point (a lone surrogate stays itself, as codePointAt gives it)
    let size = 1;
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < n) {
      const lo = u[i + 1]!;
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = (cp - 0xd800) * 0x400 + (lo - 0xdc00) + 0x10000;
        size = 2;
      }
    }
    const s = i;
    i += size;
    if (isInvisible(cp)) {
      counts.inv++;
      // the removed character joins the previous output character's range (so spans cover it)
      if (withRanges && len > 0) ends[len - 1] = i;
      continue;
    }
    if (isCombiningMark(cp)) {
      if (withRanges && len > 0) ends[len - 1] = i;
      continue;
    }
    if (cp === 0x85 || cp === 0xa0 || cp === 0x2028 || cp === 0x2029 || (cp >= 0x2000 && cp <= 0x200a) || cp === 0x3000 || cp === 0x202f) {
      if (!lastWasSpace) {
        if (withRanges) {
          starts[len] = s;
          ends[len] = i;
        }
        codes[len++] = 32;
      }
      lastWasSpace = true;
      prevLetter = false;
      continue;
    }
    const { out, confusable } = foldNonAscii(cp);
    if (confusable) counts.conf++;
    if (out.length > size) {
      const need = len + out.length + (n - i) + 16;
      if (!withRanges) codes = codeScratch(need, codes, len);
      else if (codes.length < need) {
        const cap = Math.max(need, codes.length * 2);
        codes = grown(codes, new Uint16Array(cap), len);
        starts = grown(starts, new Int32Array(cap), len);
        ends = grown(ends, new Int32Array(cap), len);
      }
    }
    for (let k = 0; k < out.length; k++) {
      const c = out.charCodeAt(k);
      if (c > 127) {
        stats.nonAscii = true;
        if (c >= 0xd800 && c <= 0xdfff) stats.surrogates = true;
      }
      if (withRanges) {
        starts[len] = s;
        ends[len] = i;
      }
      codes[len++] = c;
    }
    lastWasSpace = out === ' ';
    prevLetter = out.length > 0 && isAsciiLetter(out.charCodeAt(out.length - 1));
  }
  stats.upper = upper;
  stats.letters = letters;
  stats.length = len;
  if (ranges !== null) {
    ranges.starts = starts;
    ranges.ends = ends;
  }
  return codes;
}

type Ranges = { starts: Int32Array; ends: Int32Array };
const EMPTY_RANGE = new Int32Array(0);
function grown<T extends Uint16Array | Int32Array>(from: T, to: T, keep: number): T {
  to.set(from.subarray(0, keep));
  return to;
}

// ---------------------------------------------------------------- decoders

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
const SPACED_HEX_RUN = /\b[0-9a-fA-F]{2}(?: [0-9a-fA-F]{2}){7,}\b/g;
const BINARY_RUN = /\b[01]{8}(?:\s[01]{8}){5,}\b/g;

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

/** Per UTF-16 code unit, the character classes whose long runs findEncoded looks for. */
const R_B64 = 1;
/** A hex digit or a space: a SPACED_HEX_RUN match is a run of these. */
const R_HEX_SPACE = 2;
/** '0', '1' or `\s`: a BINARY_RUN match is a run of these. */
const R_BIT_SPACE = 4;
/** [.\-/| ]: a MORSE_RUN match is a run of these. */
const R_MORSE = 8;
/** Printable ASCII but the space: an Ascii85 or base85 run is a run of these. */
const R_PRINTABLE = 16;
/** ' ' to '`' (no lower-case letter): a uuencoded line is a run of these. */
const R_UU = 32;
/** `\s` above ASCII: Unicode Zs, LS, PS and the BOM. */
const NON_ASCII_SPACES: readonly number[] = [
  0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f,
  0x3000, 0xfeff,
];
/** By UTF-16 code unit (a table for all of them: no range check in the loop). */
const RUN_CLASS = (() => {
  const t = new Uint8Array(0x10000);
  for (const c of NON_ASCII_SPACES) t[c] = R_BIT_SPACE;
  for (let c = 0; c < 128; c++) {
    const ch = String.fromCharCode(c);
    let k = 0;
    if (B64_CLASS[c] !== 0) k |= R_B64;
    if (/[0-9a-fA-F ]/.test(ch)) k |= R_HEX_SPACE;
    if (/[01\s]/.test(ch)) k |= R_BIT_SPACE;
    if (/[.\-/| ]/.test(ch)) k |= R_MORSE;
    if (c > 32 && c < 127) k |= R_PRINTABLE;
    if (c >= 32 && c <= 96) k |= R_UU;
    t[c] = k;
  }
  return t;
})();
/** Shortest runs that can hold a match: 8 hex pairs and 7 spaces; 6 bytes of 8 bits and 5 separators. */
const MIN_SPACED_HEX = 8 * 2 + 7;
const MIN_BINARY = 6 * 8 + 5;
/** Six letters and five separators. */
const MIN_MORSE = 6 + 5;
/** Shortest uuencoded line that can hold readable text (eight bytes): its length character and twelve. */
const MIN_UU_LINE = 13;
/** Shortest Ascii85 or base85 run that is decoded: sixteen bytes. */
const MIN_B85 = 20;
/** Shortest base64-alphabet run that is decoded (see encodedRun). */
const MIN_B64 = 14;

/**
 * The start of the first run of at least `min` characters of class `bit` at or after `from`, or
 * -1. Skips like Boyer-Moore: a window whose last character is outside the class cannot hold
 * such a run, so ordinary prose (short words) is passed over without reading most characters.
 * `from` must be 0 or follow a character outside the class: the run found then starts there.
 */
function runAtLeast(u: Uint16Array, n: number, from: number, bit: number, min: number): number {
  let p = from;
  while (p + min <= n) {
    let q = p + min - 1;
    while (q >= p && (RUN_CLASS[u[q]!]! & bit) !== 0) q--;
    if (q < p) return p;
    p = q + 1;
  }
  return -1;
}

/**
 * Letters spelt out one by one: "I g n o r e   a l l …", "i.g.n.o.r.e a.l.l", "i-g-n-o-r-e",
 * "I. g. n. o. r. e.   a. l. l.". A letter and then at least seven more, each after one separator
 * (a dot or dash may have a space after it); a wider gap (two or three spaces, a slash), or a
 * single space where dots or dashes join the letters, ends a word. Prose never matches: its
 * letters touch. Decoded runs are kept only when readable (several words: a word spelt out
 * alone, "P-E-N-N-S-Y-L-V-A-N-I-A", is not).
 */
const SPACED_RUN = /(?<![\p{L}\p{N}])\p{L}(?:(?:[.\-_*·]?(?: {2,3}| ?\/ ?)|[.\-_*·] ?| )\p{L}){7,}(?![\p{L}\p{N}])/gu;
/**
 * A quick necessary condition for SPACED_RUN: three letters in a row, each after a separator.
 * It starts with the separator, not a letter: a pattern that starts with \p{L} tries a Unicode
 * class at every position, and on text that is not pure ASCII that cost 160 µs per 4 KB, more
 * than all the other detectors together (now about 20).
 */
const SPACED_HINT = /[ .\-_*·] ?\p{L}[ .\-_*·] ?\p{L}[ .\-_*·] ?\p{L}(?![\p{L}\p{N}])/u;
/**
 * A rougher condition tried first, without Unicode classes (any character that is no space,
 * separator or digit, or one astral character, stands for a letter): on text with non-ASCII
 * characters it costs a quarter of SPACED_HINT, and prose rarely passes it.
 */
const SPACED_ROUGH =
  /[ .\-_*·] ?(?:[^\s.\-_*·\d\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])[ .\-_*·] ?(?:[^\s.\-_*·\d\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])[ .\-_*·]/;

/** The words a SPACED_RUN match spells. */
function spelledOut(run: string): string {
  // a space after each dot or dash ("i. g. n. o. r. e.   a. l. l."): wider gaps part the words
  if (/[.\-_*·] \p{L}/u.test(run))
    return run
      .split(/[.\-_*·]?(?: {2,3}| ?\/ ?)/)
      .map((word) => word.replace(/[ .\-_*·]/g, ''))
      .join(' ');
  // letters joined by dots or dashes: the spaces part the words ("i.g.n.o.r.e a.l.l")
  if (/[.\-_*·]/.test(run)) return run.replace(/[.\-_*·]/g, '').replace(/ ?\/ ?| +/g, ' ');
  // letters joined by single spaces: two or three spaces, or a slash, part the words
  return run
    .split(/ {2,3}| ?\/ ?/)
    .map((word) => word.replace(/ /g, ''))
    .join(' ');
}

function spacedRuns(text: string, found: RawDecoded[]): void {
  if (!SPACED_ROUGH.test(text) || !SPACED_HINT.test(text)) return;
  for (const m of text.matchAll(SPACED_RUN)) {
    const decoded = spelledOut(m[0]);
    if (readable(decoded)) found.push({ start: m.index, end: m.index + m[0].length, text: decoded, encoding: 'spaced' });
  }
}

/**
 * The encoded runs of the main text (`u` is its code units, see inputCodes). The patterns run
 * only where they can match: base64/hex runs are found by a skipping scan (a regex like
 * /[A-Za-z0-9+/]{16,}/ retries at every position inside every word: ~50x slower), the spaced hex
 * and binary patterns only when a long enough run of their characters exists, Morse only when
 * there is also ".-" or "-." in the text (dots alone, like an ellipsis, are not Morse). Of the
 * readers in decoders.ts, those of hidden text and of characters outside ASCII (Braille, flag
 * letters, upside-down text) run only when the folding pass met such a character, and the
 * substitution and NATO readers only when asked (`seen.words`: the feature pass saw one of their
 * marker words, see WORD_DECODER_MARKERS).
 */
function findEncoded(text: string, u: Uint16Array, seen: { invisible: boolean; nonAscii: boolean; words: boolean }): RawDecoded[] {
  const found: RawDecoded[] = [];
  const n = text.length;
  for (let p = runAtLeast(u, n, 0, R_B64, MIN_B64); p >= 0;) {
    let end = p + MIN_B64;
    while (end < n && (RUN_CLASS[u[end]!]! & R_B64) !== 0) end++;
    encodedRun(text, u, p, end, found);
    p = runAtLeast(u, n, end + 1, R_B64, MIN_B64);
  }
  if (runAtLeast(u, n, 0, R_HEX_SPACE, MIN_SPACED_HEX) >= 0) {
    for (const m of text.matchAll(SPACED_HEX_RUN)) {
      const decoded = Buffer.from(m[0].replace(/\s/g, ''), 'hex').toString('latin1');
      if (readable(decoded)) found.push({ start: m.index, end: m.index + m[0].length, text: decoded, encoding: 'hex' });
    }
  }
  if (runAtLeast(u, n, 0, R_BIT_SPACE, MIN_BINARY) >= 0) {
    for (const m of text.matchAll(BINARY_RUN)) {
      let decoded = '';
      for (const byte of m[0].split(/\s/)) decoded += String.fromCharCode(parseInt(byte, 2));
      if (readable(decoded)) found.push({ start: m.index, end: m.index + m[0].length, text: decoded, encoding: 'binary' });
    }
  }
  if ((text.includes('.-') || text.includes('-.')) && runAtLeast(u, n, 0, R_MORSE, MIN_MORSE) >= 0) {
    for (const m of text.matchAll(MORSE_RUN)) {
      const decoded = decodeMorse(m[0]);
      if (readable(decoded)) found.push({ start: m.index, end: m.index + m[0].length, text: decoded, encoding: 'morse' });
    }
  }
  // Ascii85 and base85: long runs of printable characters with no space, read when readable
  for (let p = runAtLeast(u, n, 0, R_PRINTABLE, MIN_B85); p >= 0;) {
    let end = p + MIN_B85;
    while (end < n && (RUN_CLASS[u[end]!]! & R_PRINTABLE) !== 0) end++;
    const decoded = decodeBase85Run(text.slice(p, end));
    if (decoded !== undefined) found.push({ start: p, end, ...decoded });
    p = runAtLeast(u, n, end + 1, R_PRINTABLE, MIN_B85);
  }
  if (runAtLeast(u, n, 0, R_UU, MIN_UU_LINE) >= 0) uuRuns(text, found);
  spacedRuns(text, found);
  if (seen.words) {
    substitutionRuns(text, found);
    natoRuns(text, found);
  }
  if (seen.invisible) hiddenRuns(text, found);
  if (seen.nonAscii) nonAsciiRuns(text, found);
  return found;
}

/** A run [start, i) of 14+ base64-alphabet characters: decoded when it is base64, base32 or hex of readable text. */
function encodedRun(text: string, u: Uint16Array, start: number, i: number, found: RawDecoded[]): void {
  const n = text.length;
  let all = 15;
  let any = 0;
  for (let k = start; k < i; k++) {
    const cls = B64_CLASS[u[k]!]!;
    all &= cls;
    any |= cls;
  }
  const upper = (any & 4) !== 0;
  const lower = (any & 8) !== 0;
  const hexOnly = (all & 2) !== 0;
  let end = i;
  while (end < n && end - i < 2 && u[end] === 61) end++;
  if (end - start < 16) return;
  const run = text.slice(start, end);
  if (hexOnly && (i - start) % 2 === 0) {
    const decoded = Buffer.from(run, 'hex').toString('latin1');
    if (readable(decoded)) found.push({ start, end: i, text: decoded, encoding: 'hex' });
  } else if (upper && lower) {
    // both cases: a long plain word or snake_case identifier is not base64
    const decoded = Buffer.from(run.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('latin1');
    if (readable(decoded)) found.push({ start, end, text: decoded, encoding: 'base64' });
  } else if (upper !== lower) {
    // one case: base32 (Python's b32encode writes upper case), padded with up to six '='
    let padded = i;
    while (padded < n && padded - i < 6 && u[padded] === 61) padded++;
    const decoded = decodeBase32(text.slice(start, i));
    if (decoded !== undefined && readable(decoded)) found.push({ start, end: padded, text: decoded, encoding: 'base32' });
  }
}

/** Buffer's 'utf16le' is little-endian; a Uint16Array is in the host's order. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Scratch copy of the main text's code units (module level: every call is synchronous). */
let inputScratch = new Uint16Array(4096 + 16);
let inputBytes = Buffer.from(inputScratch.buffer);
/** The text's UTF-16 code units, copied natively (typed-array reads are cheaper than charCodeAt). */
function inputCodes(text: string): Uint16Array {
  const n = text.length;
  let u = inputScratch;
  let bytes = inputBytes;
  if (n > u.length) {
    u = new Uint16Array(n);
    bytes = Buffer.from(u.buffer);
    if (u.length <= SCRATCH_KEEP) {
      inputScratch = u;
      inputBytes = bytes;
    }
  }
  if (LITTLE_ENDIAN) bytes.write(text, 'utf16le');
  else for (let i = 0; i < n; i++) u[i] = text.charCodeAt(i);
  return u;
}

/**
 * The string of codes[0, length). Buffer's UTF-16 decoding is the faster, but it keeps a lone
 * surrogate where the TextDecoder (which made the normalised text first) writes U+FFFD: texts
 * with a surrogate take the TextDecoder
 */
function decodeCodes(codes: Uint16Array, length: number, surrogates: boolean): string {
  // (and the TextDecoder drops a leading BOM, though a BOM is invisible and never folded in)
  if (surrogates || !LITTLE_ENDIAN || codes[0] === 0xfeff) return UTF16.decode(codes.subarray(0, length));
  return Buffer.from(codes.buffer, codes.byteOffset, length * 2).toString('utf16le');
}

/** normalize() plus what the feature pass needs from the same scan. */
export type NormalizedForFeatures = {
  norm: Normalized;
  /** norm.text's code units (the first norm.text.length): scratch, valid until the next call. */
  codes: Uint16Array;
  stats: MainStats;
};

/** Every decoder runs here; the feature pass saves the word-gated ones for texts with their marker words. */
export function normalize(text: string): Normalized {
  return normalizeForFeatures(text, true).norm;
}

/** A Normalized whose original ranges are computed on first use (they are needed only to report a finding). */
class LazyNormalized implements Normalized {
  private ranges: Ranges | undefined;
  readonly invisibleCount: number;
  readonly confusableCount: number;
  readonly leetCount: number;
  constructor(
    private readonly original: string,
    /** The decoded blocks' ranges (kept from the first pass: they are rare, and may be long). */
    private readonly blocks: Builder | undefined,
    readonly text: string,
    readonly mainLength: number,
    readonly decoded: DecodedSegment[],
    counts: { inv: number; conf: number; leet: number },
  ) {
    this.invisibleCount = counts.inv;
    this.confusableCount = counts.conf;
    this.leetCount = counts.leet;
  }
  get origStart(): Int32Array {
    return (this.ranges ??= originalRanges(this.original, this.mainLength, this.blocks)).starts;
  }
  get origEnd(): Int32Array {
    return (this.ranges ??= originalRanges(this.original, this.mainLength, this.blocks)).ends;
  }
}

/** The original range of every normalised character: the main text folded again, with positions, then the blocks'. */
function originalRanges(text: string, mainLength: number, blocks: Builder | undefined): Ranges {
  const extra = blocks?.length ?? 0;
  const ranges: Ranges = { starts: new Int32Array(text.length + extra + 16), ends: new Int32Array(text.length + extra + 16) };
  const stats: MainStats = { upper: 0, letters: 0, nonAscii: false, surrogates: false, length: 0 };
  foldMain(inputCodes(text), text.length, { inv: 0, conf: 0, leet: 0 }, stats, ranges);
  if (stats.length !== mainLength) throw new Error('normalize: the ranges pass disagrees with the folding pass');
  let { starts, ends } = ranges;
  if (blocks !== undefined) {
    if (starts.length < mainLength + extra) {
      starts = grown(starts, new Int32Array(mainLength + extra), mainLength);
      ends = grown(ends, new Int32Array(mainLength + extra), mainLength);
    }
    starts.set(blocks.starts.subarray(0, extra), mainLength);
    ends.set(blocks.ends.subarray(0, extra), mainLength);
  }
  return { starts: starts.subarray(0, mainLength + extra), ends: ends.subarray(0, mainLength + extra) };
}

/**
 * Escape sequences (`\u0049`, `&#73;`, `%49`: unescape.ts) are read first, in place; the folded
 * text's positions then map through both steps to the text as given. `readWords` runs the
 * word-gated decoders too (rot13, atbash, backwards, NATO: see findEncoded).
 */
export function normalizeForFeatures(text: string, readWords: boolean): NormalizedForFeatures {
  const unescaped = unescapeRuns(text);
  if (unescaped === undefined) return normalizeFolded(text, readWords);
  const folded = normalizeFolded(unescaped.text, readWords);
  return { ...folded, norm: new UnescapedNormalized(folded.norm, unescaped, text.length) };
}

/** A normalised text whose input had escape runs read: positions map back through the reading. */
class UnescapedNormalized implements Normalized {
  private ranges: Ranges | undefined;
  readonly text: string;
  readonly mainLength: number;
  readonly decoded: DecodedSegment[];
  readonly invisibleCount: number;
  readonly confusableCount: number;
  readonly leetCount: number;
  constructor(
    private readonly inner: Normalized,
    private readonly unescaped: Unescaped,
    private readonly originalLength: number,
  ) {
    this.text = inner.text;
    this.mainLength = inner.mainLength;
    this.invisibleCount = inner.invisibleCount;
    this.confusableCount = inner.confusableCount;
    this.leetCount = inner.leetCount;
    this.decoded = inner.decoded.map((d) => ({ ...d, start: this.startOf(d.start), end: this.endOf(d.end) }));
  }
  private startOf(at: number): number {
    return at < this.unescaped.starts.length ? this.unescaped.starts[at]! : this.originalLength;
  }
  private endOf(at: number): number {
    return at > 0 ? this.unescaped.ends[at - 1]! : 0;
  }
  private composed(): Ranges {
    const { origStart, origEnd } = this.inner;
    const starts = new Int32Array(origStart.length);
    const ends = new Int32Array(origEnd.length);
    for (let i = 0; i < origStart.length; i++) {
      starts[i] = this.startOf(origStart[i]!);
      ends[i] = this.endOf(origEnd[i]!);
    }
    return { starts, ends };
  }
  get origStart(): Int32Array {
    return (this.ranges ??= this.composed()).starts;
  }
  get origEnd(): Int32Array {
    return (this.ranges ??= this.composed()).ends;
  }
}

function normalizeFolded(text: string, readWords: boolean): NormalizedForFeatures {
  const n = text.length;
  const u = inputCodes(text);
  const counts = { inv: 0, conf: 0, leet: 0 };
  const stats: MainStats = { upper: 0, letters: 0, nonAscii: false, surrogates: false, length: 0 };
  let codes = foldMain(u, n, counts, stats, null);
  const mainLength = stats.length;
  let length = mainLength;
  const decoded: DecodedSegment[] = [];
  const segments = findEncoded(text, u, { invisible: counts.inv > 0, nonAscii: stats.nonAscii, words: readWords });
  let blocks: Builder | undefined;
  if (segments.length > 0) {
    // decoded blocks: folded with their ranges (rare), then appended to the codes
    const b = (blocks = new Builder(64));
    for (const seg of segments) {
      b.pushCode(10, seg.start, seg.end);
      const normStart = mainLength + b.length;
      foldInto(b, seg.text, seg, { inv: 0, conf: 0, leet: 0 });
      decoded.push({ normStart, normEnd: mainLength + b.length, start: seg.start, end: seg.end, encoding: seg.encoding });
    }
    codes = codeScratch(mainLength + b.length, codes, mainLength);
    codes.set(b.codes.subarray(0, b.length), mainLength);
    length += b.length;
    if (b.nonAscii) stats.nonAscii = true;
    if (b.surrogates) stats.surrogates = true;
  }
  const folded = decodeCodes(codes, length, stats.surrogates);
  // the decoder replaces a lone surrogate by U+FFFD (same length): the features read the text's own code units
  if (stats.surrogates) for (let k = 0; k < length; k++) codes[k] = folded.charCodeAt(k);
  const norm = new LazyNormalized(text, blocks, folded, mainLength, decoded, counts);
  return { norm, codes, stats };
}

/** Maps a normalised span [a, b) back to the original text. */
export function toOriginal(n: Normalized, a: number, b: number): { start: number; end: number } {
  if (n.text.length === 0) return { start: 0, end: 0 };
  const lo = Math.max(0, Math.min(a, n.text.length - 1));
  const hi = Math.max(lo, Math.min(b, n.text.length) - 1);
  return { start: n.origStart[lo] ?? 0, end: n.origEnd[hi] ?? 0 };
}
