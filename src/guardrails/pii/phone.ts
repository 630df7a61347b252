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
 *    - "00CC …"/"011CC …" that does not pass as international is read as a national number.
 *    - NANP layout ("(602) 272-9781", "541-714-1388", "001-541-714-1388"): ten digits in 3-3-4
 *      groups with separators need no context (the layout is distinctive; generated and
 *      fictional numbers with unassigned area codes count too, with less confidence).
 *    - trunk-0 national layout ("0117 496 0312", "(08) 8374 2915", "04 78 92 13 57"): 9–11
 *      digits grouped after the area code need no context when valid in one of the countries
 *      we expect and standing on their own (not followed by a capitalised street or place name,
 *      not a ZIP+4, not the next block of a spaced code such as an IBAN).
 *    - anything else: needs a phone cue, and must be a possible number in one of the countries
 *      whose formats we expect (REGIONS).
 *
 * Unix timestamps, order numbers and other plain digit runs therefore never fire on their own.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/min';
import type { Finding } from '../types.js';
import { afterLastDigit, lastMatchEnd, windowBefore } from './context.js';
import { pii } from './finding.js';
import { isUnspacedScriptLetter, isOtherScriptWordUnit } from './letters.js';
import {
  UNSPACED_SCRIPT_REGIONS,
  UNSPACED_SCRIPT_ANTI_CUE,
  UNSPACED_SCRIPT_CUE,
  followedByUnspacedScriptLetter,
  nearUnspacedScriptText,
} from './phone-unspaced-scripts.js';

