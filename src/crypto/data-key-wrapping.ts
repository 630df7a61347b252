/**
 * Per-org data keys wrapped and unwrapped through the master keyring (local key or KMS), bound to
 * the org and the data key's row id. The local format is the one wrapDataKey has always stored.
 */
import { dataKeyWrapContext, type DataKeyContext } from './envelope.js';
import { rewrapKey, unwrapKey, wrapKey, type Wrapped } from './keyring-wrap.js';
import type { MasterKeyring } from './master-keyring.js';

export function wrapDataKeyWith(keyring: MasterKeyring, dataKey: Buffer, ctx: DataKeyContext): Promise<Wrapped> {
  return wrapKey(keyring, dataKey, dataKeyWrapContext(ctx));
}

/** Throws UnknownMasterKeyError, DecryptionError, or KmsUnavailableError (the KMS failed, not the key). */
export function unwrapDataKeyWith(keyring: MasterKeyring, masterKeyId: string, wrapped: Buffer, ctx: DataKeyContext): Promise<Buffer> {
  return unwrapKey(keyring, masterKeyId, wrapped, dataKeyWrapContext(ctx));
}

export function rewrapDataKeyWith(keyring: MasterKeyring, masterKeyId: string, wrapped: Buffer, ctx: DataKeyContext): Promise<Wrapped> {
  return rewrapKey(keyring, masterKeyId, wrapped, dataKeyWrapContext(ctx));
}
