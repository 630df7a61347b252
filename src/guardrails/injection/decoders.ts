/**
 * Decoders for ways of hiding text that a reader (a model) still reads, beyond the base64, hex,
 * binary, Morse and spelt-out runs normalize.ts finds itself:
 * - text written in invisible characters: Unicode tag characters (U+E0020–E007E stand for ASCII:
 *   "ASCII smuggling"), variation selectors (one byte each, strung after an emoji) and the
 *   invisible operators U+2062/U+2064 as the bits of UTF-8 ("sneaky bits"). The folding pass drops
 *   these characters as invisible; without this their message was lost with them;
 * - base32 (one case, digits 2–7), Braille cells, the NATO spelling alphabet;
 * - letter substitutions: rot13, atbash (a↔z) and text written backwards, recognised by the
 *   substituted forms of the most frequent English words.
 * Each decoder returns runs of the text as given with the text they stand for; normalize.ts
 * appends the readable ones as decoded blocks, mapped back to the whole run. Each runs only when
 * a cheap necessary condition holds (see the gates in findEncoded), so ordinary prose pays a
 * character-class check or one short regular expression at most.
 */

export type Encoding =
  | 'base64'
  | 'base32'
  | 'ascii85'
  | 'base85'
  | 'uuencode'
  | 'hex'
  | 'binary'
  | 'rot13'
  | 'atbash'
  | 'reversed'
  | 'morse'
  | 'spaced'
  | 'braille'
  | 'regional-indicators'
  | 'upside-down'
  | 'nato'
  | 'unicode-tags'
  | 'variation-selectors'
  | 'invisible-bits';

export type RawDecoded = { start: number; end: number; text: string; encoding: Encoding };

export function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** Readable = mostly printable ASCII letters/spaces with a few words; random bytes fail this. */
export function readable(s: string): boolean {
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

// ------------------------------------------------------------ invisible characters

/** The high surrogate of every tag character and of the supplementary variation selectors (U+E0000–E03FF). */
const TAG_HIGH = 0xdb40;
/** Shortest hidden message read: eight characters (a flag emoji's tag sequence is five or six). */
const MIN_HIDDEN = 8;

/**
 * Runs of text hidden in invisible characters (call only when the folding pass removed some):
 * - tag characters: U+E0020–E007E are the ASCII characters 0x20–0x7E; U+E0001 (language tag) and
 *   U+E007F (cancel tag), which mark such runs, are skipped;
 * - variation selectors: U+FE00–FE0F are bytes 0–15 and U+E0100–E01EF bytes 16–255, read as UTF-8
 *   (one selector after an emoji picks its style; eight in a row carry data);
 * - U+2062 (invisible times) and U+2064 (invisible plus) are the bits 0 and 1 of UTF-8 bytes.
 * Each run needs MIN_HIDDEN characters of message and a readable result.
 */
export function hiddenRuns(text: string, found: RawDecoded[]): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === TAG_HIGH || (c >= 0xfe00 && c <= 0xfe0f)) {
      const start = i;
      let tags = '';
      const bytes: number[] = [];
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d >= 0xfe00 && d <= 0xfe0f) {
          bytes.push(d - 0xfe00);
          i++;
          continue;
        }
        if (d !== TAG_HIGH || i + 1 >= n) break;
        const cp = text.codePointAt(i)!;
        if (cp >= 0xe0020 && cp <= 0xe007e) tags += String.fromCharCode(cp - 0xe0000);
        else if (cp >= 0xe0100 && cp <= 0xe01ef) bytes.push(cp - 0xe0100 + 16);
        else if (cp !== 0xe0001 && cp !== 0xe007f) break;
        i += 2;
      }
      if (i === start) i++;
      if (tags.length >= MIN_HIDDEN && readable(tags)) found.push({ start, end: i, text: tags, encoding: 'unicode-tags' });
      else pushBytes(bytes, start, i, 'variation-selectors', found);
      continue;
    }
    if (c === 0x2062 || c === 0x2064) {
      const start = i;
      while (i < n && (text.charCodeAt(i) === 0x2062 || text.charCodeAt(i) === 0x2064)) i++;
      const bytes: number[] = [];
      for (let k = start; k + 8 <= i; k += 8) {
        let byte = 0;
        for (let b = 0; b < 8; b++) byte = (byte << 1) | (text.charCodeAt(k + b) === 0x2064 ? 1 : 0);
        bytes.push(byte);
      }
      pushBytes(bytes, start, i, 'invisible-bits', found);
      continue;
    }
    i++;
  }
}

