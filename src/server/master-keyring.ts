/**
 * The process's master keyring from the configuration: the local MASTER_KEY, or a KMS
 * (MASTER_KEY_PROVIDER) checked with one wrap/unwrap round trip at start-up, so a wrong address,
 * token, key name or policy stops the start with a message that names it, instead of the first
 * request failing.
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import type { Config } from '../config/load.js';
import type { ResolvedSecrets } from '../config/generated-secrets.js';
import { DecryptionError } from '../crypto/aead.js';
import type { WrapContext } from '../crypto/kms/key-wrapper.js';
import { createRemoteMasterKeys, type RemoteMasterKeys } from '../crypto/kms/provider.js';
import { createMasterKeyring, type MasterKeyring } from '../crypto/master-keyring.js';
import type { Logger } from '../logging/logger.js';

const PROBE_CONTEXT: WrapContext = [['purpose', 'portcullis/kms-probe/v1']];

export class MasterKeyProviderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MasterKeyProviderError';
  }
}

export async function openMasterKeyring(config: Config, secrets: ResolvedSecrets, logger: Logger): Promise<MasterKeyring> {
  const { provider, cacheSeconds } = config.masterKeyProvider;
  if (provider.kind === 'local') {
    if (!secrets.masterKey) throw new MasterKeyProviderError('MASTER_KEY is not set');
    return createMasterKeyring(secrets.masterKey, config.previousMasterKeys);
  }
  const remote = createRemoteMasterKeys(provider, { ttlMs: cacheSeconds * 1000 });
  await probe(remote, provider.kind);
  logger.info({ provider: provider.kind, masterKeyId: remote.active.id, cacheSeconds }, 'master key provider ready');
  // No master key material lives in this process, so the audit trail's keyed hashes of unlinked
  // personal values derive from AUTH_SECRET instead (domain-separated; see docs/security.md).
  const hashSecret = Buffer.from(
    hkdfSync('sha256', secrets.authSecret, Buffer.alloc(0), Buffer.from('portcullis:kms-mode-hash-secret'), 32),
  );
  // MASTER_KEY and MASTER_KEY_PREVIOUS, if set, only unwrap: keys still to be moved to the KMS.
  return createMasterKeyring(secrets.masterKey, config.previousMasterKeys, { remote, hashSecret });
}

async function probe(remote: RemoteMasterKeys, kind: string): Promise<void> {
  const sample = randomBytes(32);
  try {
    const wrapped = await remote.active.wrap(sample, PROBE_CONTEXT);
    const back = await remote.active.unwrap(wrapped, PROBE_CONTEXT);
    const same = back.equals(sample);
    back.fill(0);
    if (!same) throw new DecryptionError();
  } catch (error) {
    const reason = error instanceof DecryptionError ? 'a wrap/unwrap round trip did not give the key back' : (error as Error).message;
    throw new MasterKeyProviderError(`MASTER_KEY_PROVIDER=${kind} (${remote.active.id}) is not usable: ${reason}`);
  } finally {
    sample.fill(0);
  }
}
