import type { MasterKey } from './envelope.js';

/**
 * The master keys this process knows: one active key wraps new data keys; older keys stay
 * usable for unwrapping until every data key has been re-wrapped (`keys rotate-master`).
 */
export type MasterKeyring = { active: MasterKey; byId: ReadonlyMap<string, MasterKey> };

export function createMasterKeyring(active: MasterKey, previous: readonly MasterKey[] = []): MasterKeyring {
  const byId = new Map<string, MasterKey>([[active.id, active]]);
  for (const key of previous) if (!byId.has(key.id)) byId.set(key.id, key);
  return { active, byId };
}

export class UnknownMasterKeyError extends Error {
  constructor(readonly masterKeyId: string) {
    super(
      `data key is wrapped by master key ${masterKeyId}, which is not configured (set it as MASTER_KEY, or as a previous key during rotation)`,
    );
    this.name = 'UnknownMasterKeyError';
  }
}
