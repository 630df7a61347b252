/**
 * MASTER_KEY_PROVIDER as configuration (parsed in src/config/master-key-provider.ts) and the
 * wrappers it makes. A remote provider also opens keys stored under an earlier key of the same
 * provider (another Transit key name, another KMS key id): the id stored with them says which,
 * and the same credentials are used.
 */
import { createAwsKmsWrapper, awsKmsKeyOf } from './aws-kms.js';
import type { KeyWrapper } from './key-wrapper.js';
import { createUnwrapCache, type UnwrapCache } from './unwrap-cache.js';
import { createVaultTransitWrapper, vaultTransitKeyOf } from './vault-transit.js';

export type VaultTransitProvider = {
  kind: 'vault-transit';
  address: string;
  token: string;
  namespace: string | undefined;
  mount: string;
  key: string;
};
export type AwsKmsProvider = { kind: 'aws-kms'; keyId: string; region: string | undefined; endpoint: string | undefined };
export type MasterKeyProvider = { kind: 'local' } | VaultTransitProvider | AwsKmsProvider;
export type RemoteProvider = VaultTransitProvider | AwsKmsProvider;

export type RemoteMasterKeys = {
  /** Wraps every new key. */
  active: KeyWrapper;
  /** The wrapper that opens keys stored with this id, or undefined when it is not this provider's. */
  forId(id: string): KeyWrapper | undefined;
  cache: UnwrapCache;
};

export const DEFAULT_UNWRAP_CACHE_ENTRIES = 10_000;

function wrapperFor(provider: RemoteProvider, id: string | undefined): KeyWrapper | undefined {
  if (provider.kind === 'vault-transit') {
    const key = id === undefined ? provider.key : vaultTransitKeyOf(id);
    return key === undefined ? undefined : createVaultTransitWrapper({ ...provider, key });
  }
  const keyId = id === undefined ? provider.keyId : awsKmsKeyOf(id);
  return keyId === undefined ? undefined : createAwsKmsWrapper({ ...provider, keyId });
}

export function createRemoteMasterKeys(provider: RemoteProvider, cache: { ttlMs: number; maxEntries?: number }): RemoteMasterKeys {
  const active = wrapperFor(provider, undefined)!;
  const others = new Map<string, KeyWrapper | undefined>([[active.id, active]]);
  return {
    active,
    forId(id) {
      if (!others.has(id)) others.set(id, wrapperFor(provider, id));
      return others.get(id);
    },
    cache: createUnwrapCache({ ttlMs: cache.ttlMs, maxEntries: cache.maxEntries ?? DEFAULT_UNWRAP_CACHE_ENTRIES }),
  };
}
