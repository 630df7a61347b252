/**
 * Addresses written to get past scrapers: "jane.doe [at] acme [dot] com", "jane(at)acme(dot)com",
 * "jane {at} acme.co.uk", "jane [AT] acme [DOT] com". People paste web pages and signatures that
 * write them so, and a model reads them as the address. Only a bracketed "at" counts ("meet me at
 * acme dot com" is a sentence); dots may be bracketed or plain. The address is rebuilt and must
 * have a valid domain, as a plain one must.
 */
import { pii } from './finding.js';
import type { Finding } from '../types.js';

/** A bracketed "at", with at most one space inside the brackets and one on either side. */
const AT = /[ \t]?[[({<] ?at ?[\])}>][ \t]?/gi;
/** Cheap test for the whole text: no bracketed "at", no obfuscated address. */
export const MAY_HAVE_OBFUSCATED_EMAIL = /[[({<] ?at ?[\])}>]/i;
const BRACKETED_DOT = String.raw`[ \t]?[[({<] ?dot ?[\])}>][ \t]?`;
/** A bracketed "dot" (or a plain dot) between two labels. */
const DOT = new RegExp(`${BRACKETED_DOT}|\\.`, 'iy');
/** Every bracketed "at" and "dot" of a value, to read it as the address. */
const ANY_AT = new RegExp(AT.source, 'gi');
const ANY_DOT = new RegExp(BRACKETED_DOT, 'gi');
const LABEL = /[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?/y;
const TLD = /^[A-Za-z]{2,63}$/;
const LOCAL_CHAR = /[A-Za-z0-9._%+-]/;
const MAX_LOCAL = 64;
/** RFC 5321's limit, here on the domain as written (brackets included): the walk ends there. */
const MAX_DOMAIN = 253;

export function detectObfuscatedEmails(text: string): Finding[] {
  const findings: Finding[] = [];
  AT.lastIndex = 0;
  for (let m = AT.exec(text); m !== null; m = AT.exec(text)) {
    let start = m.index;
    while (start > 0 && m.index - start < MAX_LOCAL && LOCAL_CHAR.test(text[start - 1]!)) start--;
    // The local part starts and ends with a letter or digit ("…: jane" not ": jane", "jane." not).
    while (start < m.index && !/[A-Za-z0-9]/.test(text[start]!)) start++;
    if (start === m.index || !/[A-Za-z0-9]/.test(text[m.index - 1]!)) continue;
    const end = domainEnd(text, m.index + m[0].length);
    if (end > 0) findings.push(pii('EMAIL', start, end, 0.85));
  }
  return findings;
}

/** Where a domain of two or more labels starting at `from` ends, or -1; its last label must be a TLD. */
function domainEnd(text: string, from: number): number {
  let at = from;
  let labels = 0;
  let last = '';
  for (;;) {
    if (at - from > MAX_DOMAIN) return -1;
    LABEL.lastIndex = at;
    const label = LABEL.exec(text);
    if (label === null) break;
    labels++;
    last = label[0];
    at = LABEL.lastIndex;
    DOT.lastIndex = at;
    const dot = DOT.exec(text);
    if (dot === null) break;
    // A separator counts only when a label follows it ("acme.com." ends at "com").
    LABEL.lastIndex = DOT.lastIndex;
    if (!LABEL.test(text)) break;
    at = DOT.lastIndex;
  }
  // The next character must not carry the label on ("acme [dot] comx1" was read to its end).
  return labels >= 2 && TLD.test(last) ? at : -1;
}

/**
 * The address an obfuscated or URL-encoded one stands for ("jane [at] acme [dot] com" and
 * "jane%40acme.com" are jane@acme.com); any other text as it is.
 */
export function plainEmail(value: string): string {
  if (value.includes('%40')) return value.replace('%40', '@');
  if (!MAY_HAVE_OBFUSCATED_EMAIL.test(value)) return value;
  return value.replace(ANY_AT, '@').replace(ANY_DOT, '.');
}
