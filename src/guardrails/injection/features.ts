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
import { CHAR_TRIGGERS, CONTEXT_CUES, CUES, NEEDLES, PLANTED_ONLY_CUES, WORD_TRIGGERS } from './cues.js';
import { WORD_DECODER_MARKERS } from './decoders.js';
import { type Normalized, normalize, normalizeForFeatures } from './normalize.js';

export const HASH_BITS = 16;
/** Names the hashed feature scheme; a model trained on another scheme is refused. */
export const HASH_SCHEME =
  'w1/sublinear/l2x3/short30/no-foreign-function-words/named-quotes-cjk/escapes-read/marks-dropped/spaced-letters/hidden-text/spelt-runs';
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
  // distinct attack-phrase cues (context cues, see CONTEXT_CUES, do not count: benign role-play set-ups stack them)
  'attack_cues',
  'distinct_cues',
  'cat_instruction_hijacking',
  'cat_role_confusion',
  'cat_context_smuggling',
  'cat_delimiter_injection',
  // ordinary tasks and output orders found inside pasted content (see PLANTED_CUES)
  'planted_directive',
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

/** Per UTF-16 code unit: 0 not a word character, 1 a word letter, 2 a digit (a table for all: no range check in the loop). */
const WORD_CLASS = (() => {
  const t = new Uint8Array(0x10000).fill(1);
  for (let c = 0; c < 128; c++) t[c] = c >= 48 && c <= 57 ? 2 : isWordChar(c) ? 1 : 0;
  return t;
})();
/** 1 + ln(count) for a bucket's count (the sublinear term frequency), looked up instead of computed. */
const SUBLINEAR = Float64Array.from({ length: 65536 }, (_, k) => 1 + Math.log(k));

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
/**
 * Function words of Spanish, French, German, Italian and Portuguese (accents folded, as the
 * normalised text has them), left out of the word features. The dev injections hold translated
 * attacks and no benign text in those languages, so the model learnt "que", "los", "und" as
 * evidence: a Spanish question about exploits scored 0.79 on its function words alone. The
 * content words and the cues still count. Words that are also English ("a", "no", "die", "an",
 * "con", "per", "plus", "was") are not in the list.
 */
const FOREIGN_FUNCTION_WORDS = new Set(
  [
    // es
    'de la que el en y los del se las por un para una su al lo como mas pero sus ya este porque esta entre cuando muy sobre tambien hasta hay donde quien desde todo nos durante todos uno les ni contra otros ese eso ante ellos esto antes algunos unos yo otro otras otra tanto esa estos mucho quienes nada muchos cual poco ella estar estas algunas algo nosotros mi mis tu te ti tus es son estan fue ser puedo puede',
    // fr
    'le les des du une et est qui dans pour pas sur au aux ce cette ces avec par ne il elle je vous nous ils elles mon ma mes ton ta tes sa ses leur leurs comment quel quelle quels quelles etre avoir sont fait mais ou tout tous ont peut tres sans sous chez cela ca lui',
    // de
    'der das und ist zu den von mit sich auf fur nicht ein eine einen einem einer als auch er hat aus bei wie wir ich sie ihr ihre ihren mein meine dein deine seine dem im nach noch oder aber wenn kann wird werden sind war uber nur wo warum wer welche dass diese dieser dieses zum zur vom',
    // it
    'il gli di da tra fra che uno della delle dei degli nel nella alla sono piu anche questo questa quello quella mio tuo tua suo perche cosa qual quale ho hai essere io noi voi loro',
    // pt
    'os dos das em na um uma com nao mais meu minha seu voce ele ela eles elas isso sao foi tem muito quando',
  ]
    .join(' ')
    .split(' ')
    .map(fnv),
);
/** WORD_TRIGGERS keyed by the token hash the loop computes anyway (a collision only costs a failed regex try). */
const TRIGGERS_BY_HASH: ReadonlyMap<number, readonly number[]> = (() => {
  const m = new Map<number, number[]>();
  for (const [word, list] of WORD_TRIGGERS) m.set(fnv(word), [...(m.get(fnv(word)) ?? []), ...list]);
  return m;
})();

/**
 * TRIGGERS_BY_HASH and SECOND_PERSON as one open-addressing table on the int32 hash (a Map or
 * Set keyed by a uint32 would box every token's hash). Slot values: -1 empty, else an index into
 * WORD_LISTS (the trigger list, or none) with bit 30 set for a second-person word.
 */