function pushBytes(bytes: number[], start: number, end: number, encoding: Encoding, found: RawDecoded[]): void {
  if (bytes.length < MIN_HIDDEN) return;
  const decoded = Buffer.from(bytes).toString('utf8');
  if (readable(decoded)) found.push({ start, end, text: decoded, encoding });
}

// ------------------------------------------------------------ base32

/** Base32 (RFC 4648) of a run of one case, or undefined when a character is outside its alphabet. */
export function decodeBase32(run: string): string | undefined {
  let bits = 0;
  let value = 0;
  const bytes: number[] = [];
  for (let i = 0; i < run.length; i++) {
    const c = run.charCodeAt(i) | 0x20;
    if (c === 0x3d) break; // '=' (| 0x20 leaves it)
    let v: number;
    if (c >= 97 && c <= 122) v = c - 97;
    else if (c >= 50 && c <= 55) v = c - 50 + 26;
    else return undefined;
    value = ((value << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((value >> bits) & 0xff);
    }
  }
  return Buffer.from(bytes).toString('latin1');
}

// ------------------------------------------------------------ Ascii85 and base85

/** RFC 1924's alphabet, which Python's b85encode and git write. */
const B85_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~';
const B85_VALUE = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < B85_ALPHABET.length; i++) t[B85_ALPHABET.charCodeAt(i)] = i;
  return t;
})();
const a85Value = (c: number): number => (c >= 33 && c <= 117 ? c - 33 : -1);
const b85Value = (c: number): number => (c < 128 ? B85_VALUE[c]! : -1);

/** A byte that text holds: printable ASCII, tab or a line break (any other stops the decoding early). */
const isTextByte = (b: number): boolean => (b >= 32 && b <= 126) || b === 9 || b === 10 || b === 13;

/**
 * Five digits of base 85 per four bytes; a last short group is padded with the highest digit.
 * Returns undefined at the first byte that is not text: a run that is no encoded text (a long
 * identifier, a path) almost always gives one in its first group, so rejecting it costs a few
 * characters, not the run.
 */
function base85Text(run: string, value: (c: number) => number, zeroGroups: boolean): string | undefined {
  let out = '';
  let group = 0;
  let digits = 0;
  for (let i = 0; i < run.length; i++) {
    const c = run.charCodeAt(i);
    // Ascii85 writes four zero bytes as "z": no text
    if (zeroGroups && c === 0x7a && digits === 0) return undefined;
    const v = value(c);
    if (v < 0) return undefined;
    group = group * 85 + v;
    if (++digits === 5) {
      const word = textOfGroup(group, 4);
      if (word === undefined) return undefined;
      out += word;
      group = 0;
      digits = 0;
    }
  }
  if (digits === 1) return undefined;
  if (digits === 0) return out;
  for (let k = digits; k < 5; k++) group = group * 85 + 84;
  const last = textOfGroup(group, digits - 1);
  return last === undefined ? undefined : out + last;
}

/** The first `keep` bytes of a group as text, or undefined when one is no text byte (or the group overflows). */
function textOfGroup(group: number, keep: number): string | undefined {
  if (group > 0xffffffff) return undefined;
  let out = '';
  for (let k = 0; k < keep; k++) {
    const byte = (group >>> (24 - 8 * k)) & 255;
    if (!isTextByte(byte)) return undefined;
    out += String.fromCharCode(byte);
  }
  return out;
}

