/**
 * The PII detector: runs the sub-detectors (one file each) and keeps one finding per span.
 *
 * Each sub-detector is skipped when the text cannot contain what it looks for: no digit means no
 * phone, card, SSN or IPv4 address; no '@' (or '%40', as URLs write it) means no email; no two digit groups of three in a row
 * (separated by at most one space or dash) means no card. These checks are single native scans,
 * so prose without numbers costs little more than reading it once.
 */
import type { Finding } from '../types.js';
import { apiKeysFromSecrets } from './api-key.js';
import { detectSecrets } from '../secrets/detect.js';
import { detectCreditCards } from './credit-card.js';
import { detectEmails } from './email.js';
import { detectObfuscatedEmails, MAY_HAVE_OBFUSCATED_EMAIL } from './email-obfuscated.js';
import { detectIps } from './ip.js';
import { detectPhones } from './phone.js';
import { resolveOverlaps } from './resolve.js';
import { detectSsns } from './ssn.js';
import { appendAll } from '../../append-all.js';

const DIGIT = /\d/;
const CARD_HINT = /\d{3}[ -]?\d{3}/;

/** `secrets`: the secret detector's findings for this text, when the caller has run it already. */
export function detectPii(text: string, secrets: readonly Finding[] = detectSecrets(text)): Finding[] {
  const findings: Finding[] = [];
  if (text.includes('@') || text.includes('%40')) appendAll(findings, detectEmails(text));
  if (MAY_HAVE_OBFUSCATED_EMAIL.test(text)) appendAll(findings, detectObfuscatedEmails(text));
  if (DIGIT.test(text)) {
    // A card number has twelve digits in groups of three to six (or none): two groups in a row.
    // Dates, versions and amounts rarely do, and this test costs a quarter of the card scan.
    if (CARD_HINT.test(text)) appendAll(findings, detectCreditCards(text));
    // IP addresses too: detectIps only reports IPv6 addresses that contain a digit.
    appendAll(findings, detectSsns(text), detectPhones(text), detectIps(text));
  }
  appendAll(findings, apiKeysFromSecrets(secrets));
  return resolveOverlaps(findings);
}
