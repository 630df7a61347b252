/**
 * Feature extraction shared by the detector and the training script (so the shipped weights
 * always see the features they were trained on). One pass over the normalised text tokenises
 * it, hashes word unigrams into HASH_DIM buckets, and tries the cues whose trigger word or
 * character starts there. The hashed counts are sublinear (1 + ln tf) and the hashed part of
 * the vector is L2-normalised to a fixed length (shorter for short texts), so a long text does
 * not win by its number of n-grams (a length/source shortcut the earlier unnormalised
 * presence features learned). Word bigrams and character 4-grams were tried and dropped: they
 * raised the cross-validated TPR but memorised source phrasing and tripled the false alarms on
 * ordinary text outside the training sources (the PII and secrets dev sets). The remaining
 * features are the cues and a few dense signals of obfuscation and of "instructions addressed
 * to the model sitting inside content".
 */
import type { InjectionCategory } from '../types.js';
import { CHAR_TRIGGERS, CUES, NEEDLES, WORD_TRIGGERS } from './cues.js';
import { normalize, type Normalized } from './normalize.js';

export const HASH_BITS = 14;
/** Names the hashed feature scheme; a model trained on another scheme is refused. */
export const HASH_SCHEME = 'w1/sublinear/l2x3/short30';
/** Length of the hashed part of the vector after L2 normalisation. */
const HASH_NORM = 3;
/**
 * ...scaled down for texts under HASH_REF tokens (by sqrt(tokens / HASH_REF)): a short text is
 * little evidence, and without this a one-line question inherits a full-length n-gram vote.
 */
const HASH_REF = 30;
export const HASH_DIM = 1 << HASH_BITS;

export const DENSE_FEATURES = [
  'bias',
  'log_length',
  'invisible_chars',
  'confusable_chars',
  'leet_chars',
  'decoded_segments',
  'cue_in_decoded',
  'cue_embedded',
  'cue_in_comment',
  'distinct_cues',
  'cat_instruction_hijacking',
  'cat_role_confusion',
  'cat_context_smuggling',
  'cat_delimiter_injection',
  'second_person_ratio',
  'upper_ratio',
] as const;

export const CUE_OFFSET = HASH_DIM;
export const DENSE_OFFSET = HASH_DIM + CUES.length;
export const FEATURE_DIM = DENSE_OFFSET + DENSE_FEATURES.length;

export type CueHit = {
  cue: number;
  /** Span in the normalised text. */
  normStart: number;
  normEnd: number;
  /** Found in a decoded (base64/hex/binary/rot13) block. */
  decoded: boolean;
  /** An instruction cue inside content: after a "summarise this document" intro or in an HTML comment. */
  embedded: boolean;
};

export type Extracted = {
  /** Sparse feature vector: indices (ascending is not required) and values. */
  idx: number[];
  val: number[];
  hits: CueHit[];
  norm: Normalized;
};

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

// Reused across calls: term counts per hash bucket and the list of touched buckets.
const counts = new Uint16Array(HASH_DIM);
const HASH_MASK = HASH_DIM - 1;

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c > 127;
}

const CAT_INDEX: Readonly<Record<InjectionCategory, number>> = {
  INSTRUCTION_HIJACKING: 0,
  ROLE_CONFUSION: 1,
  CONTEXT_SMUGGLING: 2,
  DELIMITER_INJECTION: 3,
};

function fnv(word: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), FNV_PRIME);
  return h >>> 0;
}
const SECOND_PERSON = new Set(['you', 'your', 'yours', 'yourself'].map(fnv));
/** WORD_TRIGGERS keyed by the token hash the loop computes anyway (a collision only costs a failed regex try). */
const TRIGGERS_BY_HASH: ReadonlyMap<number, readonly number[]> = (() => {
  const m = new Map<number, number[]>();
  for (const [word, list] of WORD_TRIGGERS) m.set(fnv(word), [...(m.get(fnv(word)) ?? []), ...list]);
  return m;
})();
const DOC_INTRO = CUES.findIndex((c) => c.id === 'doc-intro');

const NON_ASCII = /[\u0080-\uffff]/;
function hasNonAscii(t: string): boolean {
  return NON_ASCII.test(t);
}

