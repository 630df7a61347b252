/**
 * Wrapping and unwrapping through a MasterKeyring: the KMS for new keys when one is configured,
 * else the local master key; for unwrapping, whichever key the stored master_key_id names. Local
 * keys answer synchronously (wrapped in a promise); KMS unwraps go through the keyring's bounded
 * cache, so steady-state requests do not call the KMS.
 */
import { DecryptionError } from './aead.js';
import type { WrapContext } from './kms/key-wrapper.js';
import { openLocal, sealLocal } from './kms/local.js';
import { UnknownMasterKeyError, type MasterKeyring } from './master-keyring.js';

export type Wrapped = { masterKeyId: string; wrapped: Buffer };

const KEY_BYTES = 32;

/** The id stored with keys wrapped now. */
export function activeMasterKeyId(keyring: MasterKeyring): string {
  return keyring.remote?.active.id ?? keyring.active!.id;
}

/** Whether this process can open keys stored under this master key id. */
export function canUnwrap(keyring: MasterKeyring, masterKeyId: string): boolean {
  return keyring.byId.has(masterKeyId) || keyring.remote?.forId(masterKeyId) !== undefined;
}

/** Wraps a 32-byte key under the active master key (local or KMS). */
export async function wrapKey(keyring: MasterKeyring, key: Buffer, context: WrapContext): Promise<Wrapped> {
  if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) throw new RangeError(`a wrapped key must be exactly ${KEY_BYTES} bytes`);
  const remote = keyring.remote;
  if (!remote) return { masterKeyId: keyring.active!.id, wrapped: sealLocal(keyring.active!, key, context) };
  const wrapped = await remote.active.wrap(key, context);
  remote.cache.remember(remote.active.id, wrapped, context, key);
  return { masterKeyId: remote.active.id, wrapped };
}

/** Opens a key stored with `masterKeyId`; UnknownMasterKeyError when no configured key has that id. */
export async function unwrapKey(keyring: MasterKeyring, masterKeyId: string, wrapped: Buffer, context: WrapContext): Promise<Buffer> {
  const local = keyring.byId.get(masterKeyId);
  const key = local ? openLocal(local, wrapped, context) : await unwrapRemote(keyring, masterKeyId, wrapped, context);
  // Unreachable for anything wrapKey produced; guards against a valid-but-foreign payload.
  if (key.length !== KEY_BYTES) throw new DecryptionError();
  return key;
}

function unwrapRemote(keyring: MasterKeyring, masterKeyId: string, wrapped: Buffer, context: WrapContext): Promise<Buffer> {
  const wrapper = keyring.remote?.forId(masterKeyId);
  if (!wrapper || !keyring.remote) throw new UnknownMasterKeyError(masterKeyId);
  return keyring.remote.cache.get(masterKeyId, wrapped, context, () => wrapper.unwrap(wrapped, context));
}

/**
 * Re-wraps a key stored with `masterKeyId` under the active master key. Moving between keys
 * unwraps and wraps; staying on the same KMS key asks the KMS to re-encrypt under its newest
 * version (Vault rewrap, KMS ReEncrypt), which needs no plaintext here.
 */
export async function rewrapKey(keyring: MasterKeyring, masterKeyId: string, wrapped: Buffer, context: WrapContext): Promise<Wrapped> {
  const remote = keyring.remote;
  if (remote && masterKeyId === remote.active.id) return { masterKeyId, wrapped: await remote.active.rewrap(wrapped, context) };
  const key = await unwrapKey(keyring, masterKeyId, wrapped, context);
  try {
    return await wrapKey(keyring, key, context);
  } finally {
    key.fill(0);
  }
}
