/**
 * IPv4 and IPv6 addresses.
 *
 * IPv4: four decimal octets 0–255 without leading zeros ("010.1.1.1" is octal to some parsers and
 * a zero-padded counter to most humans), not inside a longer dotted run ("1.2.3.4.5" is an OID or
 * a version, and "999.1.1.1" never matches because 999 is not an octet and we may not start
 * mid-number). A dotted quad right after "version", "ver.", "release", "firmware", "build" or
 * "v" is a version number ("firmware version 10.2.0.1", "v1.2.3.4"), not reported.
 *
 * IPv6: a run of hex digits and colons, validated by hand (RFC 4291 text forms: eight groups, or
 * fewer with one "::", optionally ending in a dotted IPv4, optionally with a %zone). Clock times
 * ("12:30:45") and MAC addresses (six groups) fail that validation.
 */
import type { Finding } from '../types.js';
import { pii } from './finding.js';
import { spanIndex } from '../span-index.js';

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`(?<![\\w.])${OCTET}(?:\\.${OCTET}){3}(?![\\w]|\\.\\d)`, 'g');
const IPV4_EXACT = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);
const VERSION_BEFORE = /(?:\bversion|\bver\.?|\brelease|\bfirmware|\bbuild|\bv)[ \t]*[:#]?[ \t]*$/i;

// Candidate IPv6 text: one run of hex digits and colons (a single character class, so no way to
// split it two ways and no backtracking blow-up) with a colon among its first five characters, an
// optional dotted IPv4 tail and %zone. Validation happens in isIpv6.
// Run sticky, only at the start of the hex-and-colon run around each ':' (see ipv6Starts): scanning
// every position of the text with it would cost more than the rest of the PII detector together.
const IPV6 = /(?<![\w:.])(?=[0-9a-f]{0,4}:)[0-9a-f:]{2,39}(?:\.\d{1,3}){0,3}(?:%[\w.-]{1,16})?(?![\w:])/iy;
const HEX_GROUP = /^[0-9a-f]{1,4}$/i;

export function isIpv4(s: string): boolean {
  return IPV4_EXACT.test(s);
}

export function isIpv6(candidate: string): boolean {
  const zone = candidate.indexOf('%');
  const s = zone === -1 ? candidate : candidate.slice(0, zone);
  if (s.length < 2) return false;
  let groups: string[];
  let slots = 8;
  const last = s.slice(s.lastIndexOf(':') + 1);
  if (last.includes('.')) {
    // Embedded IPv4 ("::ffff:192.0.2.1") takes the place of two groups.
    if (!isIpv4(last)) return false;
    slots = 6;
  }
  // Without the IPv4 tail and the ':' before it (unless that ':' is part of a "::").
  let head = s;
  if (slots === 6) {
    head = s.slice(0, s.length - last.length);
    if (!head.endsWith('::')) head = head.slice(0, -1);
  }
  const double = head.indexOf('::');
  if (double !== -1) {
    if (head.indexOf('::', double + 1) !== -1) return false; // at most one "::"
    const left = head.slice(0, double);
    const right = head.slice(double + 2);
    groups = [...(left === '' ? [] : left.split(':')), ...(right === '' ? [] : right.split(':'))];
    if (groups.length > slots - 1) return false;
  } else {
    groups = head.split(':');
    if (groups.length !== slots) return false;
  }
  return groups.every((g) => HEX_GROUP.test(g));
}

export function detectIps(text: string): Finding[] {
  const v6: Finding[] = [];
  for (let colon = text.indexOf(':'); colon !== -1;) {
    // Back up over hex digits and colons to where an address would start.
    let start = colon;
    while (start > 0 && colon - start < 40 && isHexOrColon(text.charCodeAt(start - 1))) start--;
    // Every IPv6 text form has two colons or more ("::", or seven between eight groups) within its
    // first 39 characters: a lone colon ("Note: …", "10:30", "fn: ()") is not worth the regex.
    if (!secondColon(text, start, colon)) {
      colon = text.indexOf(':', colon + 1);
      continue;
    }
    IPV6.lastIndex = start;
    const m = IPV6.exec(text);
    let next = colon + 1;
    if (m !== null) {
      next = Math.max(next, start + m[0].length);
      const s = m[0];
      // Letters-only words joined by "::" (C++ "std::map", "Foo::Bar" with hex letters such as
      // "dead::beef") validate; real addresses almost always carry a digit.
      if (isIpv6(s) && /\d/.test(s)) {
        // "1::2" is an address by the grammar but rarely one in prose; full forms are unambiguous.
        const groups = s.split(':').filter((g) => g !== '').length;
        const confidence = !s.includes('::') ? 0.9 : groups >= 3 || s === '::1' ? 0.8 : 0.5;
        v6.push(pii('IP_ADDRESS', start, start + s.length, confidence));
      }
    }
    colon = text.indexOf(':', next);
  }
  const findings = [...v6];
  // Cheap pre-filter: a dotted quad needs '.'.
  if (text.includes('.')) {
    const v6Spans = spanIndex(v6);
    IPV4.lastIndex = 0;
    for (let m = IPV4.exec(text); m !== null; m = IPV4.exec(text)) {
      const start = m.index;
      const end = start + m[0].length;
      // The dotted tail of "::ffff:192.0.2.1" is part of that IPv6 address, not a second address.
      if (v6Spans.covers(start, end)) continue;
      if (VERSION_BEFORE.test(text.slice(Math.max(0, start - 14), start))) continue;
      findings.push(pii('IP_ADDRESS', start, end, 0.9));
    }
  }
  return findings.sort((a, b) => a.start - b.start);
}

/** Whether the run of hex digits and colons around the colon at `colon` (from `start`) has another colon. */
function secondColon(text: string, start: number, colon: number): boolean {
  for (let i = start; i < colon; i++) if (text.charCodeAt(i) === 0x3a) return true;
  const limit = Math.min(text.length, colon + 40);
  for (let i = colon + 1; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3a) return true;
    if (!isHexOrColon(c)) return false;
  }
  return false;
}

function isHexOrColon(c: number): boolean {
  return (c >= 0x30 && c <= 0x3a) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}
