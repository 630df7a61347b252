/**
 * Phone numbers, national and international, validated with libphonenumber-js.
 *
 * Why not libphonenumber's own text matcher (findPhoneNumbersInText)? It validates against ONE
 * default country, so "0490 75 40 81" (Belgium) or "467 3395" (Estonia) are lost unless we run it
 * once per country, and every one of those runs re-scans the whole text with large Unicode regexes.
 * Instead:
 *
 * 1. One linear ASCII regex finds phone-shaped candidates: digit groups joined by single
 *    separators (space, '-', '.', '/', parentheses), an optional leading '+', an optional extension.
 * 2. Cheap rejections: too few or too many digits, dates, decimal or dotted runs, neighbours that
 *    make it part of a word or a longer code.
 * 3. The words around the candidate ("Phone:", "call me on", "… fax", versus "order", "invoice",
 *    "licence") decide whether a bare national number is a phone number at all: "224 4966" is a
 *    phone number after "Phone:" and a street number before "Bond Street". Only after that do we
 *    ask libphonenumber, which is the expensive step (~20 µs a parse):
 *    - "+CC …" or "00CC …": parsed as international; must be a possible number for that country.
 *    - NANP layout ("(602) 272-9781", "541-714-1388"): parsed for US/CA; valid numbers need no
 *      context (the layout is distinctive), merely possible ones need a phone cue.
 *    - anything else: needs a phone cue, and must be a possible number in one of the countries
 *      whose formats we expect (REGIONS).
 *
 * Unix timestamps, order numbers and other bare digit runs therefore never fire on their own.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/min';
import type { Finding } from '../types.js';
import { afterLastDigit, lastMatchEnd, windowBefore } from './context.js';
import { pii } from './finding.js';

// Lead: '+', '(' or '(+'. Then digit groups joined by: optional space + one of - . / + optional
// space, one or two spaces (or a no-break space), ')' + optional space, or optional space + '('.
// Each joiner is followed by a digit group, and \d+ is greedy against non-digit joiners, so
// there is no ambiguity to backtrack over. Newlines never join (two numbers on two lines stay two).
// An extension ("x123", "ext. 123", "#123") may follow. The boundary characters before exclude
// words, codes and amounts ("ID-555…", "$1 234 567", "v1.2.3", "a@5551234").
const CANDIDATE =
  /(?<![\w+.\-/@#$€£¥%&])(?:\+ ?|\(\+?)?\d+(?:(?: ?[-./] ?| {1,2}|\u00a0|\) ?| ?\()\d+)*(?: ?(?:x|ext\.?|extn\.?|extension) ?\d{1,6})?/gi;
const EXTENSION = / ?(?:x|ext\.?|extn\.?|extension) ?\d{1,6}$/i;

// North American layout: optional 1 / +1 / 001 trunk, area code (parenthesised or not), 3-4 split.
const NANP = /^(?:(?:\+ ?1|001|1)[ .-]?)?(?:\(\d{3}\) ?|\d{3}[ .-]?)\d{3}[ .-]?\d{4}$/;
// Dates and times written with the same separators: 2015-12-22, 12/25/2023, 25.12.2023, 20231225.
const DATE_YMD = /^(?:19|20)\d\d([-./ ])(0?[1-9]|1[0-2])\1(0?[1-9]|[12]\d|3[01])(?!\d)/;
const DATE_DMY = /^(0?[1-9]|[12]\d|3[01])([-./])(0?[1-9]|[12]\d|3[01])\2(?:19|20)?\d\d$/;

// Phone cues before the number: a word naming the channel, or an action done with it. They count
// only when no other digit sits between them and the candidate (a cue belongs to its nearest
// number). English plus the commonest words of the other languages in the data we target.
const CUE_BEFORE =
  /\b(?:phone[sd]?|phone ?number|telephone|tel|tele|t[eé]l[eé]fon[eo]?|t[eé]l[eé]phone|mobile?|mob|cell|cellphone|cellular|handy|portable|m[oó]vil|celular|fax|facsimile|call(?:s|ed|ing)?|ring|dial(?:led|ing)?|sms|text(?:ing)?|whats ?app|viber|voicemail|hotline|helpline|landline|(?:my|your|his|her|our|their) (?:new |direct |personal )?number|contact(?:ed)?|reach(?:ed)?|answering|messages?|extension)\b/g;
// "Label:" lines of a contact card ("Desk: 555…", "M: 0412…"); only with the colon, because "office"
// or "home" in running text is at least as often followed by an address.
const LABEL_BEFORE = /\b(?:desk|office|home|work|direct|main|switchboard|private|business|ph|m|t|f|p|h|w|o|d)\s*:\s*$/;
// What makes a nearby number NOT a phone number: identifiers, amounts, addresses, dates.
const ANTI_CUE_BEFORE =
  /\b(?:order|orders|invoice|account|acct|a\/c|ref|reference|id|ids|tracking|ticket|transaction|txn|confirmation|case|customer|member(?:ship)?|employee|licen[cs]e|passport|serial|zip|postal|post ?code|postcode|iban|routing|swift|bic|sku|isbn|issn|part|model|version|build|release|pin|otp|promo|coupon|voucher|zip ?code|ssn|social security|card|cvv|patient|policy|claim|receipt|booking|reservation|shipment|parcel|box|suite|apt|unit|room|flight|vin|plate|price|cost|amount|total|balance|usd|eur|gbp|timestamp|epoch|unix|seconds|bytes|hash|commit|sha|ip|port|pid|uid|gid|lat|lon|latitude|longitude|born|dob|date)\b/g;
// Cue right after the number: "555 1234 (mobile)", "555-1234 office", "555 1234-Fax". The word
// must end the phrase (line end or punctuation next), so "03262 2437 Main St" or "12 Office Park"
// stay addresses.
const CUE_AFTER =
  /^[ \t\-–,;\\([]{0,3}(?:office|fax|mobile|mob|cell|home|work|phone|tel|direct|landline|desk)\b[ \t]*(?:$|[\r\n,;.:)\]\\/|])/i;

/**
 * Countries whose national formats we accept with a phone cue. US first: most English-language
 * traffic. The rest covers Europe, the Commonwealth and the big markets; a number only has to be
 * *possible* (right length for the country's plan) in one of them.
 */