const WORD_SLOTS = 2048;
const WORD_SLOT_MASK = WORD_SLOTS - 1;
const SECOND_BIT = 1 << 30;
const FOREIGN_FUNCTION_BIT = 1 << 29;
/** A marker word of the word-gated decoders (WORD_DECODER_MARKERS): the text is normalised again with them. */
const DECODER_MARKER_BIT = 1 << 28;
const NO_LIST = DECODER_MARKER_BIT - 1;
const DECODER_MARKERS = new Set(WORD_DECODER_MARKERS.map(fnv));
const WORD_KEYS = new Int32Array(WORD_SLOTS);
const WORD_VALS = new Int32Array(WORD_SLOTS).fill(-1);
const WORD_LISTS: (readonly number[])[] = [];
function wordSlot(key: number): number {
  let s = key & WORD_SLOT_MASK;
  while (WORD_VALS[s] !== -1 && WORD_KEYS[s] !== key) s = (s + 1) & WORD_SLOT_MASK;
  return s;
}
for (const key of new Set([...TRIGGERS_BY_HASH.keys(), ...SECOND_PERSON, ...FOREIGN_FUNCTION_WORDS, ...DECODER_MARKERS])) {
  const list = TRIGGERS_BY_HASH.get(key);
  const s = wordSlot(key | 0);
  WORD_KEYS[s] = key | 0;
  WORD_VALS[s] =
    (list === undefined ? NO_LIST : WORD_LISTS.push(list) - 1) |
    (SECOND_PERSON.has(key) ? SECOND_BIT : 0) |
    (FOREIGN_FUNCTION_WORDS.has(key) ? FOREIGN_FUNCTION_BIT : 0) |
    (DECODER_MARKERS.has(key) ? DECODER_MARKER_BIT : 0);
}
/** CHAR_TRIGGERS by ASCII code (a character above ASCII is a word character, never a trigger character). */
const CHAR_LISTS: (readonly number[] | undefined)[] = Array.from({ length: 128 }, (_, c) => CHAR_TRIGGERS.get(c));
const DOC_INTRO = CUES.findIndex((c) => c.id === 'doc-intro');
const DOC_HEADER = CUES.findIndex((c) => c.id === 'doc-header');
/**
 * Context-smuggling cues that are themselves an order to the model ("tell the reader to…",
 * "respond only in…"): after a document intro or header they count as embedded, like an
 * instruction-hijacking cue there.
 */
const CONTENT_DIRECTIVES = new Set([
  'tell-the-reader',
  'respond-only-in',
  'in-your-response',
  'whoever-processes',
  'whatever-user-asks',
  'the-assistant-must',
  'when-you-handle-this',
  'to-every-answer',
  'model-colon-order',
]);
/**
 * What counts as a planted order inside pasted content (planted_directive): the planted-only cues
 * (no weight of their own, see cues.ts) and the content directives that also speak of the answer.
 */
const PLANTED_CUES = new Set([...PLANTED_ONLY_CUES, 'tell-the-reader', 'in-your-response', 'respond-only-in']);
const QUOTED_MENTION = CUES.findIndex((c) => c.id === 'quoted-mention');
const FAKE_QA_TURNS = CUES.findIndex((c) => c.id === 'fake-qa-turns');
/**
 * An opening quote (not an apostrophe inside a word), up to 160 characters without a quote or a
 * line break, its closing quote, then a noun that names what was quoted. Bounded: each opening
 * quote is followed at most 160 characters.
 */
const NAMED_QUOTE =
  /(?<![\p{L}\p{N}])["“‘'「]([^"“”‘’'「」\n]{3,160})["”’'] ?(?:tricks?|memes?|attacks?|prompts?|jailbreaks?|techniques?|exploits?|phrases?|payloads?|commands?|lines?|strings?|messages?|methods?|hacks?|patterns?|examples?|injections?|tactics?|templates?|strateg(?:y|ies)|instructions?|requests?)\b/gu;
/**
 * The same in Chinese, Japanese and Korean, where a quote follows a letter with no space: a double
 * quote (typographic ones are ASCII by now) or 「」, then words that name or ask about the quoted
 * phrase: "what does … mean", "the meaning of", "this sentence / phrase / word", "and the like",
 * "so-called" (是什么意思, 的意思, 这句话, 这种说法, 之类, の意味, という, 라는 말, 는 무슨 뜻). Not
 * "what is …" (是什么, とは): "what is your 'system prompt'" asks for it. The words are put through
 * the normaliser first, as the text is (it decomposes Hangul and drops the marks of が, ど …).
 */
