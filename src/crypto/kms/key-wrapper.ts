/**
 * What wraps and unwraps per-org data keys and per-user audit keys: the local master key
 * (MASTER_KEY, AES-256-GCM in this process) or a KMS the key never leaves (MASTER_KEY_PROVIDER).
 * The wrapper's `id` is stored as `master_key_id` next to everything it wrapped, so rotation knows
 * which wrapper opens which row.
 */
import { encodeAad } from '../aad.js';

/**
 * Ordered (name, value) pairs the wrapped key is bound to: a label, then ids (org and data key,
 * or user). Local AES-GCM uses the values as associated data (the stored format of every existing
 * key); AWS KMS sends them as its EncryptionContext; Vault Transit seals them inside the plaintext.
 */
export type WrapContext = readonly (readonly [name: string, value: string])[];

export type KeyWrapper = {
  /** e.g. `mk_…` (local), `vault-transit:<key>`, `aws-kms:<key id>`. Not a secret. */
  readonly id: string;
  wrap(plaintext: Buffer, context: WrapContext): Promise<Buffer>;
  /** Throws DecryptionError when the wrapped bytes or the context do not match. */
  unwrap(wrapped: Buffer, context: WrapContext): Promise<Buffer>;
  /**
   * Re-encrypts under the newest version of this same key (after a KMS-side rotation), without
   * the plaintext coming back where the KMS can do that itself.
   */
  rewrap(wrapped: Buffer, context: WrapContext): Promise<Buffer>;
};

/** The associated-data bytes of a context: the values, length-prefixed (see encodeAad). */
export function encodeWrapContext(context: WrapContext): Buffer {
  return encodeAad(context.map(([, value]) => value));
}

/**
 * The KMS could not be reached or refused the call. The message names the provider, the
 * operation and what the KMS said in general terms (status, error type): never a token, a key,
 * a plaintext or a ciphertext.
 */
export class KmsUnavailableError extends Error {
  constructor(
    readonly provider: string,
    readonly operation: string,
    detail: string,
  ) {
    super(`master key provider ${provider}: ${operation} failed: ${detail}`);
    this.name = 'KmsUnavailableError';
  }
}
