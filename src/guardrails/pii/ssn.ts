/**
 * US Social Security Numbers: AAA-GG-SSSS with the SSA's never-issued ranges rejected (area 000,
 * 666 and 900–999; group 00; serial 0000) plus the well-known invalid or placeholder numbers.
 *
 * The dashed form is distinctive enough on its own. The same digits separated by spaces or dots,
 * or run together, are as likely to be a phone number, an account or an order number, so those
 * only count when the text around them talks about a social security number.
 */
import type { Finding } from '../types.js';
import { hasContextBefore } from './context.js';
import { pii } from './finding.js';

// Three groups with one consistent separator (captured and back-referenced would need a
// backreference; three explicit alternatives keep the regex simple and linear), or nine digits.
// Boundaries: not inside a longer number or a dashed code ("1-234-56-7890", "AB123-45-6789").
const SSN =
  /(?<![\w.+-])(?:(\d{3})-(\d{2})-(\d{4})|(\d{3}) (\d{2}) (\d{4})|(\d{3})\.(\d{2})\.(\d{4})|(\d{3})(\d{2})(\d{4}))(?![\w-]|\.\d)/g;

// "SSN", "SS#", "social security (number|no)", "Sozialversicherungsnummer" is not US; keep it US.
// "My social is …", "her social #": how people (and call transcripts) name it; "social" alone
// is too common a word ("social media 123 45 6789 views").
const SSN_CONTEXT =
  /\b(?:(?:ssn|ssns|ss#|ss #|soc\.? ?sec\.?|social[ -]security(?: number| no\.?| #)?|taxpayer id)\b|(?:my|his|her|their|your) social(?= (?:is|was|number|no\b|#)| ?[:#])|social (?:number|no\.?) |social ?#)/i;

/** Numbers the SSA never issued or that circulate as examples (wallet-card samples, ads). */
const KNOWN_INVALID = new Set(['078051120', '219099999', '123456789', '457555462']);

export function isValidSsn(area: string, group: string, serial: string): boolean {
  if (area === '000' || area === '666' || area[0] === '9') return false;
  if (group === '00' || serial === '0000') return false;
  const digits = area + group + serial;
  if (KNOWN_INVALID.has(digits)) return false;
  // All the same digit (111-11-1111 …) is a placeholder, not a number anyone was given.
  if (/^(\d)\1{8}$/.test(digits)) return false;
  return true;
}

export function detectSsns(text: string): Finding[] {
  const findings: Finding[] = [];
  SSN.lastIndex = 0;
  for (let m = SSN.exec(text); m !== null; m = SSN.exec(text)) {
    // Exactly one alternative matched; find which one by its first group.
    let form = 0;
    for (let i = 1; i <= 10; i += 3) {
      if (m[i] !== undefined) {
        form = i;
        break;
      }
    }
    const area = m[form] ?? '';
    const group = m[form + 1] ?? '';
    const serial = m[form + 2] ?? '';
    if (!isValidSsn(area, group, serial)) continue;
    const start = m.index;
    const end = start + m[0].length;
    const context = hasContextBefore(text, start, SSN_CONTEXT, 48);
    if (form === 1) findings.push(pii('SSN', start, end, context ? 0.95 : 0.85));
    else if (context) findings.push(pii('SSN', start, end, form === 10 ? 0.8 : 0.85));
  }
  return findings;
}
