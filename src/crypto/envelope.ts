import { randomBytes } from 'node:crypto';
import { encodeAad } from './aad.js';
import { DecryptionError, openAesGcm, sealAesGcm } from './aead.js';
import type { WrapContext } from './kms/key-wrapper.js';
import type { MasterKey } from './master-key.js';

export { generateMasterKey, masterKeyId, parseMasterKey, type MasterKey } from './master-key.js';

const DATA_KEY_BYTES = 32;

// Distinct leading labels keep a wrapped data key and an encrypted secret from ever sharing
// associated data, whatever ids or purpose strings callers pass in.
const DATA_KEY_LABEL = 'portcullis/data-key/v1';
const SECRET_LABEL = 'portcullis/secret/v1';

export type DataKeyContext = { readonly orgId: string; readonly dataKeyId: string };
export type SecretContext = { readonly orgId: string; readonly rowId: string; readonly purpose: string };

// An empty id almost always means a missing value upstream; encrypting under it would bind
// the ciphertext to a context no real row has.
function requireContextField(value: string, name: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new TypeError(`encryption context field "${name}" must be a non-empty string`);
  }
  return value;
}

/** What a wrapped data key is bound to; as AAD its values give the bytes wrapDataKey has always used. */
export function dataKeyWrapContext(ctx: DataKeyContext): WrapContext {
  return [
    ['purpose', DATA_KEY_LABEL],
    ['orgId', requireContextField(ctx.orgId, 'orgId')],
    ['dataKeyId', requireContextField(ctx.dataKeyId, 'dataKeyId')],
  ];
}

function dataKeyAad(ctx: DataKeyContext): Buffer {
  return encodeAad(dataKeyWrapContext(ctx).map(([, value]) => value));
}

function secretAad(ctx: SecretContext): Buffer {
  return encodeAad([
    SECRET_LABEL,
    requireContextField(ctx.purpose, 'purpose'),
    requireContextField(ctx.orgId, 'orgId'),
    requireContextField(ctx.rowId, 'rowId'),
  ]);
}

export function generateDataKey(): Buffer {
  return randomBytes(DATA_KEY_BYTES);
}

/** Encrypts a per-org data key under the master key, bound to the org and the data key's row id. */
export function wrapDataKey(master: MasterKey, dataKey: Buffer, ctx: DataKeyContext): Buffer {
  if (!Buffer.isBuffer(dataKey) || dataKey.length !== DATA_KEY_BYTES) {
    throw new RangeError(`data key must be a Buffer of exactly ${DATA_KEY_BYTES} bytes`);
  }
  return sealAesGcm(master.key, dataKey, dataKeyAad(ctx));
}

/** Throws DecryptionError if the wrapped key was made under another master key, org or row. */
export function unwrapDataKey(master: MasterKey, wrapped: Buffer, ctx: DataKeyContext): Buffer {
  const dataKey = openAesGcm(master.key, wrapped, dataKeyAad(ctx));
  // Unreachable for anything wrapDataKey produced; guards against a valid-but-foreign payload.
  if (dataKey.length !== DATA_KEY_BYTES) throw new DecryptionError();
  return dataKey;
}

/** Encrypts a secret (e.g. a provider API key) under an org's data key, bound to its purpose and row. */
export function encryptSecret(dataKey: Buffer, plaintext: string, ctx: SecretContext): Buffer {
  if (typeof plaintext !== 'string') throw new TypeError('secret plaintext must be a string');
  const aad = secretAad(ctx);
  const bytes = Buffer.from(plaintext, 'utf8');
  try {
    return sealAesGcm(dataKey, bytes, aad);
  } finally {
    // The source string cannot be wiped, but this copy need not outlive the call.
    bytes.fill(0);
  }
}

/** Throws DecryptionError unless dataKey, purpose, orgId and rowId all match the encryption. */
export function decryptSecret(dataKey: Buffer, sealed: Buffer, ctx: SecretContext): string {
  const bytes = openAesGcm(dataKey, sealed, secretAad(ctx));
  try {
    return bytes.toString('utf8');
  } finally {
    bytes.fill(0);
  }
}
