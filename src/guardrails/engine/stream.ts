/**
 * Guardrails over a streamed response. Text arrives in chunks (a few characters each) and a
 * secret or a card number may be split across them, so the guard holds back what could still turn
 * out to be (part of) a finding, and releases the rest at once:
 *
 * - the word being written (the text after the last whitespace): "sk-ab" may become a key;
 * - a token that looks like a value, not prose (it has a digit, an `@`, `=` or `_`, or 16+
 *   characters; tokens end at whitespace and at Chinese, Japanese and Korean text), until 96 more characters have arrived: a secret rule accepts a keyword up to 48
 *   characters after the value ("AKIA… is the AWS key"), a phone cue word may follow the number
 *   ("555 1234 (mobile)"), and a number continues across spaces ("4111 1111 …");
 * - where addresses are changed, the last finished word, and the word before a bracketed at
 *   ("jane [at] acme [dot] com": see addressHold);
 * - a finding that reaches the cut (the cut moves back to its start), a reversible placeholder not
 *   yet closed, a PEM block whose END line has not arrived, and a base64 or hex run or a value
 *   spelt out a character at a time still being written (each up to 8 KB): what the run decodes
 *   to, and so whether it holds a key, is known only at its end;
 * - with custom rules on responses: as many characters as the longest term (terms may be several
 *   words), or the whole window for a regular expression (its matches have no known length).
 *
 * Nothing is held longer than `window` characters (except findings, PEM blocks and encoded runs, as above), so
 * plain prose reaches the client a word (two with addresses changed) behind the provider instead
 * of a window behind.
 *
 * Each step scans the held text together with the last 512 characters already released, so a
 * keyword or a phone cue sent earlier still counts (secret rules look up to 320 characters back);
 * only findings that reach into the newly released part are acted on and reported.
 */
import { detectionView } from '../detection-view.js';
import { continuesEncodedRun, encodedRunAtEnd } from '../encoded-values.js';
import { MAY_HAVE_OBFUSCATED_EMAIL } from '../pii/email-obfuscated.js';
import { UNSPACED_SCRIPT_LETTER_RANGES } from '../pii/letters.js';
import { joinedChainAtEnd } from '../joined-literals.js';
import { characterListAtEnd } from '../character-lists.js';
import { numberWordsHeldFrom } from '../number-words.js';
import { spelledRunAtEnd } from '../spelled-values.js';
import { wrappedTokenAtEnd } from '../wrapped-tokens.js';
import type { Finding } from '../types.js';
import { applyFindings, blockingChanges, findGuardrailActions, type ApplyContext, type GuardrailEvent, type ValueCodec } from './apply.js';
import { piiAction, type GuardrailAction } from './policy.js';

/** The most plain text is ever held back; also what a custom regex rule on responses holds. */
export const DEFAULT_STREAM_WINDOW = 256;
/** The most a PEM block or an encoded run is held (beyond it, it goes out a window behind like prose). */
const LONG_VALUE_HOLD_LIMIT = 8192;
/** Released text kept as context for the next scan: more than the secret rules' 320-character look-back. */
const RELEASED_CONTEXT = 512;
/** How long a value-like token is held after its start (see above). */
const VALUE_TOKEN_HOLD = 96;

export type StreamStep =
  { blocked: GuardrailEvent; events: GuardrailEvent[] } | { blocked: undefined; emit: string; events: GuardrailEvent[] };

export type StreamGuard = {
  /** Scans a new chunk; returns the text that may be sent now (possibly empty). */
  push(chunk: string): StreamStep;
  /** The end of the stream: judges and returns what is still held. */
  end(): StreamStep;
};

type Found = { finding: Finding; action: GuardrailAction }[];

/** A text as detectors read it, with the way back to offsets in the text as sent. */
export type DecodedView = {
  text: string;
  /** Findings over `text`, with offsets into the text as sent (from the view's start). */
  toStream(found: Found): Found;
};

/**
 * A stream whose text has a syntax of its own (a tool call's JSON arguments): what detectors
 * read, which changes are safe to write, and where it may be cut. Offsets are from the start of
 * the stream.
 */
