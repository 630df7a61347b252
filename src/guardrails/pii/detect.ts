/**
 * The PII detector: runs the sub-detectors (one file each) and keeps one finding per span.
 *
 * Each sub-detector is skipped when the text cannot contain what it looks for: no digit means no
 * phone, card, SSN or IPv4 address; no '@' means no email. These checks are single native scans,
 * so prose without numbers costs little more than reading it once.
 */
import type { Finding } from '../types.js';
import { apiKeysFromSecrets } from './api-key.js';
import { detectSecrets } from '../secrets/detect.js';
import { detectCreditCards } from './credit-card.js';
import { detectEmails } from './email.js';
import { detectIps } from './ip.js';
import { detectPhones } from './phone.js';
import { resolveOverlaps } from './resolve.js';
import { detectSsns } from './ssn.js';

const DIGIT = /\d/;

/** `secrets`: the secret detector's findings for this text, when the caller has run it already. */
export function detectPii(text: string, secrets: readonly Finding[] = detectSecrets(text)): Finding[] {
  const findings: Finding[] = [];
  if (text.includes('@')) findings.push(...detectEmails(text));
  if (DIGIT.test(text)) {
    // IP addresses too: detectIps only reports IPv6 addresses that contain a digit.
    findings.push(...detectCreditCards(text), ...detectSsns(text), ...detectPhones(text), ...detectIps(text));
  }
  findings.push(...apiKeysFromSecrets(secrets));
  return resolveOverlaps(findings);
}