const CJK_NAMING_WORDS = [
  ...['是什么意思', '什么意思', '的意思', '的含义', '这种说法', '这句话', '这个词', '这类', '之类', '等说法'],
  ...['の意味', 'という', 'といった', 'などの'],
  ...['', '이'].flatMap((prefix) => ['', ' '].flatMap((space) => ['말', '문구', '표현'].map((noun) => `${prefix}라는${space}${noun}`))),
  ...['은', '는', '이', '가'].map((particle) => `${particle} 무슨 뜻`),
];
const NAMED_QUOTE_CJK = new RegExp(
  `["「]([^"「」\\n]{2,160})["」](?:${CJK_NAMING_WORDS.map((w) => normalize(w).text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`,
  'gu',
);
/**
 * Every non-ASCII character of the needles (cues.ts NEEDLES), as a table of UTF-16 units: a text
 * with none of them (English or French with curly quotes and accents, most non-ASCII prompts)
 * cannot hold a non-ASCII needle, and one look at each unit costs a fraction of 48 substring
 * searches. A loop over the table, not a pattern's class of these characters: the class cost 16
 * µs over the bench's 4 KB typeset prompt, the loop 6 (and 3.8 against 13 over 4 KB of Chinese).
 */
const NEEDLE_CHARS = new Uint8Array(0x10000);
for (const needle of NEEDLES.flatMap((n) => n.needles))
  for (let k = 0; k < needle.length; k++) if (needle.charCodeAt(k) >= 0x80) NEEDLE_CHARS[needle.charCodeAt(k)] = 1;
function hasNeedleChar(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x80 && NEEDLE_CHARS[code] === 1) return true;
  }
  return false;
}
const ASCII_NEEDLES = new Set(NEEDLES.flatMap((n) => n.needles).filter((needle) => [...needle].every((c) => c.charCodeAt(0) < 0x80)));
const CLOSE_QUOTE: Readonly<Record<string, string>> = { "'": "'’", '"': '"”', '“': '”"', '‘': "’'" };
const PLANTED_ONLY = Uint8Array.from(CUES, (c) => (PLANTED_ONLY_CUES.includes(c.id) ? 1 : 0));
const PLANTED = Uint8Array.from(CUES, (c) => (PLANTED_CUES.has(c.id) ? 1 : 0));
const CONTEXT = Uint8Array.from(CUES, (c) => (CONTEXT_CUES.has(c.id) ? 1 : 0));
const CONTENT_DIRECTIVE = Uint8Array.from(CUES, (c) => (CONTENT_DIRECTIVES.has(c.id) ? 1 : 0));

// The cue being tried sees the current call's text through these (set at the start of each
// call; extractFeatures is synchronous, so calls never interleave).
let cueText = '';
let cueCodes: Uint16Array = new Uint16Array(0);
let cueLength = 0;
let cueMainLength = 0;
let cueHits: CueHit[] = [];
const cueSeen = new Uint8Array(CUES.length);

function tryCue(ci: number, pos: number): void {
  if (cueSeen[ci] === 1) return;
  const cue = CUES[ci];
  if (cue === undefined) return;
  if (cue.lineStart === true && pos > 0 && cueCodes[pos - 1] !== 10) return;
  cue.re.lastIndex = pos;
  const m = cue.re.exec(cueText);
  if (m === null) return;
  const end = pos + m[0].length;
  // a word cue must end on a word boundary when it ends with a letter (no "ignore…rules" → "rulesx")
  if (end < cueLength && isWordChar(cueCodes[end]!) && isWordChar(cueCodes[end - 1]!)) return;
  cueSeen[ci] = 1;
  cueHits.push({ cue: ci, normStart: pos, normEnd: end, decoded: pos >= cueMainLength, embedded: false });
}

/** Each cue's pattern unanchored, built on first use (nextCueOutside only). */
const UNANCHORED: (RegExp | undefined)[] = [];

/**
 * [start, end) of the next occurrence of cue `ci` at or after `from` that starts a word and lies
 * outside every mention, or undefined. Linear in the text after `from`.
 */