export function extractFeatures(text: string): Extracted {
  const norm = normalize(text);
  const t = norm.text;
  const n = t.length;
  const idx: number[] = [];
  const val: number[] = [];
  const touched: number[] = [];
  const hits: CueHit[] = [];
  const cueSeen = new Uint8Array(CUES.length);

  const tryCue = (ci: number, pos: number): void => {
    if (cueSeen[ci] === 1) return;
    const cue = CUES[ci];
    if (cue === undefined) return;
    if (cue.lineStart === true && pos > 0 && t.charCodeAt(pos - 1) !== 10) return;
    cue.re.lastIndex = pos;
    const m = cue.re.exec(t);
    if (m === null) return;
    const end = pos + m[0].length;
    // a word cue must end on a word boundary when it ends with a letter (no "ignore…rules" → "rulesx")
    if (end < n && isWordChar(t.charCodeAt(end)) && isWordChar(t.charCodeAt(end - 1))) return;
    cueSeen[ci] = 1;
    hits.push({ cue: ci, normStart: pos, normEnd: end, decoded: pos >= norm.mainLength, embedded: false });
  };

  // The hot loop (every character of every request): no closures over mutable state, no
  // per-token strings.
  let tokens = 0;
  let second = 0;
  for (let i = 0; i < n;) {
    const c = t.charCodeAt(i);
    if (!isWordChar(c)) {
      const list = CHAR_TRIGGERS.get(c);
      if (list !== undefined) for (const ci of list) tryCue(ci, i);
      i++;
      continue;
    }
    const start = i;
    let h = FNV_OFFSET;
    let digits = 0;
    while (i < n) {
      const cc = t.charCodeAt(i);
      if (!isWordChar(cc)) break;
      if (cc >= 48 && cc <= 57) digits++;
      h = Math.imul(h ^ cc, FNV_PRIME);
      i++;
    }
    // A long run mixing letters and digits (a key, a hash, an id) says nothing about intent, and
    // each would land in its own random bucket: it is left out of the word features (encoded
    // payloads are judged by what they decode to, in normalize.ts).
    const opaque = i - start >= 12 && digits > 0 && digits < i - start;
    if (!opaque) {
      tokens++;
      const b = (h >>> 0) & HASH_MASK;
      const k = counts[b]!;
      if (k === 0) touched.push(b);
      if (k < 65535) counts[b] = k + 1;
    }
    // trigger words are looked up by their hash (the sticky regex then checks the actual text)
    if (i - start <= 14) {
      const key = h >>> 0;
      if (SECOND_PERSON.has(key)) second++;
      const list = TRIGGERS_BY_HASH.get(key);
      if (list !== undefined) for (const ci of list) tryCue(ci, start);
    }
  }
  if (hasNonAscii(t)) {
    for (const { cue, needles } of NEEDLES) {
      for (const needle of needles) {
        const at = t.indexOf(needle);
        if (at < 0) continue;
        hits.push({ cue, normStart: at, normEnd: at + needle.length, decoded: at >= norm.mainLength, embedded: false });
        break;
      }
    }
  }
  // sublinear term frequency, then the hashed block scaled to length HASH_NORM (less when short)
  let ss = 0;
  for (const b of touched) {
    const v = 1 + Math.log(counts[b]!);
    idx.push(b);
    val.push(v);
    ss += v * v;
    counts[b] = 0;
  }
  if (ss > 0) {
    const z = (HASH_NORM * Math.min(1, Math.sqrt(tokens / HASH_REF))) / Math.sqrt(ss);
    for (let k = 0; k < val.length; k++) val[k]! *= z;
  }

  // context: instruction cues after a document intro, or inside an HTML comment, are smuggled
  const intro = hits.find((h) => h.cue === DOC_INTRO);
  let inDecoded = 0;
  let embedded = 0;
  let inComment = 0;
  const cats = [0, 0, 0, 0];
  for (const hit of hits) {
    const cue = CUES[hit.cue];
    if (cue === undefined) continue;
    idx.push(CUE_OFFSET + hit.cue);
    val.push(1);
    cats[CAT_INDEX[cue.category]]! += 1;
    if (cue.category !== 'INSTRUCTION_HIJACKING' && cue.category !== 'ROLE_CONFUSION') continue;
    if (hit.decoded) inDecoded++;
    const open = t.lastIndexOf('<!--', hit.normStart);
    const commented = open >= 0 && t.lastIndexOf('-->', hit.normStart) < open;
    if (commented) inComment++;
    if (commented || (intro !== undefined && hit.normStart > intro.normEnd)) {
      hit.embedded = true;
      embedded++;
    }
  }
  let upper = 0;
  let letters = 0;
  for (let i = 0; i < text.length && i < 4000; i++) {
    const c = text.charCodeAt(i);
    if (c >= 65 && c <= 90) {
      upper++;
      letters++;
    } else if (c >= 97 && c <= 122) letters++;
  }
  const dense = [
    1,
    Math.log1p(text.length) / 8,
    Math.min(1, norm.invisibleCount / 3),
    Math.min(1, norm.confusableCount / 3),
    Math.min(1, norm.leetCount / 4),
    Math.min(1, norm.decoded.length),
    Math.min(1, inDecoded),
    Math.min(1, embedded),
    Math.min(1, inComment),
    Math.log1p(hits.length) / 3,
    Math.log1p(cats[0] ?? 0) / 2,
    Math.log1p(cats[1] ?? 0) / 2,
    Math.log1p(cats[2] ?? 0) / 2,
    Math.log1p(cats[3] ?? 0) / 2,
    tokens > 0 ? Math.min(1, (8 * second) / tokens) : 0,
    letters > 20 ? upper / letters : 0,
  ];
  dense.forEach((v, k) => {
    if (v !== 0) {
      idx.push(DENSE_OFFSET + k);
      val.push(v);
    }
  });
  return { idx, val, hits, norm };
}
