/**
 * For a KMS that takes no associated data of its own (Vault Transit without derived keys): the
 * context travels inside the plaintext, `[u32 length][context bytes][key]`, and is compared on the
 * way out. The KMS's own authenticated encryption keeps anyone from editing it, so a wrapped key
 * copied to another org's or user's row fails exactly as a wrong AAD would.
 */
import { timingSafeEqual } from 'node:crypto';
import { DecryptionError } from '../aead.js';
import { encodeWrapContext, type WrapContext } from './key-wrapper.js';

export function sealContext(plaintext: Buffer, context: WrapContext): Buffer {
  const bound = encodeWrapContext(context);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bound.length);
  return Buffer.concat([length, bound, plaintext]);
}

/** The plaintext, or DecryptionError when the sealed context is not this one. */
export function openContext(envelope: Buffer, context: WrapContext): Buffer {
  const expected = encodeWrapContext(context);
  if (envelope.length < 4) throw new DecryptionError();
  const length = envelope.readUInt32BE(0);
  const bound = envelope.subarray(4, 4 + length);
  if (length !== expected.length || bound.length !== length || !timingSafeEqual(bound, expected)) throw new DecryptionError();
  return Buffer.from(envelope.subarray(4 + length));
}