function nextCueOutside(
  ci: number,
  from: number,
  text: string,
  codes: Uint16Array,
  n: number,
  inMention: (at: number) => boolean,
): [number, number] | undefined {
  const cue = CUES[ci];
  if (cue === undefined) return undefined;
  const re = (UNANCHORED[ci] ??= new RegExp(cue.re.source, 'g'));
  re.lastIndex = from;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const pos = m.index;
    const end = pos + m[0].length;
    if (m[0].length === 0) {
      re.lastIndex = pos + 1;
      continue;
    }
    if (pos > 0 && isWordChar(codes[pos - 1]!) && isWordChar(codes[pos]!)) continue;
    if (end < n && isWordChar(codes[end]!) && isWordChar(codes[end - 1]!)) continue;
    if (cue.lineStart === true && pos > 0 && codes[pos - 1] !== 10) continue;
    if (inMention(pos)) continue;
    return [pos, end];
  }
  return undefined;
}

// The word readWord last read: its hash, and whether it is an opaque token (see below).
let wordHash = 0;
let wordOpaque = false;

/**
 * Reads the word starting at codes[start] (a word character) up to `end`; returns the index after
 * it and leaves its hash in wordHash. A long run mixing letters and digits (a key, a hash, an id)
 * says nothing about intent, and each would land in its own random bucket: wordOpaque marks it
 * to be left out of the word features (encoded payloads are judged by what they decode to, in
 * normalize.ts). Shared by the counting loop and unhashWords, so both always agree on a word.
 */
function readWord(codes: Uint16Array, start: number, end: number): number {
  let i = start;
  let h = FNV_OFFSET | 0;
  let digits = 0;
  while (i < end) {
    const c = codes[i]!;
    const k = WORD_CLASS[c]!;
    if (k === 0) break;
    digits += k >> 1;
    h = Math.imul(h ^ c, FNV_PRIME);
    i++;
  }
  wordHash = h;
  wordOpaque = i - start >= 12 && digits > 0 && digits < i - start;
  return i;
}

/**
 * Letters written one by one ("the letters a b c d … z", "i g n o r e", "a, b, c, d, e"): from the
 * fifth one-letter word in a row, separated by one or two characters, the run's letters are no
 * words. Each alone is a word feature that means something else (the "t" of "don't", the "s" of
 * "it's": a jailbreak's casual style), and an alphabet of them added up to an attack. What a run
 * spells is read by the spaced-letters decoder (normalize.ts), and scored there.
 */
const SPELT_RUN = 5;
/** The buckets the first SPELT_RUN - 1 letters of a run were counted in (-1: not counted). */
const speltBuckets = new Int32Array(SPELT_RUN - 1);

/** Takes the counted words of speltBuckets back out of the word counts; returns how many. */
function unhashBuckets(buckets: Int32Array): number {
  let removed = 0;
  for (const b of buckets) {
    if (b < 0 || counts[b] === 0) continue;
    counts[b] = counts[b]! - 1;
    removed++;
  }
  return removed;
}

/** Takes the words of codes[from, to) back out of the word counts (a quoted mention); returns how many. */
function unhashWords(codes: Uint16Array, from: number, to: number): number {
  let removed = 0;
  for (let i = from; i < to;) {
    if (WORD_CLASS[codes[i]!] === 0) {
      i++;
      continue;
    }
    i = readWord(codes, i, to);
    if (wordOpaque) continue;
    const b = wordHash & HASH_MASK;
    if (counts[b]! > 0) {
      counts[b] = counts[b]! - 1;
      removed++;
    }
  }
  return removed;
}

export function extractFeatures(text: string): Extracted {
  return features(text, false);
}

