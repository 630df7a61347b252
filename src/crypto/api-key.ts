import bcrypt from 'bcrypt';
import { randomBase62 } from './random.js';

export const CREDENTIAL_KINDS = ['live', 'test', 'admin'] as const;
/** `live` and `test` are API keys for /v1; `admin` tokens authenticate /api. */
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

export const LOOKUP_ID_LENGTH = 12;
// 48 × log2(62) ≈ 285.8 bits. Displaying the last 4 characters (last4) reveals about 23.8 bits,
// so the part that is never shown still carries more than 256 bits.
export const SECRET_LENGTH = 48;

export type GeneratedCredential = { token: string; lookupId: string; secret: string; last4: string };
export type ParsedCredential = { kind: CredentialKind; lookupId: string; secret: string };

// Anchored with exact lengths; JavaScript's `$` without the m flag matches only at the very
// end, so a trailing newline or any other extra character fails the match.
const CREDENTIAL_PATTERN = /^pc_(live|test|admin)_([0-9A-Za-z]{12})_([0-9A-Za-z]{48})$/;
const MAX_TOKEN_LENGTH = 'pc_admin__'.length + LOOKUP_ID_LENGTH + SECRET_LENGTH;
const LAST4_PATTERN = /^[0-9A-Za-z]{4}$/;
const LOOKUP_ID_PATTERN = /^[0-9A-Za-z]{12}$/;

// bcrypt reads at most 72 bytes and stops at a NUL byte; anything past either point would
// silently not count, so such secrets are refused rather than hashed.
const BCRYPT_MAX_BYTES = 72;
const MIN_BCRYPT_COST = 4;
const MAX_BCRYPT_COST = 31;

function isCredentialKind(value: unknown): value is CredentialKind {
  return typeof value === 'string' && (CREDENTIAL_KINDS as readonly string[]).includes(value);
}

function isBcryptSafe(secret: string): boolean {
  return secret.length > 0 && !secret.includes('\0') && Buffer.byteLength(secret, 'utf8') <= BCRYPT_MAX_BYTES;
}

/**
 * A new credential `pc_<kind>_<lookupId>_<secret>`. The lookup id finds the row; only a bcrypt
 * hash of the secret is stored. `token` and `secret` are shown once and must not be persisted.
 */
export function generateCredential(kind: CredentialKind): GeneratedCredential {
  if (!isCredentialKind(kind)) throw new TypeError(`credential kind must be one of: ${CREDENTIAL_KINDS.join(', ')}`);
  const lookupId = randomBase62(LOOKUP_ID_LENGTH);
  const secret = randomBase62(SECRET_LENGTH);
  const token = `pc_${kind}_${lookupId}_${secret}`;
  return { token, lookupId, secret, last4: token.slice(-4) };
}

/** Splits a presented token, or returns null for anything not exactly in the credential format. */
export function parseCredential(token: string): ParsedCredential | null {
  // The length check bounds regex work on hostile, arbitrarily long headers.
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return null;
  const match = CREDENTIAL_PATTERN.exec(token);
  if (match === null) return null;
  const [, kind, lookupId, secret] = match;
  if (!isCredentialKind(kind) || lookupId === undefined || secret === undefined) return null;
  return { kind, lookupId, secret };
}

/** bcrypt hash of a credential secret; the async API runs the work on libuv's thread pool. */
export async function hashCredentialSecret(secret: string, cost = 10): Promise<string> {
  if (typeof secret !== 'string' || !isBcryptSafe(secret)) {
    throw new RangeError(`credential secret must be 1–${BCRYPT_MAX_BYTES} bytes of UTF-8 with no NUL characters`);
  }
  if (!Number.isInteger(cost) || cost < MIN_BCRYPT_COST || cost > MAX_BCRYPT_COST) {
    throw new RangeError(`bcrypt cost must be an integer from ${MIN_BCRYPT_COST} to ${MAX_BCRYPT_COST}`);
  }
  return bcrypt.hash(secret, cost);
}

/**
 * True only if `secret` matches `hash`. A malformed hash, or a secret bcrypt could not
 * hash faithfully, yields false: to the caller both mean "not authenticated".
 */
let bcryptComparisons = 0;

/** How many bcrypt comparisons this process has run: the cost a flood of wrong keys would impose (metrics, tests). */
export function bcryptComparisonCount(): number {
  return bcryptComparisons;
}

export async function verifyCredentialSecret(secret: string, hash: string): Promise<boolean> {
  if (typeof secret !== 'string' || typeof hash !== 'string' || !isBcryptSafe(secret)) return false;
  bcryptComparisons += 1;
  try {
    return await bcrypt.compare(secret, hash);
  } catch {
    return false;
  }
}

/** Display form, e.g. `pc_live_AbCdEfGhIjKl_…wxyz`: enough to recognise a key, useless to replay it. */
export function maskCredential(credential: { kind: CredentialKind; lookupId: string; last4: string }): string {
  const { kind, lookupId, last4 } = credential;
  // Refusing odd input keeps a caller that passes the secret by mistake from displaying it.
  if (!isCredentialKind(kind) || !LOOKUP_ID_PATTERN.test(lookupId) || !LAST4_PATTERN.test(last4)) {
    throw new TypeError('maskCredential needs a known kind, a 12-character lookup id and the last 4 characters');
  }
  return `pc_${kind}_${lookupId}_…${last4}`;
}
