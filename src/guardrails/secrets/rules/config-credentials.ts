/**
 * Passwords in the places configuration and build files keep them without a `name = value`
 * the assignment rules (generic.ts) read: PowerShell's `ConvertTo-SecureString "…" -AsPlainText`,
 * redis.conf's `requirepass …`, Oracle's `jdbc:oracle:thin:user/password@…`, and Gradle's
 * `storePassword "…"` (a method call with no operator). Found missing by a sealed probe set of
 * config and build files (docs/guardrails.md).
 */
import { shannonEntropy } from '../entropy.js';
import type { RuleMatch, SecretRule } from '../rule.js';

/** A value a person or a tool would set as a password: not a word of two letters, not "aaaaaa". */
const passwordLike = ({ secret }: RuleMatch): boolean => secret.length >= 6 && shannonEntropy(secret) >= 2 && !secret.startsWith('$');

export const CONFIG_CREDENTIAL_RULES: readonly SecretRule[] = [
  {
    id: 'generic-password',
    keywords: ['convertto-securestring'],
    // the plain text turned into a SecureString; `-AsPlainText` says it was written in clear
    pattern: /ConvertTo-SecureString[ \t]+(?:-String[ \t]+)?(?<q>["'])(?<secret>[^"'\r\n]{1,128})\k<q>[^\r\n]{0,80}?-AsPlainText/gi,
    confidence: 0.85,
    placeholders: 'strict',
    check: passwordLike,
    priority: 1,
  },
  {
    id: 'generic-password',
    keywords: ['requirepass', 'masterauth'],
    pattern: /(?<=^[ \t]*)(?:requirepass|masterauth)[ \t]+(?<q>"?)(?<secret>[^\s"#]{1,200})\k<q>[ \t]*(?:#.*)?$/gm,
    confidence: 0.85,
    placeholders: 'strict',
    check: passwordLike,
    priority: 1,
  },
  {
    id: 'generic-password',
    keywords: ['jdbc:oracle'],
    pattern: /jdbc:oracle:(?:thin|oci):(?<user>[\w$#]{1,64})\/(?<secret>[^@\s"'/]{1,128})@/gi,
    confidence: 0.85,
    placeholders: 'strict',
    check: passwordLike,
    priority: 1,
  },
  {
    id: 'generic-password',
    keywords: ['storepassword', 'keypassword'],
    // Gradle's signingConfigs: `storePassword "…"`, `keyPassword '…'` (Groovy drops the parentheses)
    pattern: /(?<=^[ \t]*)(?:storePassword|keyPassword)[ \t]+(?<q>["'])(?<secret>[^"'\r\n]{1,128})\k<q>[ \t]*$/gm,
    confidence: 0.85,
    placeholders: 'strict',
    check: passwordLike,
    priority: 1,
  },
];
