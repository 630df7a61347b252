/**
 * MASTER_KEY_PROVIDER=local (the default): AES-256-GCM under the master key, in this process.
 * Byte-for-byte the format wrapDataKey has always stored, so existing keys open unchanged.
 */
import { openAesGcm, sealAesGcm } from '../aead.js';
import type { MasterKey } from '../master-key.js';
import { encodeWrapContext, type KeyWrapper, type WrapContext } from './key-wrapper.js';

export function sealLocal(master: MasterKey, plaintext: Buffer, context: WrapContext): Buffer {
  return sealAesGcm(master.key, plaintext, encodeWrapContext(context));
}

export function openLocal(master: MasterKey, wrapped: Buffer, context: WrapContext): Buffer {
  return openAesGcm(master.key, wrapped, encodeWrapContext(context));
}

export function createLocalWrapper(master: MasterKey): KeyWrapper {
  return {
    id: master.id,
    wrap: (plaintext, context) => Promise.resolve(sealLocal(master, plaintext, context)),
    unwrap: (wrapped, context) => Promise.resolve(openLocal(master, wrapped, context)),
    // A local key has no versions: re-sealing gives a fresh IV under the same key.
    rewrap: (wrapped, context) => {
      const plaintext = openLocal(master, wrapped, context);
      try {
        return Promise.resolve(sealLocal(master, plaintext, context));
      } finally {
        plaintext.fill(0);
      }
    },
  };
}
