/**
 * The cheap first pass: one linear, case-insensitive scan for every rule keyword at once. Each
 * position's two-character prefix indexes a table of the keywords starting with it (every ASCII
 * case variant of the pair has its own entry, so the loop does no case folding), and only a hit
 * compares the rest of a keyword. A prompt without credential-ish words costs one pass and a table
 * lookup per character. Only rules with a keyword hit run their regex, and only at or near the hit.
 *
 * The loop reads a Latin-1 copy of the text (one byte per UTF-16 code unit, so offsets are the
 * same): indexing a byte array is several times cheaper than charCodeAt on whatever string
 * representation the caller has (sliced and concatenated strings especially). Code units above
 * 0xff keep only their low byte there and may alias an ASCII pair, so every table hit is checked
 * against the text itself before a keyword counts.
 *
 * Keywords with characters outside ASCII (密码, パスワード, пароль: words of scripts a rule reads
 * besides its ASCII ones) are found by one case-insensitive pattern pass, run only on text that
 * has a character outside ASCII, and their hits are merged into the scan in text order.
 */
import { Buffer } from 'node:buffer';
import { escapeRegExp } from '../../reg-exp.js';
import type { SecretRule } from './rule.js';

type Entry = { keyword: string; rules: readonly number[] };

export type Prefilter = {
  /** Calls `onHit` for every occurrence of every keyword (overlaps included), in text order. */
  scan(text: string, onHit: (rules: readonly number[], start: number, end: number) => void): void;
};

function lowerAscii(code: number): number {
  return code >= 65 && code <= 90 ? code | 32 : code;
}

/** The code and, for a letter, the other-case code. */
function caseVariants(code: number): number[] {
  if (code >= 97 && code <= 122) return [code, code - 32];
  return [code];
}

/**
 * Texts up to 64 KB are copied into one reused buffer (scans are synchronous and never nested):
 * allocating a fresh one per scan costs about a tenth of the scan. Larger texts get their own,
 * so a one-off 1 MB prompt is not kept alive.
 */
const SCRATCH_MAX = 65_536;
let scratch = Buffer.allocUnsafe(0);

function latin1(text: string): Buffer {
  if (text.length > SCRATCH_MAX) return Buffer.from(text, 'latin1');
  if (scratch.length < text.length) scratch = Buffer.allocUnsafe(Math.max(4096, 2 ** Math.ceil(Math.log2(text.length))));
  scratch.write(text, 0, 'latin1');
  return scratch;
}

