/**
 * Payment card numbers (PANs): 12–19 digits, written as one run or in groups separated by one
 * kind of separator (spaces or dashes), that pass the Luhn checksum AND belong to an issuer range
 * with that length. The issuer check matters: one random digit string in ten passes Luhn, far
 * fewer also start like a card of their length.
 */
import type { Finding } from '../types.js';
import { pii } from './finding.js';

// A digit, then 11–18 more, each optionally preceded by one space or dash. Every step consumes a
// digit and the repeat is bounded, so a failed start costs at most 19 steps. The boundaries keep
// us out of longer numbers, IBANs and other alphanumeric codes ("GB29NWBK6016…", "ID-4111…",
// "+4477…"); a grouped number may be followed by more groups ("4111 1111 1111 1111 123" with a
// CVV), which detectCreditCards trims.
const CANDIDATE = /(?<![\w+.-])\d(?:[ -]?\d){11,18}(?!\d|\.\d)/g;

// The start of an IBAN written in blocks of four ("GB33 BUKB 3627 9797 3192 56"): its digit
// blocks can pass for a grouped card number.
const IBAN_HEAD_BEFORE = /\b[A-Z]{2}\d{2}(?: [A-Z0-9]{4})* $/;

type Issuer = { name: string; lengths: readonly number[]; ranges: readonly (readonly [string, string])[] };

// IIN ranges: [lo, hi] inclusive, compared against the number's first lo.length digits (same width,
// so string order is numeric order, and Maestro's "0604" keeps its leading zero). Sources: ISO/IEC 7812 registrations as
// published by the networks (Visa, Mastercard incl. the 2-series, Amex, Discover incl. its
// China UnionPay and RuPay acceptance ranges, JCB, Diners, Maestro, Mir, Troy, Verve, …).
const ISSUERS: readonly Issuer[] = [
  { name: 'visa', lengths: [13, 16, 19], ranges: [['4', '4']] },
  {
    name: 'mastercard',
    lengths: [16],
    ranges: [
      ['51', '55'],
      ['2221', '2720'],
    ],
  },
  {
    name: 'amex',
    lengths: [15],
    ranges: [
      ['34', '34'],
      ['37', '37'],
    ],
  },
  {
    name: 'discover',
    lengths: [16, 17, 18, 19],
    ranges: [
      ['6011', '6011'],
      ['644', '649'],
      ['65', '65'],
      ['622126', '622925'],
    ],
  },
  { name: 'unionpay', lengths: [16, 17, 18, 19], ranges: [['62', '62']] },
  {
    // JCB's own range is 3528–3589; the rest of 35xx is written as JCB by many generators and
    // test-card lists, and no other network issues 16-digit 35 numbers, so we accept all of 35.
    name: 'jcb',
    lengths: [16, 17, 18, 19],
    ranges: [
      ['35', '35'],
      ['3088', '3088'],
      ['3096', '3096'],
      ['3112', '3112'],
      ['3158', '3158'],
      ['3337', '3337'],
    ],
  },
  {
    // Legacy 15-digit JCB ranges.
    name: 'jcb15',
    lengths: [15],
    ranges: [
      ['1800', '1800'],
      ['2131', '2131'],
    ],
  },
  {
    name: 'diners',
    lengths: [14, 15, 16, 17, 18, 19],
    ranges: [
      ['300', '305'],
      ['3095', '3095'],
      ['36', '36'],
      ['38', '39'],
    ],
  },
  {
    // Maestro is the one network with short (12–15 digit) numbers.
    name: 'maestro',
    lengths: [12, 13, 14, 15, 16, 17, 18, 19],
    ranges: [
      ['5018', '5018'],
      ['5020', '5020'],
      ['5038', '5038'],
      ['5893', '5893'],
      ['56', '58'],
      ['6304', '6304'],
      ['6759', '6759'],
      ['6761', '6763'],
      ['6390', '6390'],
      ['0604', '0604'],
    ],
  },
  { name: 'mir', lengths: [16, 17, 18, 19], ranges: [['2200', '2204']] },
  {
    name: 'rupay',
    lengths: [16],
    ranges: [
      ['60', '60'],
      ['81', '82'],
      ['508', '508'],
      ['353', '353'],
      ['356', '356'],
    ],
  },
  { name: 'troy', lengths: [16], ranges: [['9792', '9792']] },
  {
    name: 'verve',
    lengths: [16, 18, 19],
    ranges: [
      ['506099', '506198'],
      ['650002', '650027'],
    ],
  },
  { name: 'dankort', lengths: [16], ranges: [['5019', '5019']] },
  { name: 'instapayment', lengths: [16], ranges: [['637', '639']] },
];