/**
 * A run of printable characters with no space (20 or more: see findEncoded) read as Ascii85
 * (Python's a85encode, Adobe's `<~…~>`) or as base85 (b85encode), when the result is readable.
 * Quotes or brackets around the run are tried without.
 */
export function decodeBase85Run(run: string): { text: string; encoding: Encoding } | undefined {
  const decoded = decodeBase85(run);
  if (decoded !== undefined) return decoded;
  let from = 0;
  let to = run.length;
  while (from < to && OPENERS.includes(run[from]!)) from++;
  while (to > from && CLOSERS.includes(run[to - 1]!)) to--;
  return from > 0 || to < run.length ? decodeBase85(run.slice(from, to)) : undefined;
}
const OPENERS = `"'\`([{`;
const CLOSERS = `"'\`)]},;.`;
const BASE85_KINDS = [
  { encoding: 'ascii85', value: a85Value, zeroGroups: true },
  { encoding: 'base85', value: b85Value, zeroGroups: false },
] as const;

function decodeBase85(run: string): { text: string; encoding: Encoding } | undefined {
  if (run.startsWith('<~') && run.endsWith('~>')) run = run.slice(2, -2);
  for (const { encoding, value, zeroGroups } of BASE85_KINDS) {
    const text = base85Text(run, value, zeroGroups);
    if (text !== undefined && text.length >= 8 && readable(text)) return { text, encoding };
  }
  return undefined;
}

// ------------------------------------------------------------ uuencode

/**
 * A uuencoded line: a length character (' ' + the number of bytes, 45 at most: "M"), then four
 * characters from ' ' to '`' per three bytes. Its length is fixed by its first character, which
 * is what tells such a line from prose, and is checked before anything else is read.
 */
function uuLine(text: string, start: number, end: number): string | undefined {
  const n = text.charCodeAt(start) - 32;
  if (n < 1 || n > 45 || end - start - 1 !== 4 * Math.ceil(n / 3)) return undefined;
  let out = '';
  for (let i = start + 1; i + 4 <= end && out.length < n; i += 4) {
    let v = 0;
    for (let k = 0; k < 4; k++) {
      const c = text.charCodeAt(i + k);
      if (c < 32 || c > 96) return undefined;
      v = (v << 6) | ((c - 32) & 63);
    }
    for (let k = 0; k < 3 && out.length < n; k++) {
      const byte = (v >>> (16 - 8 * k)) & 255;
      if (!isTextByte(byte)) return undefined;
      out += String.fromCharCode(byte);
    }
  }
  return out;
}

/**
 * Where a uuencoded line may start: each line's start, and after ": " or "? " ("Encoded:
 * M26=N…", "What does this mean? M26=N…"), in ascending order.
 */
function uuCandidates(text: string): Int32Array {
  const starts = [0];
  for (let p = text.indexOf('\n'); p >= 0; p = text.indexOf('\n', p + 1)) starts.push(p + 1);
  for (const sep of [': ', '? ']) for (let p = text.indexOf(sep); p >= 0; p = text.indexOf(sep, p + 2)) starts.push(p + 2);
  // (a typed array sorts numerically, with no comparator to call)
  return Int32Array.from(starts).sort();
}

/** Blocks of consecutive uuencoded lines (garak's InjectUU writes 45 bytes a line), read when readable. */
export function uuRuns(text: string, found: RawDecoded[]): void {
  let block: RawDecoded | undefined;
  // the end of the line the candidates are on: found once per line (candidates ascend), so a
  // line with thousands of ": " is not searched to its end thousands of times
  let lineEnd = -1;
  for (const start of uuCandidates(text)) {
    const c = text.charCodeAt(start);
    if (c < 33 || c > 77) continue;
    if (lineEnd < start) {
      lineEnd = text.indexOf('\n', start);
      if (lineEnd < 0) lineEnd = text.length;
    }
    const end = lineEnd > start && text.charCodeAt(lineEnd - 1) === 13 ? lineEnd - 1 : lineEnd;
    const decoded = uuLine(text, start, end);
    if (decoded === undefined) continue;
    if (block !== undefined && /^\r?\n$/.test(text.slice(block.end, start))) {
      block.end = end;
      block.text += decoded;
      continue;
    }
    if (block !== undefined && readable(block.text)) found.push(block);
    block = { start, end, text: decoded, encoding: 'uuencode' };
  }
  if (block !== undefined && readable(block.text)) found.push(block);
}