export type StreamTextShape = {
  append(chunk: string): void;
  /** [from, to) as it reads, in a view of the same length (offsets do not move): where to cut. */
  view(from: number, to: number): string;
  /** What detectors read for [from, to) (escapes decoded), and the way back. */
  decoded(from: number, to: number): DecodedView;
  /** How values in the text from `origin` on are read and written (offsets from `origin`). */
  codecFrom(origin: number): ValueCodec;
  /**
   * The view with what separates values (JSON's punctuation outside strings) as spaces: where
   * the text may be cut between words. Plain text's words end only at whitespace.
   */
  breaks(from: number, to: number): string;
  /** The findings (offsets from `origin`) as they may be applied. */
  fit(found: Found, origin: number): Found;
  /** The latest offset at or before `at` where the text may be cut. */
  safeCut(at: number): number;
  /** A restored original as it must be written into the text. */
  encode(original: string): string;
};

// Digits of any script (Persian, full-width, mathematical bold…) and the full-width at sign: the
// detectors read them as ASCII (detection-view.ts), so a number written in them is held like
// one written in ASCII (with ASCII digits only, "４１１１ １１１１ …" went out a group at a time,
// each too short to be a card when it left).
const looksLikeValue = (token: string): boolean => token.length >= 16 || /[\p{Nd}@=_＠]/u.test(token);
/**
 * A token that may be a value: what stands between whitespace, and between the letters of
 * scripts written without spaces (Chinese, Japanese, Korean, Thai, Lao, Myanmar, Khmer: "请记下：
 * +44 20 …", "โทร+66 81 …") and CJK punctuation. With whitespace alone, a number after a hundred
 * characters of Chinese or Thai was the end of a token that began before the hold, and its "+44 "
 * went out before the rest made it a phone number.
 */
