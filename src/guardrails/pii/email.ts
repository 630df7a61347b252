/**
 * Email addresses. Instead of one big regex over the whole text, we jump from '@' to '@' with
 * indexOf and walk outwards over the characters an address can hold: a prompt without '@' costs a
 * single indexOf, and every '@' costs at most 64 + 255 character checks (RFC 5321 limits), so the
 * scan is linear in the text however it is built.
 */
import type { Finding } from '../types.js';
import { pii } from './finding.js';
import { isUnspacedScriptLetter, isOtherScriptWordUnit } from './letters.js';

const MAX_LOCAL = 64;
const MAX_DOMAIN = 253;

/** RFC 5322 "atext" plus '.', ASCII only: the characters of an unquoted local part. */
function isLocalChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) || // a-z
    (c >= 0x41 && c <= 0x5a) || // A-Z
    (c >= 0x30 && c <= 0x39) || // 0-9
    c === 0x2e || // .
    c === 0x5f || // _
    c === 0x2d || // -
    c === 0x2b || // +
    c === 0x25 || // %
    c === 0x27 || // ' (o'brien@…)
    c === 0x21 || // !
    c === 0x23 || // #
    c === 0x24 || // $
    c === 0x26 || // &
    c === 0x2a || // *
    c === 0x3d || // =
    c === 0x3f || // ?
    c === 0x5e || // ^
    c === 0x60 || // `
    c === 0x7b || // {
    c === 0x7c || // |
    c === 0x7d || // }
    c === 0x7e || // ~
    isOtherScript(c) // letters of other scripts (EAI addresses, e.g. "jürgen@…")
  );
}

/**
 * Beyond Latin-1 punctuation: a letter, digit or mark of another script, so an em dash
 * ("a@b.com—thanks"), an ideographic full stop ("请联系 a@b.com。") or an Arabic comma ends an
 * address as a space does (letters.ts).
 */
const isOtherScript = isOtherScriptWordUnit;

function isDomainChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d || isOtherScript(c);
}

// A hostname label (letters, digits, inner hyphens) and a top-level domain: alphabetic, or an
// IDNA "xn--" label. Applied to short, already delimited strings, so no backtracking concern.
const LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;
const TLD = /^(?:\p{L}{2,63}|xn--[a-z0-9-]{1,59})$/iu;

// Punctuation that may sit at the edge of the local part in running text but not belong to the
// address: quotes, a leading "'", '|' table borders, "=" in "email=…" and the like.
/** Up to the last `?key=` or `&key=` in what was walked over as the local part. */
const QUERY_KEY = /^.*[?&][A-Za-z0-9_.[\]-]{1,40}=/;
const LOCAL_EDGE_TRIM = /^[.'`{|}~=?^!#$%&*+-]+/;

function validDomain(domain: string): boolean {
  if (domain.length < 4 || domain.length > MAX_DOMAIN) return false;
  const ascii = validAsciiDomain(domain);
  if (ascii !== undefined) return ascii;
  const labels = domain.split('.');
  if (labels.length < 2) return false; // "user@localhost" is not worth flagging
  for (const label of labels) if (!LABEL.test(label)) return false;
  return TLD.test(labels[labels.length - 1] ?? '');
}

function isAsciiAlnum(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39);
}

/**
 * validDomain for the common case, an ASCII domain, without splitting it or running the Unicode
 * regexes: the same rules (labels of 1–63 letters, digits and inner hyphens; at least two labels;
 * an alphabetic or "xn--" TLD). Undefined when the domain has other characters and the answer
 * depends on them.
 */
function validAsciiDomain(domain: string): boolean | undefined {
  let labelStart = 0;
  for (let i = 0; i <= domain.length; i++) {
    const c = i < domain.length ? domain.charCodeAt(i) : 0x2e;
    if (c >= 0x80) return undefined;
    if (c !== 0x2e) continue;
    // A bad ASCII label makes the domain invalid whatever the rest holds.
    if (!validAsciiLabel(domain, labelStart, i)) return false;
    if (i < domain.length) labelStart = i + 1;
  }
  return labelStart > 0 && TLD.test(domain.slice(labelStart));
}

function validAsciiLabel(domain: string, from: number, to: number): boolean {
  if (to - from < 1 || to - from > 63) return false;
  if (!isAsciiAlnum(domain.charCodeAt(from)) || !isAsciiAlnum(domain.charCodeAt(to - 1))) return false;
  for (let i = from + 1; i < to - 1; i++) {
    const c = domain.charCodeAt(i);
    if (!isAsciiAlnum(c) && c !== 0x2d) return false;
  }
  return true;
}

/**
 * The at signs of a text in order: '@', or '%40' as a URL writes it ("?email=jane%40acme.com" in a
 * pasted link or log line, which a model reads as the address), with its length, to skip it. The
 * next '%40' is remembered until it is passed: searched again at every '@', a text of at signs
 * cost quadratic time (80,000 of them: 29 ms against 2.6 ms for 20,000).
 */