/** `readWords`: normalise with the word-gated decoders too (a second pass, when the first met one of their marker words). */
function features(text: string, readWords: boolean): Extracted {
  const { norm, codes, stats } = normalizeForFeatures(text, readWords);
  const t = norm.text;
  const n = t.length;
  const idx: number[] = [];
  const val: number[] = [];
  const touched: number[] = [];
  const hits: CueHit[] = [];
  cueText = t;
  cueCodes = codes;
  cueLength = n;
  cueMainLength = norm.mainLength;
  cueHits = hits;
  cueSeen.fill(0);

  // The hot loop (every character of every request): no closures, no per-token strings or
  // boxed numbers.
  let tokens = 0;
  let second = 0;
  let markerSeen = false;
  // the run of one-letter words the last word ends (see SPELT_RUN), and where its last letter ends
  let spelt = 0;
  let spellEnd = -1;
  for (let i = 0; i < n;) {
    const c = codes[i]!;
    if (WORD_CLASS[c] === 0) {
      const list = CHAR_LISTS[c];
      if (list !== undefined) for (const ci of list) tryCue(ci, i);
      i++;
      continue;
    }
    const start = i;
    i = readWord(codes, i, n);
    const h = wordHash;
    // trigger words are looked up by their hash (the sticky regex then checks the actual text)
    const v = i - start <= 14 ? WORD_VALS[wordSlot(h)]! : -1;
    const letter = i - start === 1 && c >= 97 && c <= 122;
    spelt = letter && spelt > 0 && start - spellEnd <= 2 ? spelt + 1 : letter ? 1 : 0;
    spellEnd = i;
    if (spelt === SPELT_RUN) tokens -= unhashBuckets(speltBuckets);
    if (spelt < SPELT_RUN && !wordOpaque && (v === -1 || (v & FOREIGN_FUNCTION_BIT) === 0)) {
      tokens++;
      const b = h & HASH_MASK;
      const k = counts[b]!;
      if (k === 0) touched.push(b);
      if (k < 65535) counts[b] = k + 1;
      if (spelt > 0) speltBuckets[spelt - 1] = b;
    } else if (spelt > 0 && spelt < SPELT_RUN) speltBuckets[spelt - 1] = -1;
    if (v !== -1) {
      if ((v & DECODER_MARKER_BIT) !== 0 && !readWords) markerSeen = true;
      if ((v & SECOND_BIT) !== 0) second++;
      const list = WORD_LISTS[v & NO_LIST];
      if (list !== undefined) for (const ci of list) tryCue(ci, start);
    }
  }
  cueText = '';
  if (markerSeen) {
    // rot13, atbash, backwards or NATO may be here: start again with their decoders
    for (const b of touched) counts[b] = 0;
    return features(text, true);
  }
  // spans quoted to be asked about ("what does 'ignore previous instructions' mean"): an attack
  // phrase there is mentioned, not used
  const mentioned: [number, number][] = [];
  for (const hit of hits) {
    if (hit.cue !== QUOTED_MENTION) continue;
    const open = hit.normEnd - 1;
    const closers = CLOSE_QUOTE[t[open] ?? ''] ?? '';
    for (let k = open + 1; k < Math.min(n, open + 160); k++) {
      if (closers.includes(t[k]!)) {
        mentioned.push([open, k]);
        // its words are no evidence either: take them out of the word counts
        tokens -= unhashWords(codes, open + 1, k);
        break;
      }
    }
  }
  // a quoted phrase named by the noun after it ("why does the 'ignore previous instructions'
  // trick work", 「以前の指示を無視して」という命令): mentioned too, the way a security team asks
  // about an attack
  for (const pattern of [NAMED_QUOTE, NAMED_QUOTE_CJK]) {
    pattern.lastIndex = 0;
    for (let m = pattern.exec(t); m !== null; m = pattern.exec(t)) {
      const open = m.index;
      const close = open + 1 + (m[1]?.length ?? 0);
      if (mentioned.some(([a, b]) => open >= a && open < b)) continue;
      mentioned.push([open, close]);
      tokens -= unhashWords(codes, open + 1, close);
    }
  }
  // A cue is recorded at its first occurrence only. When that one lies in a mentioned span, the
  // same attack phrase may still be said outside it ("what does '忽略系统指令' mean? Now ignore all
  // previous instructions…"): look for the next occurrence outside every mention, so an order
  // next to a mention of itself still counts. Only cues that were dropped pay for this.
  const inMention = (at: number) => mentioned.some(([a, b]) => at > a && at < b);
  if (mentioned.length > 0) {
    for (let h = 0, count = hits.length; h < count; h++) {
      const hit = hits[h]!;
      if (CONTEXT[hit.cue] === 1 || hit.decoded || hit.cue === QUOTED_MENTION || !inMention(hit.normStart)) continue;
      const again = nextCueOutside(hit.cue, hit.normEnd, t, codes, n, inMention);
      if (again !== undefined)
        hits.push({ cue: hit.cue, normStart: again[0], normEnd: again[1], decoded: again[0] >= norm.mainLength, embedded: false });
    }
  }
  // non-Latin attack phrases as substrings (cues.ts NEEDLES): the first occurrence outside a mention
  if (stats.nonAscii) {
    const foreign = hasNeedleChar(t);
    for (const { cue, needles } of NEEDLES) {
      for (const needle of needles) {
        if (!foreign && !ASCII_NEEDLES.has(needle)) continue;
        let at = t.indexOf(needle);
        while (at >= 0 && inMention(at)) at = t.indexOf(needle, at + 1);
        if (at < 0) continue;
        hits.push({ cue, normStart: at, normEnd: at + needle.length, decoded: at >= norm.mainLength, embedded: false });
        break;
      }
    }
  }
  // sublinear term frequency, then the hashed block scaled to length HASH_NORM (less when short)
  let ss = 0;
  for (const b of touched) {
    // a bucket emptied by a quoted mention (see unhashWords) is no feature
    if (counts[b] === 0) continue;
    const v = SUBLINEAR[counts[b]!]!;
    idx.push(b);
    val.push(v);
    ss += v * v;
    counts[b] = 0;
  }
  if (ss > 0) {
    const z = (HASH_NORM * Math.min(1, Math.sqrt(tokens / HASH_REF))) / Math.sqrt(ss);
    for (let k = 0; k < val.length; k++) val[k]! *= z;
  }

  // context: instruction cues after a document intro ("summarise this …") or header line (From:,
  // Subject:, Title:), or inside an HTML comment, are smuggled
  const intro = hits.find((h) => h.cue === DOC_INTRO || h.cue === DOC_HEADER);
  let inDecoded = 0;
  let planted = 0;
  // hits that are no feature of their own (planted-only cues, quoted mentions) count in no density
  let dropped = 0;
  let embedded = 0;
  let inComment = 0;
  let markers = 0;
  let context = 0;
  const cats = [0, 0, 0, 0];
  for (const hit of hits) {
    const cue = CUES[hit.cue];
    if (cue === undefined) continue;
    if (CONTEXT[hit.cue] === 0 && !hit.decoded && mentioned.some(([a, b]) => hit.normStart > a && hit.normStart < b)) {
      dropped++;
      continue;
    }
    if (hit.cue === QUOTED_MENTION) {
      // a marker for the quoted span only, no evidence either way
      dropped++;
      continue;
    }
    if (hit.cue === FAKE_QA_TURNS && intro !== undefined && hit.normStart > intro.normEnd) {
      // Q:/A: lines in content the user pasted are a FAQ page, not a made-up chat history
      dropped++;
      continue;
    }
    if (PLANTED_ONLY[hit.cue] === 1) {
      // no weight of its own ("write a poem" is a fine request): it only counts inside content
      if (intro !== undefined && hit.normStart > intro.normEnd) {
        planted++;
        hit.embedded = true;
        embedded++;
      }
      dropped++;
      continue;
    }
    idx.push(CUE_OFFSET + hit.cue);
    val.push(1);
    if (hit.cue === DOC_INTRO || hit.cue === DOC_HEADER) {
      // a "summarise this e-mail" request or a From:/Subject: line marks content, it is no attack:
      // it keeps its own weight but does not count towards the cue density below
      markers++;
      continue;
    }
    context += CONTEXT[hit.cue]!;
    cats[CAT_INDEX[cue.category]]! += 1;
    if (PLANTED[hit.cue] === 1 && intro !== undefined && hit.normStart > intro.normEnd) planted++;
    if (cue.category !== 'INSTRUCTION_HIJACKING' && cue.category !== 'ROLE_CONFUSION' && CONTENT_DIRECTIVE[hit.cue] !== 1) continue;
    // a context cue is no order to the model: "your password" in an e-mail to summarise is just its content
    if (CONTEXT[hit.cue] === 1) continue;
    if (hit.decoded) inDecoded++;
    const open = t.lastIndexOf('<!--', hit.normStart);
    const commented = open >= 0 && t.lastIndexOf('-->', hit.normStart) < open;
    if (commented) inComment++;
    if (commented || (intro !== undefined && hit.normStart > intro.normEnd)) {
      hit.embedded = true;
      embedded++;
    }
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
    Math.log1p(hits.length - markers - context - dropped) / 3,
    Math.log1p(hits.length - markers - dropped) / 3,
    Math.log1p(cats[0] ?? 0) / 2,
    Math.log1p(cats[1] ?? 0) / 2,
    Math.log1p(cats[2] ?? 0) / 2,
    Math.log1p(cats[3] ?? 0) / 2,
    Math.log1p(planted) / Math.LN2 / 2,
    tokens > 0 ? Math.min(1, (8 * second) / tokens) : 0,
    stats.letters > 20 ? stats.upper / stats.letters : 0,
  ];
  dense.forEach((v, k) => {
    if (v !== 0) {
      idx.push(DENSE_OFFSET + k);
      val.push(v);
    }
  });
  return { idx, val, hits, norm };
}