// ------------------------------------------------------------ Braille

/** Grade 1 Braille cells (dots as bits 1–6 of U+2800) for letters and the common punctuation. */
const BRAILLE: ReadonlyMap<number, string> = new Map(
  Object.entries({
    a: 0x01,
    b: 0x03,
    c: 0x09,
    d: 0x19,
    e: 0x11,
    f: 0x0b,
    g: 0x1b,
    h: 0x13,
    i: 0x0a,
    j: 0x1a,
    k: 0x05,
    l: 0x07,
    m: 0x0d,
    n: 0x1d,
    o: 0x15,
    p: 0x0f,
    q: 0x1f,
    r: 0x17,
    s: 0x0e,
    t: 0x1e,
    u: 0x25,
    v: 0x27,
    w: 0x3a,
    x: 0x2d,
    y: 0x3d,
    z: 0x35,
    ' ': 0x00,
    '.': 0x32,
    ',': 0x02,
    '?': 0x26,
    '!': 0x16,
    "'": 0x04,
    '-': 0x24,
    ':': 0x12,
    ';': 0x06,
  }).map(([ch, dots]) => [0x2800 + dots, ch]),
);
const BRAILLE_CAPITAL = 0x2820;
const BRAILLE_NUMBER = 0x283c;
/** Letters a–j after the number sign are the digits 1–9, 0. */
const BRAILLE_DIGITS = 'jabcdefghi';
/** Cells with spaces (ASCII or the blank cell) between them; eight cells or more are read. */
const BRAILLE_RUN = /[\u2801-\u28ff][\u2800-\u28ff ]*/g;
const MIN_BRAILLE = 8;
const BRAILLE_ANY = /[\u2801-\u28ff]/;

function brailleRuns(text: string, found: RawDecoded[]): void {
  if (!BRAILLE_ANY.test(text)) return;
  for (const m of text.matchAll(BRAILLE_RUN)) {
    const run = m[0].trimEnd().replace(/\u2800+$/, '');
    let out = '';
    let digits = false;
    let cells = 0;
    for (let i = 0; i < run.length; i++) {
      const c = run.charCodeAt(i);
      if (c !== 32 && c !== 0x2800) cells++;
      if (c === BRAILLE_CAPITAL) continue;
      if (c === BRAILLE_NUMBER) {
        digits = true;
        continue;
      }
      const ch = c === 32 ? ' ' : (BRAILLE.get(c) ?? '?');
      if (digits && ch >= 'a' && ch <= 'j') out += String(BRAILLE_DIGITS.indexOf(ch));
      else {
        digits = digits && (ch === '.' || ch === ',');
        out += ch;
      }
    }
    if (cells >= MIN_BRAILLE && readable(out)) found.push({ start: m.index, end: m.index + run.length, text: out, encoding: 'braille' });
  }
}

// ------------------------------------------------------------ flag letters, upside-down text

/**
 * Regional indicator symbols (U+1F1E6–1F1FF, 🇦–🇿): two make a flag, and a longer run spells
 * words a model reads ("🇮🇬🇳🇴🇷🇪 🇦🇱🇱"). Runs with a word of five or more of them are read (a row of
 * flags "🇺🇸 🇬🇧 🇫🇷" has words of two).
 */
const REGIONAL_RUN = /\ud83c[\udde6-\uddff](?:(?:[\u200b\u200c ]|\u200d|\ufe0f)*\ud83c[\udde6-\uddff])+/g;
const MIN_REGIONAL_WORD = 5;