// Lead: '+', '(' or '(+'. Then digit groups joined by: optional space + one of - . / + optional
// space, one or two spaces (or a no-break space), ')' + optional space or dash, or optional space + '('.
// Each joiner is followed by a digit group, and \d+ is greedy against non-digit joiners, so
// there is no ambiguity to backtrack over. Newlines never join (two numbers on two lines stay two).
// An extension ("x123", "ext. 123", "#123") may follow. The boundary characters before exclude
// words, codes and amounts ("ID-555…", "$1 234 567", "v1.2.3", "a@5551234").
const CANDIDATE =
  /(?<![\w+.\-/@#$€£¥%&])(?:\+ ?|\(\+?)?\d+(?:(?: ?[-./] ?| {1,2}|\u00a0|\)[ -]?| ?\()\d+)*(?: ?(?:x|ext\.?|extn\.?|extension) ?\d{1,6})?/gi;
const EXTENSION = / ?(?:x|ext\.?|extn\.?|extension) ?\d{1,6}$/i;

// North American layout: optional 1 / +1 / 001 trunk, area code (parenthesised or not), 3-4 split.
const NANP = /^(?:(?:\+ ?1|001|1)[ .-]?)?(?:\(\d{3}\) ?|\d{3}[ .-]?)\d{3}[ .-]?\d{4}$/;
// Dates and times written with the same separators: 2015-12-22, 12/25/2023, 25.12.2023, 20231225.
const DATE_YMD = /^(?:19|20)\d\d([-./ ])(0?[1-9]|1[0-2])\1(0?[1-9]|[12]\d|3[01])(?!\d)/;
const DATE_DMY = /^(0?[1-9]|[12]\d|3[01])([-./])(0?[1-9]|[12]\d|3[01])\2(?:19|20)?\d\d$/;
const TRUNK_IN_PARENS = /\(0\)/;
// National layout of the countries that dial a trunk 0 (most of Europe, the Commonwealth, India):
// "0" plus an area code of one to four digits, parenthesised or followed by a separator, then
// the subscriber number in groups. "0117 496 0312", "(01632) 960571", "04 78 92 13 57",
// "030-2817394", "(08) 8374 2915". Without the separator after the area code it is a plain run.
const NATIONAL_TRUNK = /^(?:\(0\d{1,4}\)[ -]?|0\d{1,4}[ .\-/])\d{2,8}(?:[ .-]\d{2,8})*$/;
// What may follow a bare number on its line for it still to stand on its own: nothing,
// punctuation, a bracket or dash ("… (office)", "… – Lyon"), or a lower-case word ("… is mine"). A capitalised word next is a street or
// place name: "02139 1200 Main Street" is a postcode and a house number.
const STANDS_ALONE_AFTER = /^(?:[ \t]*(?:$|[\r\n,;.:!?()[\]'"/|\-–]|[a-z\u00df-\u00ff]))/;
// A block of four capitals or digits just before: the number continues a grouped code such as a
// spaced IBAN ("NL91 ABNA 0417 1643 00").
const GROUPED_CODE_BEFORE = /(?:^|\s)[A-Z0-9]{4} $/;
// A US ZIP+4 code: New England ZIP codes start with 0 ("02118-3301").
const ZIP_PLUS_4 = /^\d{5}-\d{4}$/;

// Phone cues before the number: a word naming the channel, or an action done with it. They count
// only when no other digit sits between them and the candidate (a cue belongs to its nearest
// number). English plus the commonest words of the other languages in the data we target
// ("callback", Spanish "llame al", Portuguese "ligue" and "atendimento", French "appelez",
// German "anrufen", "contacto"/"contato"/"Kontakt").
const CUE_BEFORE =
  /\b(?:phone[sd]?|phone ?number|telephone|tel|tele|t[eé]l[eé]fon[eo]?|t[eé]l[eé]phone|mobile?|mob|cell|cellphone|cellular|handy|portable|m[oó]vil|celular|fax|facsimile|call(?:s|ed|ing)?|ring|dial(?:led|ing)?|sms|text(?:ing)?|whats ?app|viber|voicemail|hotline|helpline|landline|(?:my|your|his|her|our|their) (?:new |direct |personal )?number|contact(?:ed)?|reach(?:ed)?|answering|messages?|extension|call-?backs?|llam(?:e|a|ar|enos|ame)|ligue|ligar|appel(?:ez|er)|anrufen|atendimento|contacto|contato|kontakt)\b/g;
// "Label:" lines of a contact card ("Desk: 555…", "M: 0412…"); only with the colon, because "office"
// or "home" in running text is at least as often followed by an address.
const LABEL_BEFORE = /\b(?:desk|office|home|work|direct|main|switchboard|private|business|ph|m|t|f|p|h|w|o|d)\s*:\s*$/;
// What makes a nearby number NOT a phone number: identifiers, amounts, addresses, dates.
const ANTI_CUE_BEFORE =
  /\b(?:order|orders|invoice|account|acct|a\/c|ref|reference|id|ids|tracking|ticket|transaction|txn|confirmation|case|customer|member(?:ship)?|employee|licen[cs]e|passport|serial|zip|postal|post ?code|postcode|iban|routing|swift|bic|sku|isbn|issn|part|model|version|build|release|pin|otp|promo|coupon|voucher|zip ?code|ssn|social security|card|cvv|patient|policy|claim|receipt|booking|reservation|shipment|parcel|box|suite|apt|unit|room|flight|vin|plate|price|cost|amount|total|balance|usd|eur|gbp|timestamp|epoch|unix|seconds|bytes|hash|commit|sha|ip|port|pid|uid|gid|lat|lon|latitude|longitude|born|dob|date)\b/g;
// How many words may separate an identifier word from its number: "order number is …" (2),
// "account number on file: …" (3).
const ANTI_CUE_REACH = 3;
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
  const cueAt = Math.max(
    lastMatchEnd(CUE_BEFORE, before),
    lastMatchEnd(UNSPACED_SCRIPT_CUE, before),
    LABEL_BEFORE.test(before) ? before.length : -1,
  );
  const antiAt = Math.max(lastMatchEnd(ANTI_CUE_BEFORE, before), lastMatchEnd(UNSPACED_SCRIPT_ANTI_CUE, before));
  // An identifier word labels the number right after it ("order no. 555…", "card ending in …");
  // further away it belongs to the sentence ("Leave the parcel with reception, 555…").
  if (antiAt > cueAt && wordsIn(before.slice(antiAt)) <= ANTI_CUE_REACH) return 'not-phone';
  if (cueAt >= 0) return 'phone';
  return CUE_AFTER.test(text.slice(end, end + 24)) ? 'phone' : 'none';
}

/** Words (tokens with a letter or digit) in `s`. */
function wordsIn(s: string): number {
  return s.split(/\s+/).filter((w) => /\w/.test(w)).length;
}

/** Shapes that share separators with phone numbers but are something else. */
function rejectShape(body: string): boolean {
  if (DATE_YMD.test(body) || DATE_DMY.test(body)) return true;
  // The "(0)" of "+33 (0)4 72 18 39 06" is the trunk prefix written for national callers, not a group.
  const groups = body
    .replace(TRUNK_IN_PARENS, ' ')
    .split(/[^\d]+/)
    .filter((g) => g !== '');
  // "1 2 3 4 5 6 7": a list of single digits, not a number.
  if (groups.filter((g) => g.length === 1).length > 2) return true;
  // Dotted runs of more than five groups are OIDs or version strings, not phone numbers.
  if (groups.length > 6) return true;
  // Zero-padded counts or scores ("03 04 09 06 07"); a French number has one such pair, not all.
  if (groups.length >= 4 && groups.every((g) => g.length === 2 && g[0] === '0')) return true;
  // A decimal number: "3.1415926", "1234.5678".
  if (groups.length === 2 && body.includes('.') && !body.includes(' ')) return true;
  return false;
}

// The same countries less the US, for numbers written with a trunk 0 (which no NANP number has).
// Germany first: its plan has the widest ranges, so most numbers are settled by one parse (~20 µs).
const TRUNK_ZERO_REGIONS: readonly CountryCode[] = ['DE', ...REGIONS.filter((r) => r !== 'US' && r !== 'DE')];

/** Near Chinese, Japanese or Korean text, those plans are read first (phone-unspaced-scripts.ts). */
function possibleSomewhere(body: string, unspacedScript: boolean): boolean {
  const regions = body.replace(/^\D+/, '').startsWith('0') ? TRUNK_ZERO_REGIONS : REGIONS;
  for (const region of unspacedScript ? [...UNSPACED_SCRIPT_REGIONS, ...regions] : regions)
    if (parsePhoneNumberFromString(body, region)?.isPossible()) return true;
  return false;
}

function validInTrunkZeroCountry(body: string, unspacedScript: boolean): boolean {
  for (const region of unspacedScript ? [...UNSPACED_SCRIPT_REGIONS, ...TRUNK_ZERO_REGIONS] : TRUNK_ZERO_REGIONS)
    if (parsePhoneNumberFromString(body, region)?.isValid()) return true;
  return false;
}

/**
 * "+CC …", or "00CC …" read as such (`exitCode`). Valid numbers need no cue; possible ones (right
 * length, unknown range) need one when dialled with an exit code, which could as well be a
 * zero-padded identifier.
 */
function classifyInternational(e164: string, cue: Cue, exitCode = false): number {
  const parsed = parsePhoneNumberFromString(withoutMexicanMobileOne(e164) ?? e164);
  if (!parsed?.isPossible()) return 0;
  if (parsed.isValid()) return cue === 'not-phone' ? 0.6 : 0.95;
  if (cue === 'phone') return 0.85;
  return !exitCode && cue === 'none' ? 0.7 : 0;
}

/**
 * Mexico's mobiles were dialled "+52 1 …" from abroad until 2019, and contact lists and chat
 * exports keep the 1; the current plan (which libphonenumber follows) has ten digits after +52,
 * so the number is read without it. Thirteen digits starting 521 are no other valid number.
 */
function withoutMexicanMobileOne(e164: string): string | undefined {
  const digits = e164.replace(/\D/g, '');
  return digits.length === 13 && digits.startsWith('521') ? `+52${digits.slice(3)}` : undefined;
}

/**
 * A national number with no phone word nearby ("Erreichbar unter 0172 4839201.", an address
 * block's last line "(08) 8374 2915"): only in the trunk-0 layout with nine to eleven digits,
 * valid (not merely possible) in one of the countries we expect, and standing on its own rather
 * than leading into a street name or continuing a grouped code.
 */
function standsAloneAsNational(body: string, digits: string, around: Surroundings): boolean {
  if (digits.length < 9 || digits.length > 11 || !NATIONAL_TRUNK.test(body)) return false;
  const standsAlone = STANDS_ALONE_AFTER.test(around.after) || (around.unspacedScript && followedByUnspacedScriptLetter(around.after));
  return standsAlone && validInTrunkZeroCountry(body, around.unspacedScript);
}

/** A ZIP+4 code, or the next block of a grouped code: shapes a bare "0…" number takes without being one. */
function continuesCode(body: string, around: Surroundings): boolean {
  return ZIP_PLUS_4.test(body) || GROUPED_CODE_BEFORE.test(around.before);
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
    const before = windowBefore(text, start, 16);
    const after = text.slice(end, end + 16);
    const around = { before, after, unspacedScript: nearUnspacedScriptText(before, after) };
    const confidence = classify(body, digits, ext !== null, cue, around);
    if (confidence > 0) findings.push(pii('PHONE', start, end, confidence));
  }
  return findings;
}

/** Where a candidate sits in the text: what decides whether a number with no phone word stands alone. */
type Surroundings = { before: string; after: string; unspacedScript: boolean };

/** 0 when not a phone number, else the confidence. */
function classify(body: string, digits: string, hasExtension: boolean, cue: Cue, around: Surroundings): number {
  const international = body.startsWith('+') || body.startsWith('(+');
  if (international) return classifyInternational(body, cue);
  // "00 44 …" / "011 44 …": international numbers dialled with an exit code. When that reading
  // fails, read it as a national number: "0117 496 0312" is Bristol, not 011 + Russia.
  const exitCode = /^0(?:0|11)[1-9]/.test(digits) ? (digits.startsWith('011') ? 3 : 2) : 0;
  if (cue === 'none' && continuesCode(body, around)) return 0;
  if (exitCode > 0 && cue !== 'not-phone') {
    const confidence = classifyInternational(`+${body.replace(/^\D*/, '').slice(exitCode)}`, cue, true);
    if (confidence > 0) return confidence;
  }
  if (cue === 'not-phone') return 0;
  if (NANP.test(body) && /[ .\-()]/.test(body)) {
    // Only the last ten digits: libphonenumber would read a leading 1 of the area code as the
    // trunk prefix, and "001"/"1" are already accounted for by the layout.
    const parsed = parsePhoneNumberFromString(digits.slice(-10), 'US');
    if (parsed?.isValid()) return cue === 'phone' ? 0.95 : 0.85;
    // Right length, unassigned area code (generated and fictional numbers: "019-284-7710"). The
    // 3-3-4 grouping with separators is distinctive enough on its own.
    if (parsed?.isPossible()) return cue === 'phone' || hasExtension ? 0.8 : 0.7;
  }
  if (cue === 'none' && !hasExtension) return standsAloneAsNational(body, digits, around) ? 0.65 : 0;
  if (cue === 'phone' || hasExtension) {
    if (!possibleSomewhere(body, around.unspacedScript)) return 0;
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

/**
 * A letter or digit of any script (punctuation of other scripts ends a number: letters.ts), but
 * not a Han, kana or Hangul letter, which may stand right after a number (phone-unspaced-scripts.ts).
 */
function isAlnum(c: number): boolean {
  if (isDigit(c) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) return true;
  return isOtherScriptWordUnit(c) && !isUnspacedScriptLetter(c);
}
