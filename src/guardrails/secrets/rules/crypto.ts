/** Key material and signed tokens: PEM private keys, age keys, JWTs. */
import { bech32ChecksumOk, decodeBase64Text } from '../checksums.js';
import type { RuleMatch, SecretRule } from '../rule.js';

/** Longest PEM block we look for (an RSA-8192 key is about 6.5 KB). */
const MAX_PEM = 16_000;
const BASE64_CHAR = /[A-Za-z0-9+/=]/;

/**
 * Extends a PEM header to the end of its block: the matching -----END line, or (for a key pasted
 * without its footer) the end of the base64 body. Drops headers with no real body ("anything",
 * or BEGIN immediately followed by END).
 */
function pemBlock({ text, start, end }: RuleMatch): readonly { start: number; end: number }[] {
  const limit = Math.min(text.length, end + MAX_PEM);
  const footer = text.indexOf('-----END', end);
  let bodyEnd: number;
  let blockEnd: number;
  if (footer !== -1 && footer < limit) {
    bodyEnd = footer;
    const close = text.indexOf('-----', footer + 8);
    blockEnd = close !== -1 && close < footer + 80 ? close + 5 : footer + 8;
  } else {
    // No footer: the body is the run of base64, whitespace and literal "\n" escapes after the header.
    let i = end;
    while (i < limit && (BASE64_CHAR.test(text[i]!) || text[i] === '\n' || text[i] === '\r' || text[i] === ' ' || text[i] === '\\')) i++;
    bodyEnd = i;
    blockEnd = i;
  }
  const body = text.slice(end, bodyEnd).replace(/\\n/g, '\n');
  // Skip RFC 1421 headers ("Proc-Type: 4,ENCRYPTED", "DEK-Info: …") and count the base64 payload.
  let payload = 0;
  for (const line of body.split('\n')) {
    if (line.includes(':')) continue;
    for (let i = 0; i < line.length; i++) if (BASE64_CHAR.test(line[i]!)) payload++;
  }
  return payload >= 40 ? [{ start, end: blockEnd }] : [];
}

export const CRYPTO_RULES: readonly SecretRule[] = [
  {
    id: 'private-key',
    keywords: ['-----begin'],
    pattern: /-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----/g,
    confidence: 0.99,
    placeholders: 'none',
    check: pemBlock,
    priority: 3,
  },
  {
    id: 'putty-private-key',
    keywords: ['putty-user-key-file-'],
    pattern: /PuTTY-User-Key-File-[23]: [\w-]{3,40}/g,
    confidence: 0.95,
    placeholders: 'none',
    check: ({ text, start, end }) => {
      const lines = text.indexOf('Private-Lines:', end);
      return lines !== -1 && lines - end < 4000 ? [{ start, end: Math.min(text.length, lines + 200) }] : [];
    },
    priority: 3,
  },
  {
    // age X25519 identities are bech32; a verified checksum means a real (or properly generated) key.
    id: 'age-secret-key',
    keywords: ['age-secret-key-1'],
    pattern: /(?<![A-Za-z0-9])(?<secret>AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})(?![A-Za-z0-9])/g,
    confidence: 0.8,
    check: ({ secret }) => (bech32ChecksumOk(secret) ? 0.99 : 0.8),
    priority: 2,
  },
  {
    // The same with a pretty-printed or empty payload ("{\n", "{\r", "{\t", "{ ", "{}" encode to
    // "ew[o-r]", "ew[0-3]", "ew[k-n]", "eyA", "e30"): rarer shapes, so the payload must decode to text starting "{".
    id: 'jwt',
    keywords: ['eyj'],
    pattern:
      /(?<![A-Za-z0-9_-])(?<secret>eyJ[A-Za-z0-9_-]{10,4000}\.(?<payload>ew[0-3k-r][A-Za-z0-9_-]{4,12000}|eyA[A-Za-z0-9_-]{4,12000}|e30)\.(?:[A-Za-z0-9_-]{43,2000})?)(?![A-Za-z0-9_])(?!-(?![a-z]+(?:-[a-z]+)*(?![A-Za-z0-9_-])))/g,
    confidence: 0.85,
    minEntropy: 3.5,
    check: ({ match }) => (decodeBase64Text(match.groups?.payload ?? '') ?? '').startsWith('{'),
    priority: 2,
  },
  {
    // header.payload with no signature and no trailing dot (a token cut at the signature, or
    // copied from a decoder): only when the header decodes to a JOSE header.
    id: 'jwt',
    keywords: ['eyj'],
    pattern: /(?<![A-Za-z0-9_-])(?<secret>eyJ[A-Za-z0-9_-]{10,4000}\.eyJ[A-Za-z0-9_-]{10,12000})(?![A-Za-z0-9_.-])/g,
    confidence: 0.8,
    minEntropy: 3.5,
    check: ({ secret }) => /"(?:alg|typ)"\s*:/.test(decodeBase64Text(secret.slice(0, secret.indexOf('.'))) ?? ''),
    priority: 2,
  },
  {
    // header.payload.signature, both JSON parts starting "{" (base64 "eyJ"). A signature, when
    // present, is at least 43 characters (HS256); a shorter one means the token was cut off.
    id: 'jwt',
    keywords: ['eyj'],
    pattern:
      /(?<![A-Za-z0-9_-])(?<secret>eyJ[A-Za-z0-9_-]{10,4000}\.eyJ[A-Za-z0-9_-]{4,12000}\.(?:[A-Za-z0-9_-]{43,2000})?)(?![A-Za-z0-9_])(?!-(?![a-z]+(?:-[a-z]+)*(?![A-Za-z0-9_-])))/g,
    confidence: 0.9,
    minEntropy: 3.5,
    priority: 2,
  },
];