export function buildPrefilter(rules: readonly SecretRule[]): Prefilter {
  const byKeyword = new Map<string, number[]>();
  const byWideKeyword = new Map<string, number[]>();
  rules.forEach((rule, index) => {
    for (const keyword of rule.keywords) {
      const k = keyword.toLowerCase();
      if (k.length < 2 || [...k].some((c) => c < ' ' || c === '\x7f'))
        throw new Error(`secret rule ${rule.id}: keyword "${keyword}" must be 2+ printable characters`);
      const table = /[^\x20-\x7e]/.test(k) ? byWideKeyword : byKeyword;
      const list = table.get(k) ?? [];
      list.push(index);
      table.set(k, list);
    }
  });
  const wide = byWideKeyword.size === 0 ? undefined : wideKeywordScan(byWideKeyword);
  // Dense slot table (byte pair -> bucket number, -1 for none): a holey array or a Map would make
  // every miss a slow lookup. Keywords are lower-case; both cases of each letter point at the bucket.
  const slots = new Int16Array(256 * 256).fill(-1);
  // Second and third characters of the keywords, same layout: most pairs of ordinary words that
  // start a keyword ("se", "co", "re") are not followed by its next letter.
  const nextPairs = new Uint8Array(256 * 256);
  const buckets: Entry[][] = [];
  const bucketOf = new Map<string, number>();
  const mark = (table: Uint8Array | Int16Array, a: number, b: number, value: number): void => {
    for (const c0 of caseVariants(a)) for (const c1 of caseVariants(b)) table[(c0 << 8) | c1] = value;
  };
  for (const [keyword, indices] of byKeyword) {
    const pair = keyword.slice(0, 2);
    let b = bucketOf.get(pair);
    if (b === undefined) {
      b = buckets.length;
      bucketOf.set(pair, b);
      buckets.push([]);
      mark(slots, pair.charCodeAt(0), pair.charCodeAt(1), b);
    }
    buckets[b]!.push({ keyword, rules: indices });
    // A two-character keyword has no third character to test: let every pair after it through.
    if (keyword.length === 2) for (let c = 0; c < 256; c++) mark(nextPairs, keyword.charCodeAt(1), c, 1);
    else mark(nextPairs, keyword.charCodeAt(1), keyword.charCodeAt(2), 1);
  }
  // Flattened buckets: keywords of bucket b are entries first[b] .. first[b + 1] - 1.
  const first = new Int32Array(buckets.length + 1);
  const keywords: string[] = [];
  const ruleLists: (readonly number[])[] = [];
  buckets.forEach((bucket, b) => {
    first[b] = keywords.length;
    for (const { keyword, rules: indices } of bucket) {
      keywords.push(keyword);
      ruleLists.push(indices);
    }
  });
  first[buckets.length] = keywords.length;
  return {
    scan(text, onHit) {
      const n = text.length;
      if (n < 2) return;
      const wideHits = wide?.(text) ?? [];
      let nextWide = 0;
      let nextWideStart = wideHits.length > 0 ? wideHits[0]!.start : n;
      const bytes = latin1(text);
      let c1 = bytes[0]!;
      for (let i = 0; i < n - 1; i++) {
        while (i >= nextWideStart) {
          const hit = wideHits[nextWide++]!;
          onHit(hit.rules, hit.start, hit.end);
          nextWideStart = nextWide < wideHits.length ? wideHits[nextWide]!.start : n;
        }
        const c0 = c1;
        c1 = bytes[i + 1]!;
        const b = slots[(c0 << 8) | c1]!;
        if (b === -1) continue;
        // Past the end, the third "character" is 0, which no keyword has: only two-character keywords pass.
        if (nextPairs[(c1 << 8) | (i + 2 < n ? bytes[i + 2]! : 0)] === 0) continue;
        // The tables only hold ASCII; a code unit above 0x7f here is a Latin-1 alias.
        if ((text.charCodeAt(i) | text.charCodeAt(i + 1)) >= 128) continue;
        for (let e = first[b]!, last = first[b + 1]!; e < last; e++) {
          const keyword = keywords[e]!;
          const end = i + keyword.length;
          if (end > n) continue;
          let k = 2;
          while (k < keyword.length && lowerAscii(text.charCodeAt(i + k)) === keyword.charCodeAt(k)) k++;
          if (k === keyword.length) onHit(ruleLists[e]!, i, end);
        }
      }
      for (; nextWide < wideHits.length; nextWide++) onHit(wideHits[nextWide]!.rules, wideHits[nextWide]!.start, wideHits[nextWide]!.end);
    },
  };
}

type WideHit = { rules: readonly number[]; start: number; end: number };

/** The scan for keywords outside ASCII: every occurrence in text order, none in ASCII text. */
function wideKeywordScan(byKeyword: ReadonlyMap<string, number[]>): (text: string) => WideHit[] {
  // longest first, so that a keyword that begins another does not hide it
  const keywords = [...byKeyword.keys()].sort((a, b) => b.length - a.length);
  const pattern = new RegExp(keywords.map(escapeRegExp).join('|'), 'giu');
  const rulesOf = new Map(keywords.map((k) => [k, byKeyword.get(k)!]));
  return (text) => {
    // one UTF-8 byte per character: ASCII only, none of these can occur (a native check)
    if (Buffer.byteLength(text, 'utf8') === text.length) return [];
    const hits: WideHit[] = [];
    for (const m of text.matchAll(pattern)) {
      const rules = rulesOf.get(m[0].toLowerCase());
      if (rules) hits.push({ rules, start: m.index, end: m.index + m[0].length });
    }
    return hits;
  };
}