function regionalRuns(text: string, found: RawDecoded[]): void {
  for (const m of text.matchAll(REGIONAL_RUN)) {
    let out = '';
    let word = 0;
    let longest = 0;
    for (let i = 0; i < m[0].length; i++) {
      const c = m[0].charCodeAt(i);
      if (c === 0xd83c) {
        out += String.fromCharCode(97 + m[0].charCodeAt(++i) - 0xdde6);
        longest = Math.max(longest, ++word);
      } else if (c === 32) {
        if (word > 0) out += ' ';
        word = 0;
      }
    }
    if (longest >= MIN_REGIONAL_WORD && readable(out))
      found.push({ start: m.index, end: m.index + m[0].length, text: out, encoding: 'regional-indicators' });
  }
}

/**
 * Text turned upside down: letters replaced by turned ones (ɐ ǝ ɹ ʇ ɯ ʎ ᴉ, and p/d, b/q, n/u
 * swapped) and written backwards, as generators of such text do. A run of lower-case and turned
 * letters with at least MIN_TURNED turned ones is turned back.
 */
const TURNED: ReadonlyMap<string, string> = new Map([
  ['ɐ', 'a'],
  ['ǝ', 'e'],
  ['ɔ', 'c'],
  ['ɟ', 'f'],
  ['ƃ', 'g'],
  ['ɥ', 'h'],
  ['ᴉ', 'i'],
  ['ɾ', 'j'],
  ['ʞ', 'k'],
  ['ɯ', 'm'],
  ['ɹ', 'r'],
  ['ʇ', 't'],
  ['ʌ', 'v'],
  ['ʍ', 'w'],
  ['ʎ', 'y'],
  ['p', 'd'],
  ['d', 'p'],
  ['b', 'q'],
  ['q', 'b'],
  ['u', 'n'],
  ['n', 'u'],
  ['¿', '?'],
  ['¡', '!'],
  ['˙', '.'],
  ["'", ','],
  [',', "'"],
]);
const TURNED_LETTER = /[ɐǝɔɟƃɥᴉɾʞɯɹʇʌʍʎ]/g;
const TURNED_RUN = /[a-zɐǝɔɟƃɥᴉɾʞɯɹʇʌʍʎ¿¡˙',.!? ]{12,}/g;
const MIN_TURNED = 4;

function upsideDownRuns(text: string, found: RawDecoded[]): void {
  for (const m of text.matchAll(TURNED_RUN)) {
    if ((m[0].match(TURNED_LETTER)?.length ?? 0) < MIN_TURNED) continue;
    let out = '';
    for (let i = m[0].length - 1; i >= 0; i--) out += TURNED.get(m[0][i]!) ?? m[0][i];
    out = out.trim();
    if (readable(out)) found.push({ start: m.index, end: m.index + m[0].length, text: out, encoding: 'upside-down' });
  }
}

/** Characters only the readers below start from: Braille cells, turned letters, regional indicators. */
const NON_ASCII_CODES = /[\u2801-\u28ff\u0250-\u028e\u01dd\u1d09]|\ud83c[\udde6-\uddff]/;

/**
 * The readers of text written in characters outside ASCII: Braille, regional indicators,
 * upside-down letters (call only when the text has a character outside ASCII; one character-class
 * scan decides whether any of them runs).
 */
export function nonAsciiRuns(text: string, found: RawDecoded[]): void {
  if (!NON_ASCII_CODES.test(text)) return;
  brailleRuns(text, found);
  if (text.includes('\ud83c')) regionalRuns(text, found);
  TURNED_LETTER.lastIndex = 0;
  if (TURNED_LETTER.test(text)) upsideDownRuns(text, found);
}

// ------------------------------------------------------------ NATO spelling alphabet

const NATO_WORDS = [
  'alfa|alpha',
  'bravo',
  'charlie',
  'delta',
  'echo',
  'foxtrot',
  'golf',
  'hotel',
  'india',
  'juliett?',
  'kilo',
  'lima',
  'mike',
  'november',
  'oscar',
  'papa',
  'quebec',
  'romeo',
  'sierra',
  'tango',
  'uniform',
  'victor',
  'whiske?y',
  'x-?ray',
  'yankee',
  'zulu',
];
const NATO_WORD = `(?:${NATO_WORDS.join('|')})`;
/** Eight code words or more, separated by spaces, commas or hyphens; a slash, a bar or a wider gap between words of the message. */
const NATO_RUN = new RegExp(`\\b${NATO_WORD}(?:(?:\\s*[,/|]\\s*|\\s+|-)${NATO_WORD}){7,}\\b`, 'gi');
/** A necessary condition: two code words in a row (a single "Delta" or "Echo" in prose is no spelling). */
const NATO_PAIR = new RegExp(`\\b${NATO_WORD}[ ,-]${NATO_WORD}\\b`, 'i');
/** The code words and what separates the message's words (a slash, a bar, two spaces or more). */
const NATO_TOKEN = /x-?ray|[a-z]+|[/|]|\s{2,}/gi;
const NATO_LETTER = new RegExp(`^(?:${NATO_WORDS.map((w) => `(${w})`).join('|')})$`, 'i');

/**
 * Words spelt in the NATO alphabet ("India Golf November Oscar Romeo Echo / Alfa Lima Lima").
 * A slash, a bar or two spaces or more separate the words of the message; spelt without them
 * (as garak's encoder writes it) the letters come out as one word, which no cue reads: kept
 * only when readable, so such a run is not decoded.
 */
export function natoRuns(text: string, found: RawDecoded[]): void {
  if (!NATO_PAIR.test(text)) return;
  for (const m of text.matchAll(NATO_RUN)) {
    let out = '';
    // (a flag, not out.endsWith: that would flatten the growing string at every word)
    let gap = false;
    for (const token of m[0].matchAll(NATO_TOKEN)) {
      const word = token[0];
      if (word === '/' || word === '|' || word.trim() === '') {
        if (!gap && out !== '') out += ' ';
        gap = true;
        continue;
      }
      const letter = NATO_LETTER.exec(word);
      if (letter === null) continue;
      out += String.fromCharCode(97 + letter.slice(1).findIndex((g) => g !== undefined));
      gap = false;
    }
    if (readable(out)) found.push({ start: m.index, end: m.index + m[0].length, text: out, encoding: 'nato' });
  }
}

// ------------------------------------------------------------ letter substitutions

export function rot13(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 97 && c <= 122) out += String.fromCharCode(((c - 97 + 13) % 26) + 97);
    else if (c >= 65 && c <= 90) out += String.fromCharCode(((c - 65 + 13) % 26) + 65);
    else out += s[i];
  }
  return out;
}