const VALUE_TOKEN = new RegExp(`[^\\s\\u3000-\\u303f\\uff01\\uff0c\\uff1a\\uff1b\\uff1f${UNSPACED_SCRIPT_LETTER_RANGES}]+`, 'g');
/** A piece of a number written with separators: "+1", "(555)", "123-4567", "1111". */
const isNumberPiece = (token: string): boolean => /^[+(＋（]?[\p{Nd}().\-/（）－]+$/u.test(token) && /\p{Nd}/u.test(token);

/** A bracketed "at" of an address written for people ("jane [at] acme [dot] com"), as the PII detector reads it, or its start. */
const BRACKETED_AT = new RegExp(MAY_HAVE_OBFUSCATED_EMAIL.source, 'gi');
const BRACKETED_AT_START = /^[[({<](?: ?a?| ?at ?)$/i;

/** Where the word that ends before `end` starts (spaces before `end` skipped). */
function wordStartBefore(buffer: string, end: number): number {
  let i = end;
  while (i > 0 && /\s/.test(buffer[i - 1]!)) i--;
  while (i > 0 && !/\s/.test(buffer[i - 1]!)) i--;
  return i;
}

/**
 * With addresses changed in this direction: the cut that keeps the local part of an address
 * written for people with the rest of it. Its at is a word of its own, so its local part is a
 * finished word, plain prose until the at arrives: the last finished word is held, and while a
 * bracketed at is within `valueHold` characters, the word before it. Without this, "jane" went
 * out before "[at] acme [dot] com" arrived, and only the domain was redacted.
 */
function addressHold(buffer: string, lastSpace: number, valueHold: number): number {
  let cut = wordStartBefore(buffer, lastSpace + 1);
  // read as the detectors read it: "［ａｔ］" in full-width forms is an at too
  const view = detectionView(buffer);
  BRACKETED_AT.lastIndex = Math.max(0, view.text.length - valueHold);
  let last: Finding | undefined;
  for (let m = BRACKETED_AT.exec(view.text); m !== null; m = BRACKETED_AT.exec(view.text))
    last = { detector: 'pii', type: 'EMAIL', start: m.index, end: m.index + m[0].length, confidence: 1 };
  if (last) return Math.min(cut, wordStartBefore(buffer, view.inOriginal([last])[0]!.start));
  // the at still being written ("jane [a"): the word before it too
  if (BRACKETED_AT_START.test(detectionView(buffer.slice(lastSpace + 1)).text)) cut = Math.min(cut, wordStartBefore(buffer, lastSpace + 1));
  return cut;
}

/** Characters held for custom rules that apply to this direction (0 without any). */
function customRuleHold(context: ApplyContext, window: number): number {
  let hold = 0;
  for (const { rule } of context.customRules) {
    if (rule.scope !== 'both' && rule.scope !== context.direction) continue;
    if (rule.kind === 'regex') return window;
    for (const term of rule.terms ?? []) hold = Math.max(hold, term.length);
  }
  return Math.min(hold, window);
}

/**
 * Where the text that may be released now ends in `buffer` (the held text plus the new chunk),
 * before findings are considered: the earliest of the hazards above, never more than `window`
 * characters before the end.
 */
function plainCut(buffer: string, window: number, customHold: number, valueHold: number, holdAddress: boolean): number {
  const floor = Math.max(0, buffer.length - window);
  let cut = buffer.length - customHold;
  // The word being written.
  const lastSpace = Math.max(buffer.lastIndexOf(' '), buffer.lastIndexOf('\n'), buffer.lastIndexOf('\t'), buffer.lastIndexOf('\r'));
  cut = Math.min(cut, lastSpace + 1);
  if (holdAddress) cut = Math.min(cut, addressHold(buffer, lastSpace, valueHold));
  // The first value-like token that started in the last `valueHold` characters, with the
  // number it continues ("+1 (555) 123-4567": back to "+1").
  const tokens = [...buffer.slice(Math.max(0, buffer.length - valueHold - 64)).matchAll(VALUE_TOKEN)];
  const offset = Math.max(0, buffer.length - valueHold - 64);
  for (let i = 0; i < tokens.length; i++) {
    const start = offset + tokens[i]!.index;
    if (start < buffer.length - valueHold || !looksLikeValue(tokens[i]![0])) continue;
    let first = i;
    while (first > 0 && isNumberPiece(tokens[first]![0]) && isNumberPiece(tokens[first - 1]![0])) first--;
    cut = Math.min(cut, offset + tokens[first]!.index);
    break;
  }
  return Math.max(floor, Math.min(cut, buffer.length));
}

/**
 * The cut moved back to the start of every finding that straddles it (moving it to one finding's
 * start may put it inside an earlier one: repeated until none does). A finding that began in text
 * already released holds the whole buffer (cut 0).
 */
function outsideFindings(cut: number, base: number, found: Found): number {
  for (let moved = true; moved;) {
    moved = false;
    for (const { finding } of found)
      if (cut > 0 && finding.start < base + cut && finding.end > base + cut) {
        cut = Math.max(0, finding.start - base);
        moved = true;
      }
  }
  return cut;
}

/**
 * `fixed`: the text may not be changed (reasoning the provider signed). It is held and judged
 * like any other, a redaction or mask blocks instead, and placeholders in it are not restored
 * (the client sends it back as it was signed).
 */
export function createStreamGuard(
  context: ApplyContext,
  window = DEFAULT_STREAM_WINDOW,
  shape?: StreamTextShape,
  options: { fixed?: boolean } = {},
): StreamGuard {
  const customHold = customRuleHold(context, window);
  // In a text with a syntax of its own, a value may be written with escapes ("\uff14" for a
  // full-width 4, twelve characters for a mathematical digit), so its text runs several times
  // longer than what the detectors read: a value-like token is held for the whole window there
  // (tool-call arguments, which clients read whole anyway), not VALUE_TOKEN_HOLD.
  const valueHold = shape ? window : VALUE_TOKEN_HOLD;
  // Only where an address is changed (redact, mask, block): a logged one may go out in pieces.
  const holdAddress = context.policy.pii.enabled && piiAction(context.policy, 'EMAIL') !== 'log';
  let held = '';
  /** The end of the released text, kept as context for the next scan. */
  let releasedTail = '';
  /** Characters of the original stream released so far: event offsets are relative to the stream. */
  let released = 0;
  let blocked: GuardrailEvent | undefined;
  /** Whether `held` is exactly a base64 or hex run still being written. */
  let heldIsRun = false;

  /**
   * Where to cut `buffer` (which starts at `base` in `scanned`), given the findings over `scanned`;
   * with where the encoded run that reaches its end starts, when there is one.
   */
  function cutPoint(scanned: string, breaks: string, base: number, found: Found, final: boolean): { cut: number; run?: number } {
    const buffer = scanned.slice(base);
    if (final) return { cut: buffer.length };
    let cut = plainCut(breaks.slice(base), window, customHold, valueHold, holdAddress);
    const pem = buffer.lastIndexOf('-----BEGIN');
    if (pem >= 0 && pem < cut && !buffer.includes('-----END', pem) && buffer.length - pem < LONG_VALUE_HOLD_LIMIT) cut = pem;
    // A base64 or hex run still being written, a value spelt out a character at a time ("g h p _
    // …", which goes out a character a word otherwise) or listed ("'g', 'h', 'p', …"), a number
    // written in words ("five two three…"), a chain of joined string literals that may go on and
    // a token whose line broke (its next line may go on with it) are held from their start.
    // Looked for over the released text too: a run that began there went out over the limit and
    // is past holding.
    const run = encodedRunAtEnd(scanned);
    for (const start of [
      run,
      spelledRunAtEnd(scanned),
      characterListAtEnd(scanned),
      numberWordsHeldFrom(scanned, valueHold),
      joinedChainAtEnd(scanned),
      wrappedTokenAtEnd(scanned),
    ])
      if (start !== undefined && start >= base && start - base < cut && scanned.length - start < LONG_VALUE_HOLD_LIMIT) cut = start - base;
    // A hold's start may lie inside a finding (a number in words whose first group ends an
    // address: it went out in two parts, each redacted), and a finding's start inside a
    // placeholder being written: each only moves the cut back, so repeat until neither moves it.
    for (let previous = -1; cut !== previous;) {
      previous = cut;
      cut = outsideFindings(cut, base, found);
      if (context.vault.reversible) {
        const open = buffer.lastIndexOf('[', cut - 1);
        if (open >= 0 && !buffer.slice(open, cut).includes(']') && cut - open <= context.vault.longestPlaceholder) cut = open;
      }
    }
    return { cut, run };
  }

  function step(chunk: string, final: boolean): StreamStep {
    if (blocked) return { blocked, events: [] };
    shape?.append(chunk);
    // The held text is a base64 run being written, held from its start, and the chunk goes on with
    // it: the cut would be 0 again (see cutPoint), so the run is not scanned again for each piece
    // (an 8 KB run streamed a few characters at a time cost a scan of up to 8 KB per piece).
    if (!final && heldIsRun && held.length + chunk.length < LONG_VALUE_HOLD_LIMIT && continuesEncodedRun(chunk)) {
      held += chunk;
      return { blocked: undefined, emit: '', events: [] };
    }
    const buffer = held + chunk;
    if (buffer === '') return { blocked: undefined, emit: '', events: [] };
    const scanned = releasedTail + buffer;
    const base = releasedTail.length;
    /** Where `scanned` begins in the stream. */
    const origin = released - base;
    const read = shape ? shape.view(origin, origin + scanned.length) : scanned;
    const decoded = shape?.decoded(origin, origin + scanned.length);
    const fitted =
      shape && decoded
        ? shape.fit(decoded.toStream(findGuardrailActions(decoded.text, context)), origin)
        : findGuardrailActions(read, context);
    const found = options.fixed ? fitted.map(blockingChanges) : fitted;
    const breaks = shape ? shape.breaks(origin, origin + scanned.length) : read;
    const point = cutPoint(read, breaks, base, found, final);
    let cut = point.cut;
    if (shape && !final) cut = Math.max(0, shape.safeCut(origin + base + cut) - origin - base);
    held = buffer.slice(cut);
    heldIsRun = point.run === base + cut;
    if (cut === 0) return { blocked: undefined, emit: '', events: [] };
    const outcome = applyFindings(scanned, found, context, base, base + cut, shape?.codecFrom(origin));
    const events = outcome.events.map((e) => ({ ...e, start: e.start - base + released, end: e.end - base + released }));
    released += cut;
    releasedTail = scanned.slice(Math.max(0, base + cut - RELEASED_CONTEXT), base + cut);
    if (outcome.blocked) {
      blocked = events.find((e) => e.action === 'block');
      return { blocked: blocked!, events };
    }
    const emit = options.fixed ? outcome.text : context.vault.restore(outcome.text, shape?.encode.bind(shape));
    return { blocked: undefined, emit, events };
  }

  return { push: (chunk) => step(chunk, false), end: () => step('', true) };
}