const REGIONS: readonly CountryCode[] = [
  'US',
  'GB',
  'DE',
  'FR',
  'IT',
  'ES',
  'NL',
  'BE',
  'CH',
  'AT',
  'SE',
  'NO',
  'DK',
  'FI',
  'PL',
  'PT',
  'IE',
  'AU',
  'IN',
  'BR',
];

type Cue = 'phone' | 'not-phone' | 'none';

export function phoneCue(text: string, start: number, end: number): Cue {
  const before = afterLastDigit(windowBefore(text, start, 48)).toLowerCase();
  const cueAt = Math.max(lastMatchEnd(CUE_BEFORE, before), LABEL_BEFORE.test(before) ? before.length : -1);
  const antiAt = lastMatchEnd(ANTI_CUE_BEFORE, before);
  if (antiAt > cueAt) return 'not-phone';
  if (cueAt >= 0) return 'phone';
  return CUE_AFTER.test(text.slice(end, end + 24)) ? 'phone' : 'none';
}

/** Shapes that share separators with phone numbers but are something else. */
function rejectShape(body: string): boolean {
  if (DATE_YMD.test(body) || DATE_DMY.test(body)) return true;
  const groups = body.split(/[^\d]+/).filter((g) => g !== '');
  // "1 2 3 4 5 6 7": a list of single digits, not a number.
  if (groups.filter((g) => g.length === 1).length > 2) return true;
  // Dotted runs of more than five groups are OIDs or version strings, not phone numbers.
  if (groups.length > 6) return true;
  // A decimal number: "3.1415926", "1234.5678".
  if (groups.length === 2 && body.includes('.') && !body.includes(' ')) return true;
  return false;
}

function possibleSomewhere(body: string): boolean {
  for (const region of REGIONS) if (parsePhoneNumberFromString(body, region)?.isPossible()) return true;
  return false;
}

export function detectPhones(text: string): Finding[] {
  const findings: Finding[] = [];
  CANDIDATE.lastIndex = 0;
  for (let m = CANDIDATE.exec(text); m !== null; m = CANDIDATE.exec(text)) {
    const raw = m[0];
    const start = m.index;
    const end = start + raw.length;
    // Glued to a word or a longer number on the right ("5551234567abc", "555.1234.5678.9").
    // Fewer than seven characters cannot hold seven digits: most matches are lone numbers ("180 ms").
    if (raw.length < 7) continue;
    const next = text.charCodeAt(end);
    if (isAlnum(next) || next === 0x40 /* @ */ || (next === 0x2e && isDigit(text.charCodeAt(end + 1)))) continue;

    const ext = EXTENSION.exec(raw);
    const body = ext ? raw.slice(0, ext.index) : raw;
    const digits = body.replace(/\D/g, '');
    if (digits.length < 7 || digits.length > 15) continue;
    if (rejectShape(body)) continue;

    const cue = phoneCue(text, start, end);
    const confidence = classify(body, digits, ext !== null, cue);
    if (confidence > 0) findings.push(pii('PHONE', start, end, confidence));
  }
  return findings;
}

/** 0 when not a phone number, else the confidence. */
function classify(body: string, digits: string, hasExtension: boolean, cue: Cue): number {
  const international = body.startsWith('+') || body.startsWith('(+');
  // "00 44 …" / "011 44 …": international numbers dialled with an exit code.
  const exitCode = !international && /^0(?:0|11)[1-9]/.test(digits) ? (digits.startsWith('011') ? 3 : 2) : 0;
  if (international || exitCode > 0) {
    const e164 = international ? body : `+${body.replace(/^\D*/, '').slice(exitCode)}`;
    const parsed = parsePhoneNumberFromString(e164);
    if (!parsed?.isPossible()) return 0;
    if (parsed.isValid()) return cue === 'not-phone' ? 0.6 : 0.95;
    // Possible but not valid: right length, unknown range. With an exit code this could just as
    // well be a zero-padded identifier, so demand a cue there.
    if (cue === 'phone') return 0.85;
    return international && cue === 'none' ? 0.7 : 0;
  }
  if (cue === 'not-phone') return 0;
  if (NANP.test(body) && /[ .\-()]/.test(body)) {
    const parsed = parsePhoneNumberFromString(body, 'US');
    if (parsed?.isValid()) return cue === 'phone' ? 0.95 : 0.85;
    if (parsed?.isPossible() && (cue === 'phone' || hasExtension)) return 0.8;
  }
  if (cue === 'phone' || hasExtension) {
    if (!possibleSomewhere(body)) return 0;
    if (cue !== 'phone') return 0.6;
    // A bare run of digits with a cue ("Fax: 9498777106") is a little less certain than a number
    // laid out in groups.
    return /\D/.test(body) ? 0.8 : 0.7;
  }
  return 0;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isAlnum(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c >= 0xc0;
}
