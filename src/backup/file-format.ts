/**
 * The backup file: a plaintext header, then AES-256-GCM records.
 *
 *   header  = "PCLSBKUP" | version (1 byte) | key id (16 bytes) | file id (16 random bytes)
 *   record  = length of sealed (4 bytes, big endian) | nonce (12 random bytes) | sealed (ciphertext + 16-byte tag)
 *   AAD     = header | record sequence number (8 bytes, big endian) | final flag (1 byte)
 *
 * Every record carries the whole header, its position and whether it is the last one in its AAD:
 * a changed byte anywhere, records swapped or dropped, records spliced in from another backup
 * (another file id) and a file cut after any record (no record marked final) all fail the tag
 * check or the final-record check. The key id (an HMAC of the key, not the key) tells "wrong key"
 * apart from "damaged file" in the error.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { hmacSha256 } from '../crypto/hash.js';

const MAGIC = Buffer.from('PCLSBKUP', 'ascii');
export const BACKUP_FORMAT_VERSION = 1;
const KEY_ID_BYTES = 16;
const FILE_ID_BYTES = 16;
export const HEADER_BYTES = MAGIC.length + 1 + KEY_ID_BYTES + FILE_ID_BYTES;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** A record larger than this is refused before anything is allocated for it (a tampered length). */
export const MAX_SEALED_BYTES = 64 * 1024 * 1024;

export class BackupFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupFileError';
  }
}

export function backupKeyId(key: Buffer): Buffer {
  return hmacSha256(key, 'portcullis/backup-key-id/v1').subarray(0, KEY_ID_BYTES);
}

export function createHeader(key: Buffer): Buffer {
  return Buffer.concat([MAGIC, Buffer.from([BACKUP_FORMAT_VERSION]), backupKeyId(key), randomBytes(FILE_ID_BYTES)]);
}

/** Checks magic, version and key id; throws a BackupFileError that says which one is wrong. */
export function checkHeader(header: Buffer, key: Buffer): void {
  if (header.length < HEADER_BYTES || !header.subarray(0, MAGIC.length).equals(MAGIC))
    throw new BackupFileError('not a Portcullis backup file (bad magic bytes)');
  const version = header[MAGIC.length]!;
  if (version !== BACKUP_FORMAT_VERSION)
    throw new BackupFileError(
      `backup file format version ${version} is not supported by this Portcullis (it reads ${BACKUP_FORMAT_VERSION})`,
    );
  const keyId = header.subarray(MAGIC.length + 1, MAGIC.length + 1 + KEY_ID_BYTES);
  if (!keyId.equals(backupKeyId(key)))
    throw new BackupFileError('the backup was encrypted with a different BACKUP_ENCRYPTION_KEY than the one configured');
}

function aad(header: Buffer, seq: number, final: boolean): Buffer {
  const position = Buffer.alloc(9);
  position.writeBigUInt64BE(BigInt(seq), 0);
  position[8] = final ? 1 : 0;
  return Buffer.concat([header, position]);
}

export function sealRecord(key: Buffer, header: Buffer, seq: number, final: boolean, plaintext: Buffer): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad(header, seq, final));
  const sealed = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  if (sealed.length > MAX_SEALED_BYTES) throw new RangeError('backup record too large');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(sealed.length, 0);
  return Buffer.concat([length, nonce, sealed]);
}

/** Opens one record; the caller says which position and finality it expects. */
export function openRecord(key: Buffer, header: Buffer, seq: number, final: boolean, nonce: Buffer, sealed: Buffer): Buffer | undefined {
  if (sealed.length < TAG_BYTES) return undefined;
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAAD(aad(header, seq, final));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch {
    return undefined;
  }
}

export const RECORD_PREFIX_BYTES = 4 + NONCE_BYTES;