function atSigns(text: string): (from: number) => { at: number; length: number } {
  let encoded = text.indexOf('%40');
  return (from) => {
    if (encoded !== -1 && encoded < from) encoded = text.indexOf('%40', from);
    const plain = text.indexOf('@', from);
    if (encoded !== -1 && (plain === -1 || encoded < plain)) return { at: encoded, length: 3 };
    return { at: plain, length: 1 };
  };
}

export function detectEmails(text: string): Finding[] {
  const findings: Finding[] = [];
  const nextAt = atSigns(text);
  let { at, length: atLength } = nextAt(0);
  let minStart = 0; // never start an address inside the previous one
  while (at !== -1) {
    // Local part: walk left.
    let s = at;
    // In a URL ('%40'), a query's '?', '=' and '&' delimit the value: they would be escaped in it.
    const inLocal = atLength === 1 ? isLocalChar : (c: number) => isLocalChar(c) && c !== 0x3f && c !== 0x3d && c !== 0x26;
    while (s > minStart && at - s < MAX_LOCAL + 1 && inLocal(text.charCodeAt(s - 1))) s--;
    // Domain: walk right.
    const domainStart = at + atLength;
    let e = domainStart;
    while (e < text.length && e - at <= MAX_DOMAIN && isDomainChar(text.charCodeAt(e))) e++;
    // Chinese, Japanese and Korean put no space around an address ("请联系jane@acme.com谢谢"):
    // where an ASCII local part or domain meets their letters, the address ends. One written
    // wholly in them (an internationalised address, "用户@例子.广告") keeps them.
    s = unspacedLocalStart(text, s, at);
    e = unspacedDomainEnd(text, domainStart, e);
    // Sentence punctuation after the address ("mail me at a@b.com.") is not part of it.
    while (e > domainStart && (text.charCodeAt(e - 1) === 0x2e || text.charCodeAt(e - 1) === 0x2d)) e--;

    let local = text.slice(s, at);
    // A query string's key before the value ("/users?email=jane@acme.com"): the address is the value.
    const queryKey = QUERY_KEY.exec(local);
    if (queryKey) {
      s += queryKey[0].length;
      local = local.slice(queryKey[0].length);
    }
    const trimmed = LOCAL_EDGE_TRIM.exec(local);
    if (trimmed) {
      s += trimmed[0].length;
      local = local.slice(trimmed[0].length);
    }
    let domain = text.slice(domainStart, e);
    // A dash straight after the address ("a@b.com-thanks", an em dash as the detectors read it)
    // makes a last label no top-level domain can be: the address ends before it.
    const lastDot = domain.lastIndexOf('.');
    const dash = lastDot > 0 ? domain.indexOf('-', lastDot + 1) : -1;
    if (dash > lastDot + 1 && !validDomain(domain) && validDomain(domain.slice(0, dash))) {
      domain = domain.slice(0, dash);
      e = domainStart + dash;
    }
    if (
      local.length > 0 &&
      local.length <= MAX_LOCAL &&
      !local.endsWith('.') &&
      !local.includes('..') &&
      !isUrlCredential(text, s) &&
      validDomain(domain)
    ) {
      // An address directly glued to a longer word on the right (a@b.comXYZ is already consumed
      // by the domain walk), or followed by '@' again (a@b@c), is not a clean address.
      const after = text.charCodeAt(e);
      if (after !== 0x40) {
        findings.push(pii('EMAIL', s, e, 0.95));
        minStart = e;
      }
    }
    ({ at, length: atLength } = nextAt(at + atLength));
  }
  return findings;
}

/** Where the local part ending at `at` starts once East Asian words before it are left out. */
function unspacedLocalStart(text: string, start: number, at: number): number {
  if (at === start || isUnspacedScriptLetter(text.charCodeAt(at - 1))) return start;
  for (let i = at - 1; i >= start; i--) if (isUnspacedScriptLetter(text.charCodeAt(i))) return i + 1;
  return start;
}

/** Where the domain from `start` ends once East Asian words after it are left out. */
function unspacedDomainEnd(text: string, start: number, end: number): number {
  if (end === start || isUnspacedScriptLetter(text.charCodeAt(start))) return end;
  for (let i = start; i < end; i++) if (isUnspacedScriptLetter(text.charCodeAt(i))) return i;
  return end;
}

/**
 * "https://user:pa55@host.example" carries a credential and "ssh://git@host" a user name, not an
 * email address (the secret detector owns credentials): the local part follows ':' or '/' inside
 * a token that contains "://".
 */
function isUrlCredential(text: string, localStart: number): boolean {
  const prev = localStart === 0 ? 0 : text.charCodeAt(localStart - 1);
  if (prev !== 0x3a && prev !== 0x2f) return false;
  const from = Math.max(0, localStart - 256);
  const before = text.slice(from, localStart);
  const lastSpace = Math.max(before.lastIndexOf(' '), before.lastIndexOf('\n'), before.lastIndexOf('\t'));
  return before.slice(lastSpace + 1).includes('://');
}
