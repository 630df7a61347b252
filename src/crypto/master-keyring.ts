import type { MasterKey } from './envelope.js';
import type { RemoteMasterKeys } from './kms/provider.js';

/**
 * The master keys this process knows. New keys are wrapped by the KMS when one is configured
 * (MASTER_KEY_PROVIDER, `remote`), otherwise by the local `active` key. Local keys (MASTER_KEY,
 * MASTER_KEY_PREVIOUS) stay usable for unwrapping until every key has been re-wrapped (`keys
 * rotate-master`), which is also how a deployment moves from a local key to a KMS.
 * Wrap and unwrap through src/crypto/keyring-wrap.ts, which picks the right one.
 */
export type MasterKeyring = {
  /** The local MASTER_KEY. With a KMS it only unwraps (migration); it may then be absent. */
  active: MasterKey | undefined;
  /** Local keys by id. */
  byId: ReadonlyMap<string, MasterKey>;
  remote: RemoteMasterKeys | undefined;
  /**
   * What the audit trail's keyed hashes of unlinked personal values derive from
   * (hashUnlinkedPersonal): the local master key, or with a KMS a secret given by the runtime.
   */
  hashSecret: Buffer;
};

export type KeyringOptions = { remote?: RemoteMasterKeys; hashSecret?: Buffer };

export function createMasterKeyring(
  active: MasterKey | undefined,
  previous: readonly MasterKey[] = [],
  options: KeyringOptions = {},
): MasterKeyring {
  if (!active && !options.remote) throw new Error('a master keyring needs MASTER_KEY or a KMS (MASTER_KEY_PROVIDER)');
  const byId = new Map<string, MasterKey>();
  if (active) byId.set(active.id, active);
  for (const key of previous) if (!byId.has(key.id)) byId.set(key.id, key);
  const hashSecret = options.hashSecret ?? active?.key;
  if (!hashSecret) throw new Error('a master keyring with a KMS and no MASTER_KEY needs a hash secret');
  return { active, byId, remote: options.remote, hashSecret };
}

export class UnknownMasterKeyError extends Error {
  constructor(readonly masterKeyId: string) {
    super(
      `data key is wrapped by master key ${masterKeyId}, which is not configured (set it as MASTER_KEY, or as a previous key during rotation, or configure its MASTER_KEY_PROVIDER)`,
    );
    this.name = 'UnknownMasterKeyError';
  }
}

/**
 * A refreshed MASTER_KEY / MASTER_KEY_PREVIOUS, taken into the running keyring in place (every
 * service holds this same object). Refused, changing nothing, when a key the keyring knows would
 * disappear: data keys may be wrapped by it, and they must stay readable until `keys rotate-master`
 * has re-wrapped them. New data keys are wrapped by the new active key from the next one on.
 */
export function adoptLocalKeys(
  keyring: MasterKeyring,
  active: MasterKey,
  previous: readonly MasterKey[],
): { adopted: true } | { adopted: false; missing: string[] } {
  const next = new Map<string, MasterKey>([[active.id, active]]);
  for (const key of previous) if (!next.has(key.id)) next.set(key.id, key);
  const missing = [...keyring.byId.keys()].filter((id) => !next.has(id));
  if (missing.length > 0) return { adopted: false, missing };
  const byId = keyring.byId as Map<string, MasterKey>;
  for (const [id, key] of next) byId.set(id, key);
  keyring.active = active;
  return { adopted: true };
}