/** The issuer whose range and lengths fit, or undefined. */
export function cardIssuer(digits: string): string | undefined {
  for (const issuer of ISSUERS) {
    if (!issuer.lengths.includes(digits.length)) continue;
    for (const [lo, hi] of issuer.ranges) {
      const prefix = digits.slice(0, lo.length);
      if (prefix >= lo && prefix <= hi) return issuer.name;
    }
  }
  return undefined;
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 0x30;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * Grouped numbers must look like a card written by a person: one kind of separator, groups of
 * 3–6 digits (4-4-4-4, 4-6-5, 4-6-4, 4-4-4-4-3) or fours with a shorter tail (4-4-4-1). Rules out
 * things like "4111 1 1111 1111 111".
 */
function plausibleGrouping(raw: string): boolean {
  const hasSpace = raw.includes(' ');
  const hasDash = raw.includes('-');
  if (!hasSpace && !hasDash) return true;
  if (hasSpace && hasDash) return false;
  const groups = raw.split(hasSpace ? ' ' : '-');
  if (groups.every((g) => g.length >= 3 && g.length <= 6)) return true;
  // Chunked in fours whatever the length, leaving a short tail: "4409 3123 4597 7" (13-digit
  // Visa), "3051 3992 1356 38" (14-digit Diners).
  const last = groups[groups.length - 1] ?? '';
  return groups.slice(0, -1).every((g) => g.length === 4) && last.length >= 1 && last.length <= 3;
}

export function detectCreditCards(text: string): Finding[] {
  const findings: Finding[] = [];
  CANDIDATE.lastIndex = 0;
  for (let m = CANDIDATE.exec(text); m !== null; m = CANDIDATE.exec(text)) {
    if (IBAN_HEAD_BEFORE.test(text.slice(Math.max(0, m.index - 32), m.index))) continue;
    const card = checkCandidate(m[0]);
    if (card) findings.push(pii('CREDIT_CARD', m.index, m.index + card.length, card.confidence));
  }
  return findings;
}

/**
 * The card at the start of a candidate: the whole candidate, or, when the candidate is grouped and
 * does not check out, the candidate without its trailing groups (a CVV or expiry written after the
 * number joins the match: "4111 1111 1111 1111 123").
 */
function checkCandidate(raw: string): { length: number; confidence: number } | undefined {
  let candidate = raw;
  for (;;) {
    if (plausibleGrouping(candidate)) {
      const digits = candidate.replace(/[ -]/g, '');
      const issuer = digits.length >= 12 && luhnValid(digits) && !/^(\d)\1+$/.test(digits) ? cardIssuer(digits) : undefined;
      // All one digit ("0000 0000 0000 0000") passes Luhn but is a placeholder, hence the repeat check.
      if (issuer !== undefined) return { length: candidate.length, confidence: issuer === 'maestro' && digits.length < 16 ? 0.8 : 0.95 };
    }
    const cut = Math.max(candidate.lastIndexOf(' '), candidate.lastIndexOf('-'));
    if (cut <= 0) return undefined;
    candidate = candidate.slice(0, cut);
  }
}