function atbash(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 97 && c <= 122) out += String.fromCharCode(219 - c);
    else if (c >= 65 && c <= 90) out += String.fromCharCode(155 - c);
    else out += s[i];
  }
  return out;
}

function reverse(s: string): string {
  let out = '';
  for (let i = s.length - 1; i >= 0; i--) out += s[i];
  return out;
}

/**
 * Text written backwards: the whole run turned, or each word turned in its place ("erongI lla
 * suoiverp"). The capital that began the sentence tells which: it ends the run's first word when
 * each word was turned, and its last word when the whole run was.
 */
function unreverse(run: string): string {
  const first = /^[A-Za-z']+/.exec(run)?.[0] ?? '';
  return /[a-z][A-Z]$/.test(first) ? run.split(' ').map(reverse).join(' ') : reverse(run);
}

/** Frequent English words: a run with more of some substitution's forms of them than of them is that substitution. */
const EN_WORDS = ['the', 'and', 'you', 'to', 'is', 'of', 'your', 'what', 'all', 'are', 'in', 'it', 'that', 'this', 'me'];
const EN_SET = new Set(EN_WORDS);
/**
 * The substitutions, each with its forms of the frequent words. Forms that are English words too
 * ("zoo" and "rm" are atbash "all" and "in", "ti" and "si" backwards "it" and "is") would count for both, so they
 * are left out.
 */
const SUBSTITUTIONS: readonly { encoding: Encoding; decode: (s: string) => string; forms: ReadonlySet<string> }[] = [
  { encoding: 'rot13', decode: rot13, forms: new Set(EN_WORDS.map(rot13)) },
  { encoding: 'atbash', decode: atbash, forms: new Set(EN_WORDS.map(atbash).filter((w) => !EN_SET.has(w) && w !== 'zoo' && w !== 'rm')) },
  {
    encoding: 'reversed',
    decode: unreverse,
    forms: new Set(EN_WORDS.map(reverse).filter((w) => !EN_SET.has(w) && !['ti', 'si', 'em', 'ot', 'fo', 'ni', 'era'].includes(w))),
  },
];
/**
 * Whole words that only a substituted text has (rot13 "gur", "naq", "lbh"; atbash "gsv", "zmw",
 * "blf"; backwards "eht", "uoy"): without one, no run is read.
 */
const SUBSTITUTION_MARKERS = [
  'gur',
  'naq',
  'lbh',
  'lbhe',
  'jung',
  'gung',
  'guvf',
  'gsv',
  'zmw',
  'blf',
  'blfi',
  'dszg',
  'gszg',
  'gsrh',
  'eht',
  'uoy',
  'ruoy',
  'tahw',
  'taht',
  'siht',
];
const SUBSTITUTION_MARKER = new RegExp(`\\b(?:${SUBSTITUTION_MARKERS.join('|')})\\b`, 'i');
/** A run of letters and sentence punctuation (no digits: a substituted sentence has none). */
const LETTER_RUN = /[A-Za-z][A-Za-z ,.'?!:]{14,}/g;

/**
 * Runs written in rot13, atbash or backwards: at least two substituted forms of frequent words,
 * and more of them than of the words themselves ("DNA and the cell" is English with "dna" in it).
 */
export function substitutionRuns(text: string, found: RawDecoded[]): void {
  if (!SUBSTITUTION_MARKER.test(text)) return;
  const counts = new Array<number>(SUBSTITUTIONS.length);
  for (const m of text.matchAll(LETTER_RUN)) {
    counts.fill(0);
    let en = 0;
    for (const w of m[0].toLowerCase().split(/[^a-z]+/)) {
      if (EN_SET.has(w)) en++;
      for (let k = 0; k < SUBSTITUTIONS.length; k++) if (SUBSTITUTIONS[k]!.forms.has(w)) counts[k]!++;
    }
    let best = -1;
    for (let k = 0; k < SUBSTITUTIONS.length; k++)
      if (counts[k]! >= 2 && counts[k]! > en && (best < 0 || counts[k]! > counts[best]!)) best = k;
    if (best < 0) continue;
    const s = SUBSTITUTIONS[best]!;
    found.push({ start: m.index, end: m.index + m[0].length, text: s.decode(m[0]), encoding: s.encoding });
  }
}

/** Every spelling of the code words, as the folded text has them (lower case; "X-ray" is two words there, but "Xray" is one). */
const NATO_SPELLINGS = NATO_WORDS.flatMap((w) => w.split('|')).flatMap((w) => {
  const base = w.replace(/.\?/g, '').replace('-', '');
  const full = w.replace(/\?/g, '').replace('-', '');
  return base === full ? [full] : [base, full];
});

/**
 * The words whose presence lets substitutionRuns and natoRuns run (a substituted form of a
 * frequent word, a NATO code word): their own patterns cost about 6 µs per 4 KB each, so the
 * injection feature pass, which looks every word up in a hash table anyway, notes these words
 * and asks for a second normalisation with these decoders only when one is there.
 */
export const WORD_DECODER_MARKERS: readonly string[] = [...SUBSTITUTION_MARKERS, ...NATO_SPELLINGS];
